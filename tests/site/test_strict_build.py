"""The strict build refuses what is not backed by a passing run of the exact code shown, naming the page and the fix."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

from site_project import PLATFORM_PAGE

PASTED = '\n```python\nprint("retyped, never executed")\n```\n'


def assert_fails_naming(result, *expected: str) -> None:
    assert result.returncode != 0, f"strict build passed but should have failed:\n{result.stdout[-3000:]}"
    for text in expected:
        assert text in result.stdout, f"build output lacks {text!r}:\n{result.stdout[-4000:]}"


def test_passes_when_every_recipe_passed_with_current_hashes(passing_site):
    result = passing_site.result
    assert result.returncode == 0, result.stdout[-5000:]
    print(f"strict build of the whole site: {result.seconds:.1f} s")
    page = passing_site.html("recipes/platform/local-platform.md")
    assert 'class="recipebook-status"' in page and "Verified: The local platform" in page
    assert "prefect 3.9.1" in page and "mlflow 3.17.2" in page  # key versions from the report
    assert "prefect server start --host 127.0.0.1" in passing_site.text("recipes/platform/local-platform.md")  # step rendered
    assert "recipe:step" not in page


def table_row(page: str, first_cell: str) -> list[str]:
    """The visible cells of the HTML table row whose first cell reads `first_cell`."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no table row starts with {first_cell!r}")


def test_generated_pages_exist_and_use_the_reports(passing_site):
    """The strict build writes the generated pages, and their cells come from the reports: the recipe's own row says
    passed on the laptop, the compatibility page lists the versions the report recorded."""
    assert passing_site.result.returncode == 0, passing_site.result.stdout[-3000:]
    index = passing_site.html("recipes/index.md")
    assert table_row(index, passing_site.recipes()["local-platform"].title)[2] == "✅ passed"
    compatibility = passing_site.html("architecture/compatibility.md")
    assert table_row(compatibility, "mlflow")[1] == "3.17.2" and "local-platform" in table_row(compatibility, "recipes that passed")[1]
    coverage = passing_site.html("contributing/coverage.md")
    assert "recipes/platform/local-platform.md" in coverage
    reference = passing_site.html("contributing/spec-reference.md")
    assert "background" in reference and "output_contains" in reference
    components = passing_site.html("architecture/components.md")
    assert "oauth2-proxy" in components and "required" in components


def test_the_recipe_index_shows_a_failed_run_as_failed(project):
    project.write_reports(status={"local-platform": "failed"})
    result = project.build(strict=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert table_row(project.html("recipes/index.md"), project.recipes()["local-platform"].title)[2] == "❌ failed"


def test_failed_step_fails_the_build_with_the_reproduce_command(project):
    project.write_reports(status={"local-platform": "failed"})
    result = project.build()
    assert_fails_naming(result, PLATFORM_PAGE, "recipe 'local-platform' failed on local at step 'start-prefect' (exit code 3)",
                        ".venv/bin/recipebook run local-platform")


def test_included_file_edited_after_verification_fails(project):
    project.edit("recipes/local-platform/smoke_flow.py", 'mlflow.log_metric("smoke_metric", 1.0)', 'mlflow.log_metric("smoke_metric", 2.0)')
    result = project.build()
    assert_fails_naming(result, PLATFORM_PAGE, "no passing run on local for its current content",
                        "run `.venv/bin/recipebook run local-platform` to re-verify")


def test_code_block_pasted_into_a_recipe_page_fails(project):
    project.append(PLATFORM_PAGE, PASTED)
    project.write_reports()  # verified with the new page: only the pasted block is wrong
    result = project.build()
    assert_fails_naming(result, PLATFORM_PAGE, "code block not accounted for", "<!-- not-executed: reason -->")


def test_misspelled_include_path_fails_in_snippets_and_in_the_hook(project):
    project.edit(PLATFORM_PAGE, "recipes/local-platform/smoke_flow.py", "recipes/local-platform/smoke_flwo.py")
    project.write_reports()
    result = project.build()
    assert_fails_naming(result, PLATFORM_PAGE, "included file 'recipes/local-platform/smoke_flwo.py' does not exist",
                        "Snippet at path 'recipes/local-platform/smoke_flwo.py' could not be found")


def test_internal_link_to_a_missing_page_fails(project):
    project.append("docs/architecture/glossary.md", "\nSee [the old page](no-such-page.md).\n")
    result = project.build()
    assert_fails_naming(result, "architecture/glossary.md", "no-such-page.md")


def test_link_to_a_missing_anchor_fails(project):
    project.append("docs/architecture/glossary.md", "\nSee [the table](components.md#no-such-heading).\n")
    result = project.build()
    assert_fails_naming(result, "architecture/glossary.md", "no-such-heading")


def test_report_older_than_the_allowed_age_fails(project):
    project.write_reports(finished=datetime.now(timezone.utc) - timedelta(days=10))
    result = project.build()
    assert_fails_naming(result, PLATFORM_PAGE, "passed 10 days ago, allowed age is 7 days")
    assert "allowed age" not in project.build(RECIPEBOOK_MAX_REPORT_AGE_DAYS="30").stdout


def test_outside_strict_mode_findings_are_warnings_and_the_site_builds(project):
    project.append(PLATFORM_PAGE, PASTED)
    project.edit(PLATFORM_PAGE, "recipes/local-platform/smoke_flow.py", "recipes/local-platform/smoke_flwo.py")
    result = project.build(strict=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "WARNING" in result.stdout and "code block not accounted for" in result.stdout
    assert "smoke_flwo.py' does not exist" in result.stdout
    assert "Failing" not in project.html("index.md")
    assert "Changed since its last passing run" in project.html("recipes/platform/local-platform.md")


def test_recipebook_strict_env_fails_like_strict_flag(project):
    project.append(PLATFORM_PAGE, PASTED)
    project.write_reports()
    result = project.build(strict=False, RECIPEBOOK_STRICT="1")
    assert_fails_naming(result, PLATFORM_PAGE, "code block not accounted for", "RECIPEBOOK_STRICT=1")


def test_recipe_without_page_and_page_naming_missing_recipe_fail(project):
    project.edit("recipes/local-platform/recipe.yaml", "page: recipes/platform/local-platform.md", "page: recipes/platform/local-platfrom.md")
    project.write_reports()
    result = project.build()
    assert_fails_naming(result, "recipes/local-platform/recipe.yaml: recipe 'local-platform' names page 'recipes/platform/local-platfrom.md'",
                        "front matter names recipe 'local-platform', but its spec puts it on")
    project.edit(PLATFORM_PAGE, "recipe: local-platform", "recipe: local-platfrom")
    assert_fails_naming(project.build(), PLATFORM_PAGE, "front matter names recipe 'local-platfrom', which does not exist")


def test_hidden_or_unknown_step_placeholder_fails(project):
    project.append(PLATFORM_PAGE, "\n<!-- recipe:step check-both-servers -->\n\n<!-- recipe:step no-such-step -->\n")
    project.write_reports()
    result = project.build()
    assert_fails_naming(result, PLATFORM_PAGE, "step 'check-both-servers' of recipe 'local-platform' is hidden",
                        "recipe 'local-platform' has no step 'no-such-step'")


KIND_SPEC = """title: Kind-only demo
page: recipes/platform/kind-demo.md
stage: platform
summary: A recipe that only runs on a kind cluster.
targets: [kind]
components: [kubernetes, kind]
steps:
  - id: apply
    run:
      kind: kubectl apply -k .
"""
KIND_PAGE = "# Kind demo\n\nApply it:\n\n<!-- recipe:step apply -->\n"


def test_kind_only_recipe_is_not_verified_here_unless_kind_is_required(project):
    (project.root / "recipes" / "kind-demo").mkdir()
    (project.root / "recipes" / "kind-demo" / "recipe.yaml").write_text(KIND_SPEC)
    (project.root / "docs" / "recipes" / "platform" / "kind-demo.md").write_text(KIND_PAGE)
    project.write_reports()
    (project.report_dir / "kind" / "report.json").unlink()  # no kind cluster here
    result = project.build()
    assert "kind-demo" not in result.stdout, result.stdout[-3000:]  # no finding about it (other pages are not this test's job)
    page = project.html("recipes/platform/kind-demo.md")
    assert "Not verified here: Kind-only demo" in page
    assert "kubectl apply -k ." in project.text("recipes/platform/kind-demo.md")
    assert_fails_naming(project.build(RECIPEBOOK_REQUIRED_TARGETS="local,kind"), "docs/recipes/platform/kind-demo.md",
                        "`.venv/bin/recipebook run kind-demo --target kind`")


def test_snippets_check_paths_catches_a_missing_nested_include(project):
    """The hook checks the includes it sees on the page; pymdownx.snippets (check_paths) also catches the ones
    inside included files, which the hook does not read."""
    (project.root / "recipes" / "local-platform" / "notes.md").write_text('--8<-- "recipes/local-platform/no-such-file.txt"\n')
    project.append(PLATFORM_PAGE, '\n--8<-- "recipes/local-platform/notes.md"\n')
    project.write_reports()
    result = project.build()
    assert_fails_naming(result, "Error reading page 'recipes/platform/local-platform.md'",
                        "Snippet at path 'recipes/local-platform/no-such-file.txt' could not be found")
    assert "Traceback" not in result.stdout


def test_a_page_block_that_differs_from_the_executed_command_fails(project):
    """The check reads the BUILT page: a command the run executed differently from what the page shows fails."""
    def ran_something_else(name, target, entry):
        if name == "local-platform" and target == "local":
            smoke = next(c for c in entry["commands"] if c["step"] == "smoke-flow")
            smoke["command"] = "python smoke_flow.py --another-flag"
    project.write_reports(edit_entry=ran_something_else)
    result = project.build()
    assert_fails_naming(result, "docs/recipes/platform/local-platform.md", "step 'smoke-flow') differs from the command the run executed",
                        "python smoke_flow.py --another-flag")


def test_a_step_missing_from_the_page_fails(project):
    project.edit(PLATFORM_PAGE, "<!-- recipe:step smoke-flow -->", "")
    project.write_reports()
    result = project.build()
    assert_fails_naming(result, "docs/recipes/platform/local-platform.md", "step 'smoke-flow' ran")


def test_a_shell_block_on_a_page_without_a_recipe_fails(project):
    project.append("docs/architecture/index.md", "\n```bash\nkubectl apply -k deploy/overlays/kind\n```\n")
    result = project.build()
    assert_fails_naming(result, "docs/architecture/index.md", "code block not accounted for")


def test_output_placeholder_shows_the_recorded_output_of_the_verified_run(project):
    project.edit(PLATFORM_PAGE, "<!-- recipe:step smoke-flow -->", "<!-- recipe:step smoke-flow -->\n\n<!-- recipe:output smoke-flow -->")
    project.write_reports()
    result = project.build()
    assert result.returncode == 0, result.stdout[-4000:]
    text = project.text(PLATFORM_PAGE.removeprefix("docs/"))
    assert "printed by smoke-flow on local" in text
    assert "Output of step smoke-flow in the verified run of " in text and "commit 0123456789" in text
    assert "recipe:output" not in project.html(PLATFORM_PAGE.removeprefix("docs/"))


def test_output_placeholder_naming_no_visible_step_fails(project):
    project.append(PLATFORM_PAGE, "\n<!-- recipe:output no-such-step -->\n")
    project.write_reports()
    assert_fails_naming(project.build(), PLATFORM_PAGE, "output placeholder 'no-such-step'", "has no step 'no-such-step'")


def test_output_placeholder_without_recorded_output_fails_asking_to_reverify(project):
    project.edit(PLATFORM_PAGE, "<!-- recipe:step smoke-flow -->", "<!-- recipe:step smoke-flow -->\n\n<!-- recipe:output smoke-flow -->")

    def older_report(name, target, entry):
        for step in entry["steps"]:
            step.pop("output", None)
    project.write_reports(edit_entry=older_report)
    assert_fails_naming(project.build(), PLATFORM_PAGE, "recorded no output for this step", "re-verify with `.venv/bin/recipebook run local-platform`")


QUICKSTART_PAGE = "recipes/orchestration/quickstart.md"
MAINTAINERS = re.compile(r'<details class="note">\s*<summary>For maintainers: verify it again</summary>(.*?)</details>', re.S)


def test_without_a_passing_run_the_reader_is_told_what_it_means_and_the_command_is_collapsed(project):
    """A banner or an output placeholder without a passing run speaks to the reader (follow it at your own risk, or use
    the published site); the maintainer's command is in a collapsed block, nowhere else on the page."""
    project.write_reports(status={"quickstart": "failed"}, hashes={"local-platform": "sha256:an-older-content"})
    result = project.build(strict=False)
    assert result.returncode == 0, result.stdout[-3000:]
    for page, name, state in ((QUICKSTART_PAGE, "quickstart", "the last run of this page's commands failed"),
                              (PLATFORM_PAGE.removeprefix("docs/"), "local-platform", "this page changed since its last passing run")):
        html = project.html(page)
        # the banner and the output blocks, outside their collapsed blocks
        outside = MAINTAINERS.sub("", "".join(re.findall(r'<div class="recipebook-status">.*?</div>\n</div>|<div class="recipebook-output".*?</div>', html, re.S)))
        assert f"<strong>What this means for you:</strong> {state}" in outside.replace("&#39;", "'"), page
        assert "Follow it at your own risk, or use the published site" in outside, page
        assert f"recipebook run {name}" not in outside and "Reproduce:" not in outside, f"{page}: a maintainer's command in the open"
        assert any(f".venv/bin/recipebook run {name}" in block for block in MAINTAINERS.findall(html)), f"{page}: no collapsed command"
    quickstart = project.text(QUICKSTART_PAGE)
    assert "No output to show here: this page has not passed a verified run in its current form" in quickstart
    assert "records one" not in quickstart
