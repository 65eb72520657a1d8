"""Read deploy/versions.env, the one place for the Kubernetes path's versions (kind, node image, Kubernetes, tags)."""
from __future__ import annotations

from pathlib import Path

from recipebook import PROJECT_ROOT

VERSIONS_FILE = PROJECT_ROOT / "deploy" / "versions.env"


def load(path: Path = VERSIONS_FILE) -> dict[str, str]:
    """KEY=value lines (the same file shell scripts `source`); comments and blank lines ignored."""
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.isidentifier():
            raise ValueError(f"{path}:{number}: expected KEY=value, got {line!r}")
        values[key] = value
    return values
