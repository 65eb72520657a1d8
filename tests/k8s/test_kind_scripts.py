"""scripts/kind-up.sh checks prerequisites before doing anything and says what to do; it is idempotent.

Docker, kind and kubectl are replaced by small stubs on PATH that record their calls, so these tests run anywhere
(kind itself cannot run on this project's CI machines)."""
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from recipebook import PROJECT_ROOT

KIND_UP = PROJECT_ROOT / "scripts" / "kind-up.sh"
KIND_DOWN = PROJECT_ROOT / "scripts" / "kind-down.sh"


def stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/usr/bin/env bash\necho \"{name} $*\" >> \"$STUB_LOG\"\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def env(tmp_path):
    """PATH = stubs + the basic system tools only (no real docker/kind/kubectl)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "grep", "sort", "head", "cat", "dirname", "env", "printf"):
        real = shutil.which(tool)
        if real:
            (bin_dir / tool).symlink_to(real)
    return {"PATH": str(bin_dir), "STUB_LOG": str(tmp_path / "calls.log"), "HOME": str(tmp_path), "BIN": str(bin_dir)}


def healthy_tools(env, kind_version="v0.33.0", clusters=""):
    bin_dir = Path(env["BIN"])
    stub(bin_dir, "docker", "exit 0")
    stub(bin_dir, "kubectl", "exit 0")
    stub(bin_dir, "kind", f"""case "$1" in
  version) echo "kind {kind_version} go1.25 linux/amd64" ;;
  get) printf '%s' "{clusters}" ;;
esac""")


def run(script: Path, env: dict, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(script)], env={**env, **extra}, capture_output=True, text=True, timeout=60)


def calls(env) -> str:
    log = Path(env["STUB_LOG"])
    return log.read_text() if log.exists() else ""


def test_docker_not_running(env):
    stub(Path(env["BIN"]), "docker", "exit 1")
    result = run(KIND_UP, env)
    assert result.returncode == 2
    assert "Docker is not running" in result.stderr and "Start Docker" in result.stderr


def test_docker_not_installed(env):
    result = run(KIND_UP, env)
    assert result.returncode == 2 and "Docker is not installed" in result.stderr


def test_kind_missing(env):
    stub(Path(env["BIN"]), "docker", "exit 0")
    result = run(KIND_UP, env)
    assert result.returncode == 2
    assert "kind is missing. Install kind v0.33.0" in result.stderr


def test_kind_missing_on_this_machine_with_the_real_path():
    """The real environment of this machine: kind is not installed, so the script stops with the clear message."""
    if shutil.which("kind"):
        pytest.skip("kind is installed here; the stubbed tests cover the missing-kind message")
    result = subprocess.run(["bash", str(KIND_UP)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert ("kind is missing" in result.stderr) or ("Docker is not" in result.stderr), result.stderr


def test_kind_too_old(env):
    healthy_tools(env, kind_version="v0.29.0")
    result = run(KIND_UP, env)
    assert result.returncode == 2
    assert "kind v0.29.0 is older than v0.33.0" in result.stderr


def test_port_in_use(env, tmp_path):
    healthy_tools(env)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = tmp_path / "cluster.yaml"
        config.write_text((PROJECT_ROOT / "kind" / "cluster.yaml").read_text().replace("apiServerPort: 6550", f"apiServerPort: {port}"))
        result = run(KIND_UP, env, KIND_CONFIG=str(config))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "kind create" not in calls(env)


def test_creates_the_cluster_from_the_committed_config(env):
    healthy_tools(env)
    result = run(KIND_UP, env, SKIP_IMAGE_LOAD="1")
    assert result.returncode == 0, result.stderr
    assert "kind create cluster --name recipebook --config kind/cluster.yaml" in calls(env)


def test_existing_cluster_is_a_no_op(env):
    healthy_tools(env, clusters="recipebook")
    result = run(KIND_UP, env, SKIP_IMAGE_LOAD="1")
    assert result.returncode == 0, result.stderr
    assert "already exists" in result.stdout
    assert "kind create" not in calls(env)


def test_images_are_loaded_and_a_missing_image_is_explained(env):
    healthy_tools(env, clusters="recipebook")
    stub(Path(env["BIN"]), "docker", 'if [ "$1 $2" = "image inspect" ]; then [[ "$3" == *flow-runner* ]]; else exit 0; fi')
    result = run(KIND_UP, env)
    assert result.returncode == 2
    assert "kind load docker-image --name recipebook recipebook/flow-runner:0.1.0" in calls(env)
    assert "image recipebook/scoring:0.1.0 is not built. Run: bash scripts/build-images.sh" in result.stderr


def test_kind_down_is_idempotent(env):
    healthy_tools(env, clusters="")
    result = run(KIND_DOWN, env)
    assert result.returncode == 0 and "nothing to delete" in result.stdout
    healthy_tools(env, clusters="recipebook")
    assert run(KIND_DOWN, env).returncode == 0
    assert "kind delete cluster --name recipebook" in calls(env)
