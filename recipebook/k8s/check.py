"""Render every kustomization, validate it strictly for the pinned Kubernetes version, apply the policy.

    python -m recipebook.k8s.check [KUSTOMIZATION_DIR ...]     (default: every kustomization under deploy/, recipes/)

Each problem is printed as `FILE: Kind/name FIELD: message`, FILE being the kustomization (and the source file
of the object when it can be found). Exit status 1 when there is any problem.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from recipebook.k8s import policy, render, schema, versions


@dataclass(frozen=True)
class Problem:
    kustomization: str
    source: str | None
    obj: str
    field: str
    message: str
    rule: str  # "render", "schema" or "policy"

    def __str__(self) -> str:
        where = self.kustomization + (f" ({self.source})" if self.source and self.source != self.kustomization else "")
        return f"{where}: {self.obj} {self.field}: {self.message} [{self.rule}]"


def check_directory(directory: Path, kubernetes_version: str) -> tuple[int, list[Problem]]:
    """(number of objects rendered, problems) for one kustomization directory."""
    try:
        rendered = render.render(directory)
    except render.RenderError as error:
        return 0, [Problem(render.display(directory), None, "-", "-", str(error), "render")]
    file = render.display(rendered.kustomization)
    found = []
    for obj in rendered.objects:
        broken = [("schema", *item) for item in schema.errors(obj, kubernetes_version)]
        broken += [("policy", *item) for item in policy.problems(obj)]
        if not broken:
            continue
        source = render.origin(obj, directory)  # reads the source files: once per object, only when it has problems
        name, where = render.object_name(obj), source and render.display(source)
        found.extend(Problem(file, where, name, field, message, rule) for rule, field, message in broken)
    return len(rendered.objects), found


def main(argv: list[str]) -> int:
    kubernetes_version = versions.load()["KUBERNETES_VERSION"]
    directories = [Path(a) for a in argv] or render.discover()
    if not directories:
        print("ERROR: no kustomization found under deploy/ or recipes/", file=sys.stderr)
        return 1
    total = []
    for directory in directories:
        count, found = check_directory(directory, kubernetes_version)
        total.extend(found)
        status = "ok" if not found else f"{len(found)} problem(s)"
        print(f"{render.display(directory)}: {count} objects, Kubernetes {kubernetes_version} strict schema + policy: {status}")
    for problem in total:
        print(f"  {problem}", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
