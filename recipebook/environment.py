"""The environment every step runs in (offline, telemetry off) and the versions a report records."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from recipebook import PROJECT_ROOT

# Telemetry off and nothing fetched at run time (DESIGN.md, "Runs offline").
OFFLINE_ENV = {
    "DO_NOT_TRACK": "true",  # MLflow ignores "1"
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "HF_HUB_OFFLINE": "1",
    "PIP_NO_INDEX": "1",  # a recipe that tries to pip install at run time fails loudly instead of downloading
    "PYTHONUNBUFFERED": "1",
    "MPLBACKEND": "Agg",
    "GIT_PYTHON_REFRESH": "quiet",
}

# Inherited variables that would silently point a recipe at someone else's servers (a stray PREFECT_API_KEY
# gives 401s against a self-hosted server); recipes get these only from the recipes they need.
DROPPED_PREFIXES = ("PREFECT_", "MLFLOW_")

KEY_PACKAGES = (
    "prefect", "mlflow", "scikit-learn", "pandas", "pyarrow", "pandera", "evidently", "numpy",
    "ipykernel", "nbclient", "testbook", "mkdocs", "mkdocs-material", "pymdown-extensions", "pytest",
    "prefect-kubernetes", "kubernetes-validate", "PyYAML",
)


def venv_bin() -> Path:
    return Path(sys.executable).parent


def base_env() -> dict[str, str]:
    """The parent environment minus Prefect/MLflow settings, plus the offline settings and the venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_PREFIXES)}
    env.update(OFFLINE_ENV)
    env["PATH"] = f"{venv_bin()}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv_bin().parent)
    return env


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def describe(target: str) -> dict:
    """The environment block of the report."""
    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
        "kind": None,
        "kubernetes": None,
    }
    if target == "kind":
        env["kind"] = _first_line(["kind", "version"])
        env["kubernetes"] = _first_line(["kubectl", "version", "-o", "json"], json_key=("serverVersion", "gitVersion"))
    return env


def _first_line(cmd: list[str], json_key: tuple[str, ...] | None = None) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    if json_key:
        try:
            data = json.loads(out)
            for k in json_key:
                data = data[k]
            return str(data)
        except (ValueError, KeyError, TypeError):
            return None
    return out.strip().splitlines()[0] if out.strip() else None


def git_state(root: Path = PROJECT_ROOT) -> tuple[str | None, bool]:
    """(commit, dirty) of the project checkout; (None, False) outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None, False
    if commit.returncode != 0:
        return None, False
    return commit.stdout.strip(), bool(status.stdout.strip())
