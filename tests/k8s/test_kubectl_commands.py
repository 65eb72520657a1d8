"""`kubectl run --rm` prints `pod "NAME" deleted` on its standard output when the pod is removed, into whatever the
command's output is redirected to (the recipes' JSON answers); `-q`/`--quiet` keeps it out (kubectl passes the flag
to the delete it runs). Every such command in the recipes and scripts has it."""
import re

import yaml

from recipebook import PROJECT_ROOT


def commands() -> list[tuple[str, str]]:
    """(where, command) for every shell command of the Kubernetes recipes' steps and of scripts/, continuations joined."""
    found = []
    for recipe in sorted((PROJECT_ROOT / "recipes").glob("cluster-*/recipe.yaml")):
        spec = yaml.safe_load(recipe.read_text())
        for step in spec.get("steps", []) + spec.get("cleanup", []):
            found.append((f"{recipe.parent.name}:{step.get('id', 'cleanup')}", step["run"]))
    for script in sorted((PROJECT_ROOT / "scripts").glob("*.sh")):
        found.append((script.name, script.read_text()))
    return [(where, line) for where, text in found for line in text.replace("\\\n", " ").splitlines()]


def kubectl_run_rm(line: str) -> bool:
    return bool(re.search(r"\bkubectl\b.*\brun\b", line)) and "--rm" in line.split()


def test_the_recipes_run_a_pod_with_kubectl_run_rm():
    """The rule below covers something: the serving recipe asks the Service from a pod made by `kubectl run --rm`."""
    assert [where for where, line in commands() if kubectl_run_rm(line)]


def test_every_kubectl_run_rm_is_quiet():
    loud = [f"{where}: {line.strip()}" for where, line in commands()
            if kubectl_run_rm(line) and not {"-q", "--quiet", "--quiet=true"} & set(line.split())]
    assert not loud, "add -q so kubectl's 'pod ... deleted' stays out of the output:\n" + "\n".join(loud)

