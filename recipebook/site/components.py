"""The component registry (recipebook/components.yaml) and where each component's version comes from."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from recipebook.k8s import versions

REGISTRY_PATH = Path(__file__).resolve().parent.parent / "components.yaml"


@dataclass(frozen=True)
class Component:
    name: str
    role: str
    tool: str
    adds: str
    package: str | None = None
    report_key: str | None = None
    pinned_in: str | None = None
    version_var: str | None = None  # a variable of deploy/versions.env
    image: str | None = None  # an image whose tag a deploy/**/kustomization.yaml pins (images: newTag)


def load(path: Path = REGISTRY_PATH) -> dict[str, Component]:
    """name -> Component, in file order; a malformed entry raises ValueError naming the file and the key."""
    data = yaml.safe_load(Path(path).read_text()) or {}
    components = {}
    for name, entry in data.items():
        missing = [k for k in ("role", "tool", "adds") if k not in (entry or {})]
        if missing:
            raise ValueError(f"{path}: {name}: missing {', '.join(missing)}")
        components[name] = Component(name=name, **entry)
    return components


# The end-to-end pipeline (data -> training -> registry -> serving) a newcomer runs first: what it installs and uses
# is required; everything else is optional.
PIPELINE_RECIPE = "quickstart"


def required_names(registry: dict[str, Component], recipes: dict) -> set[str]:
    """Components the pipeline cannot run without: a Python component whose package the pipeline recipe's
    requirements.txt pins, or a non-Python component the recipe lists. Computed, never typed (docs/contributing/design.md)."""
    from recipebook import requirements

    recipe = recipes.get(PIPELINE_RECIPE)
    if recipe is None:
        return set()
    installed = requirements.pins(recipe.path / "requirements.txt") if (recipe.path / "requirements.txt").is_file() else {}
    found = set()
    for c in registry.values():
        if c.package:
            if requirements.normalize(c.package) in installed and c.name in recipe.components:
                found.add(c.name)
        elif c.name in recipe.components:
            found.add(c.name)
    return found


def installed_version(package: str | None) -> str | None:
    if not package:
        return None
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def reported_version(component: Component, environment: dict[str, Any] | None) -> str | None:
    """The component's version as a verification run recorded it (packages or the kind/kubernetes keys)."""
    environment = environment or {}
    if component.package:
        packages = environment.get("packages") or {}
        return packages.get(component.package) or packages.get(component.package.lower().replace("_", "-"))
    if component.report_key:
        return environment.get(component.report_key)
    return None


def key_versions(names: tuple[str, ...] | list[str], environment: dict[str, Any] | None,
                 registry: dict[str, Component]) -> list[tuple[str, str]]:
    """(component, version) for the components of a recipe that the report has a version for."""
    shown = []
    for name in names:
        component = registry.get(name)
        version = reported_version(component, environment) if component else None
        if version:
            shown.append((name, str(version)))
    return shown


def _versions_env(project_root: Path) -> dict[str, str]:
    path = Path(project_root) / "deploy" / "versions.env"
    return versions.load(path) if path.is_file() else {}


def _image_tags(project_root: Path) -> dict[str, str]:
    """image -> the tag the first deploy/**/kustomization.yaml that pins it gives (images: newTag)."""
    tags: dict[str, str] = {}
    for kustomization in sorted((Path(project_root) / "deploy").rglob("kustomization.yaml")):
        data = yaml.safe_load(kustomization.read_text()) or {}
        for entry in data.get("images") or []:
            if entry.get("name") and entry.get("newTag"):
                tags.setdefault(entry["name"], str(entry["newTag"]))
    return tags


def pinned_versions(registry: dict[str, Component], project_root: Path) -> dict[str, str]:
    """name -> the version the repository pins for a non-Python component (deploy/versions.env or a kustomization);
    each of those files is read once for the whole registry."""
    variables, tags = _versions_env(project_root), _image_tags(project_root)
    pins = {}
    for c in registry.values():
        version = variables.get(c.version_var) if c.version_var else tags.get(c.image) if c.image else None
        if version:
            pins[c.name] = version
    return pins
