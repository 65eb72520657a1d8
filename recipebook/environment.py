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

# The settings every page exports in its env.sh (telemetry off); the spec check requires them there.
TELEMETRY_ENV = {
    "DO_NOT_TRACK": "true",  # MLflow ignores "1"
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}

# Guards the runner adds to every command (docs/contributing/design.md, "Runs offline"). None of them can make a step pass that
# would fail for a reader: they make a download or telemetry fail loudly, or emulate a terminal (line-by-line
# output, no GUI). The telemetry settings are repeated here so a page that forgot them still phones nowhere
# while it is verified; the spec check makes the page show them anyway.
GUARD_ENV = {
    **TELEMETRY_ENV,
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "HF_HUB_OFFLINE": "1",
    "PIP_NO_INDEX": "1",  # a recipe that tries to pip install at run time fails loudly instead of downloading
    "UV_OFFLINE": "1",  # uv installs from its cache (filled by scripts/setup.sh) or fails, naming the package
    "UV_NO_PROGRESS": "1",
    "PYTHONUNBUFFERED": "1",  # a terminal shows output line by line; a log file would buffer it
    "MPLBACKEND": "Agg",
    "GIT_PYTHON_REFRESH": "quiet",
}

# Inherited variables that would silently point a recipe at someone else's servers or settings (a developer's
# PREFECT_API_URL or MLFLOW_TRACKING_URI), or into the project's own environment instead of the recipe's.
DROPPED_PREFIXES = ("PREFECT_", "MLFLOW_")
DROPPED = ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "CONDA_PREFIX")

KEY_PACKAGES = (
    "prefect", "mlflow", "scikit-learn", "pandas", "pyarrow", "pandera", "evidently", "numpy",
    "ipykernel", "nbclient", "testbook", "mkdocs", "mkdocs-material", "pymdown-extensions", "pytest",
    "prefect-kubernetes", "kubernetes-validate", "PyYAML",
)


def venv_bin() -> Path:
    return Path(sys.executable).parent


def base_env() -> dict[str, str]:
    """A new terminal on this machine: the parent environment without Prefect/MLflow settings and without the
    project's own virtualenv (the page activates the recipe's), plus the guards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_PREFIXES) and k not in DROPPED}
    own = {str(venv_bin()), str(venv_bin().resolve())}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p not in own)
    env.update(GUARD_ENV)
    return env


def tool_env() -> dict[str, str]:
    """For the engine's own helpers that need the project's packages (not for recipe steps)."""
    env = base_env()
    env["PATH"] = f"{venv_bin()}{os.pathsep}{env['PATH']}"
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
