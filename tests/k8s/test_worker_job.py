"""The Job the Prefect worker creates for a run of the training deployment, rendered offline and validated strictly.

No cluster runs here, so the Job is made the way the worker makes it: prefect-kubernetes (the lock's version, which
the flow-runner image runs) resolves the work pool's base job template - the file the worker's command passes with
--base-job-template, read from the ConfigMap the manifest mounts - with the job variables of
recipes/cluster-train/deploy_flow.py, for a flow run of that deployment, in a process with the worker container's
environment. The Job is then validated against the Kubernetes schema of the pinned version (strict: unknown fields
are errors) and the project's policy, and checked against the worker's Role."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from recipebook import PROJECT_ROOT
from recipebook.k8s import policy, render, schema, versions, workloads

V = versions.load()
DEPLOY_FLOW = PROJECT_ROOT / "recipes" / "cluster-train" / "deploy_flow.py"
TEMPLATE_FILE = PROJECT_ROOT / "deploy" / "base" / "prefect-worker-job-template.json"
# prefect-kubernetes requires these two in the pod template (its manifest check refuses a template without them),
# where Kubernetes has no such fields: its API server drops them with a warning (field validation "Warn", the
# default for clients that do not ask for "Strict"). The only schema errors allowed.
UPSTREAM_POD_FIELDS = {"spec.template.spec.parallelism", "spec.template.spec.completions"}
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")

RENDER_JOB = r"""
import asyncio, json, sys, uuid
from prefect.client.schemas.objects import Flow, FlowRun, WorkPool
from prefect.client.schemas.responses import DeploymentResponse
from prefect_kubernetes.worker import KubernetesWorker

spec = json.load(sys.stdin)

class OfflineClient:
    # What resolve_for_flow_run reads from the API, answered from memory.
    def __init__(self, flow, deployment):
        self.flow, self.deployment = flow, deployment
    async def read_flow(self, flow_id):
        return self.flow
    async def read_deployment(self, deployment_id):
        return self.deployment

async def main():
    template = spec["template"] or KubernetesWorker.get_default_base_job_template()
    pool = WorkPool(id=uuid.uuid4(), name=spec["work_pool"], type="kubernetes", base_job_template=template)
    flow = Flow(id=uuid.uuid4(), name=spec["flow"])
    deployment = DeploymentResponse(id=uuid.uuid4(), name=spec["deployment"], flow_id=flow.id,
                                    work_pool_name=spec["work_pool"], job_variables=spec["job_variables"])
    flow_run = FlowRun(id=uuid.uuid4(), name="quick-otter", flow_id=flow.id, deployment_id=deployment.id,
                       work_pool_name=spec["work_pool"])
    configuration = await KubernetesWorker.job_configuration.resolve_for_flow_run(
        flow_run, client=OfflineClient(flow, deployment), work_pool=pool,
        worker_name=f"KubernetesWorker {uuid.uuid4()}", worker_id=uuid.uuid4())
    print(json.dumps({"namespace": configuration.namespace, "job": configuration.job_manifest}))

asyncio.run(main())
"""


def deploy_call() -> dict:
    """The keyword arguments of `.deploy(...)` in deploy_flow.py, evaluated with env.sh's MODEL_NAME."""
    env_sh = (DEPLOY_FLOW.parent / "env.sh").read_text()
    model_name = re.search(r"^export MODEL_NAME=(\S+)$", env_sh, re.MULTILINE).group(1)
    tree = ast.parse(DEPLOY_FLOW.read_text())
    call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute) and node.func.attr == "deploy")

    class Environ(dict):
        pass

    namespace = {"os": type("os", (), {"environ": Environ(MODEL_NAME=model_name)})}
    return {kw.arg: eval(compile(ast.Expression(kw.value), str(DEPLOY_FLOW), "eval"), namespace)  # noqa: S307
            for kw in call.keywords}


@pytest.fixture(scope="module")
def platform():
    return render.render(PROJECT_ROOT / "deploy" / "overlays" / "kind").objects


@pytest.fixture(scope="module")
def worker(platform):
    obj = workloads.find(platform, "Deployment", "prefect-worker")
    item = workloads.container(obj)
    return obj, item, workloads.environment(platform, obj, item)


def pool_template(platform, worker) -> dict | None:
    """The base job template the worker creates its pool with: the file after --base-job-template, as mounted."""
    obj, item, _env = worker
    command = item["command"]
    if "--base-job-template" not in command:
        return None
    path = command[command.index("--base-job-template") + 1]
    volume, mount = workloads.volume_at(obj, item, path), workloads.mount_at(item, path)
    assert volume and "configMap" in volume, f"{path} is not on a ConfigMap volume"
    config_map = next(o for o in platform if o["kind"] == "ConfigMap" and o["metadata"]["name"] == volume["configMap"]["name"])
    return json.loads(config_map["data"][os.path.relpath(path, mount["mountPath"])])


@pytest.fixture(scope="module")
def rendered_job(platform, worker, tmp_path_factory) -> dict:
    _obj, _item, env = worker
    call = deploy_call()
    job_variables = {**call["job_variables"], "image": call["image"]}  # deploy(image=...) adds it to the variables
    spec = {"template": pool_template(platform, worker), "work_pool": call["work_pool_name"],
            "flow": "churn-train-pipeline", "deployment": call["name"], "job_variables": job_variables}
    home = tmp_path_factory.mktemp("worker-home")
    process_env = {**env, "PATH": os.environ["PATH"], "HOME": str(home), "PREFECT_HOME": str(home / ".prefect")}
    result = subprocess.run([sys.executable, "-c", RENDER_JOB], input=json.dumps(spec), env=process_env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    rendered = json.loads(result.stdout.strip().splitlines()[-1])
    return {**rendered, "job_variables": job_variables}


def test_the_job_passes_the_strict_schema_of_the_pinned_kubernetes(rendered_job):
    errors = dict(schema.errors(rendered_job["job"], V["KUBERNETES_VERSION"]))
    unexpected = {field: message for field, message in errors.items() if field not in UPSTREAM_POD_FIELDS}
    assert not unexpected, json.dumps(unexpected, indent=1)


def test_the_job_follows_the_projects_policy(rendered_job):
    """Non-root, no privilege escalation, CPU and memory requests and limits: from the pool's base job template."""
    problems = list(policy.problems(rendered_job["job"]))
    assert not problems, problems


def test_the_job_runs_in_the_namespace_the_worker_may_create_jobs_in(rendered_job, platform, worker):
    obj, _item, _env = worker
    role = workloads.find(platform, "Role", "prefect-worker")
    may_create = any("jobs" in rule["resources"] and "create" in rule["verbs"] and "batch" in rule["apiGroups"]
                     for rule in role["rules"])
    assert may_create
    assert rendered_job["namespace"] == rendered_job["job"]["metadata"]["namespace"] == role["metadata"]["namespace"]
    assert obj["metadata"]["namespace"] == role["metadata"]["namespace"]


def test_the_job_runs_the_image_and_settings_the_recipe_deployed(rendered_job):
    job, variables = rendered_job["job"], rendered_job["job_variables"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == variables["image"] == f"recipebook/flow-runner:{V['IMAGE_TAG']}"
    assert container["imagePullPolicy"] == "IfNotPresent"  # loaded into kind, never pulled
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["PREFECT_API_URL"] == "http://prefect-server:4200/api"  # the worker's, passed on: the in-cluster Service
    for key, value in variables["env"].items():
        assert env[key] == value
    assert container["args"] == ["prefect", "flow-run", "execute"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_the_jobs_names_and_labels_are_valid_for_kubernetes(rendered_job):
    """What the schema does not check but the API server refuses: label syntax and the Job's generated name."""
    job = rendered_job["job"]
    generate_name = job["metadata"]["generateName"]
    assert DNS_SUBDOMAIN.match(generate_name + "abcde") and len(generate_name) + 5 <= 63, generate_name
    for labels in (job["metadata"]["labels"], job["spec"]["template"]["metadata"]["labels"]):
        for key, value in labels.items():
            prefix, _, name = key.rpartition("/")
            assert LABEL_NAME.match(name) and len(name) <= 63 and (not prefix or DNS_SUBDOMAIN.match(prefix)), key
            assert LABEL_VALUE.match(value) and len(value) <= 63, f"{key}={value}"


def test_the_pool_template_is_prefect_kubernetes_default_plus_the_projects_additions():
    """The committed template follows prefect-kubernetes: regenerate it when an upgrade changes the default."""
    from prefect_kubernetes.worker import KubernetesWorker

    expected = KubernetesWorker.get_default_base_job_template()
    pod = expected["job_configuration"]["job_manifest"]["spec"]["template"]["spec"]
    pod["securityContext"] = {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                              "seccompProfile": {"type": "RuntimeDefault"}}
    pod["containers"][0]["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    defaults = {"cpu_request": "250m", "memory_request": "512Mi", "cpu_limit": "2", "memory_limit": "2Gi"}
    for key, value in defaults.items():
        expected["variables"]["properties"][key]["default"] = value
    assert json.loads(TEMPLATE_FILE.read_text()) == expected


def test_the_platform_recipe_copies_every_file_the_base_kustomization_reads():
    import yaml

    base = PROJECT_ROOT / "deploy" / "base"
    spec = yaml.safe_load((base / "kustomization.yaml").read_text())
    needed = {"kustomization.yaml", *spec.get("resources", [])}
    for generator in spec.get("configMapGenerator", []):
        needed.update(entry.split("=", 1)[-1] for entry in generator.get("files", []) + generator.get("envs", []))
    recipe = yaml.safe_load((PROJECT_ROOT / "recipes" / "cluster-platform" / "recipe.yaml").read_text())
    copied = {Path(f).name for f in recipe["files"] if f.startswith("../../deploy/base/")}
    assert needed <= copied, f"recipes/cluster-platform/recipe.yaml files: misses {sorted(needed - copied)}"
