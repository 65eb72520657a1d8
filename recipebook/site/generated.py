"""The pages the build writes from data (never committed): recipe index, compatibility, coverage, spec reference,
and the component table that docs/architecture/components.md embeds."""
from __future__ import annotations

import json
import posixpath
from typing import Any

from recipebook import spec
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


def _environment_sets(model: SiteModel, target: str) -> list[dict[str, Any]]:
    """Groups of recipes that passed on `target` with the same component versions (one column each)."""
    report = model.reports.get(target)
    if not report:
        return []
    groups: dict[str, dict[str, Any]] = {}
    for name, entry in sorted(report.get("recipes", {}).items()):
        if entry.get("status") != "passed":
            continue
        env = entry.get("environment") or report.get("environment") or {}
        key = json.dumps({"packages": env.get("packages", {}), "python": env.get("python"),
                          "kind": env.get("kind"), "kubernetes": env.get("kubernetes")}, sort_keys=True)
        group = groups.setdefault(key, {"environment": env, "recipes": [], "when": None})
        group["recipes"].append(name)
        when = parse_time(entry.get("finished_at"))
        if when and (group["when"] is None or when > group["when"]):
            group["when"] = when
    return sorted(groups.values(), key=lambda g: g["when"] or parse_time("1970-01-01T00:00:00+00:00"), reverse=True)


def compatibility(model: SiteModel, registry: dict[str, Component]) -> str:
    lines = ["# Compatibility", "", GENERATED_NOTE,
             "The versions below are not a wish list: each column is a set of versions that **passed together** in a "
             "verification run, read from the reports. A recipe that was not run with a version is not listed under it.", ""]
    for target in TARGETS:
        lines += [f"## {TARGET_LABELS[target].capitalize()}", ""]
        groups = _environment_sets(model, target)
        if not groups:
            lines += [f"No passing run on this target in the reports this site was built from.", ""]
            continue
        header = "| Component | " + " | ".join(f"passed {g['when']:%Y-%m-%d}" if g["when"] else "passed" for g in groups) + " |"
        lines += [header, "|---|" + "---|" * len(groups)]
        lines.append("| Python | " + " | ".join(_cell(g["environment"].get("python") or "?") for g in groups) + " |")
        for component in registry.values():
            versions = [reported_version(component, g["environment"]) for g in groups]
            if any(versions):
                lines.append(f"| {component.name} | " + " | ".join(_cell(v or "—") for v in versions) + " |")
        lines.append("| recipes that passed | " + " | ".join(", ".join(g["recipes"]) for g in groups) + " |")
        lines.append("")
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
