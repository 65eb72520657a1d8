"""Load recipes/<name>/recipe.yaml and validate it, with errors that name the file, the key and what was expected."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from recipebook import RECIPES_DIR
from recipebook.targets import TARGETS

SCHEMA_PATH = Path(__file__).with_name("recipe.schema.json")


class SpecError(Exception):
    """A recipe spec that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Step:
    id: str
    run: dict[str, str]  # target -> command
    description: str = ""
    hidden: bool = False
    background: bool = False
    ready: dict[str, Any] | None = None
    timeout: float = 300
    retries: int = 0
    retry_delay: float = 2
    env: dict[str, str] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)

    def command_for(self, target: str) -> str | None:
        return self.run.get(target)


@dataclass(frozen=True)
class Cleanup:
    run: dict[str, str]
    timeout: float = 120


@dataclass(frozen=True)
class Recipe:
    name: str
    path: Path  # the recipe folder
    title: str
    page: str
    stage: str
    targets: tuple[str, ...]
    components: tuple[str, ...]
    steps: tuple[Step, ...]
    summary: str = ""
    needs: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    timeout: float = 900
    ports: tuple[str, ...] = ()
    provides: dict[str, str] = field(default_factory=dict)
    cleanup: tuple[Cleanup, ...] = ()
    packages: tuple[str, ...] = ()
    venvs: dict[str, str] = field(default_factory=dict)

    @property
    def spec_file(self) -> Path:
        return self.path / "recipe.yaml"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def _where(error: jsonschema.ValidationError) -> str:
    parts = []
    for p in error.absolute_path:
        parts.append(f"[{p}]" if isinstance(p, int) else (("." if parts else "") + str(p)))
    return "".join(parts) or "(top level)"


def _explain(error: jsonschema.ValidationError) -> str:
    v = error.validator
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return f"missing required key '{missing[0] if missing else error.message}'"
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message}; allowed keys: {', '.join(allowed)}"
    if v == "enum":
        return f"got {error.instance!r}, expected one of {', '.join(map(str, error.validator_value))}"
    if v == "type":
        return f"got {error.instance!r} ({type(error.instance).__name__}), expected {error.validator_value}"
    if v == "oneOf" and "run" in [str(p) for p in error.absolute_path]:
        return "expected a command string, or a mapping with 'local' and/or 'kind' commands"
    if v == "pattern":
        return f"got {error.instance!r}, which does not match {error.validator_value}"
    return error.message


def _command_map(value: str | dict[str, str]) -> dict[str, str]:
    return {t: value for t in TARGETS} if isinstance(value, str) else dict(value)


def _stringify(env: dict[str, Any]) -> dict[str, str]:
    return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in env.items()}


def parse(data: Any, spec_file: Path) -> Recipe:
    """Validate already-loaded YAML data and build a Recipe; raise SpecError naming file and key."""
    where = str(spec_file)
    if not isinstance(data, dict):
        raise SpecError(f"{where}: expected a mapping of keys (title, page, stage, ...), got {type(data).__name__}")
    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  - {_where(e)}: {_explain(e)}" for e in errors[:10]]
        raise SpecError(f"{where}: invalid recipe spec (schema: recipebook/recipe.schema.json)\n" + "\n".join(lines))

    from recipebook.procedure import GENERATED_STEP_IDS

    steps = []
    seen: set[str] = set()
    ports = tuple(data.get("ports", []))
    for i, s in enumerate(data["steps"]):
        if s["id"] in seen:
            raise SpecError(f"{where}: steps[{i}].id: duplicate step id '{s['id']}'; step ids must be unique")
        if s["id"] in GENERATED_STEP_IDS:
            raise SpecError(f"{where}: steps[{i}].id: '{s['id']}' is generated for every recipe (getting the files, installing); "
                            "choose another id")
        seen.add(s["id"])
        if s.get("env") and not s.get("hidden"):
            raise SpecError(f"{where}: steps[{i}].env: only hidden checks may get environment from the spec; a visible step "
                            "gets it from the page: export the variable in env.sh (with a visible default) or in the step's command")
        ready = s.get("ready")
        if ready and "port" in ready and not str(ready["port"]).isdigit() and str(ready["port"]) not in ports:
            raise SpecError(f"{where}: steps[{i}].ready.port: '{ready['port']}' is not declared under 'ports' ({', '.join(ports) or 'none declared'})")
        for pattern in s.get("expect", {}).get("output_matches", []):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SpecError(f"{where}: steps[{i}].expect.output_matches: invalid regular expression {pattern!r}: {exc}") from None
        steps.append(Step(
            id=s["id"], run=_command_map(s["run"]), description=s.get("description", ""),
            hidden=s.get("hidden", False), background=s.get("background", False), ready=ready,
            timeout=s.get("timeout", 300), retries=s.get("retries", 0), retry_delay=s.get("retry_delay", 2),
            env=_stringify(s.get("env", {})), expect=s.get("expect", {}),
        ))
    for t in data["targets"]:
        if not any(t in st.run for st in steps) and steps:
            raise SpecError(f"{where}: targets: '{t}' is listed but no step has a command for it")
    return Recipe(
        name=spec_file.parent.name, path=spec_file.parent, title=data["title"], page=data["page"],
        stage=data["stage"], targets=tuple(data["targets"]), components=tuple(data["components"]),
        steps=tuple(steps), summary=data.get("summary", ""), needs=tuple(data.get("needs", [])),
        files=tuple(data.get("files", [])), timeout=data.get("timeout", 900), ports=ports,
        provides=_stringify(data.get("provides", {})),
        cleanup=tuple(Cleanup(run=_command_map(c["run"]), timeout=c.get("timeout", 120)) for c in data.get("cleanup", [])),
        packages=tuple(data.get("packages", [])), venvs=dict(data.get("venvs", {})),
    )


def _check_environment_files(recipe: Recipe, spec_file: Path, check_requirements: bool) -> None:
    """env.sh exports the telemetry settings; requirements files exist and agree with the one lock."""
    from recipebook import procedure, requirements
    from recipebook.environment import TELEMETRY_ENV

    env_file = recipe.path / procedure.ENV_FILE
    if recipe.packages and not env_file.is_file():
        raise SpecError(f"{spec_file}: packages: the page's install step sources {procedure.ENV_FILE}, which is missing; "
                        f"create {recipe.path.name}/{procedure.ENV_FILE} with `export {procedure.VENV_VAR}=${{{procedure.VENV_VAR}:-.venv}}` "
                        "and the telemetry settings (see recipes/local-platform/env.sh)")
    if env_file.is_file():
        text = env_file.read_text()
        missing = [f"{k}={v}" for k, v in TELEMETRY_ENV.items() if not re.search(rf"\b{k}={v}\b", text)]
        if missing:
            raise SpecError(f"{env_file}: the page's settings must switch telemetry off; add: export {' '.join(missing)}")
    for var, path in procedure.venv_files(recipe).items():
        if not path.is_file() and (check_requirements or var != procedure.VENV_VAR):
            fix = "run `bash scripts/lock.sh`" if var == procedure.VENV_VAR else f"create {path.name}"
            raise SpecError(f"{spec_file}: {'packages' if var == procedure.VENV_VAR else 'venvs.' + var}: {path.name} is missing; {fix}")
    if check_requirements and recipe.packages:
        problems = requirements.mismatches(recipe.path / procedure.REQUIREMENTS)
        if problems:
            raise SpecError(f"{recipe.path / procedure.REQUIREMENTS}: does not match requirements.lock ({'; '.join(problems[:3])}); "
                            "run `bash scripts/lock.sh` to regenerate it from the lock")


def _check_page_variables(recipe: Recipe, recipes: dict[str, Recipe]) -> None:
    """The runner may set only what the page exports with a visible default (docs/contributing/design.md, "What the runner may set")."""
    from recipebook import procedure

    provided = sorted({v for n in recipe.needs for v in recipes[n].provides})
    for target in recipe.targets:
        missing = procedure.missing_defaults(recipe, provided, target)
        if missing:
            why = procedure.overridable(recipe, provided)
            lines = "; ".join(f"{v} ({why[v]})" for v in missing)
            raise SpecError(f"{recipe.spec_file}: the runner sets {lines}, but the page does not export "
                            f"{'it' if len(missing) == 1 else 'them'} with a visible default; add "
                            f"`export {missing[0]}=${{{missing[0]}:-DEFAULT}}` to {procedure.ENV_FILE} (target {target})")
        unknown = procedure.undefined_variables(recipe, provided, target)
        if unknown:
            raise SpecError(f"{recipe.spec_file}: the page's commands read {', '.join('$' + v for v in unknown)}, which "
                            f"neither the page sets nor a reader's shell has (target {target}); export "
                            f"{'it' if len(unknown) == 1 else 'them'} in {procedure.ENV_FILE} with a visible default")


def load(spec_file: Path, check_requirements: bool = True) -> Recipe:
    """Load one recipe.yaml; every problem becomes a SpecError naming the file."""
    spec_file = Path(spec_file)
    if not spec_file.is_file():
        raise SpecError(f"{spec_file}: no such recipe spec (expected recipes/<name>/recipe.yaml)")
    try:
        data = yaml.safe_load(spec_file.read_text())
    except yaml.YAMLError as exc:
        raise SpecError(f"{spec_file}: not valid YAML: {exc}") from None
    recipe = parse(data, spec_file)
    names: dict[str, str] = {}
    for rel in recipe.files:
        if not (recipe.path / rel).is_file():
            raise SpecError(f"{spec_file}: files: '{rel}' does not exist (paths are relative to {recipe.path})")
        name = Path(rel).name
        if name in names or (recipe.path / name).exists():
            other = names.get(name, f"the recipe's own {name}")
            raise SpecError(f"{spec_file}: files: '{rel}' and {other!r} share the name '{name}'; files are copied flat "
                            "into the work folder, so one would overwrite the other")
        names[name] = rel
    _check_environment_files(recipe, spec_file, check_requirements)
    return recipe


def discover(recipes_dir: Path = RECIPES_DIR, check_requirements: bool = True) -> dict[str, Recipe]:
    """All recipes under recipes_dir, by name; validates 'needs' references and page variables across recipes."""
    recipes = {}
    for spec_file in sorted(Path(recipes_dir).glob("*/recipe.yaml")):
        recipe = load(spec_file, check_requirements)
        recipes[recipe.name] = recipe
    for r in recipes.values():
        for n in r.needs:
            if n not in recipes:
                raise SpecError(f"{r.spec_file}: needs: '{n}' is not a recipe (known: {', '.join(sorted(recipes))})")
            if n == r.name:
                raise SpecError(f"{r.spec_file}: needs: a recipe cannot need itself")
    for r in recipes.values():
        _check_page_variables(r, recipes)
    return recipes


def order_with_needs(names: list[str], recipes: dict[str, Recipe]) -> list[str]:
    """The recipes to run, each after the recipes it needs (needed recipes are added if missing)."""
    ordered: list[str] = []

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in chain:
            raise SpecError(f"{recipes[name].spec_file}: needs: cycle {' -> '.join(chain + (name,))}")
        if name in ordered:
            return
        for n in recipes[name].needs:
            visit(n, chain + (name,))
        ordered.append(name)

    for name in names:
        visit(name, ())
    return ordered
