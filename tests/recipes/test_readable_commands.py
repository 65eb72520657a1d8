"""What a reader copies fits the page: no command line or env.sh line is cut off in a code block.

Material shows about 80 characters of a code block at its default width and scrolls the rest out of sight, so a
long command is wrapped with ` \\` continuations instead (the copy button keeps them, and bash joins the lines).
"""
import subprocess
from pathlib import Path

import pytest

from recipebook import procedure, spec

RECIPES = spec.discover()
WIDTH = 80


def shown_lines(recipe):
    for step in procedure.all_steps(recipe):
        if step.hidden:
            continue
        for target, command in step.run.items():
            for line in command.splitlines():
                yield f"step {step.id} ({target})", line
    for settings in procedure.settings_files(recipe):
        for line in settings.read_text().splitlines():
            yield settings.name, line


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_shown_line_fits_the_code_block(name):
    long = [f"{where}: {len(line)} chars: {line}" for where, line in shown_lines(RECIPES[name]) if len(line) > WIDTH]
    assert long == [], f"wrap these with ` \\` continuations (at most {WIDTH} characters):\n" + "\n".join(long)


@pytest.mark.parametrize("name", sorted(n for n, r in RECIPES.items() if (r.path / procedure.ENV_FILE).is_file()))
def test_env_file_is_valid_bash(name):
    result = subprocess.run(["bash", "-n", str(RECIPES[name].path / procedure.ENV_FILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_recipe_that_starts_prefects_server_switches_off_its_prompt():
    """In a reader's terminal (a TTY), `prefect server start` asks which profile should hold PREFECT_API_URL
    and waits; the runner has no TTY, so only this check sees it. Seen with `script` on 2026-11-29."""
    root = Path(__file__).resolve().parents[2] / "recipes"
    starters = sorted({p.parent.name for p in root.glob("*/*") if p.is_file() and p.name != "requirements.txt"
                       and "prefect server start" in p.read_text(errors="replace")})
    assert "local-platform" in starters
    missing = [name for name in starters if "export PREFECT_CLI_PROMPT=false" not in (root / name / "env.sh").read_text()]
    assert missing == [], f"env.sh of {missing} must export PREFECT_CLI_PROMPT=false"
