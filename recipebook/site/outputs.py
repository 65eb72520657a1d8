"""`<!-- recipe:output ID -->`: show on the page what a visible step printed in its last verified run.

Figures a run measures (a benchmark, a backup's duration, a speed-up) change from run to run. Typed into prose they
go stale in silence; rendered from the report they are always the last verified run's, with its date, target and
commit. The runner records the last lines of every passed visible step's output in the report (`output`); this
module puts them under the placeholder. Which run: the first target, in the recipe's own order, whose evidence
passed and recorded the output. A placeholder naming no visible step of the page's recipe is a finding; so is a
passing run without recorded output (a report from before outputs were recorded). With no passing run the block
says so, and the evidence check has already failed the strict build.
"""
from __future__ import annotations

import html
import re

from recipebook import procedure
from recipebook.spec import Recipe

from recipebook.site import banner, steps
from recipebook.site.evidence import Evidence, reproduce_command, run_time
from recipebook.site.pages import scan

OUTPUT_CLASS = "recipebook-output"
TARGET_LABELS = {"local": "laptop", "kind": "Kubernetes (kind)"}


def recorded(recipe: Recipe, step_id: str, evidence: dict[str, Evidence]) -> tuple[Evidence | None, str | None]:
    """(evidence, output) of the first passing target that recorded this step's output; (None, None) if none did."""
    for target in recipe.targets:
        ev = evidence.get(target)
        if ev is None or not ev.ok or not ev.entry:
            continue
        for step in ev.entry.get("steps", []):
            if step.get("id") == step_id and step.get("output") is not None:
                return ev, step["output"]
    return None, None


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence} text\n{text.rstrip()}\n{fence}\n"


def render(recipe: Recipe, step_id: str, evidence: dict[str, Evidence]) -> str:
    ev, output = recorded(recipe, step_id, evidence)
    attrs = f'class="{OUTPUT_CLASS}" data-recipe="{recipe.name}" data-step="{step_id}"'
    if ev is None:
        maintainers = "\n".join(banner.for_maintainers(reproduce_command(recipe.name, recipe.targets[0])))
        return (f'<div {attrs} markdown>\n\n*No output to show here: this page has not passed a verified run in its '
                f'current form, so what this step prints has not been checked. {banner.READER_ADVICE}*\n\n'
                f'{maintainers}\n\n</div>\n')
    when = run_time(ev.entry)
    day = when.date().isoformat() if when else "an unknown date"
    commit = ev.entry.get("git_commit")
    source = f", commit `{str(commit)[:10]}`" if commit else ""
    output, renamed = with_page_ports(recipe, ev.entry, output or "(no output)")
    ports = "; its free ports are shown as this page's defaults" if renamed else ""
    caption = (f"Output of step `{html.escape(step_id)}` in the verified run of {day} "
               f"({TARGET_LABELS.get(ev.target, ev.target)}{source}{ports}):")
    return f'<div {attrs} markdown>\n\n{caption}\n\n{_fence(output)}\n</div>\n'


def with_page_ports(recipe: Recipe, entry: dict, output: str) -> tuple[str, bool]:
    """The run used free ports where the page has defaults (PG_PORT=5434 and so on): show the reader's numbers.
    Returns the output and whether any port was replaced."""
    renamed = False
    for var, port in (entry.get("ports") or {}).items():
        default = procedure.visible_default(recipe, var)
        if default and default.isdigit() and re.search(rf"(?<!\d){port}(?!\d)", output):
            output = re.sub(rf"(?<!\d){port}(?!\d)", default, output)
            renamed = True
    return output, renamed


def problems(markdown: str, page_recipes: list[Recipe], all_recipes: dict[str, Recipe],
             evidence: dict[str, dict[str, Evidence]]) -> list[tuple[int, str, str]]:
    """(line, problem, fix) for every output placeholder that names no visible step, or whose passing run lacks output."""
    found = []
    for p in scan(markdown).outputs:
        recipe, step, problem = steps.resolve(p.recipe, p.step, page_recipes, all_recipes)
        if step is None:
            found.append((p.line, f"output placeholder '{p.step}': {problem}",
                          "use the id of a visible step of the page's recipe (see its recipe.yaml)"))
            continue
        if step.background:
            found.append((p.line, f"output placeholder '{p.step}': a background step's output is a server log, not a result",
                          "show the output of the step that reads the result"))
            continue
        passing = [ev for ev in evidence.get(recipe.name, {}).values() if ev.ok]
        if passing and recorded(recipe, step.id, evidence[recipe.name])[0] is None:
            found.append((p.line, f"output placeholder '{p.step}': the passing run of '{recipe.name}' recorded no output "
                                  "for this step (a report from before outputs were recorded)",
                          f"re-verify with `{reproduce_command(recipe.name, passing[0].target)}`"))
    return found


def expand(markdown: str, page_recipes: list[Recipe], all_recipes: dict[str, Recipe],
           evidence: dict[str, dict[str, Evidence]]) -> str:
    """Replace each resolvable output placeholder by the recorded output (fence-aware: examples in code stay)."""
    placeholders = {p.line: p for p in scan(markdown).outputs}
    if not placeholders:
        return markdown
    out = []
    for number, line in enumerate(markdown.splitlines(keepends=True), start=1):
        p = placeholders.get(number)
        if p:
            recipe, step, _problem = steps.resolve(p.recipe, p.step, page_recipes, all_recipes)
            if step is not None and not step.background:
                indent = re.match(r"^[ \t]*", line).group(0)
                rendered = render(recipe, step.id, evidence.get(recipe.name, {}))
                out.append("".join(indent + l if l.strip() else l for l in rendered.splitlines(keepends=True)))
                continue
        out.append(line)
    return "".join(out)
