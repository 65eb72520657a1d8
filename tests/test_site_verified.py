"""The strict site build, against the report the recipe items of this pytest session just wrote.

Marked `after_recipes`, so the recipebook pytest plugin runs it after every recipe item: when any recipe failed,
or a page's code changed without a passing run, this build fails and names the page.
"""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.after_recipes
def test_strict_site_build_passes_with_the_latest_report(recipe_report_dir: Path, tmp_path: Path) -> None:
    report = recipe_report_dir / "local" / "report.json"
    if not report.exists():
        pytest.fail(f"no verification report at {report}: run the recipes first "
                    "(`bash scripts/test.sh` runs them before this test, or `.venv/bin/recipebook verify`)", pytrace=False)
    env = {**os.environ, "RECIPEBOOK_REPORT_DIR": str(recipe_report_dir)}
    result = subprocess.run(["bash", "scripts/build-site.sh", str(tmp_path / "site")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"strict site build failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    print(result.stdout.strip().splitlines()[-1])
    for page in ("index.html", "recipes/platform/local-platform/index.html"):
        assert (tmp_path / "site" / page).is_file(), f"{page} missing from the built site"
