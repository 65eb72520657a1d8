"""Every failure of the `recipebook` command that a user can foresee ends in one paragraph that says what went
wrong and what to do: never a Python traceback, never a half-made recipe."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

CANARIES = Path(__file__).resolve().parent.parent / "canaries" / "recipes"


def recipebook(*args: str, tmp_path: Path, env: dict | None = None, recipes_dir: Path = CANARIES):
    return subprocess.run([sys.executable, "-m", "recipebook.cli", "--recipes-dir", str(recipes_dir),
                           "--report-dir", str(tmp_path / "report"), *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "RECIPEBOOK_WORK_ROOT": str(tmp_path / "work"), **(env or {})})


def assert_one_paragraph(result, code: int, *fix: str) -> None:
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything, everything[-3000:]
    assert result.returncode == code, everything[-3000:]
    message = result.stderr.strip()
    assert message.startswith("error:"), everything[-3000:]
    assert "\n\n" not in message, f"more than one paragraph:\n{message}"
    for words in fix:
        assert words in message, f"the error does not say {words!r}:\n{message}"


CASES = {
    "run, an unknown recipe": (["run", "no-such-recipe"], 2, ["unknown recipe(s): no-such-recipe", "recipebook list"]),
    "verify, --jobs 0": (["verify", "--jobs", "0"], 2, ["--jobs: expected 1 or more"]),
    "verify, --repeat 0": (["verify", "--repeat", "0"], 2, ["--repeat: expected 1 or more"]),
    "verify, a bad --shuffle seed": (["verify", "--shuffle", "abc"], 2, ["--shuffle"]),
    "up, a recipe others do not need": (["up", "retries-once"], 2, ["provides nothing", "recipebook run retries-once"]),
    "up, an unknown recipe": (["up", "no-such-recipe"], 2, ["unknown recipe: no-such-recipe"]),
    "new, a bad name": (["new", "Bad Name"], 2, ["lower case letters, digits and dashes"]),
    "new, a name that exists": (["new", "taken"], 2, ["already exists", "pick another name"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_foreseeable_failure_is_one_paragraph_with_the_fix(case, tmp_path):
    args, code, fix = CASES[case]
    recipes = CANARIES
    if args[0] == "new":  # a recipes folder of its own, so that a broken `new` cannot write into the project
        recipes = tmp_path / "recipes"
        (recipes / "taken").mkdir(parents=True)
    assert_one_paragraph(recipebook(*args, tmp_path=tmp_path, recipes_dir=recipes), code, *fix)


def test_a_corrupt_report_is_named_with_the_fix(tmp_path):
    report = tmp_path / "report" / "local" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text("{not json")
    for args in (["failures"], ["verify", "--changed"]):
        result = recipebook(*args, tmp_path=tmp_path)
        assert_one_paragraph(result, 2, str(report))


def test_new_on_a_cold_cache_says_to_run_setup_and_writes_nothing(tmp_path):
    """A new machine whose uv cache lacks the metadata `recipebook new` resolves offline: before the fix, a
    CalledProcessError traceback and a half-made recipe folder."""
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    cold = {"UV_CACHE_DIR": str(tmp_path / "empty-uv-cache"), "UV_OFFLINE": "1"}
    result = recipebook("new", "fresh-recipe", tmp_path=tmp_path, env=cold, recipes_dir=recipes)
    assert_one_paragraph(result, 2, "bash scripts/setup.sh", "without the network")
    assert not (recipes / "fresh-recipe").exists(), "a failed `new` must leave no half-made recipe"
    assert not (tmp_path / "docs").exists(), "a failed `new` must leave no page"


def test_new_after_setup_resolves_offline(tmp_path):
    """Right after `bash scripts/setup.sh` (which ran `python -m recipebook.scaffold --prepare`), `recipebook new`
    works with no network: uv's cache holds what it needs. On a new machine this failed before set-up prepared it."""
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    result = recipebook("new", "fresh-recipe", "--stage", "data", tmp_path=tmp_path, env={"UV_OFFLINE": "1"},
                        recipes_dir=recipes)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "prefect==" in (recipes / "fresh-recipe" / "requirements.txt").read_text()
    assert (tmp_path / "docs" / "recipes" / "data" / "fresh-recipe.md").is_file()
