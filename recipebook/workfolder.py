"""Snapshots of a recipe's work folder, so a hidden check that changes it is caught (checks may only check).

A server the page started keeps writing while a check reads through it (Prefect's and MLflow's SQLite
databases, their journals), so files the recipe's servers hold open, and SQLite's side files, are not
counted as the check's doing. Nor are the files of a running PostgreSQL cluster in the folder (a data
directory whose postmaster.pid names a live process): the page starts it with pg_ctl, which detaches it, so
its processes are not the recipe's background steps, and it rewrites its files whenever a check queries it.
Python's bytecode caches are not counted either: checks run without writing them.
"""
from __future__ import annotations

import os
from pathlib import Path

_IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints"}
_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """relative path -> (size, mtime in ns) for every file under folder."""
    found = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in _IGNORED_DIRS]
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            found[os.path.relpath(path, folder)] = (st.st_size, st.st_mtime_ns)
    return found


# Where Prefect and MLflow clients keep state by default, under the home folder. A recipe that writes there
# leaves files outside its work folder (docs/contributing/design.md, "leaves nothing behind"): its env.sh must point them into the folder.
HOME_STATE_DIRS = (".prefect", ".mlflow", "mlruns")


def home_state(home: Path) -> dict[str, tuple[int, int]]:
    """A snapshot of the default state folders under `home`, keyed by their path from `home`."""
    found = {}
    for name in HOME_STATE_DIRS:
        found.update({f"{name}/{rel}": v for rel, v in snapshot(Path(home) / name).items()})
    return found


def live_database_dirs(folder: Path, files: dict[str, tuple[int, int]]) -> list[str]:
    """Data directories (relative to folder) of PostgreSQL clusters that are running: their postmaster.pid names a
    live process."""
    live = []
    for rel in files:
        if Path(rel).name != "postmaster.pid":
            continue
        try:
            pid = int((Path(folder) / rel).read_text().split("\n", 1)[0])
            os.kill(pid, 0)
        except (OSError, ValueError):
            continue
        live.append(os.path.dirname(rel))
    return live


def changes(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], held_open: set[str],
            folder: Path) -> list[str]:
    """What changed between two snapshots, as 'created x' / 'changed x' / 'deleted x', minus servers' own files
    (`held_open`: absolute paths; `folder`: the snapshotted folder, resolved; a running cluster's data directory)."""
    databases = [d + os.sep for d in live_database_dirs(folder, after)]

    def excused(rel: str) -> bool:
        return (rel.endswith(_SQLITE_SIDE_FILES) or str(Path(folder) / rel) in held_open
                or any(rel.startswith(d) for d in databases))

    found = []
    for rel in sorted(set(before) | set(after)):
        if excused(rel):
            continue
        if rel not in before:
            found.append(f"created {rel}")
        elif rel not in after:
            found.append(f"deleted {rel}")
        elif before[rel] != after[rel]:
            found.append(f"changed {rel}")
    return found
