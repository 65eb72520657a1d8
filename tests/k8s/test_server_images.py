"""The platform's servers, run with Docker the way their manifests run them (command, environment, volumes, user):

- every project image starts from bytecode compiled at build time (its user cannot write __pycache__);
- the production overlay's MLflow, from the project's image, on a PostgreSQL server started here and with its
  artifacts in S3-compatible storage (a small S3 stand-in on this machine), served through the MLflow server;
- Prefect's server (the official image's situation: Prefect 3.9.1, non-root, a root-owned site-packages; here the
  flow-runner image, which holds the same Prefect) serves its UI, and a real browser, on a published port that
  is not 4200 (a port-forward on another local port), gets the UI to show a flow run from the API;
- the platform recipe's hidden UI check passes against both servers.

No cluster is needed. Skips with the reason without a Docker engine (fails under CI=true), without PostgreSQL's
server programs or without chromium."""
from __future__ import annotations

import glob
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from recipebook import PROJECT_ROOT
from recipebook.expectations import _check_json
from recipebook.k8s import render, versions, workloads
from recipebook.processes import free_port

TAG = versions.load()["IMAGE_TAG"]
IMAGES = {  # image -> what its containers import first
    "flow-runner": "import prefect, prefect_kubernetes, mlflow",
    "scoring": "import mlflow.pyfunc, sklearn",
    "mlflow": "import mlflow.server, psycopg, boto3",
}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def overlay(name: str) -> list[dict]:
    return render.render(PROJECT_ROOT / "deploy" / "overlays" / name).objects


def wait_http(url: str, seconds: float, container: str | None = None, headers: dict | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=3) as response:
                if response.status < 400:
                    return
        except OSError:
            time.sleep(1)
    logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True) if container else None
    pytest.fail(f"{url} did not answer within {seconds:.0f} s\n{(logs.stdout + logs.stderr)[-3000:] if logs else ''}")


def docker_logs(name: str) -> str:
    result = subprocess.run(["docker", "logs", name], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


SHIMS = Path(__file__).parent / "shims"


def old_python_shim(image: str) -> list[str]:
    """Docker arguments that let Prefect's server import on a Python older than 3.11.3, or none.

    The local stand-in base image (scripts/build-base-image.sh: Debian bookworm) has Python 3.11.2, below the
    lock's floor (3.11.5; python:3.11-slim, which users and the nightly job build on, has a newer 3.11). There
    redis, which Prefect's server imports, needs the package async-timeout, which the lock leaves out as
    unneeded from 3.11.3 on; the shim maps it to the standard library's asyncio.timeout."""
    check = subprocess.run(["docker", "run", "--rm", "--network", "none", image, "python", "-c",
                            "import sys; print(sys.version_info[:3] < (3, 11, 3))"], capture_output=True, text=True, timeout=120)
    if check.stdout.strip() != "True":
        return []
    print(f"NOTE: {image} has a Python older than 3.11.3 (the local base image); adding the async_timeout shim")
    return ["-v", f"{SHIMS}:/opt/test-shims:ro", "-e", "PYTHONPATH=/opt/test-shims"]


def run_container(name: str, image: str, command: list[str], env: dict[str, str], obj: dict, item: dict,
                  network: list[str]) -> None:
    """`docker run -d` of a manifest's container: its pod's user, its environment, a tmpfs for each volume."""
    security = workloads.pod_spec(obj).get("securityContext") or {}
    args = ["docker", "run", "-d", "--name", name, *network, *old_python_shim(image),
            "--user", f"{security.get('runAsUser', 10001)}:{security.get('runAsGroup', 10001)}"]
    for mount in item.get("volumeMounts") or []:
        args += ["--mount", f"type=tmpfs,destination={mount['mountPath']},tmpfs-mode=1777"]
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    subprocess.run(args + [image, *command], check=True, capture_output=True, timeout=120)


def stop(name: str) -> None:
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)


# --- bytecode -------------------------------------------------------------------------------------------------

def test_dockerfiles_compile_bytecode_at_build_time():
    for dockerfile in sorted((PROJECT_ROOT / "images").glob("*/Dockerfile")):
        text = dockerfile.read_text()
        assert "--no-compile" not in text and "PYTHONDONTWRITEBYTECODE" not in text, dockerfile
        assert re.search(r"/opt/venv/bin/pip install ", text), dockerfile


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_containers_start_from_compiled_bytecode(built_images, image):
    """As the image's user, the first imports load .pyc files from the venv and compile no source; the same imports
    with the bytecode hidden (PYTHONPYCACHEPREFIX on an empty folder) show what a start without it costs."""
    probe = f"""
import os, statistics, subprocess, sys, time
code = {IMAGES[image]!r}
verbose = subprocess.run([sys.executable, "-B", "-v", "-c", code], capture_output=True, text=True).stderr
loaded = [line for line in verbose.splitlines() if line.startswith("# code object from ") and "/opt/venv/" in line]
from_source = [line for line in loaded if line.rstrip().endswith(".py")]
def seconds(extra):
    start = time.monotonic()
    subprocess.run([sys.executable, "-B", "-c", code], env={{**os.environ, **extra}}, check=True)
    return time.monotonic() - start
with_pyc, without = [], []
for _ in range(2):
    with_pyc.append(seconds({{}}))
    without.append(seconds({{"PYTHONPYCACHEPREFIX": "/tmp/no-bytecode"}}))
print(os.getuid(), len(loaded), len(from_source), statistics.median(with_pyc), statistics.median(without))
print(*from_source[:5], sep="\\n")
"""
    result = subprocess.run(["docker", "run", "--rm", "--network", "none", f"recipebook/{image}:{TAG}", "python", "-c", probe],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    first, *compiled = result.stdout.strip().splitlines()
    uid, loaded, from_source, with_pyc, without = first.split()
    print(f"{image}: {loaded} modules from /opt/venv, {from_source} compiled from source; "
          f"`{IMAGES[image]}` {float(with_pyc):.1f} s with bytecode, {float(without):.1f} s without")
    assert uid == "10001"
    assert int(loaded) > 200, "the imports loaded few modules from /opt/venv"
    assert int(from_source) == 0, f"{from_source} modules compiled at start, e.g.:\n" + "\n".join(compiled)
    assert float(with_pyc) < float(without)


# --- MLflow of the production overlay on PostgreSQL and S3-compatible storage ---------------------------------

class FakeS3(http.server.BaseHTTPRequestHandler):
    """The few S3 calls MLflow's artifact store makes (PutObject, HeadObject, GetObject, ListObjectsV2), in memory."""
    objects: dict[str, bytes] = {}
    requests: list[tuple[str, str, str]] = []

    def log_message(self, *args):
        pass

    def _body(self) -> bytes:
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        streaming = self.headers.get("x-amz-content-sha256", "").startswith("STREAMING-") \
            or "aws-chunked" in self.headers.get("Content-Encoding", "")
        if not streaming:
            return data
        decoded, rest = b"", data
        while rest:
            header, rest = rest.split(b"\r\n", 1)
            size = int(header.split(b";")[0], 16)
            if size == 0:
                break
            decoded, rest = decoded + rest[:size], rest[size + 2:]
        return decoded

    def _reply(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_PUT(self):
        key = urllib.parse.urlsplit(self.path).path
        body = self._body()
        FakeS3.objects[key] = body
        FakeS3.requests.append(("PUT", key, self.headers.get("Authorization", "")))
        self._reply(200, headers={"ETag": f'"{hashlib.md5(body).hexdigest()}"'})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        FakeS3.requests.append((self.command, url.path, self.headers.get("Authorization", "")))
        if "list-type" in query:
            bucket, prefix = url.path.strip("/"), query.get("prefix", [""])[0]
            keys = [k for k in FakeS3.objects if k.startswith(f"/{bucket}/{prefix}")]
            contents = "".join(f"<Contents><Key>{k.split('/', 2)[2]}</Key><Size>{len(FakeS3.objects[k])}</Size>"
                               f"<LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>" for k in keys)
            xml = (f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>{bucket}</Name><Prefix>{prefix}'
                   f"</Prefix><KeyCount>{len(keys)}</KeyCount><IsTruncated>false</IsTruncated>{contents}</ListBucketResult>")
            return self._reply(200, xml.encode(), {"Content-Type": "application/xml"})
        if url.path not in FakeS3.objects:
            return self._reply(404, b"<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
        body = FakeS3.objects[url.path]
        self._reply(200, body, {"ETag": f'"{hashlib.md5(body).hexdigest()}"', "Content-Type": "binary/octet-stream",
                                "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT", "Accept-Ranges": "bytes"})

    do_HEAD = do_GET


@pytest.fixture(scope="module")
def fake_s3():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeS3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    initdb = found[-1] if found else shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A PostgreSQL server on 127.0.0.1 (as Debian's postgres user in a user namespace when run as root), with a
    database and a password-protected role for MLflow. Yields the URI the Secret mlflow-postgres would hold."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL's server programs are missing (apt-get install postgresql)")
        pytest.skip("PostgreSQL's server programs (initdb, postgres) are missing: apt-get install postgresql")
    import psycopg

    root = tmp_path_factory.mktemp("postgres")
    as_postgres = ["unshare", "--user", "--map-user=postgres", "--map-group=postgres"] if os.getuid() == 0 else []
    (root / "pw").write_text("superuser-pw\n")
    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", "postgres", "-E", "UTF8",
                    "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={root / 'pw'}"],
                   check=True, capture_output=True, timeout=300)
    port = free_port()
    (root / "socket").mkdir()
    log = (root / "postgres.log").open("w")
    server = subprocess.Popen([*as_postgres, str(bin_dir / "postgres"), "-D", str(root / "data"), "-p", str(port),
                               "-k", str(root / "socket"), "-c", "listen_addresses=127.0.0.1"],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        admin = f"postgresql://postgres:superuser-pw@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 120
        while True:
            try:
                connection = psycopg.connect(admin, autocommit=True, connect_timeout=3)
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("PostgreSQL did not start:\n" + (root / "postgres.log").read_text()[-2000:])
                time.sleep(1)
        with connection:
            connection.execute("CREATE ROLE mlflow LOGIN PASSWORD 'mlflow-pw'")
            connection.execute("CREATE DATABASE mlflow OWNER mlflow")
        yield f"postgresql+psycopg://mlflow:mlflow-pw@127.0.0.1:{port}/mlflow"
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        log.close()


@pytest.fixture(scope="module")
def production_mlflow(built_images, postgres, fake_s3):
    """The production overlay's MLflow container as rendered, its Secrets holding this machine's PostgreSQL and
    S3 credentials, mlflow.env's optional MLFLOW_S3_ENDPOINT_URL pointing at the S3 stand-in. On the host network,
    on a free port instead of 5000. Yields (URL, environment)."""
    platform = overlay("production")
    obj = workloads.find(platform, "Deployment", "mlflow")
    item = workloads.container(obj)
    secrets = {"mlflow-postgres": {"backend-store-uri": postgres},
               "mlflow-s3": {"access-key-id": "AKIARECIPEBOOKTEST", "secret-access-key": "not-a-real-secret"}}
    env = workloads.environment(platform, obj, item, secrets)
    env["MLFLOW_S3_ENDPOINT_URL"] = fake_s3
    port = free_port()
    command = [a for a in item["command"] if not a.startswith(("--host=", "--port="))]
    command += ["--host=127.0.0.1", f"--port={port}"]
    name = f"recipebook-mlflow-pg-{os.getpid()}"
    assert item["image"] == f"recipebook/mlflow:{TAG}"
    run_container(name, item["image"], command, env, obj, item, ["--network", "host"])
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 300, name)
        yield f"http://127.0.0.1:{port}", env
    finally:
        print(docker_logs(name)[-1500:])  # the tail of the server log, for a failing run
        stop(name)


def test_production_mlflow_keeps_runs_in_postgresql_and_artifacts_in_s3(production_mlflow, postgres, monkeypatch, tmp_path):
    import mlflow
    import psycopg
    from mlflow import MlflowClient

    url, env = production_mlflow
    assert env["MLFLOW_ARTIFACTS_DESTINATION"].startswith("s3://")
    bucket_path = env["MLFLOW_ARTIFACTS_DESTINATION"].removeprefix("s3://")
    for key in [k for k in os.environ if k.startswith(("AWS_", "MLFLOW_S3"))]:
        monkeypatch.delenv(key)  # the client has no storage credentials: artifacts go through the server
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    client = MlflowClient(url)
    experiment_id = client.create_experiment(f"pg-s3-{uuid.uuid4().hex[:8]}")
    run = client.create_run(experiment_id)
    client.log_param(run.info.run_id, "backend", "postgresql")
    client.log_metric(run.info.run_id, "auc", 0.9)
    note = tmp_path / "note.txt"
    note.write_text("stored in the bucket, served by MLflow")
    client.log_artifact(run.info.run_id, str(note))
    client.set_terminated(run.info.run_id)

    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")
    downloaded = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="note.txt", dst_path=str(tmp_path / "dl"))
    assert Path(downloaded).read_text() == note.read_text()

    puts = [(key, auth) for method, key, auth in FakeS3.requests if method == "PUT"]
    assert any(key.startswith(f"/{bucket_path}/") and key.endswith(f"{run.info.run_id}/artifacts/note.txt") for key, _ in puts), puts
    assert all("AKIARECIPEBOOKTEST" in auth for _key, auth in puts), "the server signs with the Secret's key"

    with psycopg.connect(postgres.replace("+psycopg", ""), connect_timeout=10) as connection:
        params = connection.execute("SELECT key, value FROM params WHERE run_uuid = %s", (run.info.run_id,)).fetchall()
        metric = connection.execute("SELECT value FROM metrics WHERE run_uuid = %s AND key = 'auc'", (run.info.run_id,)).fetchone()
    assert params == [("backend", "postgresql")] and metric == (0.9,)


# --- Prefect's UI through a port-forward on another port ------------------------------------------------------

@pytest.fixture(scope="module")
def prefect_ui_server(built_images):
    """The Prefect server container of deploy/overlays/kind as rendered, run from the flow-runner image (the same
    Prefect as prefecthq/prefect:3.9.1, installed root-owned, run as UID 10001), its port 4200 published on a free
    local port as `kubectl port-forward` would. Yields the URL the browser opens."""
    platform = overlay("kind")
    obj = workloads.find(platform, "Deployment", "prefect-server")
    item = workloads.container(obj)
    env = workloads.environment(platform, obj, item)
    port = free_port()
    name = f"recipebook-prefect-ui-{os.getpid()}"
    run_container(name, f"recipebook/flow-runner:{TAG}", item["command"], env, obj, item,
                  ["--network", "bridge", "-p", f"127.0.0.1:{port}:4200"])
    try:
        wait_http(f"http://127.0.0.1:{port}/api/health", 300, name)
        yield f"http://127.0.0.1:{port}", name
    finally:
        stop(name)


def test_prefect_server_copies_the_ui_files_and_serves_the_ui(prefect_ui_server):
    url, name = prefect_ui_server
    wait_http(url + "/", 60, name, headers={"Accept": "text/html"})
    request = urllib.request.Request(url + "/", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    assert "<html" in page.lower()
    assert "UI static" not in docker_logs(name), docker_logs(name)[-2000:]
    with urllib.request.urlopen(url + "/ui-settings", timeout=30) as response:
        api_url = json.load(response)["api_url"]
    assert urllib.parse.urljoin(url + "/", api_url) == url + "/api", f"the UI would call {api_url}"


def test_without_the_ui_directory_setting_the_server_serves_the_api_only(built_images):
    """Why the manifest sets PREFECT_UI_STATIC_DIRECTORY (the platform page's troubleshooting): the same container
    without it logs that it failed to create the UI static directory, and answers 404 where the UI should be."""
    platform = overlay("kind")
    obj = workloads.find(platform, "Deployment", "prefect-server")
    item = workloads.container(obj)
    env = workloads.environment(platform, obj, item)
    env.pop("PREFECT_UI_STATIC_DIRECTORY")
    port, name = free_port(), f"recipebook-prefect-no-ui-{os.getpid()}"
    run_container(name, f"recipebook/flow-runner:{TAG}", item["command"], env, obj, item,
                  ["--network", "bridge", "-p", f"127.0.0.1:{port}:4200"])
    try:
        wait_http(f"http://127.0.0.1:{port}/api/health", 300, name)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Accept": "text/html"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 404
        assert "Failed to create V1 UI static directory" in docker_logs(name), docker_logs(name)[-2000:]
    finally:
        stop(name)


@pytest.mark.skipif(not CHROMIUM or not CHROMEDRIVER.exists(),
                    reason="BROWSER TEST SKIPPED: chromium and /usr/bin/chromedriver are required (bash scripts/install-browser.sh)")
def test_a_browser_sees_a_flow_run_in_the_prefect_ui_through_the_forwarded_port(prefect_ui_server, tmp_path):
    import httpx
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    url, _name = prefect_ui_server
    flow = httpx.post(f"{url}/api/flows/", json={"name": "ui-check"}, timeout=30).json()
    run_name = f"ui-check-{uuid.uuid4().hex[:8]}"
    httpx.post(f"{url}/api/flow_runs/", json={"flow_id": flow["id"], "name": run_name, "state": {"type": "COMPLETED"}},
               timeout=30).raise_for_status()

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--window-size=1280,1000",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        browser.set_page_load_timeout(60)
        browser.get(url + "/runs")
        deadline, text = time.monotonic() + 120, ""
        while time.monotonic() < deadline and run_name not in text:
            time.sleep(1)
            text = browser.find_element(By.TAG_NAME, "body").text
        artifacts = PROJECT_ROOT / "build" / "test-artifacts"
        artifacts.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(artifacts / "prefect-ui-port-forward.png"))
        assert run_name in text, f"the UI at {browser.current_url} does not show the flow run:\n{text[:1500]}"
    finally:
        browser.quit()


# --- the platform recipe's hidden UI check, against both servers ----------------------------------------------

def test_platform_recipe_ui_check_passes_against_the_manifests_servers(prefect_ui_server, production_mlflow, tmp_path):
    """The Python part of recipes/cluster-platform's hidden step check-uis (the kubectl part needs a cluster)."""
    recipe = yaml.safe_load((PROJECT_ROOT / "recipes" / "cluster-platform" / "recipe.yaml").read_text())
    step = next(s for s in recipe["steps"] if s["id"] == "check-uis")
    script = re.search(r"python - <<'PY'\n(.*?)\nPY\n", step["run"], re.DOTALL).group(1)
    prefect_url, mlflow_url = prefect_ui_server[0], production_mlflow[0]
    env = {**os.environ, "PREFECT_PORT": prefect_url.rsplit(":", 1)[1], "MLFLOW_PORT": mlflow_url.rsplit(":", 1)[1]}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    print(result.stdout)
    assert _check_json(step["expect"]["json"], result.stdout, tmp_path) == []
