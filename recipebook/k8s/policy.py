"""The project's rules for rendered manifests, each failure naming the object and the field.

Rules: images pinned (a tag other than `latest`, or a digest); containers not root, not privileged, no privilege
escalation, no host namespaces; CPU and memory requests and limits set; liveness probes wait at least 5 s for an
answer (Kubernetes' default is 1 s: a busy server gets restarted, which breaks every port-forward to it); no
credentials written into manifests (env values, ConfigMaps, Secret objects with data) - credentials come from
Secrets created outside the repository.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

POD_SPEC_PATHS = {  # kind -> path to the pod spec
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|CREDENTIAL|PRIVATE_?KEY|ACCESS_?KEY", re.IGNORECASE)
URL_WITH_PASSWORD = re.compile(r"://[^/\s:@]+:[^/\s@]+@")
RESOURCE_KEYS = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")
LIVENESS_TIMEOUT_SECONDS = 5  # prefect-helm's value; Kubernetes' default timeoutSeconds is 1


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def image_problem(image: str | None) -> str | None:
    """Why an image reference is not pinned, or None."""
    if not image:
        return "no image"
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag (pin a version)"
    if last.rsplit(":", 1)[1] == "latest":
        return f"image {image!r} uses the tag 'latest' (pin a version)"
    return None


def literal_credential(name: str, value: Any) -> bool:
    """A value that looks like a credential written into the manifest."""
    if not isinstance(value, str) or not value:
        return False
    return bool(SECRET_NAME.search(name)) or bool(URL_WITH_PASSWORD.search(value))


def container_problems(pod: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    pod_security = pod.get("securityContext") or {}
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(flag) is True:
            yield f"{where}.{flag}", f"{flag}: true shares the node's namespaces; not allowed"
    groups = [("initContainers", pod.get("initContainers") or []), ("containers", pod.get("containers") or [])]
    for group, containers in groups:
        for index, container in enumerate(containers):
            at = f"{where}.{group}[{index}]"
            problem = image_problem(container.get("image"))
            if problem:
                yield f"{at}.image", problem
            security = container.get("securityContext") or {}
            if security.get("privileged") is True:
                yield f"{at}.securityContext.privileged", "privileged containers are not allowed"
            if security.get("allowPrivilegeEscalation") is not False:
                yield f"{at}.securityContext.allowPrivilegeEscalation", "must be set to false"
            non_root = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
            if non_root is not True:
                yield f"{at}.securityContext.runAsNonRoot", "must be true (in the container or the pod securityContext)"
            user = security.get("runAsUser", pod_security.get("runAsUser"))
            if user == 0:
                yield f"{at}.securityContext.runAsUser", "runs as root (UID 0); use a non-zero UID"
            liveness = container.get("livenessProbe")
            if isinstance(liveness, dict) and liveness.get("timeoutSeconds", 1) < LIVENESS_TIMEOUT_SECONDS:
                yield (f"{at}.livenessProbe.timeoutSeconds",
                       f"is {liveness.get('timeoutSeconds', 1)} s (unset: Kubernetes' 1 s); use at least "
                       f"{LIVENESS_TIMEOUT_SECONDS} s, or a slow answer restarts the container")
            resources = container.get("resources") or {}
            for key in RESOURCE_KEYS:
                section, name = key.split(".")
                if not _get(resources, section, name):
                    yield f"{at}.resources.{section}", f"{section}.{name} is not set"
            for env_index, env in enumerate(container.get("env") or []):
                if "value" in env and literal_credential(env.get("name", ""), env.get("value")):
                    yield (f"{at}.env[{env_index}].value",
                           f"{env.get('name')} looks like a credential written into the manifest; use valueFrom.secretKeyRef")


def problems(obj: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, message) for every rule one rendered object breaks."""
    kind = obj.get("kind")
    if kind in POD_SPEC_PATHS:
        path = POD_SPEC_PATHS[kind]
        pod = _get(obj, *path)
        if isinstance(pod, dict):
            yield from container_problems(pod, ".".join(path))
    elif kind == "ConfigMap":
        for key, value in (obj.get("data") or {}).items():
            if literal_credential(key, value):
                yield f"data.{key}", "looks like a credential in a ConfigMap; put it in a Secret created outside the repository"
    elif kind == "Secret":
        for section in ("data", "stringData"):
            if obj.get(section):
                yield section, "a Secret with its values in the repository; create it with kubectl (see the page) instead"
