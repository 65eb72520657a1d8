"""Checks for the project's image builds. Used by scripts/build-images.sh.

An image's requirement set is resolved from images/<name>/requirements.in with requirements.lock as constraints;
`check-subset` makes sure no pin escaped the lock (one place for versions).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def pins(text: str) -> dict[str, str]:
    """Package name (normalised) -> exact version, from a requirements file with `name==version` lines."""
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(text)}


def subset_problems(subset: str, lock: str) -> list[str]:
    """Pins of `subset` that are missing from `lock` or have another version there."""
    locked = pins(lock)
    problems = []
    for name, version in sorted(pins(subset).items()):
        if name not in locked:
            problems.append(f"{name}=={version} is not in requirements.lock")
        elif locked[name] != version:
            problems.append(f"{name}=={version} but requirements.lock has {name}=={locked[name]}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "check-subset":
        print("usage: python -m recipebook.k8s.images check-subset IMAGE_REQUIREMENTS requirements.lock", file=sys.stderr)
        return 2
    subset_file, lock_file = Path(argv[1]), Path(argv[2])
    subset = subset_file.read_text()
    problems = subset_problems(subset, lock_file.read_text())
    for problem in problems:
        print(f"ERROR: {subset_file}: {problem}", file=sys.stderr)
    if not pins(subset):
        print(f"ERROR: {subset_file}: no pinned requirement found", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
