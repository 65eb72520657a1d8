"""`recipebook new NAME`: a recipe folder and its page stub that pass `recipebook run NAME` unedited.

The scaffold follows the reader-faithful shape every recipe has: env.sh with the page's settings (telemetry off,
the platform's URLs with visible defaults, the recipe's environment), a requirements.txt cut from the one lock,
and `needs: [local-platform]`, so its flow reports to the running Prefect server instead of racing Prefect's
temporary server start-up (about 20 s on a fresh home, its own default time-out).
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from recipebook import DOCS_DIR, RECIPES_DIR, requirements

SPEC = """title: {title}
page: recipes/{stage}/{name}.md
stage: {stage}
summary: One sentence on what this recipe shows.
targets: [local]
components: [prefect]
packages: [prefect]
needs: [local-platform]
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

ENV = """# Settings for this recipe. Load them in every terminal you use for it: source env.sh

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \\
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The running local platform (see its page); export your own values before
# sourcing if it runs elsewhere.
export PREFECT_API_URL=${{PREFECT_API_URL:-http://127.0.0.1:4200/api}}
export MLFLOW_TRACKING_URI=${{MLFLOW_TRACKING_URI:-http://127.0.0.1:5050}}

# Prefect's client keeps its settings and stored results in this folder, not
# in ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"

# This recipe's Python environment (created by the install step); activated
# here once it exists.
export RECIPE_VENV=${{RECIPE_VENV:-.venv}}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
"""

PAGE = """---
recipe: {name}
---
# {title}

What this recipe does and why, in a few sentences a newcomer can follow.

<!-- recipe:before-you-start -->

## 1. Get the files and the environment

In a terminal, in an empty folder:

<!-- recipe:step get-files -->

The settings, in `env.sh`:

```bash
--8<-- "recipes/{name}/env.sh"
```

<!-- recipe:step install -->

## 2. Run it

<!-- recipe:step run -->

## The code

```python
--8<-- "recipes/{name}/flow.py"
```
"""


class ScaffoldError(Exception):
    """`recipebook new` cannot make the recipe; the message says why and what to run."""


PACKAGES = ["prefect"]


def pinned_requirements(offline: bool = True) -> str:
    """The scaffold's requirements.txt, resolved from the one lock by uv; offline, from uv's cache, which
    scripts/setup.sh fills (`python -m recipebook.scaffold --prepare`)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "requirements.txt"
        try:
            requirements.generate(PACKAGES, out, offline=offline, quiet_errors=True)
        except FileNotFoundError:
            raise ScaffoldError("uv is not installed, and `recipebook new` resolves the recipe's requirements with it: "
                                "run `bash scripts/setup.sh`, which installs it, then try again.") from None
        except subprocess.CalledProcessError as exc:
            detail = " ".join((exc.stderr or "").split())[:300]
            raise ScaffoldError(
                "could not resolve the new recipe's requirements (" + ", ".join(PACKAGES) + ") from uv's cache "
                f"without the network: {detail or f'uv exited {exc.returncode}'}. Run `bash scripts/setup.sh` once "
                "with access to the package registry (it prepares what `recipebook new` needs), then try again.") from None
        return out.read_text()


def scaffold(name: str, stage: str, recipes_dir: Path = RECIPES_DIR, docs_dir: Path = DOCS_DIR) -> list[Path]:
    """Write the recipe folder and its page; nothing is written unless every part can be made."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ValueError(f"recipe name '{name}' must be lower case letters, digits and dashes (e.g. batch-scoring)")
    folder = recipes_dir / name
    page = docs_dir / "recipes" / stage / f"{name}.md"
    if folder.exists():
        raise FileExistsError(f"{folder} already exists; pick another name or edit it")
    if page.exists():
        raise FileExistsError(f"{page} already exists; pick another name or remove the page")
    pinned = pinned_requirements()
    title = name.replace("-", " ").capitalize()
    values = {"name": name, "stage": stage, "title": title, "func": name.replace("-", "_")}
    folder.mkdir(parents=True)
    (folder / "recipe.yaml").write_text(SPEC.format(**values))
    (folder / "flow.py").write_text(FLOW.format(**values))
    (folder / "env.sh").write_text(ENV.format(**values))
    (folder / "requirements.txt").write_text(pinned)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE.format(**values))
    return [folder / "recipe.yaml", folder / "flow.py", folder / "env.sh", folder / "requirements.txt", page]


def main(argv: list[str] | None = None) -> int:
    """`--prepare` (scripts/setup.sh): resolve the scaffold's requirements once with the network, so uv's cache
    holds every package's metadata that `recipebook new` needs later, offline."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["--prepare"]:
        print("usage: python -m recipebook.scaffold --prepare", file=sys.stderr)
        return 2
    try:
        pinned_requirements(offline=False)
    except ScaffoldError as exc:
        print(f"scaffold: {exc}", file=sys.stderr)
        return 1
    print("scaffold: `recipebook new` can resolve its requirements offline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
