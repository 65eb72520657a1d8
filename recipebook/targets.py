"""What each target needs before any recipe can run on it, checked up front with a clear reason when missing."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from recipebook.k8s import versions

TARGETS = ("local", "kind")


def kind_cluster_name() -> str:
    """KIND_CLUSTER_NAME from the environment, else from deploy/versions.env (where scripts/kind-up.sh reads it)."""
    return os.environ.get("KIND_CLUSTER_NAME") or versions.load()["KIND_CLUSTER_NAME"]


def _run(cmd: list[str], timeout: float = 20) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None


def kind_missing_reason() -> str | None:
    """Why the kind target cannot run on this machine, or None when Docker, kind, kubectl and the cluster are there."""
    if not shutil.which("docker"):
        return "the kind target needs Docker: `docker` is not installed on this machine (install Docker, then run scripts/kind-up.sh)"
    info = _run(["docker", "info", "--format", "{{.ServerVersion}}"])
    if info is None or info.returncode != 0:
        return "the kind target needs a running Docker engine: `docker info` failed (start Docker, then run scripts/kind-up.sh)"
    if not shutil.which("kind"):
        return "the kind target needs the `kind` binary, which is not on PATH (install kind, see docs/recipes/kubernetes, then run scripts/kind-up.sh)"
    if not shutil.which("kubectl"):
        return "the kind target needs `kubectl`, which is not on PATH"
    clusters = _run(["kind", "get", "clusters"])
    name = kind_cluster_name()
    if clusters is None or name not in clusters.stdout.split():
        return f"no kind cluster named '{name}' is running: create it with `bash scripts/kind-up.sh`"
    return None


def missing_reason(target: str) -> str | None:
    """None when the target can run here; else a specific reason, used to skip loudly."""
    if target == "local":
        return None
    if target == "kind":
        return kind_missing_reason()
    return f"unknown target '{target}' (known: {', '.join(TARGETS)})"


def kubeconfig() -> str:
    return os.environ.get("KUBECONFIG", str(Path.home() / ".kube" / "config"))


def namespace_for(recipe: str) -> str:
    return f"rb-{recipe}"[:63]


def create_namespace(ns: str, env: dict[str, str]) -> str | None:
    """Create the recipe's namespace (fresh); returns an error message or None."""
    delete_namespace(ns, env)
    r = subprocess.run(["kubectl", "create", "namespace", ns], env=env, capture_output=True, text=True, timeout=60)
    return None if r.returncode == 0 else f"kubectl create namespace {ns} failed: {r.stderr.strip()}"


def delete_namespace(ns: str, env: dict[str, str]) -> None:
    subprocess.run(["kubectl", "delete", "namespace", ns, "--ignore-not-found", "--wait=true", "--timeout=180s"],
                   env=env, capture_output=True, text=True, timeout=240)


def namespace_exists(ns: str, env: dict[str, str]) -> bool:
    r = subprocess.run(["kubectl", "get", "namespace", ns], env=env, capture_output=True, text=True, timeout=60)
    return r.returncode == 0
