"""Recipes kept running between commands, so a contributor re-runs one recipe without restarting the platform.

`recipebook up local-platform` runs the platform recipe, leaves its servers up and writes
build/running/<target>/<name>.json (what it provides, and the pid of the `up` process). `recipebook run NAME`
then reuses it for every recipe that needs it, instead of starting and smoke-testing it again (about 40 s):
a recipe re-runs in its own time plus a few seconds. A state file is trusted only while its `up` process is
alive and every port its URLs name accepts connections; otherwise it is ignored (and removed).
`recipebook verify` never reuses: a full verification starts from nothing, so order and state cannot leak in.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from recipebook import PROJECT_ROOT, processes

def _root() -> Path:
    return Path(os.environ.get("RECIPEBOOK_RUNNING_DIR") or PROJECT_ROOT / "build" / "running")


def state_file(name: str, target: str, root: Path | None = None) -> Path:
    return (root or _root()) / target / f"{name}.json"


def record(name: str, target: str, provides: dict[str, str], root: Path | None = None) -> Path:
    path = state_file(name, target, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"recipe": name, "target": target, "pid": os.getpid(), "provides": provides}, indent=2))
    return path


def forget(name: str, target: str, root: Path | None = None) -> None:
    state_file(name, target, root).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reusable(name: str, target: str, root: Path | None = None) -> dict | None:
    """The state of a running `up` of `name`, or None when there is none that still answers."""
    path = state_file(name, target, root)
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    ports = [int(p) for v in state.get("provides", {}).values() for p in re.findall(r"127\.0\.0\.1:(\d+)", v)]
    if not _alive(int(state.get("pid", 0))) or not all(processes.port_open(p) for p in ports):
        path.unlink(missing_ok=True)
        return None
    return state
