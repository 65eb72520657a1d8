"""The project's images, built hermetically (scripts/build-images.sh: wheels from the lock, `docker build --network
none`) and smoke-run: the scoring image answers a prediction on a published 127.0.0.1 port; the flow-runner image
runs a flow against a Prefect server on this machine, as a non-root user.

Slow (a cold build takes minutes; a re-run with unchanged inputs reuses the images). Without a Docker engine these
tests skip with the reason - except under CI=true, where they fail: there Docker must be there
(`bash scripts/install-docker.sh` starts it on Debian machines)."""
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from recipebook import PROJECT_ROOT
from recipebook.environment import tool_env, venv_bin
from recipebook.k8s import versions
from recipebook.processes import free_port

TAG = versions.load()["IMAGE_TAG"]


def docker_problem() -> str | None:
    if not shutil.which("docker"):
        return "docker is not installed (on Debian: bash scripts/install-docker.sh)"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        return f"the Docker engine does not answer (start it; on Debian: bash scripts/install-docker.sh): {info.stderr.strip()[-200:]}"
    return None


@pytest.fixture(scope="module")
def built_images():
    problem = docker_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(f"Docker image tests skipped: {problem}")
    start = time.monotonic()
    result = subprocess.run(["bash", "scripts/build-images.sh"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=2400)
    assert result.returncode == 0, f"build-images.sh failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    print(f"\nbuild-images.sh: {time.monotonic() - start:.0f} s\n{result.stdout}")
    return result.stdout


def wait_http(url: str, seconds: float, container: str | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 400:
                    return
        except OSError:
            time.sleep(1)
    logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True).stderr[-2000:] if container else ""
    pytest.fail(f"{url} did not answer within {seconds:.0f} s\n{logs}")


def test_rebuild_with_unchanged_inputs_reuses_the_images(built_images):
    again = subprocess.run(["bash", "scripts/build-images.sh"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("is up to date") == 2, again.stdout


@pytest.fixture
def tiny_model(tmp_path) -> tuple[Path, list, list]:
    """A scikit-learn model trained now and saved in MLflow's format, readable by the image's non-root user."""
    import mlflow
    import pandas as pd
    import sklearn
    from sklearn.linear_model import LogisticRegression

    rows = pd.DataFrame({"x1": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "x2": [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]})
    model = LogisticRegression().fit(rows, [0, 0, 0, 1, 1, 1])
    path = tmp_path / "model"
    mlflow.sklearn.save_model(model, path, pip_requirements=[f"scikit-learn=={sklearn.__version__}"])
    for p in [path, *path.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    probe = [[0.5, 1.0], [4.5, 0.0]]
    return path, probe, model.predict(pd.DataFrame(probe, columns=["x1", "x2"])).tolist()


def test_scoring_image_answers_a_prediction(built_images, tiny_model):
    model_dir, probe, expected = tiny_model
    port, name = free_port(), f"recipebook-scoring-smoke-{os.getpid()}"
    start = time.monotonic()
    subprocess.run(["docker", "run", "-d", "--rm", "--name", name, "--network", "bridge", "-p", f"127.0.0.1:{port}:8080",
                    "-v", f"{model_dir}:/opt/model:ro", f"recipebook/scoring:{TAG}"], check=True, capture_output=True, timeout=60)
    try:
        wait_http(f"http://127.0.0.1:{port}/ping", 120, name)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations",
                                         data=json.dumps({"dataframe_split": {"columns": ["x1", "x2"], "data": probe}}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        print(f"scoring image: ready and answered in {time.monotonic() - start:.1f} s: {answer}")
        assert answer == {"predictions": expected}
        user = subprocess.run(["docker", "exec", name, "id", "-u"], capture_output=True, text=True, timeout=30).stdout.strip()
        assert user == "10001", "the scoring server must not run as root"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)


@pytest.fixture
def prefect_server(tmp_path):
    """`prefect server start` on a free loopback port, in the environment recipe steps get (offline, telemetry off)."""
    port = free_port()
    env = {**tool_env(), "PREFECT_HOME": str(tmp_path / "prefect-home")}
    log = (tmp_path / "prefect-server.log").open("w")
    process = subprocess.Popen([str(venv_bin() / "prefect"), "server", "start", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/health", 120)
        yield f"http://127.0.0.1:{port}/api"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_flow_runner_image_runs_a_flow_against_a_local_prefect_server(built_images, prefect_server):
    start = time.monotonic()
    result = subprocess.run(["docker", "run", "--rm", "--network", "host", "-e", f"PREFECT_API_URL={prefect_server}",
                             f"recipebook/flow-runner:{TAG}", "python", "hello_flow.py"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    last_json = [line for line in result.stdout.splitlines() if line.startswith("{")][-1]
    print(f"flow-runner image: flow finished in {time.monotonic() - start:.1f} s: {last_json}")
    assert json.loads(last_json) == {"flow_run_state": "COMPLETED", "result": 5}

    # The run is in the server's database, so the container really talked to it.
    import httpx
    runs = httpx.post(f"{prefect_server}/flow_runs/filter", json={"flow_runs": {"name": {}}}, timeout=30).json()
    assert any(run["state_type"] == "COMPLETED" for run in runs), runs


def test_flow_runner_image_holds_the_pipeline_and_the_worker(built_images):
    """The Kubernetes deployment's entrypoint (train_pipeline.py) imports in the image, with the Kubernetes worker."""
    result = subprocess.run(["docker", "run", "--rm", "--network", "none", f"recipebook/flow-runner:{TAG}", "sh", "-c",
                             "id -u && python -c 'import train_pipeline, prefect_kubernetes; print(\"imports ok\")'"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["10001", "imports", "ok"]


def test_flow_runner_image_starts_the_kubernetes_worker_of_the_manifest(built_images, prefect_server):
    """The worker command and environment of deploy/base/prefect-worker.yaml: the pool is created, /health answers."""
    import httpx
    import yaml

    docs = list(yaml.safe_load_all((PROJECT_ROOT / "deploy" / "base" / "prefect-worker.yaml").read_text()))
    container = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    health_port = free_port()
    env.update(PREFECT_API_URL=prefect_server, PREFECT_WORKER_WEBSERVER_HOST="127.0.0.1",
               PREFECT_WORKER_WEBSERVER_PORT=str(health_port))
    name = f"recipebook-worker-smoke-{os.getpid()}"
    args = ["docker", "run", "-d", "--rm", "--name", name, "--network", "host"]
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    subprocess.run(args + [f"recipebook/flow-runner:{TAG}", *container["command"]], check=True, capture_output=True, timeout=60)
    try:
        wait_http(f"http://127.0.0.1:{health_port}/health", 120, name)
        deadline, pool = time.monotonic() + 60, {}
        while time.monotonic() < deadline and pool.get("type") is None:
            time.sleep(1)
            pool = httpx.get(f"{prefect_server}/work_pools/kubernetes", timeout=30).json()
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True).stdout[-2000:]
        assert pool.get("type") == "kubernetes", f"{pool}\n{logs}"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
