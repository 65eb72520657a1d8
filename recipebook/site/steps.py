"""Render a step of a recipe spec as the code block(s) a reader copies: the exact command the runner executed."""
from __future__ import annotations

import re

from recipebook import procedure
from recipebook.spec import Recipe, Step

from recipebook.site.pages import scan

TAB_LABELS = {"local": "Laptop", "kind": "Kubernetes"}


def commands_shown(recipe: Recipe, step: Step) -> dict[str, str]:
    """target -> command, for the targets the recipe supports (a string command applies to every target)."""
    return {t: step.run[t] for t in recipe.targets if t in step.run}


STEP_CLASS = "recipebook-step"


def _fence(command: str, indent: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"`+", command)), default=0)
    fence = "`" * max(3, longest + 1)
    body = "\n".join(indent + line if line else line for line in command.rstrip("\n").splitlines())
    return f"{indent}{fence} bash\n{body}\n{indent}{fence}\n"


def _marked(recipe: Recipe, step: Step, targets: list[str], command: str, indent: str = "") -> str:
    """The block inside a marker the post-build check finds in the HTML: which recipe, step and targets it shows."""
    return (f'{indent}<div class="{STEP_CLASS}" data-recipe="{recipe.name}" data-step="{step.id}" '
            f'data-targets="{" ".join(targets)}" markdown>\n\n{_fence(command, indent)}\n{indent}</div>\n')


def render(recipe: Recipe, step: Step) -> str:
    """One block when every target runs the same command, else content tabs Laptop | Kubernetes."""
    commands = commands_shown(recipe, step)
    if len(set(commands.values())) <= 1:
        return _marked(recipe, step, list(commands), next(iter(commands.values()), ""))
    parts = [f'=== "{TAB_LABELS[t]}"\n\n{_marked(recipe, step, [t], cmd, "    ")}' for t, cmd in commands.items()]
    return "\n".join(parts)


def resolve(placeholder_recipe: str | None, step_id: str, page_recipes: list[Recipe],
            all_recipes: dict[str, Recipe]) -> tuple[Recipe | None, Step | None, str]:
    """(recipe, step, problem): which step a placeholder names, or why it names none."""
    if placeholder_recipe:
        recipe = all_recipes.get(placeholder_recipe)
        if recipe is None:
            return None, None, f"names recipe '{placeholder_recipe}', which does not exist (known: {', '.join(sorted(all_recipes)) or 'none'})"
    elif len(page_recipes) == 1:
        recipe = page_recipes[0]
    elif not page_recipes:
        return None, None, "the page belongs to no recipe; name it: <!-- recipe:step RECIPE:STEP -->"
    else:
        names = ", ".join(r.name for r in page_recipes)
        return None, None, f"the page has several recipes ({names}); name one: <!-- recipe:step RECIPE:{step_id} -->"
    steps = procedure.all_steps(recipe)
    step = next((s for s in steps if s.id == step_id), None)
    if step is None:
        ids = ", ".join(s.id for s in steps if not s.hidden)
        return recipe, None, f"recipe '{recipe.name}' has no step '{step_id}' (visible steps: {ids or 'none'})"
    if step.hidden:
        return recipe, None, f"step '{step_id}' of recipe '{recipe.name}' is hidden (a harness check) and cannot be shown on a page"
    if not commands_shown(recipe, step):
        return recipe, None, f"step '{step_id}' of recipe '{recipe.name}' has no command for the recipe's targets ({', '.join(recipe.targets)})"
    return recipe, step, ""


def expand(markdown: str, page_recipes: list[Recipe], all_recipes: dict[str, Recipe]) -> str:
    """Replace every resolvable placeholder by its code block; unresolvable ones stay (their finding is reported)."""
    placeholders = {p.line: p for p in scan(markdown).placeholders}  # fence-aware: examples inside code stay
    out = []
    for number, line in enumerate(markdown.splitlines(keepends=True), start=1):
        p = placeholders.get(number)
        if p:
            recipe, step, _problem = resolve(p.recipe, p.step, page_recipes, all_recipes)
            if step is not None:
                indent = re.match(r"^[ \t]*", line).group(0)
                rendered = render(recipe, step)
                out.append("".join(indent + l if l.strip() else l for l in rendered.splitlines(keepends=True)))
                continue
        out.append(line)
    return "".join(out)
