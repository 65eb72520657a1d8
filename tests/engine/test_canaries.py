"""Canaries prove the engine can fail: each one must be reported with the right status and reason,
and leave nothing running."""
import json

import pytest

from recipebook import netns, processes
from recipebook.procedure import GENERATED_STEP_IDS
from recipebook.report import load


def own_steps(entry: dict) -> list[dict]:
    """The recipe's own steps in a report entry (without the generated get-files/install steps)."""
    return [s for s in entry["steps"] if s["id"] not in GENERATED_STEP_IDS]


def _nothing_left(session, *names):
    for name in names:
        token = f"{session.run_id}-{name}"
        assert processes.tagged_processes(token) == [], f"{name} left processes running"


def test_nonzero_exit_is_a_failure_with_exit_code_and_tail(run_canaries):
    results, report, out, session = run_canaries("exits-nonzero")
    entry = results["exits-nonzero"]
    assert entry["status"] == "failed"
    assert "exit code: expected 0, received 3" in entry["reason"]
    assert entry["failure"]["exit_code"] == 3
    assert "about to fail" in entry["failure"]["output_tail"]
    assert "FAILED recipe 'exits-nonzero', step 'fail' (exit code 3)" in out
    assert "reproduce:  .venv/bin/recipebook run exits-nonzero" in out
    assert report["status"] == "failed"
    _nothing_left(session, "exits-nonzero")


def test_mismatched_expectations_say_expected_and_received(run_canaries):
    results, *_ = run_canaries("wrong-output")
    entry = results["wrong-output"]
    assert entry["status"] == "failed"
    problems = entry["failure"]["problems"]
    assert "output: expected to contain 'goodbye'; it does not" in problems
    assert "output JSON rows_in: expected rows_kept + rows_quarantined = 9, received 10" in problems


def test_step_past_its_timeout_is_stopped_and_failed(run_canaries):
    results, _, out, session = run_canaries("hangs")
    entry = results["hangs"]
    assert entry["status"] == "failed"
    assert "timed out after 2 s" in entry["reason"]
    assert "raise `timeout`" in entry["failure"]["hint"]
    hang = own_steps(entry)[0]
    # duration_s is measured on the monotonic clock: stopped at its 2 s, not at some later multiple of it
    assert 2.0 <= hang["duration_s"] < 8.0, hang
    _nothing_left(session, "hangs")


def test_recipe_without_steps_fails(run_canaries):
    results, *_ = run_canaries("no-steps")
    entry = results["no-steps"]
    assert entry["status"] == "failed"
    assert "no step was executed" in entry["reason"]


def test_leftover_process_fails_the_recipe_and_is_killed(run_canaries):
    results, _, out, session = run_canaries("leaves-process")
    entry = results["leaves-process"]
    assert entry["status"] == "failed"
    assert entry["reason"].startswith("left behind after cleanup: pid ")
    assert "sleep 300" in entry["reason"]
    assert entry["cleanup"]["status"] == "failed"
    _nothing_left(session, "leaves-process")


def test_server_that_never_becomes_ready_fails_and_is_stopped(run_canaries):
    results, _, out, session = run_canaries("never-ready")
    entry = results["never-ready"]
    assert entry["status"] == "failed"
    assert "service not ready: not ready before its deadline: port" in entry["reason"]
    assert "never became ready" in entry["failure"]["hint"]
    _nothing_left(session, "never-ready")


def test_missing_command_gets_a_hint(run_canaries):
    results, *_ = run_canaries("missing-command")
    failure = results["missing-command"]["failure"]
    assert failure["exit_code"] == 127
    assert "'no-such-tool-xyz' was not found" in failure["hint"]


def test_retry_is_allowed_only_where_declared_and_recorded(run_canaries):
    results, *_ = run_canaries("retries-once")
    entry = results["retries-once"]
    assert entry["status"] == "passed", entry["reason"]
    step = own_steps(entry)[0]
    assert step["attempts"] == 2
    assert step["retries"][0]["attempt"] == 1
    assert "exit code: expected 0, received 1" in step["retries"][0]["reason"]
    # a step without `retries` is never retried
    results, *_ = run_canaries("exits-nonzero")
    assert own_steps(results["exits-nonzero"])[0]["attempts"] == 1


def test_needed_recipe_starts_once_provides_env_and_is_torn_down_at_the_end(run_canaries, tmp_path):
    results, report, out, session = run_canaries("uses-server", "web-server")
    assert results["web-server"]["status"] == "passed"
    assert results["uses-server"]["status"] == "passed", results["uses-server"]["reason"]
    assert out.count("▶ ") == 2, "web-server must start once"
    assert list(results) == ["web-server", "uses-server"]
    assert (tmp_path / "work" / "local" / "web-server-cleanup-marker").read_text().strip() == "cleanup ran"
    assert results["web-server"]["cleanup"]["leftovers"] == []
    _nothing_left(session, "web-server", "uses-server")


def test_kind_target_skips_with_specific_reason_when_unavailable(run_canaries):
    from recipebook.targets import kind_missing_reason

    reason = kind_missing_reason()
    results, report, out, _ = run_canaries("kind-only", target="kind")
    entry = results["kind-only"]
    if reason is None:  # a cluster is up: `kubectl get nodes` in the recipe's namespace must pass
        assert entry["status"] == "passed", entry["reason"]
        assert entry["reason"] is None and own_steps(entry)[0]["exit_code"] == 0
    else:
        assert entry["status"] == "skipped"
        assert entry["reason"] == reason
        assert "kind" in reason or "Docker" in reason


def test_local_only_recipe_is_skipped_on_kind_with_reason(run_canaries):
    results, *_ = run_canaries("exits-nonzero", target="kind")
    assert results["exits-nonzero"]["status"] == "skipped"
    assert "supports only local" in results["exits-nonzero"]["reason"]


def test_report_is_complete_json_on_disk(run_canaries, tmp_path):
    run_canaries("retries-once", "exits-nonzero")
    data = load(tmp_path / "report" / "local" / "report.json")
    assert data["schema_version"] == 1 and data["target"] == "local"
    assert data["finished_at"] and data["environment"]["packages"]["prefect"]
    entry = data["recipes"]["exits-nonzero"]
    assert entry["content_hash"].startswith("sha256:")
    log = tmp_path / "report" / "local" / own_steps(entry)[0]["log"]
    assert "about to fail" in log.read_text()
    json.dumps(data)


def test_steps_share_the_readers_terminal_and_a_server_gets_a_new_one(run_canaries, tmp_path):
    results, *_ = run_canaries("reader-terminal")
    entry = results["reader-terminal"]
    assert entry["status"] == "passed", entry["reason"]
    assert [c["step"] for c in entry["commands"]] == ["get-files", "export-and-cd", "same-terminal", "new-terminal", "environment"]
    outputs = {s["id"]: s.get("output") for s in entry["steps"]}
    assert outputs["same-terminal"] == "hello from sub"  # recorded for <!-- recipe:output ID -->
    assert outputs["new-terminal"] is None  # a background step's output is a server log, not a result


def test_the_runner_sets_only_what_the_page_exports_with_a_default(run_canaries, tmp_path):
    """Every variable in the page's terminal is the machine's, a guard, one the page exported, or an override the
    page shows a default for: nothing hidden prepares the run."""
    from recipebook import environment, processes
    results, *_ = run_canaries("reader-terminal")
    entry = results["reader-terminal"]
    log = tmp_path / "report" / "local" / next(s for s in entry["steps"] if s["id"] == "environment")["log"]
    names = set(log.read_text().split())
    machine = set(environment.base_env()) - set(environment.GUARD_ENV)
    exported_by_page = {"ECHO_PORT", "GREETING", "RECIPEBOOK_REPO"}
    extra = names - machine - set(environment.GUARD_ENV) - exported_by_page - {processes.TOKEN_VAR, "PWD", "SHLVL", "_", "OLDPWD"}
    assert extra == set(), f"the runner set variables the page never exports: {sorted(extra)}"


def test_a_hidden_step_that_changes_the_work_folder_fails(run_canaries):
    results, *_ = run_canaries("hidden-writes")
    entry = results["hidden-writes"]
    assert entry["status"] == "failed"
    assert entry["failure"]["step"] == "sneaky-preparation"
    assert "a hidden check may only check, but it changed the work folder: created prepared.txt" in entry["reason"]
    scratch = next(s for s in entry["steps"] if s["id"] == "scratch-is-fine")
    assert scratch["status"] == "passed"
    assert [c["step"] for c in entry["commands"]] == ["get-files", "visible"], "hidden checks are not page commands"


def test_a_recipe_that_writes_outside_its_folder_under_home_fails(run_canaries, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    results, *_ = run_canaries("writes-home")
    entry = results["writes-home"]
    assert entry["status"] == "failed"
    assert "created .prefect/storage/a-result in " + str(tmp_path / "home") in entry["reason"]
    assert "point the tool's home into the folder in env.sh" in entry["reason"]


def test_jobs_run_recipes_at_the_same_time_and_one_job_does_not(canaries, tmp_path):
    """Two canaries that each wait for the other pass together with jobs=2, and the first fails with jobs=1:
    the parallel scheduler really overlaps recipes (and the canaries can fail)."""
    import io

    from recipebook.progress import Progress
    from recipebook.runner import Session

    def run(jobs: int, where: str):
        out = io.StringIO()
        session = Session(canaries, "local", report_dir=tmp_path / where / "report", work_root=tmp_path / where / "work",
                          merge=False, progress=Progress(out, heartbeat=60))
        return session.run_many(["overlap-a", "overlap-b"], jobs=jobs), out.getvalue(), session

    results, out, session = run(2, "parallel")
    assert {n: e["status"] for n, e in results.items()} == {"overlap-a": "passed", "overlap-b": "passed"}, out
    assert "[overlap-a] " in out and "[overlap-b] " in out  # each worker's lines say which recipe they belong to
    assert load(session.report_path)["recipes"]["overlap-b"]["status"] == "passed"
    results, out, _ = run(1, "sequential")
    assert results["overlap-a"]["status"] == "failed", out


def test_jobs_keep_needed_recipes_first(run_canaries, canaries, tmp_path):
    import io

    from recipebook.progress import Progress
    from recipebook.runner import Session

    out = io.StringIO()
    session = Session(canaries, "local", report_dir=tmp_path / "report", work_root=tmp_path / "work", merge=False,
                      progress=Progress(out, heartbeat=60))
    results = session.run_many(["uses-server", "exits-nonzero"], jobs=2)
    assert results["uses-server"]["status"] == "passed", out
    assert results["web-server"]["finished_at"] is not None
    # `sequence` is the exact start order (started_at has whole seconds, and both start within one)
    assert results["web-server"]["sequence"] < results["uses-server"]["sequence"]
    _nothing_left(session, "web-server", "uses-server", "exits-nonzero")


def test_jobs_start_the_longest_expected_recipe_first(canaries, tmp_path):
    """With jobs=2 the two recipes expected to take longest start first, and a recipe with no expectation counts
    as long; the short one waits for a free slot. Without this order a long recipe can start last and run alone."""
    import io

    from recipebook.progress import Progress
    from recipebook.runner import Session

    out = io.StringIO()
    session = Session(canaries, "local", report_dir=tmp_path / "report", work_root=tmp_path / "work", merge=False,
                      progress=Progress(out, heartbeat=60), expected={"exits-nonzero": 1.0, "wrong-output": 90.0})
    results = session.run_many(["exits-nonzero", "wrong-output", "no-steps"], jobs=2)  # no-steps: no expectation
    started = {n: e["sequence"] for n, e in results.items()}
    assert started == {"wrong-output": started["wrong-output"], "no-steps": started["no-steps"], "exits-nonzero": 3}, out
    assert {started["wrong-output"], started["no-steps"]} == {1, 2}, out


def test_expected_durations_come_from_the_history_then_the_last_report(tmp_path):
    """The median of a recipe's passing runs in the history wins over the last report's time; failed runs count
    for nothing, and a corrupt history leaves the report's times rather than raising (the session reports it)."""
    import json

    from recipebook.history import history_path
    from recipebook.report import SCHEMA_VERSION, report_path
    from recipebook.runner import expected_durations

    def record(recipe, status, seconds):
        return {"format": 1, "run_id": "r", "target": "local", "recipe": recipe, "status": status,
                "content_hash": "h", "finished_at": "2026-11-29T00:00:00+00:00", "duration_s": seconds}

    report = report_path("local", tmp_path)
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"schema_version": SCHEMA_VERSION,
                                  "recipes": {"a": {"status": "passed", "duration_s": 5.0},
                                              "b": {"status": "passed", "duration_s": 7.0},
                                              "c": {"status": "failed", "duration_s": 9.0}}}))
    assert expected_durations("local", tmp_path) == {"a": 5.0, "b": 7.0}
    lines = [record("a", "passed", 10.0), record("a", "passed", 30.0), record("a", "failed", 99.0), record("a", "passed", 20.0)]
    history_path("local", tmp_path).write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert expected_durations("local", tmp_path) == {"a": 20.0, "b": 7.0}
    history_path("local", tmp_path).write_text("not json\n")
    assert expected_durations("local", tmp_path) == {"a": 5.0, "b": 7.0}


def test_jobs_start_a_quick_platform_first_when_long_recipes_need_it(run_canaries, canaries, tmp_path):
    """web-server takes a second but uses-server, expected to be the longest, needs it: it starts before
    wrong-output, which alone would be longer. Ordering by a recipe's own time would leave it last."""
    import io

    from recipebook.progress import Progress
    from recipebook.runner import Session

    out = io.StringIO()
    session = Session(canaries, "local", report_dir=tmp_path / "report", work_root=tmp_path / "work", merge=False,
                      progress=Progress(out, heartbeat=60),
                      expected={"web-server": 1.0, "uses-server": 90.0, "exits-nonzero": 50.0, "wrong-output": 40.0})
    results = session.run_many(["wrong-output", "exits-nonzero", "uses-server"], jobs=2)  # listed last, started first
    assert {results["web-server"]["sequence"], results["exits-nonzero"]["sequence"]} == {1, 2}, out
    assert results["wrong-output"]["sequence"] > 2, out
    _nothing_left(session, "web-server", "uses-server", "exits-nonzero", "wrong-output")


def test_a_step_that_reaches_for_the_network_fails_its_recipe(run_canaries):
    """Nothing leaves the machine (netns.py): the step swallows its failures, as telemetry does, and still the recipe
    fails, naming what tried to leave. The canary refuses to try anywhere but in a namespace with only loopback."""
    isolation = netns.create("local")
    active, reason = isolation.active, isolation.reason
    isolation.close()
    if not active:
        pytest.skip(f"OUTBOUND-CONNECTION CHECK NOT TESTED: {reason}")
    results, report, out, session = run_canaries("reaches-out")
    entry = results["reaches-out"]
    assert [s["status"] for s in own_steps(entry)] == ["passed"], "the step itself passes: the failure is swallowed"
    assert entry["status"] == "failed"
    assert entry["reason"].startswith("tried to reach the network (only loopback is reachable while it is verified): ")
    assert ("packet(s) sent off the machine: TCP 10.255.255.1:443" in entry["reason"]  # TUN capture
            or "IPv4 packet(s) to an address other than loopback" in entry["reason"]), entry["reason"]  # fallback
    assert entry["failure"]["step"] == "network" and "strace" in entry["failure"]["hint"]
    assert report["network_isolation"]["active"] is True
    assert "network: the recipes run in a network namespace with only loopback" in out
    _nothing_left(session, "reaches-out")


def test_recipes_of_one_run_reach_each_other_on_loopback_inside_the_namespace(run_canaries):
    """A needed recipe's server on 127.0.0.1 is reachable from the recipe that needs it: one namespace per run."""
    results, report, *_ = run_canaries("uses-server")
    if not report["network_isolation"]["active"]:
        pytest.skip(f"OUTBOUND-CONNECTION CHECK NOT TESTED: {report['network_isolation']['detail']}")
    assert results["web-server"]["status"] == "passed" and results["uses-server"]["status"] == "passed", results
    assert "network" not in results["uses-server"] and "network" not in results["web-server"]


def test_without_a_namespace_the_run_says_loudly_that_the_check_is_off(run_canaries, monkeypatch):
    monkeypatch.setenv("RECIPEBOOK_NETWORK_ISOLATION", "off")
    results, report, out, _ = run_canaries("exits-nonzero")
    assert report["network_isolation"] == {"active": False, "detail": "turned off (RECIPEBOOK_NETWORK_ISOLATION=off)"}
    assert "WARNING: OUTBOUND-CONNECTION CHECK OFF: turned off (RECIPEBOOK_NETWORK_ISOLATION=off)" in out
    monkeypatch.setenv("RECIPEBOOK_NETWORK_ISOLATION", "require")
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(netns.IsolationUnavailable) as raised:
        run_canaries("exits-nonzero")
    assert "RECIPEBOOK_NETWORK_ISOLATION=require, but the check is off" in str(raised.value)
