"""What the platform's manifests make Prefect, prefect-kubernetes and MLflow do, asked of those packages themselves
(the versions of requirements.lock, which the images run), offline:

- the Prefect UI: its files go to a writable volume, and it calls the API on the address it was loaded from;
- the worker's Kubernetes observer watches only the namespace its Role covers;
- liveness probes give a busy server 5 s;
- production: MLflow on PostgreSQL and S3-compatible storage, from the project's image, credentials from Secrets;
- every object of every overlay is in the platform's namespace (Secrets and Services are looked up there);
- the pages' statements about sign-in: no sign-in in the base, oauth2-proxy's GitHub organisation, the Host and
  Origin MLflow sees behind oauth2-proxy.
Each test fails when the fix it covers is removed from the manifests."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from recipebook import PROJECT_ROOT
from recipebook.k8s import check, render, versions, workloads

V = versions.load()
DEPLOY = PROJECT_ROOT / "deploy"
NAMESPACE = "recipebook"
# What the pages tell the reader to create with kubectl (fake values: only their flow through the manifests counts).
SECRETS = {
    "prefect-postgres": {"connection-url": "postgresql+asyncpg://prefect:pw@db.example:5432/prefect"},
    "mlflow-postgres": {"backend-store-uri": "postgresql+psycopg://mlflow:pw@db.example:5432/mlflow"},
    "mlflow-s3": {"access-key-id": "AKIAEXAMPLE", "secret-access-key": "example-secret"},
    **{f"oauth2-proxy-{ui}": {"client-id": "id", "client-secret": "secret", "cookie-secret": "0" * 32}
       for ui in ("prefect", "mlflow")},
}


@lru_cache(maxsize=None)
def _render(directory: str) -> tuple:
    return tuple(render.render(Path(directory)).objects)


def objects(overlay: str) -> list[dict]:
    """The rendered objects of deploy/base or deploy/overlays/OVERLAY."""
    return list(_render(str(DEPLOY / (overlay if overlay == "base" else f"overlays/{overlay}"))))


def deployment(overlay: str, name: str) -> tuple[dict, dict, dict[str, str]]:
    """(Deployment, its container, the container's resolved environment) as rendered by `overlay`."""
    rendered = objects(overlay)
    obj = workloads.find(rendered, "Deployment", name)
    item = workloads.container(obj)
    return obj, item, workloads.environment(rendered, obj, item, SECRETS)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """An environment without the developer's Prefect and MLflow settings, for asking the packages' settings."""
    for key in list(os.environ):
        if key.startswith(("PREFECT_", "MLFLOW_", "AWS_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    return monkeypatch


# --- Prefect's UI ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", ["kind", "production"])
def test_prefect_ui_files_go_to_a_writable_volume(overlay, clean_env):
    """The server runs as UID 10001 and cannot write the UI's files into site-packages (PrefectHQ/prefect#11640):
    PREFECT_UI_STATIC_DIRECTORY must name a directory on an emptyDir volume, and Prefect must read that name."""
    from prefect.settings import Settings

    obj, item, env = deployment(overlay, "prefect-server")
    assert workloads.pod_spec(obj)["securityContext"]["runAsUser"] != 0
    directory = env.get("PREFECT_UI_STATIC_DIRECTORY")
    assert directory, "PREFECT_UI_STATIC_DIRECTORY is not set: the UI's files would go to the read-only site-packages"
    volume = workloads.volume_at(obj, item, directory)
    assert volume is not None and "emptyDir" in volume, f"{directory} is on no writable emptyDir volume: {volume}"
    for key, value in env.items():
        clean_env.setenv(key, value)
    assert Settings().server.ui.static_directory == directory


@pytest.mark.parametrize("origin", ["http://127.0.0.1:4200", "http://127.0.0.1:54321", "https://prefect.example.org"])
def test_prefect_ui_calls_the_api_on_the_address_it_was_loaded_from(origin, clean_env):
    """A port-forward on any local port, or oauth2-proxy on your host: the UI's API calls go where the UI came from.
    Prefect's default is http://127.0.0.1:4200/api whatever `--port` the server has."""
    from prefect.settings import Settings

    _obj, _item, env = deployment("kind", "prefect-server")
    for key, value in env.items():
        clean_env.setenv(key, value)
    api_url = Settings().server.ui.api_url
    assert urllib.parse.urljoin(origin + "/", api_url) == origin + "/api", f"the UI would call {api_url}"


# --- the worker's observer ------------------------------------------------------------------------------------

def test_worker_observer_watches_only_the_namespace_of_its_role(clean_env, monkeypatch):
    """prefect-kubernetes' observer watches the whole cluster unless PREFECT_INTEGRATIONS_KUBERNETES_OBSERVER_NAMESPACES
    is set; the worker's Role is namespaced, so a cluster-wide watch gets 403 and crashed runs go unnoticed."""
    import prefect_kubernetes.observer as observer
    from prefect_kubernetes.settings import KubernetesSettings

    rendered = objects("kind")
    obj, _item, env = deployment("kind", "prefect-worker")
    role = workloads.find(rendered, "Role", "prefect-worker")
    binding = workloads.find(rendered, "RoleBinding", "prefect-worker")
    assert binding["subjects"][0]["name"] == workloads.pod_spec(obj)["serviceAccountName"]
    assert role["metadata"]["namespace"] == obj["metadata"]["namespace"] == NAMESPACE
    watched = {resource for rule in role["rules"] if {"list", "watch"} <= set(rule["verbs"])
               for resource in rule["resources"]}
    assert {"pods", "jobs"} <= watched

    for key, value in env.items():
        clean_env.setenv(key, value)
    settings = KubernetesSettings()
    assert settings.observer.namespaces == {NAMESPACE}

    # The observer's own decision, with kopf's operator replaced by a recorder.
    calls = []

    async def fake_operator(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr(observer, "settings", settings)
    monkeypatch.setattr(observer, "_stop_flag", None)  # set by the call; restored afterwards
    monkeypatch.setattr(observer, "_ready_flag", None)
    monkeypatch.setattr(observer.kopf, "operator", fake_operator)
    observer._observer_thread_entry()
    assert len(calls) == 1 and not calls[0].get("clusterwide"), calls
    assert set(calls[0]["namespaces"]) == {NAMESPACE}


# --- probes ---------------------------------------------------------------------------------------------------

def all_containers() -> list[tuple[str, str, dict]]:
    found = []
    for directory in render.discover():
        for obj in render.render(directory).objects:
            if obj.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
                for item in workloads.pod_spec(obj).get("containers") or []:
                    found.append((render.display(directory), obj["metadata"]["name"], item))
    return found


def test_liveness_probes_give_a_busy_server_5_seconds():
    probes = [(where, name, item["livenessProbe"]) for where, name, item in all_containers() if "livenessProbe" in item]
    assert any(name == "prefect-server" for _where, name, _probe in probes), "the Prefect server has a liveness probe"
    short = [(where, name, probe.get("timeoutSeconds", 1)) for where, name, probe in probes
             if probe.get("timeoutSeconds", 1) < 5]
    assert not short, f"liveness probes with less than 5 s (Kubernetes' default is 1 s): {short}"


def test_policy_refuses_a_liveness_probe_with_the_1_second_default(tmp_path):
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    server = tmp_path / "deploy" / "base" / "prefect-server.yaml"
    text = server.read_text()
    assert text.count("            timeoutSeconds: 5\n") == 2
    server.write_text(text.replace("            periodSeconds: 20\n            timeoutSeconds: 5\n", "            periodSeconds: 20\n"))
    _count, problems = check.check_directory(tmp_path / "deploy" / "base", V["KUBERNETES_VERSION"])
    assert [str(p) for p in problems if "livenessProbe.timeoutSeconds" in p.field] and len(problems) == 1, problems
    assert "Deployment/prefect-server spec.template.spec.containers[0].livenessProbe.timeoutSeconds: is 1 s" in str(problems[0])


# --- production: MLflow on PostgreSQL and S3-compatible storage -----------------------------------------------

def test_production_mlflow_runs_the_project_image_on_postgresql_and_s3(clean_env):
    """The overlay's MLflow: the project's image (the official one has no PostgreSQL driver), the backend store from
    the Secret mlflow-postgres, artifacts in the bucket of mlflow.env served through the server - as MLflow's own
    command line reads the container's arguments and environment."""
    from mlflow.cli import server

    obj, item, env = deployment("production", "mlflow")
    assert item["image"] == f"recipebook/mlflow:{V['IMAGE_TAG']}"
    assert "sqlite" not in " ".join(item["command"]) + " ".join(env.values())
    backend = next(e for e in item["env"] if e["name"] == "MLFLOW_BACKEND_STORE_URI")
    assert backend["valueFrom"]["secretKeyRef"] == {"name": "mlflow-postgres", "key": "backend-store-uri"}

    for key, value in env.items():
        clean_env.setenv(key, value)
    assert item["command"][:2] == ["mlflow", "server"]
    params = server.make_context("server", item["command"][2:]).params
    assert params["backend_store_uri"] == SECRETS["mlflow-postgres"]["backend-store-uri"]
    assert params["backend_store_uri"].startswith("postgresql+psycopg://")
    assert params["artifacts_destination"].startswith("s3://")
    assert params["serve_artifacts"] is True  # clients go through the server; only it holds the S3 credentials
    assert env["AWS_ACCESS_KEY_ID"] == SECRETS["mlflow-s3"]["access-key-id"]

    # No volume left for MLflow's state: the claim is gone and the pod's volume is scratch space.
    rendered = objects("production")
    assert not [o for o in rendered if o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == "mlflow-data"]
    assert all("persistentVolumeClaim" not in volume for volume in workloads.pod_spec(obj).get("volumes", []))


def test_production_mlflow_accepts_the_same_host_names_as_the_base():
    def allowed_hosts(overlay):
        _obj, item, _env = deployment(overlay, "mlflow")
        return [arg for arg in item["command"] if arg.startswith("--allowed-hosts=")]

    assert allowed_hosts("production") == allowed_hosts("kind") and allowed_hosts("kind")


def test_mlflow_image_is_built_from_the_lock_with_the_driver_and_the_client():
    requirements = (PROJECT_ROOT / "images" / "mlflow" / "requirements.in").read_text()
    names = {line.split("[")[0].strip() for line in requirements.splitlines() if line.strip() and not line.startswith("#")}
    assert {"mlflow", "psycopg", "boto3"} <= names
    assert "psycopg[binary]" in requirements
    build = (PROJECT_ROOT / "scripts" / "build-images.sh").read_text()
    assert re.search(r"names=\(flow-runner scoring mlflow\)", build), "build-images.sh builds the MLflow image by default"


# --- namespaces -----------------------------------------------------------------------------------------------

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}


@pytest.mark.parametrize("overlay", ["base", "kind", "production", "oauth2-proxy"])
def test_every_object_is_in_the_platform_namespace(overlay):
    """An object without a namespace lands in kubectl's current one (often `default`), where the Secrets it reads
    and the Services it calls are not."""
    outside = [f"{o['kind']}/{o['metadata']['name']}: {o['metadata'].get('namespace')}" for o in objects(overlay)
               if o["kind"] not in CLUSTER_SCOPED and o["metadata"].get("namespace") != NAMESPACE]
    assert not outside, outside


# --- sign-in: what the pages say ------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", ["kind", "production"])
def test_base_and_production_put_no_sign_in_in_front_of_the_uis(overlay):
    _obj, prefect, prefect_env = deployment(overlay, "prefect-server")
    _obj, mlflow, _env = deployment(overlay, "mlflow")
    assert not {"PREFECT_SERVER_API_AUTH_STRING", "PREFECT_API_AUTH_STRING"} & set(prefect_env)
    assert not [arg for arg in mlflow["command"] if arg.startswith("--app-name")]


def test_oauth2_proxy_signs_in_with_github_for_one_organisation_and_clients_keep_the_services():
    rendered = objects("oauth2-proxy")
    services = {o["metadata"]["name"]: o for o in rendered if o["kind"] == "Service"}
    for ui, port in (("prefect", 4200), ("mlflow", 5000)):
        obj, item, env = deployment("oauth2-proxy", f"oauth2-proxy-{ui}")
        assert env["OAUTH2_PROXY_PROVIDER"] == "github" and env["OAUTH2_PROXY_GITHUB_ORG"]
        assert f"--upstream=http://{ui if ui == 'mlflow' else 'prefect-server'}:{port}/" in item["args"]
        assert "--pass-host-header=false" in item["args"]
        assert f"oauth2-proxy-{ui}" in services
    # In-cluster clients talk to the Services directly, not through the proxies (the Jobs: test_worker_job.py).
    _obj, _item, worker_env = deployment("oauth2-proxy", "prefect-worker")
    assert worker_env["PREFECT_API_URL"] == "http://prefect-server:4200/api" and "prefect-server" in services
    scoring = render.render(PROJECT_ROOT / "recipes" / "cluster-serve").objects
    obj = workloads.find(scoring, "Deployment", "churn-scoring")
    assert workloads.environment(scoring, obj, workloads.container(obj))["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    assert "mlflow" in services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_mlflow_behind_oauth2_proxy_accepts_the_uis_calls_from_its_address(tmp_path):
    """Behind oauth2-proxy, MLflow sees the Host `mlflow:5000` (--pass-host-header=false) and the browser's Origin,
    the address of the proxy. MLflow refuses state-changing calls (the UI searches runs with POST) from origins it
    does not know: the overlay lists the address of mlflow-ui.env. Checked against a real MLflow server started
    with the overlay's arguments and environment (its database a SQLite file here, not PostgreSQL)."""
    _obj, item, env = deployment("oauth2-proxy", "mlflow")
    origin = env.get("MLFLOW_SERVER_CORS_ALLOWED_ORIGINS")
    assert origin, "the oauth2-proxy overlay does not tell MLflow the address of its UI"
    _proxy, proxy, _penv = deployment("oauth2-proxy", "oauth2-proxy-mlflow")
    upstream_host = next(a for a in proxy["args"] if a.startswith("--upstream=")).split("//")[1].strip("/")

    port = free_port()
    args = [a for a in item["command"][2:] if not a.startswith(("--host=", "--port=", "--workers="))]
    env = {key: value for key, value in env.items() if not key.startswith(("MLFLOW_BACKEND", "AWS_"))}
    env.update(MLFLOW_BACKEND_STORE_URI=f"sqlite:///{tmp_path}/mlflow.db", HOME=str(tmp_path),
               PATH=os.environ["PATH"], MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
    mlflow = Path(sys.executable).parent / "mlflow"
    log = (tmp_path / "mlflow.log").open("w")
    process = subprocess.Popen([str(mlflow), "server", "--host=127.0.0.1", f"--port={port}", "--workers=1", *args],
                               env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("MLflow did not start:\n" + (tmp_path / "mlflow.log").read_text()[-2000:])

        def search(from_origin: str) -> int:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/ajax-api/2.0/mlflow/runs/search", method="POST",
                data=b'{"experiment_ids": ["0"]}',
                headers={"Content-Type": "application/json", "Host": upstream_host, "Origin": from_origin})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        assert search(origin.split(",")[0]) == 200
        assert search("https://elsewhere.example.org") == 403  # the check is on: only the listed address passes
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
        log.close()


def test_overlay_env_files_hold_no_credentials():
    for env_file in DEPLOY.rglob("*.env"):
        data = {k: v for k, v in (line.split("=", 1) for line in env_file.read_text().splitlines()
                                 if line.strip() and not line.startswith("#"))}
        assert not [k for k in data if re.search(r"SECRET|PASSWORD|KEY_ID|TOKEN", k)], env_file
        assert not [v for v in data.values() if re.search(r"://[^/\s:@]+:[^/\s@]+@", v)], env_file
    assert yaml.safe_load((DEPLOY / "overlays" / "production" / "kustomization.yaml").read_text())["namespace"] == NAMESPACE
