"""The project's images, built hermetically (scripts/build-images.sh: wheels from the lock, `docker build --network
none`) and smoke-run: the scoring image answers a prediction on a published 127.0.0.1 port; the flow-runner image
runs a flow against a Prefect server on this machine, as a non-root user.

Slow (a cold build takes minutes; a re-run with unchanged inputs reuses the images). Without a Docker engine these
tests skip with the reason - except under CI=true, where they fail: there Docker must be there
(`bash scripts/install-docker.sh` starts it on Debian machines)."""
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from recipebook import PROJECT_ROOT
from recipebook.environment import tool_env, venv_bin
from recipebook.k8s import render, versions, workloads
from recipebook.processes import free_port

TAG = versions.load()["IMAGE_TAG"]


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
    images = len(list((PROJECT_ROOT / "images").glob("*/Dockerfile")))
    assert again.stdout.count("is up to date") == images, again.stdout


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


def test_flow_runner_image_starts_the_kubernetes_worker_of_the_manifest(built_images, prefect_server, tmp_path):
    """The worker of deploy/overlays/kind as rendered (command, environment, the base job template from its
    ConfigMap): /health answers, and the worker creates the pool with the manifest's base job template."""
    import httpx

    platform = render.render(PROJECT_ROOT / "deploy" / "overlays" / "kind").objects
    obj = workloads.find(platform, "Deployment", "prefect-worker")
    container = workloads.container(obj)
    env = workloads.environment(platform, obj, container)
    health_port = free_port()
    env.update(PREFECT_API_URL=prefect_server, PREFECT_WORKER_WEBSERVER_HOST="127.0.0.1",
               PREFECT_WORKER_WEBSERVER_PORT=str(health_port))
    name = f"recipebook-worker-smoke-{os.getpid()}"
    args = ["docker", "run", "-d", "--rm", "--name", name, "--network", "host"]
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    templates = {}
    for mount in container.get("volumeMounts", []):  # ConfigMap volumes, as files
        volume = next(v for v in workloads.pod_spec(obj)["volumes"] if v["name"] == mount["name"])
        config_map = next(o for o in platform if o["kind"] == "ConfigMap" and o["metadata"]["name"] == volume["configMap"]["name"])
        folder = tmp_path / mount["name"]
        folder.mkdir(mode=0o755)
        for key, value in config_map["data"].items():
            (folder / key).write_text(value)
            (folder / key).chmod(0o644)
            templates[f"{mount['mountPath']}/{key}"] = json.loads(value)
        args += ["-v", f"{folder}:{mount['mountPath']}:ro"]
    command = container["command"]
    expected_template = templates[command[command.index("--base-job-template") + 1]]
    subprocess.run(args + [f"recipebook/flow-runner:{TAG}", *command], check=True, capture_output=True, timeout=60)
    try:
        wait_http(f"http://127.0.0.1:{health_port}/health", 180, name)
        deadline, pool = time.monotonic() + 60, {}
        while time.monotonic() < deadline and pool.get("type") is None:
            time.sleep(1)
            pool = httpx.get(f"{prefect_server}/work_pools/kubernetes", timeout=30).json()
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True).stdout[-2000:]
        assert pool.get("type") == "kubernetes", f"{pool}\n{logs}"
        assert pool["base_job_template"] == expected_template, "the pool was not created with the manifest's template"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
