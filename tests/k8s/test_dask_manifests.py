"""The Dask on Kubernetes manifests (deploy/dask/), validated offline.

- The operator's kustomization and the plain files' standard objects (PersistentVolumeClaim, Job): the strict
  schema of the pinned Kubernetes version and the project's policy, as tests/k8s/test_manifests.py does.
- The DaskCluster custom resource: the openAPIV3Schema of the operator's CRD, taken from the dask-kubernetes
  package of the lock (the CRD files of its Helm chart, which the page applies), made strict the way the API server
  is with `kubectl apply --validate=strict`: an unknown field is an error, not silently pruned. The pods it
  describes follow the same policy as every other pod.
- The pieces agree: the Job's scheduler address is the Service the operator makes for the DaskCluster, both mount
  the same volume, the operator's image is the release of the CRDs, the image has what the pods run.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from recipebook import PROJECT_ROOT
from recipebook.k8s import check, images, policy, schema, versions

KUBERNETES = versions.load()["KUBERNETES_VERSION"]
DASK = PROJECT_ROOT / "deploy" / "dask"
CLUSTER_FILE = DASK / "scoring-cluster.yaml"
JOB_FILE = DASK / "score-job.yaml"
LOCKED = images.pins((PROJECT_ROOT / "requirements.lock").read_text())


def crd_dir() -> Path:
    dask_kubernetes = pytest.importorskip(
        "dask_kubernetes", reason="dask-kubernetes is not installed in this environment (it is in requirements.lock: "
                                  "run bash scripts/setup.sh); the DaskCluster cannot be checked against its CRD")
    path = Path(dask_kubernetes.__file__).parent / "operator" / "deployment" / "helm" / "dask-kubernetes-operator" / "crds"
    assert path.is_dir(), f"dask-kubernetes {dask_kubernetes.__version__} no longer ships its CRDs in {path}"
    return path


def docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def one(path: Path, kind: str) -> dict[str, Any]:
    found = [d for d in docs(path) if d.get("kind") == kind]
    assert len(found) == 1, f"{path.name}: expected one {kind}, found {len(found)}"
    return found[0]


def strict(node: Any) -> Any:
    """A copy of an OpenAPI v3 schema in which objects with declared properties accept no others."""
    if isinstance(node, dict):
        node = {k: strict(v) for k, v in node.items()}
        if (node.get("type") == "object" and "properties" in node and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")):
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [strict(v) for v in node]
    return node


def crd_validator(kind: str) -> tuple[jsonschema.Draft7Validator, str]:
    """The strict validator of a Dask custom resource, and the apiVersion the CRD serves."""
    for path in sorted(crd_dir().glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        if crd["spec"]["names"]["kind"] != kind:
            continue
        version = next(v for v in crd["spec"]["versions"] if v.get("served") and v.get("storage"))
        api_version = f"{crd['spec']['group']}/{version['name']}"
        root = strict(version["schema"]["openAPIV3Schema"])
        # The API server checks these three itself; the CRD's schema leaves them out.
        root["properties"] |= {"apiVersion": {"const": api_version}, "kind": {"const": kind},
                               "metadata": {"type": "object", "required": ["name"]}}
        root["required"] = sorted(set(root.get("required", [])) | {"apiVersion", "kind", "metadata"})
        return jsonschema.Draft7Validator(root), api_version
    pytest.fail(f"no CRD for kind {kind} in {crd_dir()}")


def crd_errors(obj: dict[str, Any]) -> list[str]:
    validator, _ = crd_validator(obj["kind"])
    return [f"{schema.field_path(e.absolute_path)}: {e.message}"
            for e in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))]


@pytest.fixture
def daskcluster() -> dict[str, Any]:
    return copy.deepcopy(one(CLUSTER_FILE, "DaskCluster"))


def test_operator_kustomization_renders_its_five_objects():
    """Schema and policy of deploy/dask: test_manifests.py checks every kustomization; here, that nothing is lost."""
    count, _problems = check.check_directory(DASK, KUBERNETES)
    assert count == 5, f"deploy/dask rendered {count} objects (Namespace, ServiceAccount, ClusterRole, binding, Deployment)"


def test_standard_objects_of_the_plain_files_are_valid_and_follow_policy():
    standard = [d for d in docs(CLUSTER_FILE) + docs(JOB_FILE) if d["apiVersion"] != "kubernetes.dask.org/v1"]
    assert sorted(d["kind"] for d in standard) == ["Job", "PersistentVolumeClaim"]
    for obj in standard:
        problems = list(schema.errors(obj, KUBERNETES)) + list(policy.problems(obj))
        assert not problems, f"{obj['kind']}/{obj['metadata']['name']}: {problems}"


def test_daskcluster_is_valid_for_the_operators_crd(daskcluster):
    _, api_version = crd_validator("DaskCluster")
    assert daskcluster["apiVersion"] == api_version
    assert crd_errors(daskcluster) == []


def test_a_typo_in_the_daskcluster_is_named(daskcluster):
    daskcluster["spec"]["worker"]["replica"] = daskcluster["spec"]["worker"].pop("replicas")
    daskcluster["spec"]["scheduler"]["spec"]["containers"][0]["imagePullPolcy"] = "IfNotPresent"
    errors = crd_errors(daskcluster)
    assert any(e.startswith("spec.worker:") and "'replica' was unexpected" in e for e in errors), errors
    assert any(e.startswith("spec.scheduler.spec.containers[0]:") and "'imagePullPolcy' was unexpected" in e
               for e in errors), errors


def test_a_wrong_type_or_a_missing_section_in_the_daskcluster_is_named(daskcluster):
    daskcluster["spec"]["worker"]["replicas"] = "two"
    del daskcluster["spec"]["scheduler"]["service"]
    errors = crd_errors(daskcluster)
    assert any(e.startswith("spec.worker.replicas:") and "is not of type 'integer'" in e for e in errors), errors
    assert any(e.startswith("spec.scheduler:") and "'service' is a required property" in e for e in errors), errors


@pytest.mark.parametrize("part", ["scheduler", "worker"])
def test_daskcluster_pods_follow_policy(daskcluster, part):
    pod = daskcluster["spec"][part]["spec"]
    assert list(policy.container_problems(pod, f"spec.{part}.spec")) == []


def test_policy_applies_inside_the_daskcluster(daskcluster):
    pod = daskcluster["spec"]["worker"]["spec"]
    pod["securityContext"]["runAsUser"] = 0
    del pod["containers"][0]["resources"]["limits"]
    problems = [f"{field}: {message}" for field, message in policy.container_problems(pod, "spec.worker.spec")]
    assert any("runAsUser: runs as root" in p for p in problems), problems
    assert any("resources.limits: limits.cpu is not set" in p for p in problems), problems


def test_the_job_reaches_the_service_the_operator_makes(daskcluster):
    """The operator names the scheduler's Service <cluster>-scheduler; the Job must point there, on its port."""
    job = one(JOB_FILE, "Job")
    pod = job["spec"]["template"]["spec"]
    addresses = {env["value"] for c in pod["initContainers"] + pod["containers"] for env in c.get("env", [])
                 if env["name"] == "DASK_SCHEDULER_ADDRESS"}
    name, namespace = daskcluster["metadata"]["name"], daskcluster["metadata"]["namespace"]
    ports = [p["port"] for p in daskcluster["spec"]["scheduler"]["service"]["ports"] if p["name"] == "tcp-comm"]
    assert addresses == {f"tcp://{name}-scheduler:{ports[0]}"}
    assert job["metadata"]["namespace"] == namespace
    constants = pytest.importorskip("dask_kubernetes.constants", reason="dask-kubernetes is not installed")
    assert constants.SCHEDULER_NAME_TEMPLATE.format(cluster_name=name) == f"{name}-scheduler"


def test_job_and_workers_share_the_data_volume(daskcluster):
    claim = one(CLUSTER_FILE, "PersistentVolumeClaim")["metadata"]["name"]
    job_pod = one(JOB_FILE, "Job")["spec"]["template"]["spec"]
    worker_pod = daskcluster["spec"]["worker"]["spec"]
    for pod in (job_pod, worker_pod):
        assert [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]] == [claim]
    mounts = {m["mountPath"] for c in job_pod["initContainers"] + job_pod["containers"] + worker_pod["containers"]
              for m in c.get("volumeMounts", [])}
    assert mounts == {"/data"}


def test_the_job_scores_the_model_the_page_registers():
    env_sh = (PROJECT_ROOT / "recipes" / "cluster-dask-scoring" / "env.sh").read_text()
    page_model = re.search(r"^export MODEL_NAME=(\S+)$", env_sh, re.MULTILINE).group(1)
    score = next(c for c in one(JOB_FILE, "Job")["spec"]["template"]["spec"]["containers"] if c["name"] == "score")
    assert {e["name"]: e["value"] for e in score["env"]}["MODEL_NAME"] == page_model


def test_operator_image_is_the_release_of_the_locked_package_and_its_crds():
    kustomization = yaml.safe_load((DASK / "kustomization.yaml").read_text())
    tags = {entry["name"]: str(entry["newTag"]) for entry in kustomization["images"]}
    assert tags["ghcr.io/dask/dask-kubernetes-operator"] == LOCKED["dask-kubernetes"]
    dask_kubernetes = pytest.importorskip("dask_kubernetes", reason="dask-kubernetes is not installed")
    assert dask_kubernetes.__version__ == LOCKED["dask-kubernetes"], "the CRDs checked here are not the locked release"


def test_the_image_the_pods_run_has_dask_and_the_flow_files():
    flow_runner = PROJECT_ROOT / "images" / "flow-runner"
    wanted = {re.split(r"[\[<>=]", line)[0].strip() for line in (flow_runner / "requirements.in").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    assert {"dask", "distributed", "mlflow", "prefect"} <= wanted
    baked = {Path(line).name for line in (flow_runner / "flows.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")}
    for command in (c["command"] for c in one(JOB_FILE, "Job")["spec"]["template"]["spec"]["initContainers"]
                    + one(JOB_FILE, "Job")["spec"]["template"]["spec"]["containers"]):
        scripts = [part for part in command if part.endswith(".py")]
        assert set(scripts) <= baked, f"{scripts} not in images/flow-runner/flows.txt"
    assert {"make_customers.py", "score_flow.py", "make_dataset.py"} <= baked
