"""`recipebook new NAME`: a recipe folder and its page stub that already pass validation."""
from __future__ import annotations

import re
from pathlib import Path

from recipebook import DOCS_DIR, RECIPES_DIR

SPEC = """title: {title}
page: recipes/{stage}/{name}.md
stage: {stage}
summary: One sentence on what this recipe shows.
targets: [local]
components: [prefect]
timeout: 300
steps:
  - id: run
    description: run the recipe's flow
    run: python flow.py
    expect:
      output_contains: ["hello from {name}"]
"""

FLOW = '''"""{title}: replace this flow with the recipe's real work."""
from prefect import flow


@flow(log_prints=True)
def {func}() -> None:
    print("hello from {name}")


if __name__ == "__main__":
    {func}()
'''

PAGE = """# {title}

What this recipe does and why, in a few sentences a newcomer can follow.

## Run it

<!-- recipe:step run -->

## The code

```python
--8<-- "recipes/{name}/flow.py"
```
"""


def scaffold(name: str, stage: str, recipes_dir: Path = RECIPES_DIR, docs_dir: Path = DOCS_DIR) -> list[Path]:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ValueError(f"recipe name '{name}' must be lower case letters, digits and dashes (e.g. batch-scoring)")
    folder = recipes_dir / name
    page = docs_dir / "recipes" / stage / f"{name}.md"
    if folder.exists():
        raise FileExistsError(f"{folder} already exists; pick another name or edit it")
    if page.exists():
        raise FileExistsError(f"{page} already exists")
    title = name.replace("-", " ").capitalize()
    values = {"name": name, "stage": stage, "title": title, "func": name.replace("-", "_")}
    folder.mkdir(parents=True)
    (folder / "recipe.yaml").write_text(SPEC.format(**values))
    (folder / "flow.py").write_text(FLOW.format(**values))
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE.format(**values))
    return [folder / "recipe.yaml", folder / "flow.py", page]
