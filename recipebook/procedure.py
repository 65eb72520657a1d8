"""The parts of every recipe's procedure that are the same for all recipes, generated from the spec.

A page is the whole procedure (docs/contributing/design.md, "The page is the procedure"): a reader in an empty folder follows it top to bottom.
Two steps are the same shape on every page, so they are generated here, once, for both the runner and the
site (which renders them with `<!-- recipe:step get-files -->` and `<!-- recipe:step install -->`):

  get-files  copy the recipe's folder (and the files it borrows from other recipes) from a clone of this
             repository into the current, empty folder. $RECIPEBOOK_REPO has a visible default.
  install    load the recipe's settings (`source env.sh`), create its Python environment at $RECIPE_VENV
             with uv and install exactly recipes/<name>/requirements.txt (pinned, hashed, from the one lock),
             then activate it.

The runner may set a variable only when the page exports it with a visible default (`VAR=${VAR:-default}`):
`overridable(recipe)` lists what it sets and why. Nothing else reaches the page's commands from the runner,
except the guard settings in `environment.GUARD_ENV`, which can only make a forbidden thing (a download,
telemetry) fail or emulate a terminal (unbuffered output).
"""
from __future__ import annotations

import re
from pathlib import Path
from recipebook import PROJECT_ROOT
from recipebook.spec import Recipe, Step

GET_FILES = "get-files"
INSTALL = "install"
GENERATED_STEP_IDS = (GET_FILES, INSTALL)
REPO_VAR = "RECIPEBOOK_REPO"
VENV_VAR = "RECIPE_VENV"
ENV_FILE = "env.sh"
REQUIREMENTS = "requirements.txt"
UV_VERSION = "0.13.8"
PYTHON_VERSION = "3.11"
# The one lock is resolved for Python 3.11.5 and newer: older 3.11 releases need backports it leaves out (Debian 12's
# 3.11.2 needs async-timeout for redis, without which Prefect's server does not start). Pages ask uv for a Python in
# this range; where none is installed, uv fetches one.
PYTHON_MIN = "3.11.5"
PYTHON_REQUEST = f">={PYTHON_MIN},<3.12"
UV_INSTALL = f"pipx install uv=={UV_VERSION}"


def repo_root(recipe: Recipe) -> Path:
    """The clone the recipe is copied from: this project, or (for test recipes elsewhere) the folder above recipes/."""
    path = recipe.path.resolve()
    return PROJECT_ROOT if path.is_relative_to(PROJECT_ROOT) else path.parent.parent


def _repo_path(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root).as_posix()


def get_files_command(recipe: Recipe) -> str:
    """`cp` lines from a clone into the current folder; one file per line so nothing is cut off on the page."""
    root = repo_root(recipe)
    folder = _repo_path(recipe.path, root)
    lines = [f"export {REPO_VAR}=${{{REPO_VAR}:-$HOME/recipebook}}",
             f'cp -R "${REPO_VAR}/{folder}/." .']
    extra = [f'"${REPO_VAR}/{_repo_path(recipe.path / rel, root)}"' for rel in recipe.files]
    if extra:
        lines.append("cp " + " \\\n   ".join(extra) + " .")
    return "\n".join(lines)


def install_command(recipe: Recipe) -> str | None:
    """Settings, environment and activation; None for a recipe that declares no packages."""
    if not recipe.packages:
        return None
    return "\n".join([
        f"source {ENV_FILE}",
        f"uv venv --quiet --allow-existing --python '{PYTHON_REQUEST}' \"${VENV_VAR}\"",
        f'uv pip sync --quiet --compile-bytecode --python "${VENV_VAR}/bin/python" \\\n  {REQUIREMENTS}',
        f'source "${VENV_VAR}/bin/activate"',
    ])


def generated_steps(recipe: Recipe) -> dict[str, str]:
    """step id -> command, in the order they run (before the recipe's own steps)."""
    steps = {GET_FILES: get_files_command(recipe)}
    install = install_command(recipe)
    if install:
        steps[INSTALL] = install
    return steps


DESCRIPTIONS = {
    GET_FILES: "copy the recipe's files from the clone into this empty folder",
    INSTALL: "load env.sh, create the recipe's Python environment with exactly its requirements, activate it",
}


def all_steps(recipe: Recipe) -> tuple[Step, ...]:
    """The generated steps (same command on every target of the recipe), then the recipe's own steps."""
    generated = tuple(Step(id=i, run={t: c for t in recipe.targets}, description=DESCRIPTIONS[i], timeout=600)
                      for i, c in generated_steps(recipe).items())
    return generated + recipe.steps


def venv_files(recipe: Recipe) -> dict[str, Path]:
    """Environment variable -> requirements file, for every Python environment the page creates."""
    files = {VENV_VAR: recipe.path / REQUIREMENTS} if recipe.packages else {}
    files.update({var: recipe.path / rel for var, rel in recipe.venvs.items()})
    return files


_SOURCED = re.compile(r"^\s*(?:source|\.)\s+\"?([\w./-]+\.sh)\"?\s*$", re.M)


def settings_files(recipe: Recipe) -> list[Path]:
    """env.sh, then the settings files it sources from the reader's folder (its own or borrowed through `files:`,
    such as the PostgreSQL settings several pages share), in the order they are sourced."""
    env_file = recipe.path / ENV_FILE
    if not env_file.is_file():
        return []
    in_folder = {p.name: p for p in recipe.path.iterdir() if p.is_file()}
    in_folder.update({Path(rel).name: (recipe.path / rel) for rel in recipe.files})
    sourced = [in_folder[name] for name in _SOURCED.findall(env_file.read_text()) if name in in_folder]
    return [env_file, *(p for p in sourced if p.is_file())]


def page_scripts(recipe: Recipe, target: str = "local") -> str:
    """Everything the reader runs or sources for this recipe: env.sh (and what it sources), the generated steps,
    the visible steps."""
    parts = [p.read_text() for p in settings_files(recipe)]
    parts.extend(generated_steps(recipe).values())
    parts.extend(c for s in recipe.steps if not s.hidden and (c := s.command_for(target)))
    parts.extend(c for cl in recipe.cleanup if (c := cl.run.get(target)))
    return "\n".join(parts)


def has_visible_default(script: str, var: str) -> bool:
    """True when the scripts give `var` a default that a value already set overrides: VAR=${VAR:-...} (or :=)."""
    return re.search(rf"\b{re.escape(var)}=\"?\$\{{{re.escape(var)}:?[-=]", script) is not None or \
        re.search(rf":\s+\"?\$\{{{re.escape(var)}:?=", script) is not None


def visible_default(recipe: Recipe, var: str) -> str | None:
    """The default the page's settings give `var` (`export VAR=${VAR:-default}`), or None."""
    for settings in settings_files(recipe):
        m = re.search(rf"\b{re.escape(var)}=\"?\$\{{{re.escape(var)}:?[-=]([^}}\s]+)\}}", settings.read_text())
        if m:
            return m.group(1)
    return None


def overridable(recipe: Recipe, provided: list[str]) -> dict[str, str]:
    """Variable -> why the runner sets it. `provided` are the variables the recipe's needs export."""
    why = {REPO_VAR: "the clone the files are copied from is this checkout"}
    why.update({v: "a free port instead of the default" for v in recipe.ports})
    why.update({v: "the value the running prerequisite exports" for v in provided})
    why.update({v: "a cached environment built from the same requirements file" for v in venv_files(recipe)})
    return why


def missing_defaults(recipe: Recipe, provided: list[str], target: str = "local") -> list[str]:
    """Variables the runner would set although the page shows no default for them (each is a spec error)."""
    script = page_scripts(recipe, target)
    return [v for v in overridable(recipe, provided) if not has_visible_default(script, v)]


# Variables a reader's shell has without the page setting them.
SHELL_VARIABLES = {"HOME", "PWD", "OLDPWD", "PATH", "USER", "SHELL", "TERM", "LANG", "TMPDIR", "HOSTNAME", "RANDOM",
                   "SECONDS", "LINENO", "UID", "EUID", "PPID", "BASH_SOURCE", "PIPESTATUS", "VIRTUAL_ENV", "PS1"}
_QUOTED_HEREDOC = re.compile(r"<<-?\s*'(\w+)'.*?\n.*?^\s*\1\s*$", re.S | re.M)
_SINGLE_QUOTED = re.compile(r"'[^'\n]*'")


def undefined_variables(recipe: Recipe, provided: list[str], target: str = "local") -> list[str]:
    """Variables the page's commands read that neither the page sets nor a reader's shell has.

    A static reading of the shell text (single-quoted strings and quoted heredocs are not expanded by bash, so
    they are skipped); what a Python script reads is caught at run time instead, because the runner gives the
    page nothing the page does not export."""
    script = page_scripts(recipe, target)
    assigned = set(re.findall(r"(?:^|[\s;(&|])(?:export\s+|local\s+|readonly\s+)?([A-Za-z_]\w*)=", script, re.M))
    for names in re.findall(r"\bexport\s+([A-Za-z_][\w ]*)$", script, re.M):  # export A B (no values)
        assigned.update(names.split())
    assigned |= set(re.findall(r"\bfor\s+([A-Za-z_]\w*)\s+in\b", script))
    assigned |= set(re.findall(r"\bread\s+(?:-\w+\s+)*([A-Za-z_]\w*)", script))
    readable = _SINGLE_QUOTED.sub("", _QUOTED_HEREDOC.sub("", script))
    referenced = set(re.findall(r"\$\{?([A-Za-z_]\w*)", readable))
    return sorted(referenced - assigned - SHELL_VARIABLES - set(overridable(recipe, provided)))
