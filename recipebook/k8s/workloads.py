"""Read rendered manifests the way Kubernetes would run them: find a workload and its container, resolve the
environment a container gets (values, the downward API's metadata fields, ConfigMaps rendered with it, Secrets
given by the caller), and the volume behind a mount path. Used by the tests that run the manifests' containers
with Docker or check what a setting does."""
from __future__ import annotations

from typing import Any


class ManifestError(LookupError):
    """An object, container, key or volume the caller expected is not in the rendered manifests."""


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    """The rendered object of this kind and name (ConfigMaps: the generated name's prefix also matches)."""
    for obj in objects:
        actual = (obj.get("metadata") or {}).get("name", "")
        if obj.get("kind") == kind and (actual == name or (kind == "ConfigMap" and actual.startswith(f"{name}-"))):
            return obj
    raise ManifestError(f"no {kind}/{name} in the rendered manifests")


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    return spec["template"]["spec"] if "template" in spec else spec


def container(obj: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """The container `name` of a workload (its first container without a name)."""
    containers = pod_spec(obj).get("containers") or []
    for item in containers:
        if name is None or item.get("name") == name:
            return item
    raise ManifestError(f"{obj.get('kind')}/{obj['metadata'].get('name')} has no container {name!r}")


def _config_map_data(objects: list[dict[str, Any]], name: str) -> dict[str, str]:
    for obj in objects:
        if obj.get("kind") == "ConfigMap" and obj["metadata"]["name"] == name:
            return dict(obj.get("data") or {})
    raise ManifestError(f"ConfigMap/{name} is referenced but not rendered (it must come from outside the repository)")


def environment(objects: list[dict[str, Any]], obj: dict[str, Any], item: dict[str, Any],
                secrets: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """The environment variables the container `item` of workload `obj` starts with (the image's ENV aside).

    `secrets` maps a Secret's name to its keys and values: the Secrets the pages tell the reader to create."""
    secrets = secrets or {}
    env: dict[str, str] = {}
    for source in item.get("envFrom") or []:
        if "configMapRef" in source:
            env.update(_config_map_data(objects, source["configMapRef"]["name"]))
        elif "secretRef" in source:
            env.update(secrets[source["secretRef"]["name"]])
    metadata = obj.get("metadata") or {}
    for entry in item.get("env") or []:
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
            continue
        ref = entry.get("valueFrom") or {}
        if "fieldRef" in ref:
            path = ref["fieldRef"]["fieldPath"]
            if path not in ("metadata.namespace", "metadata.name"):
                raise ManifestError(f"{entry['name']}: fieldRef {path} is not resolved here")
            env[entry["name"]] = metadata.get(path.split(".", 1)[1], "")
        elif "configMapKeyRef" in ref:
            key = ref["configMapKeyRef"]
            env[entry["name"]] = _config_map_data(objects, key["name"])[key["key"]]
        elif "secretKeyRef" in ref:
            key = ref["secretKeyRef"]
            if key["name"] not in secrets or key["key"] not in secrets[key["name"]]:
                raise ManifestError(f"{entry['name']}: Secret {key['name']} key {key['key']} was not given")
            env[entry["name"]] = secrets[key["name"]][key["key"]]
        else:
            raise ManifestError(f"{entry['name']}: valueFrom {sorted(ref)} is not resolved here")
    return env


def mount_at(item: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The volume mount of the container `item` that holds `path` (the deepest one), or None."""
    best = None
    for mount in item.get("volumeMounts") or []:
        mount_path = mount["mountPath"].rstrip("/")
        if path == mount_path or path.startswith(mount_path + "/"):
            if best is None or len(mount_path) > len(best["mountPath"].rstrip("/")):
                best = mount
    return best


def volume_at(obj: dict[str, Any], item: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The volume (its pod spec entry) that holds `path` in the container `item` of workload `obj`, or None."""
    mount = mount_at(item, path)
    volumes = {volume["name"]: volume for volume in pod_spec(obj).get("volumes") or []}
    return volumes.get(mount["name"]) if mount else None
