"""The two checks between a report and the site, rule by rule: the state a recipe's evidence is in
(site/evidence.py) and whether the built page shows the commands the run executed (site/executed.py)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import site_project  # noqa: F401  (puts the checkout on sys.path)
from recipebook import report as report_format
from recipebook.site import evidence, executed

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
WEEK = timedelta(days=7)


def evaluate(entry: dict | None, current="sha256:a", environment=None):
    data = {"recipes": {"demo": entry} if entry else {}, "environment": environment or {"python": "3.11.7"}}
    return evidence.evaluate("demo", "local", current, data, NOW, WEEK)


def passed(**changes):
    return {"status": "passed", "content_hash": "sha256:a", "finished_at": (NOW - timedelta(days=1)).isoformat(),
            "started_at": (NOW - timedelta(days=1, minutes=5)).isoformat(), "reason": None, **changes}


# ---- evidence ----------------------------------------------------------------------------------------------------
def test_a_passing_run_for_the_current_content_is_passed_and_carries_its_entry_time_and_environment():
    entry = passed(environment={"python": "3.11.9"})
    found = evaluate(entry)
    assert (found.recipe, found.target, found.state, found.reason) == ("demo", "local", "passed", "")
    assert found.ok and found.entry is entry and found.environment == {"python": "3.11.9"}
    assert found.when == NOW - timedelta(days=1)


def test_the_entry_s_environment_wins_and_the_report_s_is_the_fallback():
    assert evaluate(passed()).environment == {"python": "3.11.7"}
    assert evaluate(passed(environment={"python": "3.12.1"})).environment == {"python": "3.12.1"}
    assert evidence.evaluate("demo", "local", "sha256:a", {"recipes": {"demo": passed()}}, NOW, WEEK).environment == {}


def test_every_state_but_passed_is_not_ok_and_says_why():
    assert (evaluate(passed(), current="sha256:b").state, evaluate(passed(), current="sha256:b").reason) == (
        "stale", "its files or page changed since the passing run")
    failed = evaluate(passed(status="failed", reason="step 'x' failed"))
    assert (failed.state, failed.reason, failed.ok) == ("failed", "step 'x' failed", False)
    assert evaluate(passed(status="interrupted", reason=None)).reason == "interrupted"
    assert evaluate(passed(status="failed", reason=None)).reason == "failed"
    assert evaluate(passed(status="interrupted")).state == "failed"
    skipped = evaluate(passed(status="skipped", reason="kind is not installed"))
    assert (skipped.state, skipped.reason, skipped.ok) == ("skipped", "kind is not installed", False)
    assert evaluate(passed(status="skipped", reason=None)).reason == "skipped"
    running = evaluate(passed(status="running"))
    assert (running.state, running.reason, running.entry is not None) == ("not-verified", "run running", True)
    assert evaluate(passed(status=None)).reason == "run unknown"
    assert (evaluate(None).state, evaluate(None).reason, evaluate(None).entry) == ("not-verified", "not in the report", None)
    none = evidence.evaluate("demo", "local", "sha256:a", None, NOW, WEEK)
    assert (none.state, none.reason, none.ok) == ("not-verified", "no report for this target", False)


def test_every_state_names_its_recipe_and_target_and_keeps_the_run_s_entry_time_and_environment():
    """The banner of any state shows what ran and when: the evidence of every state with an entry keeps them."""
    for entry, current in ((passed(status="failed"), "sha256:a"), (passed(status="skipped"), "sha256:a"),
                           (passed(status="running"), "sha256:a"), (passed(), "sha256:b"),
                           (passed(finished_at=(NOW - timedelta(days=30)).isoformat()), "sha256:a")):
        found = evaluate(entry, current)
        assert (found.recipe, found.target, found.entry, found.environment) == ("demo", "local", entry, {"python": "3.11.7"}), found
        assert found.when == evidence.run_time(entry) and found.when is not None, found
    for found in (evaluate(None), evidence.evaluate("demo", "local", "sha256:a", None, NOW, WEEK)):
        assert (found.recipe, found.target, found.entry, found.when) == ("demo", "local", None, None)


def test_a_failed_run_for_old_content_is_failed_not_stale():
    assert evaluate(passed(status="failed", content_hash="sha256:old"), current="sha256:a").state == "failed"


def test_the_allowed_age_is_inclusive_and_an_unknown_age_is_too_old():
    at_limit = passed(finished_at=(NOW - WEEK).isoformat())
    assert evaluate(at_limit).state == "passed"
    over = evaluate(passed(finished_at=(NOW - WEEK - timedelta(seconds=1)).isoformat()))
    assert (over.state, over.reason) == ("too-old", "passed 7 days ago, allowed age is 7 days")
    assert evaluate(passed(finished_at=(NOW - timedelta(days=10)).isoformat())).reason == "passed 10 days ago, allowed age is 7 days"
    unknown = evaluate(passed(finished_at=None, started_at=None))
    assert (unknown.state, unknown.reason) == ("too-old", "passed unknown age, allowed age is 7 days")


def test_run_time_is_the_end_else_the_start_and_naive_times_are_utc():
    assert evidence.run_time({"finished_at": "2026-11-27T10:00:00+00:00", "started_at": "2026-11-27T09:00:00+00:00"}) == datetime(
        2026, 11, 27, 10, tzinfo=timezone.utc)
    assert evidence.run_time({"finished_at": None, "started_at": "2026-11-27T09:00:00+00:00"}) == datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
    assert evidence.run_time({}) is None
    assert evidence.parse_time("2026-11-27T09:00:00") == datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
    assert evidence.parse_time("2026-11-27T09:00:00+02:00") == datetime(2026, 11, 27, 7, tzinfo=timezone.utc)
    assert evidence.parse_time("2026-11-27T09:00:00+02:00").utcoffset() == timedelta(hours=2), "kept, not replaced by UTC"
    assert evidence.parse_time("yesterday") is None and evidence.parse_time("") is None and evidence.parse_time(None) is None


def test_load_reports_reads_each_target_that_has_a_report_and_names_a_corrupt_one(tmp_path):
    assert evidence.load_reports(tmp_path) == {}
    local = report_format.report_path("local", tmp_path)
    local.parent.mkdir(parents=True)
    local.write_text(json.dumps({"schema_version": report_format.SCHEMA_VERSION, "recipes": {}}))
    assert evidence.load_reports(tmp_path) == {"local": {"schema_version": report_format.SCHEMA_VERSION, "recipes": {}}}
    kind = report_format.report_path("kind", tmp_path)
    kind.parent.mkdir(parents=True)
    kind.write_text("{")
    with pytest.raises(ValueError, match="kind/report.json: not a valid verification report"):
        evidence.load_reports(tmp_path)


def test_reproduce_command_and_failing_targets():
    assert evidence.reproduce_command("demo", "local") == ".venv/bin/recipebook run demo"
    assert evidence.reproduce_command("demo", "kind") == ".venv/bin/recipebook run demo --target kind"
    ok, stale = evidence.Evidence("demo", "local", "passed"), evidence.Evidence("demo", "kind", "stale")
    assert evidence.failing_targets(("local", "kind"), ("local", "kind"), {"local": ok, "kind": stale}) == [stale]
    assert evidence.failing_targets(("local",), ("local", "kind"), {"local": ok}) == []


# ---- executed ----------------------------------------------------------------------------------------------------
def block(step, command, recipe="demo", targets="local", inner=""):
    """A step marker as the hook renders it, with a tab label and a caption around the code that are not the command."""
    return (f'<div class="admonition recipebook-step" data-recipe="{recipe}" data-step="{step}" data-targets="{targets}">'
            f'<div class="tabbed-labels"><label>Laptop</label></div>'
            f'<div class="highlight"><div>{inner}</div><pre><code>{command}</code></pre>caption</div></div>')


def test_shown_commands_read_each_marker_to_its_own_end():
    page = ('<p>before</p><pre><code>not a step</code></pre>'
            + block("train", "python train.py\n", targets="local kind", inner="<code>label</code>")
            + '<div><pre><code>outside</code></pre></div>' + block("serve", "serve &amp; wait\n"))
    assert executed.shown_commands(page) == [
        executed.ShownCommand("demo", "train", ("local", "kind"), "labelpython train.py\n"),
        executed.ShownCommand("demo", "serve", ("local",), "serve & wait\n")]
    nested = '<div class="recipebook-step"><code>a<code>b</code>c</code>d<span>e</span></div>'
    assert [c.command for c in executed.shown_commands(nested)] == ["abc"], "code inside code is still the command"
    assert executed.shown_commands('<div class="recipebook-step"><code>x</code></div>') == [
        executed.ShownCommand("", "", (), "x")]
    assert executed.shown_commands('<div class="recipebook-stepper"><code>x</code></div>') == []


def test_differences_compare_only_the_recipe_and_target_in_order():
    page = block("a", "one\n") + block("b", "two\n") + block("b", "kubectl two\n", targets="kind") + block("x", "other\n", recipe="else")
    ran = [{"step": "a", "command": "one"}, {"step": "b", "command": "two\n"}]
    assert executed.differences(page, "demo", "local", ran) == []
    assert executed.differences(page, "demo", "kind", [{"step": "b", "command": "kubectl two"}]) == []
    assert executed.differences(page, "demo", "local", ran[:1] + [{"step": "c", "command": "two"}]) == [
        "block 2 shows step 'b', but the run executed step 'c' at that point"]
    assert executed.differences(page, "demo", "local", ran + [{"step": "c", "command": "three"}]) == [
        "step 'c' ran (command 3) but the page shows no block for it after 'b'"]
    three = block("a", "one\n") + block("b", "two\n") + block("c", "three\n")
    assert executed.differences(three, "demo", "local", ran + [{"step": "c", "command": "three"}, {"step": "d", "command": "4"}]) == [
        "step 'd' ran (command 4) but the page shows no block for it after 'c'"]
    assert executed.differences(block("t", "make X\n"), "demo", "local", [{"step": "t", "command": "make "}]) == [
        "block 1 (step 't') differs from the command the run executed:\n      page: 'make X'\n      ran:  'make '"]
    assert executed.differences("", "demo", "local", ran) == ["step 'a' ran (command 1) but the page shows no block for it after 'the start'"]
    assert executed.differences(page, "demo", "local", [{"step": "a", "command": "one "}, {"step": "b", "command": "2"}]) == [
        "block 1 (step 'a') differs from the command the run executed:\n      page: 'one'\n      ran:  'one '",
        "block 2 (step 'b') differs from the command the run executed:\n      page: 'two'\n      ran:  '2'"]
