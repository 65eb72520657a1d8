"""The run history on the site: the banner's strip of recent runs with pass rate, median and p95; the generated
"Flaky recipes" page; the compatibility page with one column per set of versions that passed, newest first, and
which Python versions passed where; and a corrupt or older-format history that gives a clear error, not a broken
site."""
from __future__ import annotations

import json
import re
from pathlib import Path

import site_project  # noqa: F401  (puts the checkout on sys.path)
from site_project import REPO, rec, write_history
from recipebook import history, spec
from recipebook.site import banner, checks, components, generated, settings

PLATFORM = "recipes/platform/local-platform.md"


def model_for(report_dir: Path) -> checks.SiteModel:
    """The site's model of the real recipes with the history (and reports) under report_dir, without building pages."""
    conf = settings.from_environment(REPO, REPO / "docs", False, {"RECIPEBOOK_REPORT_DIR": str(report_dir)})
    return checks.analyze(conf, {PLATFORM: (REPO / "docs" / PLATFORM).read_text()}, spec.discover(REPO / "recipes"))


def platform_history(current: str) -> list[dict]:
    """local-platform: passed (old versions), failed, passed, passed with its current content -> flaky; one kind run."""
    return [
        rec("local-platform", "passed", "01", current, mlflow="3.16.0", duration=30.0),
        rec("local-platform", "failed", "02", current, duration=5.0),
        rec("local-platform", "passed", "03", current, duration=50.0),
        rec("local-platform", "passed", "04", current, python="3.12.1", duration=40.0),
        rec("quickstart", "passed", "04", "sha256:q", python="3.12.1"),
        rec("local-platform", "passed", "03", current, target="kind", kubernetes="v1.33.1"),
    ]


# ---- units: from a recorded history to the banner and the generated pages -----------------------------------------
def test_banner_strip_pass_rate_median_and_p95_from_the_history(tmp_path):
    write_history(tmp_path, platform_history("sha256:current"))
    model = model_for(tmp_path)
    recipe = model.recipes["local-platform"]
    text = banner.render(recipe, model.evidence["local-platform"], ("local",), components.load(), model.history, "sha256:current")
    local = text[text.index("**laptop (local)**"):]
    marks = re.findall(r'<span class="recipebook-run recipebook-run--(\w+)" role="img" title="([^"]+)" aria-label="([^"]+)"></span>',
                       local.split("**Kubernetes")[0])
    assert [m[0] for m in marks] == ["passed", "failed", "passed", "passed"], "one square per run, oldest first"
    assert marks[1][1] == marks[1][2] == "2026-11-02 03:01 UTC: failed in 5 s, commit 0123456789, at step start-prefect"
    assert not re.search("[\U0001F7E5-\U0001F7EB\u2B1C]", text), "no emoji squares: without an emoji font they are boxes"
    assert "passed 3 of 4 (75%); passing runs took 40 s (median), 50 s (p95)." in local
    assert "Flaky: with its current content it failed 1 time(s) and then passed; see [flaky recipes](/recipes/flaky.md)." in local
    other = banner.render(recipe, model.evidence["local-platform"], ("local",), components.load(), model.history, "sha256:edited")
    assert "Flaky:" not in other, "a flake of other content is not this page's"
    assert "Recent runs" not in banner.render(recipe, model.evidence["local-platform"], ("local",), components.load(), [], "x")


def test_compatibility_has_one_column_per_set_of_versions_newest_first(tmp_path):
    write_history(tmp_path, platform_history("sha256:current"))
    page = generated.compatibility(model_for(tmp_path), components.load())
    local = page[page.index("## Laptop (local)"):page.index("## Kubernetes (kind)")]
    assert "| Component | passed 2026-11-04 | passed 2026-11-03 | passed 2026-11-01 |" in local
    assert "| Python | 3.12.1 | 3.11.7 | 3.11.7 |" in local
    assert "| mlflow | 3.17.2 | 3.17.2 | 3.16.0 |" in local, "the failed run of 11-02 makes no column"
    assert "| passing runs | 2 | 1 | 1 |" in local
    assert "| recipes that passed | local-platform, quickstart | local-platform | local-platform |" in local
    kind = page[page.index("## Kubernetes (kind)"):page.index("## Python versions")]
    assert "| kubernetes | v1.33.1 |" in kind
    python = page[page.index("## Python versions"):]
    assert "| Python | Laptop (local) | Kubernetes (kind) |" in python
    assert "| 3.12.1 | 2 recipe(s) passed, last on 2026-11-04 | — |" in python
    assert "| 3.11.7 | 1 recipe(s) passed, last on 2026-11-03 | 1 recipe(s) passed, last on 2026-11-03 |" in python
    assert "`uv venv --python '>=3.11.5,<3.12'`" in python


def test_flaky_page_lists_the_recipe_its_failing_step_and_log(tmp_path):
    model = model_for(tmp_path)
    write_history(tmp_path, platform_history(model.hashes["local-platform"]))
    page = generated.flaky(model_for(tmp_path))
    assert "The history holds 6 recorded runs of 3 recipe(s) and target(s), from 2026-11-01 to 2026-11-04." in page
    row = next(line for line in page.splitlines() if line.startswith("| [The local platform"))
    assert row.endswith("](platform/local-platform.md) | Laptop (local) | 1 time(s) | 4 (3 passed) | yes | `start-prefect` |"), row
    assert ("- 2026-11-02 03:01 UTC (run `run-02-failed`, commit `0123456789`): step `start-prefect` failed (exit code 1): "
            "step 'start-prefect' failed: port in use. Log: `build/verification/local/history-logs/run-02/local-platform/"
            "03-start-prefect.log` of that run.") in page
    assert "        OSError: [Errno 98] Address already in use" in page
    assert "## The local platform (Prefect + MLflow on your laptop) — laptop (local)" in page
    assert "quickstart" not in page, "a recipe that never failed is not flaky"


def test_no_history_and_no_flakes_say_so(tmp_path):
    assert "No run history in the reports this site was built from" in generated.flaky(model_for(tmp_path))
    write_history(tmp_path, [rec("quickstart", "passed", "01", "sha256:q")])
    assert "No recipe is flaky: none failed and then passed with the same content." in generated.flaky(model_for(tmp_path))


def test_a_corrupt_or_older_history_is_a_finding_and_the_pages_say_why(tmp_path):
    path = history.history_path("local", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(rec("quickstart", "passed", "01", "sha256:q")) + "\n" + '{"recipe": "quickstart", "status": "passed"}\n')
    model = model_for(tmp_path)
    assert model.history == []
    finding = next(f for f in model.findings if "history" in str(f))
    assert str(finding).startswith(f"{path}, line 2: a run history record of an older format (no format key")
    assert f"Fix: move it aside (`mv {path} {path}.bad`)" in str(finding)
    assert "The run history could not be read" in generated.flaky(model) and "line 2" in generated.flaky(model)
    assert "*The run history could not be read, so only the last reports are shown:" in generated.compatibility(model, components.load())
    recipe = model.recipes["local-platform"]
    assert "Recent runs" not in banner.render(recipe, model.evidence["local-platform"], ("local",), components.load(), model.history, "x")


# ---- the built site -------------------------------------------------------------------------------------------------------
def test_the_built_site_shows_the_strip_the_flaky_page_and_the_columns(project):
    write_history(project.report_dir, platform_history(project.current_hash("local-platform")))
    result = project.build()
    assert result.returncode == 0, result.stdout[-4000:]
    page = project.html(PLATFORM)
    assert page.count('class="recipebook-run recipebook-run--') == 4, "its 4 local runs (it supports only local: no kind line)"
    assert "passed 3 of 4 (75%)" in project.text(PLATFORM)
    flaky = project.text(generated.FLAKY)
    assert "Flaky recipes" in flaky and "The local platform" in flaky and "Address already in use" in flaky
    assert 'href="../platform/local-platform/"' in project.html(generated.FLAKY)
    compatibility = project.html(generated.COMPATIBILITY)
    assert "passed 2026-11-04" in compatibility and "3.16.0" in compatibility and "Python versions" in compatibility


def test_a_corrupt_history_fails_the_strict_build_clearly_and_still_builds_the_site_otherwise(project):
    path = history.history_path("local", project.report_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"format": 1, "run_id": "x", "recipe": "local-pla\n')
    strict = project.build()
    assert strict.returncode != 0
    assert f"recipebook: {path}, line 1: not a run history record (invalid JSON" in strict.stdout, strict.stdout[-3000:]
    assert "Fix: move it aside" in strict.stdout and "Traceback" not in strict.stdout
    relaxed = project.build(strict=False)
    assert relaxed.returncode == 0, relaxed.stdout[-3000:]
    assert "The run history could not be read" in project.text(generated.FLAKY)
    assert "Verified: The local platform" in project.html(PLATFORM), "the banners still show the last reports"
