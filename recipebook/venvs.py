"""Cached Python environments for the recipes: one per requirements file content, built once with uv.

Every recipe page creates its environment with `uv venv` + `uv pip sync --compile-bytecode` at $RECIPE_VENV.
The runner points $RECIPE_VENV (the page shows its default, `.venv`) at build/venvs/<hash of the file>, so
the page's own commands run every time but find the environment already in sync (about 3 s instead of about
35 s of bytecode compilation). Recipes whose requirements are identical share one environment; `uv pip sync`
removes anything the file does not list, so each recipe still runs with exactly its own set.

`python -m recipebook.venvs` (called by scripts/setup.sh, which may reach the package registry) builds
every environment the recipes need, so verification itself stays offline.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from recipebook import PROJECT_ROOT
from recipebook.procedure import PYTHON_REQUEST
from recipebook.procedure import PYTHON_VERSION as PYTHON

VENV_ROOT = PROJECT_ROOT / "build" / "venvs"


def path_for(requirements: Path, root: Path = VENV_ROOT) -> Path:
    digest = hashlib.sha256(Path(requirements).read_bytes() + f"python{PYTHON}".encode()).hexdigest()[:16]
    return root / digest


def uv() -> list[str]:
    """The uv command: on PATH (scripts/setup.sh installs it), else as a module of this Python."""
    return ["uv"] if shutil.which("uv") else [sys.executable, "-m", "uv"]


def prepare(requirements: Path, root: Path = VENV_ROOT, offline: bool = False) -> tuple[Path, float, bool]:
    """Build (or re-sync) the environment for one requirements file: (path, seconds, built now)."""
    venv = path_for(requirements, root)
    stamp = venv / ".recipebook-synced"
    if stamp.is_file():
        return venv, 0.0, False
    started = time.monotonic()
    env = {**os.environ, "UV_NO_PROGRESS": "1", **({"UV_OFFLINE": "1"} if offline else {})}
    subprocess.run([*uv(), "venv", "--quiet", "--allow-existing", "--python", PYTHON_REQUEST, str(venv)], check=True, env=env)
    subprocess.run([*uv(), "pip", "sync", "--quiet", "--compile-bytecode", "--python", str(venv / "bin" / "python"),
                    str(requirements)], check=True, env=env)
    stamp.write_text(str(requirements) + "\n")
    return venv, time.monotonic() - started, True


def main() -> int:
    from recipebook import procedure, spec

    files: dict[Path, Path] = {}
    for recipe in spec.discover().values():
        for path in procedure.venv_files(recipe).values():
            files.setdefault(path_for(path), path)
    for venv, requirements in files.items():
        try:
            _, seconds, built = prepare(requirements)
        except subprocess.CalledProcessError as exc:
            print(f"venvs: could not build {venv} from {requirements} (exit {exc.returncode}); "
                  "check the network to the package registry and re-run scripts/setup.sh", file=sys.stderr)
            return 1
        if built:
            print(f"venvs: {requirements.relative_to(PROJECT_ROOT)} -> {venv.relative_to(PROJECT_ROOT)} in {seconds:.1f} s")
    print(f"venvs: {len(files)} recipe environment(s) ready under {VENV_ROOT.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
