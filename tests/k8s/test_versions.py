"""One place for versions: kind config, kustomizations, recipes and the lock agree with deploy/versions.env."""
import re

import kubernetes_validate
import yaml

from recipebook import PROJECT_ROOT
from recipebook.k8s import images, versions

V = versions.load()


def lock_version(package: str) -> str:
    return images.pins((PROJECT_ROOT / "requirements.lock").read_text())[package]


def base_images() -> dict[str, str]:
    spec = yaml.safe_load((PROJECT_ROOT / "deploy" / "base" / "kustomization.yaml").read_text())
    return {entry["name"]: entry["newTag"] for entry in spec["images"]}


def test_node_image_is_pinned_by_version_and_digest():
    assert re.fullmatch(r"kindest/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}", V["KIND_NODE_IMAGE"])
    tag = V["KIND_NODE_IMAGE"].split(":")[1].split("@")[0]
    assert tag == V["KUBERNETES_VERSION"], "the node image runs the Kubernetes version the manifests are validated for"


def test_kind_config_uses_the_pinned_node_image():
    config = yaml.safe_load((PROJECT_ROOT / "kind" / "cluster.yaml").read_text())
    assert config["name"] == V["KIND_CLUSTER_NAME"]
    assert [node["image"] for node in config["nodes"]] == [V["KIND_NODE_IMAGE"]] * len(config["nodes"])


def test_kubernetes_validate_has_schemas_for_the_pinned_version():
    minor = ".".join(V["KUBERNETES_VERSION"].lstrip("v").split(".")[:2])
    assert kubernetes_validate.utils.major_minor(minor) <= kubernetes_validate.latest_version()


def test_servers_run_the_same_versions_as_the_clients():
    """Client/server skew is a classic failure: the in-cluster servers match requirements.lock."""
    tags = base_images()
    assert tags["prefecthq/prefect"].startswith(lock_version("prefect") + "-python3.11")
    assert tags["ghcr.io/mlflow/mlflow"] == "v" + lock_version("mlflow")


def test_project_images_use_one_tag_everywhere():
    """recipebook/<image>:TAG in manifests, recipes and scripts is IMAGE_TAG from versions.env."""
    assert base_images()["recipebook/flow-runner"] == V["IMAGE_TAG"]
    found = {}
    for path in list((PROJECT_ROOT / "recipes").rglob("*")) + list((PROJECT_ROOT / "deploy").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".md"}:
            for tag in re.findall(r"recipebook/(?:flow-runner|scoring|mlflow):([\w.-]+)", path.read_text()):
                found.setdefault(tag, []).append(str(path.relative_to(PROJECT_ROOT)))
            if path.name.startswith("kustomization"):
                for entry in (yaml.safe_load(path.read_text()) or {}).get("images", []):
                    if entry.get("newName", entry["name"]).startswith("recipebook/"):
                        found.setdefault(entry["newTag"], []).append(str(path.relative_to(PROJECT_ROOT)))
    assert set(found) == {V["IMAGE_TAG"]}, found
    assert any("overlays/production" in where for where in found[V["IMAGE_TAG"]]), "the production MLflow image"


def test_nightly_workflow_reads_versions_from_the_one_file():
    workflow = (PROJECT_ROOT / ".github" / "workflows" / "nightly.yml").read_text()
    assert "deploy/versions.env" in workflow
    assert "KIND_SHA256_LINUX_AMD64" in workflow and "sha256sum" in workflow
    assert not re.search(r"v0\.\d+\.\d+", workflow), "the kind version belongs in deploy/versions.env"
