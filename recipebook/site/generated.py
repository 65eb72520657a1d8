"""The pages the build writes from data (never committed): recipe index, flaky recipes, compatibility, coverage,
spec reference, and the component table that docs/architecture/components.md embeds."""
from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from recipebook import history as run_history
from recipebook import procedure, spec
from recipebook.targets import TARGETS

from recipebook.site.banner import STYLES, TARGET_LABELS
from recipebook.site.checks import SiteModel
from recipebook.site.components import PIPELINE_RECIPE, Component, installed_version, pinned_versions, reported_version, required_names
from recipebook.site.evidence import parse_time
from recipebook.site.navigation import STAGE_ORDER

STATE_MARKS = {"passed": "✅ passed", "failed": "❌ failed", "stale": "⚠️ stale", "too-old": "⚠️ too old",
               "skipped": "➖ skipped", "not-verified": "➖ not verified"}

RECIPE_INDEX = "recipes/index.md"
COMPATIBILITY = "architecture/compatibility.md"
FLAKY = "recipes/flaky.md"
MAX_VERSION_SETS = 8  # columns per target on the compatibility page, newest first
MAX_FAILURES_SHOWN = 5  # per flaky recipe
COVERAGE = "contributing/coverage.md"
SPEC_REFERENCE = "contributing/spec-reference.md"
GENERATED_NOTE = "*This page is generated at build time by `recipebook/site/generated.py`; do not edit it.*\n"


def link(from_uri: str, to_uri: str) -> str:
    """A relative Markdown link target from one docs page to another (MkDocs validates it)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def recipe_index(model: SiteModel) -> str:
    lines = ["# Recipes", "", GENERATED_NOTE,
             "Every recipe is a folder under `recipes/` that CI executes; its page shows the evidence of the last run. "
             f"Status per target, from the verification reports (required for this build: {', '.join(model.settings.required_targets) or 'none'}).", ""]
    for stage in STAGE_ORDER:
        recipes = [r for r in model.recipes.values() if r.stage == stage]
        if not recipes:
            continue
        lines += [f"## {stage.capitalize()}", "", "| Recipe | What it does | Laptop | Kubernetes | Components |", "|---|---|---|---|---|"]
        for r in sorted(recipes, key=lambda r: r.title):
            status = []
            for t in TARGETS:
                e = model.evidence[r.name].get(t)
                status.append(STATE_MARKS[e.state] if e else "—")
            title = f"[{_cell(r.title)}]({link(RECIPE_INDEX, r.page)})" if r.page in model.scans else _cell(r.title)
            lines.append(f"| {title} | {_cell(r.summary)} | {status[0]} | {status[1]} | {', '.join(r.components)} |")
        lines.append("")
    if not model.recipes:
        lines.append("No recipes yet: see [adding a recipe](../contributing/index.md).")
    return "\n".join(lines) + "\n"


def _passing_runs(model: SiteModel, target: str) -> list[dict[str, Any]]:
    """Every passing run on `target` as a history record: the history's, plus the report's last runs that the
    history lacks (made with `recipebook run`, or before there was a history)."""
    runs = [r for r in model.history if r["target"] == target and r["status"] == "passed"]
    seen = {(r["recipe"], r.get("finished_at")) for r in runs}
    report = model.reports.get(target) or {}
    tracked = run_history.tracked_packages()
    for name, entry in sorted(report.get("recipes", {}).items()):
        if entry.get("status") == "passed" and not entry.get("reused") and (name, entry.get("finished_at")) not in seen:
            runs.append(run_history.record(name, entry, report, None, tracked))
    return runs


def _python(run: dict[str, Any]) -> str | None:
    return run.get("python") or (run.get("environment") or {}).get("python")


def _environment_sets(model: SiteModel, target: str) -> list[dict[str, Any]]:
    """One group per distinct set of versions that passed on `target` (the recipe's Python, the runner's packages,
    kind and Kubernetes), newest first: the columns of the compatibility page."""
    groups: dict[str, dict[str, Any]] = {}
    for run in _passing_runs(model, target):
        env = run.get("environment") or {}
        key = json.dumps({"python": _python(run), "packages": env.get("packages") or {}, "kind": env.get("kind"),
                          "kubernetes": env.get("kubernetes")}, sort_keys=True)
        group = groups.setdefault(key, {"environment": env, "python": _python(run), "recipes": set(), "runs": 0, "pins": {}, "when": None})
        group["recipes"].add(run["recipe"])
        group["runs"] += 1
        for package, version in (run.get("requirements") or {}).items():
            group["pins"].setdefault(package, set()).add(str(version))
        when = parse_time(run.get("finished_at"))
        if when and (group["when"] is None or when > group["when"]):
            group["when"] = when
    for group in groups.values():  # a recipe's own pins win over the runner's versions (banner.py does the same)
        pins = {package: " / ".join(sorted(versions)) for package, versions in group["pins"].items()}
        group["environment"] = {**group["environment"], "packages": {**(group["environment"].get("packages") or {}), **pins}}
    return sorted(groups.values(), key=lambda g: g["when"] or parse_time("1970-01-01T00:00:00+00:00"), reverse=True)


def _python_table(model: SiteModel) -> list[str]:
    """Which Python versions passed where: per version and target, how many recipes passed and when last."""
    seen: dict[str, dict[str, dict[str, Any]]] = {}
    for target in TARGETS:
        for run in _passing_runs(model, target):
            cell = seen.setdefault(_python(run) or "?", {}).setdefault(target, {"recipes": set(), "when": None})
            cell["recipes"].add(run["recipe"])
            when = parse_time(run.get("finished_at"))
            if when and (cell["when"] is None or when > cell["when"]):
                cell["when"] = when
    lines = ["## Python versions", "",
             f"Recipe pages create each recipe's environment with Python {procedure.PYTHON_MIN} or a newer "
             f"{procedure.PYTHON_VERSION} (`uv venv --python '{procedure.PYTHON_REQUEST}'`); a run records the exact "
             "version its recipe ran with.", ""]
    if not seen:
        return lines + ["No passing run in the reports or the run history this site was built from.", ""]
    lines += ["| Python | " + " | ".join(TARGET_LABELS[t].capitalize() for t in TARGETS) + " |", "|---|" + "---|" * len(TARGETS)]
    for python in sorted(seen, key=lambda v: [int(p) if p.isdigit() else 0 for p in v.split(".")], reverse=True):
        cells = []
        for target in TARGETS:
            cell = seen[python].get(target)
            cells.append(f"{len(cell['recipes'])} recipe(s) passed, last on {cell['when']:%Y-%m-%d}" if cell and cell["when"]
                         else f"{len(cell['recipes'])} recipe(s) passed" if cell else "—")
        lines.append(f"| {_cell(python)} | " + " | ".join(cells) + " |")
    return lines + [""]


def compatibility(model: SiteModel, registry: dict[str, Component]) -> str:
    lines = ["# Compatibility", "", GENERATED_NOTE,
             "The versions below are not a wish list: each column is a set of versions that **passed together** in a "
             "verification run, newest first, read from the run history (`build/verification/<target>/history.jsonl`) "
             "and the last reports. A recipe that was not run with a set of versions is not listed under it.", ""]
    if model.history_error:
        lines += [f"*The run history could not be read, so only the last reports are shown: {_cell(model.history_error)}*", ""]
    for target in TARGETS:
        lines += [f"## {TARGET_LABELS[target].capitalize()}", ""]
        groups = _environment_sets(model, target)
        if not groups:
            lines += ["No passing run on this target in the reports or the run history this site was built from.", ""]
            continue
        shown, hidden = groups[:MAX_VERSION_SETS], groups[MAX_VERSION_SETS:]
        header = "| Component | " + " | ".join(f"passed {g['when']:%Y-%m-%d}" if g["when"] else "passed" for g in shown) + " |"
        lines += [header, "|---|" + "---|" * len(shown)]
        lines.append("| Python | " + " | ".join(_cell(g["python"] or "?") for g in shown) + " |")
        for component in registry.values():
            versions = [reported_version(component, g["environment"]) for g in shown]
            if any(versions):
                lines.append(f"| {component.name} | " + " | ".join(_cell(v or "—") for v in versions) + " |")
        lines.append("| passing runs | " + " | ".join(str(g["runs"]) for g in shown) + " |")
        lines.append("| recipes that passed | " + " | ".join(", ".join(sorted(g["recipes"])) for g in shown) + " |")
        lines.append("")
        if hidden:
            lines += [f"{len(hidden)} older set(s) of versions not shown (the oldest passed on "
                      f"{min(g['when'] for g in hidden if g['when']):%Y-%m-%d}).", ""]
    lines += _python_table(model)
    return "\n".join(lines) + "\n"


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _failure_lines(run: dict[str, Any]) -> list[str]:
    """One failed run of a flaky recipe: when, which step, why, where its log was kept, and its last output lines."""
    failure = run.get("failure") or {}
    when = (parse_time(run.get("finished_at")))
    what = f"step `{failure['step']}`" if failure.get("step") else "the run"
    code = f" (exit code {failure['exit_code']})" if failure.get("exit_code") is not None else ""
    commit = f", commit `{str(run['git_commit'])[:10]}`" if run.get("git_commit") else ""
    line = f"- {when:%Y-%m-%d %H:%M} UTC (run `{run.get('run_id')}`{commit}): {what} failed{code}" if when else f"- {what} failed{code}"
    if failure.get("reason"):
        line += f": {_cell(failure['reason'])}"
    if failure.get("log"):
        line += f". Log: `build/verification/{run['target']}/{failure['log']}` of that run"
    lines = [line + "."]
    tail = failure.get("output_tail")
    if tail:
        fence = _fence(tail)
        lines += ["", '    ??? note "Last lines of its output"', "", f"        {fence}text"]
        lines += [f"        {t}" for t in tail.splitlines()] + [f"        {fence}", ""]
    return lines


def flaky(model: SiteModel) -> str:
    """Every recipe that failed and then passed with the same content hash, with the failing steps and their logs."""
    lines = ["# Flaky recipes", "", GENERATED_NOTE,
             "A recipe is **flaky** when it failed and then passed **with the same content hash**: nothing in its files or "
             "on its page changed between the two runs, so the failure came from timing, the order of the recipes or the "
             "machine. This page is read from the run history that every `recipebook verify` appends to "
             "(`build/verification/<target>/history.jsonl`); run `.venv/bin/recipebook verify --repeat N` to hunt flaky "
             "recipes on your machine, and see [how verification works](../contributing/verification.md).", ""]
    if model.history_error:
        return "\n".join(lines + ['!!! failure "The run history could not be read"', "", f"    {_cell(model.history_error)}", ""]) + "\n"
    if not model.history:
        return "\n".join(lines + ["No run history in the reports this site was built from: nothing can be said about flakiness yet.", ""]) + "\n"
    first, last = parse_time(model.history[0].get("finished_at")), parse_time(model.history[-1].get("finished_at"))
    span = f", from {first:%Y-%m-%d} to {last:%Y-%m-%d}" if first and last else ""
    recipes = {(r["recipe"], r["target"]) for r in model.history}
    lines += [f"The history holds {len(model.history)} recorded runs of {len(recipes)} recipe(s) and target(s){span}.", ""]
    found = run_history.flakes(model.history)
    if not found:
        return "\n".join(lines + ["No recipe is flaky: none failed and then passed with the same content.", ""]) + "\n"
    lines += ["| Recipe | Target | Failed, then passed | Runs with that content | Still its content | Last failing step |",
              "|---|---|---|---|---|---|"]
    for f in found:
        recipe = model.recipes.get(f.recipe)
        title = _cell(recipe.title if recipe else f.recipe)
        if recipe and recipe.page in model.scans:
            title = f"[{title}]({link(FLAKY, recipe.page)})"
        current = "yes" if model.hashes.get(f.recipe) == f.content_hash else "no (changed since)"
        step = (f.failures[0].get("failure") or {}).get("step")
        lines.append(f"| {title} | {TARGET_LABELS.get(f.target, f.target).capitalize()} | {len(f.failures)} time(s) | {f.runs} "
                     f"({f.passed} passed) | {current} | {f'`{step}`' if step else '—'} |")
    for f in found:
        recipe = model.recipes.get(f.recipe)
        lines += ["", f"## {recipe.title if recipe else f.recipe} — {TARGET_LABELS.get(f.target, f.target)}", "",
                  f"Recipe `{f.recipe}`, content hash `{f.content_hash[:19]}…`: {f.runs} recorded runs with this content, "
                  f"{f.passed} passed. Failed runs that a later pass followed, newest first:", ""]
        for run in f.failures[:MAX_FAILURES_SHOWN]:
            lines += _failure_lines(run)
        if len(f.failures) > MAX_FAILURES_SHOWN:
            lines.append(f"- … and {len(f.failures) - MAX_FAILURES_SHOWN} earlier failure(s).")
    return "\n".join(lines) + "\n"


def coverage(model: SiteModel) -> str:
    lines = ["# Code block coverage", "", GENERATED_NOTE,
             "Per recipe page: code blocks that CI executes (included from a recipe file, or rendered from a step of "
             "the spec) and blocks marked `<!-- not-executed: reason -->`. Unaccounted blocks fail a strict build.", "",
             "| Page | Executed | Not executed | Unaccounted | Reasons for not executing |", "|---|---|---|---|---|"]
    total = [0, 0, 0]
    for uri in sorted(u for u in model.scans if model.is_recipe_page(u)):
        page = model.scans[uri]
        counts = [page.count("included", "step"), page.count("not-executed"), page.count("unaccounted")]
        total = [a + b for a, b in zip(total, counts)]
        reasons = "; ".join(sorted({_cell(b.detail) for b in page.blocks if b.kind == "not-executed" and b.detail}))
        lines.append(f"| [{uri}]({link(COVERAGE, uri)}) | {counts[0]} | {counts[1]} | {counts[2]} | {reasons} |")
    lines.append(f"| **total** | **{total[0]}** | **{total[1]}** | **{total[2]}** | |")
    return "\n".join(lines) + "\n"


def component_table(registry: dict[str, Component], model: SiteModel) -> str:
    """Role, tool, version (installed, else pinned, else reported), required or optional, what it adds."""
    env = (model.reports.get("local") or {}).get("environment") or {}
    kind_env = (model.reports.get("kind") or {}).get("environment") or {}
    pins = pinned_versions(registry, model.settings.project_root)
    required_set = required_names(registry, model.recipes)
    lines = ["| Component | Role | Tool | Version | Required | What it adds |", "|---|---|---|---|---|---|"]
    for c in sorted(registry.values(), key=lambda c: c.name not in required_set):  # stable: file order within each group
        pinned = pins.get(c.name)
        version = installed_version(c.package) or pinned or reported_version(c, env) or reported_version(c, kind_env)
        where = f" (pinned in {c.pinned_in})" if pinned and c.pinned_in else ""
        shown = f"`{version}`{where}" if version else c.pinned_in or "—"
        required = "**required**" if c.name in required_set else "optional"
        lines.append(f"| `{c.name}` | {_cell(c.role)} | {_cell(c.tool)} | {_cell(shown)} | {required} | {_cell(c.adds)} |")
    return "\n".join(lines) + "\n"


def _type_of(node: dict[str, Any]) -> str:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.replace('_', '-')})"
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "oneOf" in node:
        return " or ".join(_type_of(n) for n in node["oneOf"])
    kind = node.get("type", "any")
    if kind == "array" and "items" in node:
        return f"list of {_type_of(node['items'])}"
    if kind == "object" and "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
        return "mapping of name to " + _type_of(node["additionalProperties"])
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def _properties_table(node: dict[str, Any]) -> list[str]:
    required = set(node.get("required", []))
    lines = ["| Key | Type | Required | Default | Meaning |", "|---|---|---|---|---|"]
    for key, prop in node.get("properties", {}).items():
        default = f"`{json.dumps(prop['default'])}`" if "default" in prop else ""
        lines.append(f"| `{key}` | {_type_of(prop)} | {'yes' if key in required else ''} | {default} | {_cell(prop.get('description', ''))} |")
    return lines


def spec_reference() -> str:
    schema = spec.schema()
    lines = ["# Recipe spec reference", "", GENERATED_NOTE,
             f"Generated from `recipebook/recipe.schema.json`. {schema.get('description', '')} "
             "A spec lives at `recipes/<name>/recipe.yaml`; `.venv/bin/recipebook list` validates every spec and names "
             "the file and the key of any error.", "", "## recipe.yaml", ""]
    lines += _properties_table(schema)
    for name, node in schema.get("$defs", {}).items():
        lines += ["", f"## {name}", ""]
        if node.get("description"):
            lines += [node["description"], ""]
        if "properties" in node:
            lines += _properties_table(node)
        else:
            lines.append(f"Type: {_type_of(node)}")
    return "\n".join(lines) + "\n"


def required_and_optional(registry: dict[str, Component], recipes: dict, from_uri: str) -> str:
    """The at-a-glance list for the home page: what the core pipeline needs, and what each optional part adds."""
    required_set = required_names(registry, recipes)
    required = [c for c in registry.values() if c.name in required_set]
    optional = [c for c in registry.values() if c.name not in required_set]
    pipeline = recipes.get(PIPELINE_RECIPE)
    where = f"[{pipeline.title}]({link(from_uri, pipeline.page)})" if pipeline else "the pipeline"
    lines = [f"**Required**, because the end-to-end pipeline ({where}) installs or uses them: "
             + ", ".join(f"`{c.name}` ({c.role.lower()})" for c in required) + ".", "",
             "**Optional**, each adds one thing:", ""]
    lines += [f"- `{c.name}`: {c.adds}" for c in optional]
    lines += ["", f"Versions and details: [components]({link(from_uri, 'architecture/components.md')})."]
    return "\n".join(lines) + "\n"


def recipe_list(model: SiteModel, from_uri: str, stage: str | None = None, target: str | None = None) -> str:
    """Links to the recipes of a stage (or of a target) with their status, for overview pages."""
    chosen = [r for r in model.recipes.values()
              if (stage is None or r.stage == stage) and (target is None or target in r.targets) and r.page in model.scans]
    if not chosen:
        return "*No recipe here yet.*\n"
    lines = []
    for r in sorted(chosen, key=lambda r: r.title):
        marks = ", ".join(f"{TARGET_LABELS[t]}: {STATE_MARKS[model.evidence[r.name][t].state]}" for t in r.targets)
        lines.append(f"- [{r.title}]({link(from_uri, r.page)}) — {r.summary} ({marks})")
    return "\n".join(lines) + "\n"
