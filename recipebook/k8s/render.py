"""Render kustomizations with `kubectl kustomize` (works offline) and find where a rendered object came from."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from recipebook import PROJECT_ROOT

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SEARCH_DIRS = ("deploy", "recipes")


class RenderError(Exception):
    """A kustomization that kubectl could not render; the message names it and quotes kubectl."""


@dataclass(frozen=True)
class Rendered:
    kustomization: Path  # the kustomization file
    objects: list[dict[str, Any]]


def kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_NAMES:
        if (directory / name).is_file():
            return directory / name
    return None


def discover(root: Path = PROJECT_ROOT) -> list[Path]:
    """Every kustomization directory under deploy/ and recipes/ (sorted, so reports are stable)."""
    found = set()
    for top in SEARCH_DIRS:
        for name in KUSTOMIZATION_NAMES:
            found.update(p.parent for p in (root / top).rglob(name) if "build" not in p.relative_to(root).parts)
    return sorted(found)


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        raise RenderError("kubectl is missing: install kubectl (it renders kustomizations offline) and re-run")
    return path


def render(directory: Path) -> Rendered:
    """`kubectl kustomize DIRECTORY`, parsed; raises RenderError with kubectl's message."""
    file = kustomization_file(directory)
    if file is None:
        raise RenderError(f"{directory}: no kustomization.yaml")
    result = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RenderError(f"{display(file)}: kubectl kustomize failed: {result.stderr.strip()}")
    return Rendered(file, [doc for doc in yaml.safe_load_all(result.stdout) if doc])


def source_files(directory: Path) -> list[Path]:
    """YAML files a kustomization pulls in (resources and patches, following bases), for naming an object's origin."""
    file = kustomization_file(directory)
    if file is None:
        return []
    spec = yaml.safe_load(file.read_text()) or {}
    entries = list(spec.get("resources", [])) + [p.get("path") for p in spec.get("patches", []) if isinstance(p, dict)]
    files = []
    for entry in filter(None, entries):
        path = (directory / entry).resolve()
        if path.is_dir():
            files.extend(source_files(path))
        elif path.is_file():
            files.append(path)
    return files


def origin(obj: dict[str, Any], directory: Path) -> Path | None:
    """The source file that defines an object of this kind and name (patches are not counted as origins)."""
    kind, name = obj.get("kind"), (obj.get("metadata") or {}).get("name")
    for path in source_files(directory):
        try:
            docs = list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError:
            continue
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == kind and (doc.get("metadata") or {}).get("name") == name:
                return path
    return None


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def object_name(obj: dict[str, Any]) -> str:
    return f"{obj.get('kind', '?')}/{(obj.get('metadata') or {}).get('name', '?')}"
