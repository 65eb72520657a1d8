"""Validate rendered objects against the Kubernetes OpenAPI schemas of the pinned version, offline and strict.

Uses the schemas bundled with kubernetes-validate; reports every error (not only the first) with its field path,
so a typo such as `contaners` is named as an unexpected field, not only as a missing `containers`.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Iterator

import jsonschema
import referencing
from kubernetes_validate import utils as kv


@functools.lru_cache(maxsize=None)
def _schema_dir(version: str) -> str:
    version = version.lstrip("v")
    if kv.major_minor(version) > kv.latest_version():
        raise ValueError(f"kubernetes-validate has no schemas for Kubernetes {version} (latest: {kv.latest_version()})")
    bundled = [v for v in kv.all_versions() if kv.major_minor(v) <= kv.major_minor(version)][-1]
    return f"v{bundled}-local-strict"


def field_path(path: Any) -> str:
    """spec.template.spec.containers[0].image from a jsonschema path deque."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


@functools.lru_cache(maxsize=None)
def _validator(version: str, kind: str, group: str) -> jsonschema.Draft202012Validator | None:
    """The validator of one kind, built once per run: the bundled schemas (a 1.8 MB _definitions.json) never change."""
    schema_dir, version = _schema_dir(version), version.lstrip("v")
    try:
        schema = kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group}.json", version)
    except FileNotFoundError:
        return None
    registry = referencing.Resource.from_contents(schema) @ referencing.Registry()
    registry = _definitions(schema_dir, version) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


@functools.lru_cache(maxsize=None)
def _definitions(schema_dir: str, version: str) -> referencing.Resource:
    return referencing.Resource.from_contents(kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version))


def errors(obj: dict[str, Any], version: str) -> Iterator[tuple[str, str]]:
    """(field, message) for every schema violation of one object."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not api_version or not kind:
        yield "(top level)", "apiVersion and kind are required"
        return
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    validator = _validator(version, kind, group)
    if validator is None:
        yield "(top level)", f"no schema for kind {kind} with apiVersion {api_version} in Kubernetes {version}"
        return
    for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
        where = field_path(error.absolute_path)
        if error.validator == "additionalProperties":
            inside = re.search(r"\((.*) (?:was|were) unexpected\)", error.message)
            unexpected = re.findall(r"'([^']+)'", inside.group(1)) if inside else []
            for name in unexpected:
                yield (f"{where}.{name}" if error.absolute_path else name), "unknown field (a typo?)"
            if unexpected:
                continue
        yield where, error.message
