"""The run history: every `verify` appends, flaky recipes are found from what was recorded, `--repeat N` prints the
flake table, a corrupt or older-format history is refused with the file, the line and the fix, and
`recipebook failures --markdown` writes the nightly issue's body."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from recipebook import history

CANARIES = Path(__file__).resolve().parent.parent / "canaries" / "recipes"


def recipebook(tmp_path: Path, *args: str, canaries=("fails-once", "retries-once")) -> subprocess.CompletedProcess:
    """The CLI on a folder holding only the named canaries; fails-once keeps its marker in tmp_path."""
    recipes = tmp_path / "recipes"
    if not recipes.exists():
        recipes.mkdir()
        for name in canaries:
            (recipes / name).symlink_to(CANARIES / name)
    env = {**os.environ, "RECIPEBOOK_WORK_ROOT": str(tmp_path / "work"), "FAILS_ONCE_MARKER": str(tmp_path / "fails-once.marker")}
    return subprocess.run([sys.executable, "-m", "recipebook.cli", "--recipes-dir", str(recipes), "--report-dir", str(tmp_path / "r"), *args],
                          capture_output=True, text=True, timeout=300, env=env)


def rec(recipe: str, status: str, when: str, content: str = "sha256:a", duration: float = 10.0, target: str = "local",
        step: str | None = None, **extra) -> dict:
    """A history record as `verify` writes it (the fields the statistics read)."""
    failure = {"step": step or "train", "exit_code": 1, "reason": "boom", "log": None, "output_tail": "Traceback …"} if status == "failed" else None
    return {"format": history.FORMAT, "run_id": f"run-{when}", "target": target, "recipe": recipe, "status": status,
            "content_hash": content, "finished_at": f"2026-11-{when}T03:00:00+00:00", "duration_s": duration,
            "failure": failure, "retries": 0, **extra}


# ---- recorded runs ---------------------------------------------------------------------------------------------------
def test_history_accumulates_across_verify_runs_and_run_does_not_append(tmp_path):
    path = tmp_path / "r" / "local" / "history.jsonl"
    first = recipebook(tmp_path, "verify")
    assert first.returncode == 1, first.stdout[-3000:] + first.stderr  # fails-once fails on its first run
    one = history.load(path)
    assert [(r["recipe"], r["status"]) for r in one] == [("fails-once", "failed"), ("retries-once", "passed")]
    assert f"history: run {one[0]['run_id']} appended to {path} (2 recipe(s))" in first.stdout
    second = recipebook(tmp_path, "verify")
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr
    two = history.load(path)
    assert two[:2] == one, "earlier runs are kept as they were"
    assert [(r["recipe"], r["status"]) for r in two[2:]] == [("fails-once", "passed"), ("retries-once", "passed")]
    assert len({r["run_id"] for r in two}) == 2
    report = json.loads((tmp_path / "r" / "local" / "report.json").read_text())
    assert report["recipes"]["fails-once"]["status"] == "passed", "the report keeps only the last run"
    for r in two:  # what a record carries
        assert r["format"] == history.FORMAT and r["target"] == "local" and r["content_hash"].startswith("sha256:")
        assert r["python"] == platform.python_version() and r["environment"]["packages"]
    assert two[0]["failure"]["step"] == "flip" and two[0]["failure"]["exit_code"] == 1
    kept = tmp_path / "r" / "local" / two[0]["failure"]["log"]
    assert kept.is_file() and "first run: failing" in kept.read_text(), "a failing run's log outlives later runs"
    assert two[1]["retries"] == 1, "retries-once needed the one retry its spec allows"
    assert recipebook(tmp_path, "run", "retries-once").returncode == 0
    assert len(history.load(path)) == 4, "`recipebook run` (authoring) leaves the history alone"


def test_verify_repeat_prints_the_flake_table_of_its_runs(tmp_path):
    result = recipebook(tmp_path, "verify", "--repeat", "3", canaries=("fails-once", "retries-once", "exits-nonzero"))
    out = result.stdout
    assert result.returncode == 1, "a failing run makes the whole command fail"
    assert out.count("=== verify: run ") == 3 and "run 3 of 3" in out
    table = out[out.index("flake table: 3 runs"):]
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:] if line.split() and line.split()[0] in
            ("fails-once", "retries-once", "exits-nonzero")}
    assert rows["fails-once"][2:7] == ["3", "2", "1", "0", "67%"] and "FLAKY" in rows["fails-once"], table
    assert rows["exits-nonzero"][2:5] == ["3", "0", "3"] and "failing" in rows["exits-nonzero"], table
    assert "retried" in rows["retries-once"] and rows["retries-once"][6] == "100%", table
    assert "flaky (failed, then passed with the same content hash): fails-once (local)" in table
    flakes = recipebook(tmp_path, "flakes")
    assert flakes.returncode == 0 and "FLAKY" in flakes.stdout, "the same table from the whole history"


def test_verify_repeat_with_a_bare_shuffle_draws_a_new_order_per_run_and_a_seed_replays(tmp_path):
    import re

    drawn = re.findall(r"order shuffled with seed (\d+)", recipebook(tmp_path, "verify", "--repeat", "2", "--shuffle").stdout)
    assert len(drawn) == 2 and drawn[0] != drawn[1]
    given = re.findall(r"order shuffled with seed (\d+)", recipebook(tmp_path, "verify", "--repeat", "2", "--shuffle", "7").stdout)
    assert given == ["7", "7"]


def test_verify_repeat_rejects_zero(tmp_path):
    result = recipebook(tmp_path, "verify", "--repeat", "0")
    assert result.returncode == 2 and "--repeat: expected 1 or more" in result.stderr


# ---- flakiness and statistics from a recorded history ---------------------------------------------------------------
def test_flaky_recipe_is_detected_from_a_recorded_history():
    records = [
        rec("train", "passed", "01"), rec("train", "failed", "02", step="fit"), rec("train", "passed", "03"),  # flaky
        rec("serve", "failed", "01", content="sha256:old"), rec("serve", "passed", "02", content="sha256:new"),  # fixed by a change
        rec("drift", "passed", "01"), rec("drift", "failed", "02"),  # broke and has not passed since: failing, not flaky (yet)
        rec("train", "failed", "04", target="kind"),  # another target is another history
    ]
    found = history.flakes(records)
    assert [(f.recipe, f.target, f.content_hash) for f in found] == [("train", "local", "sha256:a")]
    flake = found[0]
    assert (flake.runs, flake.passed, len(flake.failures)) == (3, 2, 1)
    assert flake.failures[0]["failure"]["step"] == "fit"
    table = history.flake_table(records)
    assert "flaky (failed, then passed with the same content hash): train (local)" in table
    drift = next(line for line in table.splitlines() if line.startswith("drift"))
    assert drift.split()[2:5] == ["2", "1", "1"] and drift.split()[-2:] == ["failing", "train"], drift
    serve = next(line for line in table.splitlines() if line.startswith("serve"))
    assert "fixed" in serve.split(), serve


def test_pass_rate_and_durations_over_the_window():
    runs = [rec("train", "passed", f"{d:02d}", duration=float(d)) for d in range(1, 21)]
    runs[4] = rec("train", "failed", "05", duration=999.0)  # a failed run's time says nothing about the recipe's
    s = history.summarize(runs, window=20)
    assert (s.passed, s.failed, s.total) == (19, 1, 20)
    assert s.pass_rate == pytest.approx(0.95)
    assert s.median_s == 11.0  # of 1..20 without 5
    assert s.p95_s == 20.0  # nearest rank: ceil(0.95 * 19) = the 19th of the 19 passing durations (1-4, 6-20)
    recent = history.summarize(runs, window=5)
    assert [r["finished_at"][8:10] for r in recent.runs] == ["16", "17", "18", "19", "20"] and recent.total == 20
    assert history.percentile([float(v) for v in range(100, 0, -1)], 95) == 95.0
    assert history.percentile([], 95) is None and history.percentile([3.0], 95) == 3.0


# ---- a history that cannot be read ----------------------------------------------------------------------------------
@pytest.mark.parametrize("second_line, expected", [
    ('{"format": 1, "run_id": "x", "target": "local", "recipe": "y", "status": "pa', "line 2: not a run history record (invalid JSON"),
    ('{"recipe": "y", "status": "passed", "finished_at": "2026-11-01"}', "line 2: a run history record of an older format (no format key"),
    ('{"format": 0, "recipe": "y"}', "line 2: a run history record of an older format (format 0"),
    ('{"format": 99, "recipe": "y"}', "line 2: written by a newer recipebook (history format 99"),
    ('["not", "a", "record"]', "line 2: not a run history record (a JSON list"),
    ('{"format": 1, "recipe": "y"}', "line 2: run history record without run_id, target, status, content_hash, finished_at"),
])
def test_corrupt_or_older_history_raises_naming_file_line_and_fix(tmp_path, second_line, expected):
    path = tmp_path / "history.jsonl"
    path.write_text(json.dumps(rec("train", "passed", "01")) + "\n" + second_line + "\n")
    with pytest.raises(history.HistoryError) as error:
        history.load(path)
    message = str(error.value)
    assert f"{path}, {expected}" in message, message
    assert "Fix: " in message and (f"mv {path} {path}.bad" in message or "git pull" in message)


def test_verify_refuses_a_corrupt_history_before_running_anything(tmp_path):
    path = tmp_path / "r" / "local" / "history.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("{not json\n")
    result = recipebook(tmp_path, "verify")
    assert result.returncode == 2
    assert f"error: {path}, line 1: not a run history record" in result.stderr and "Fix: move it aside" in result.stderr
    assert "▶" not in result.stdout and not (tmp_path / "r" / "local" / "report.json").exists(), "nothing ran"
    assert path.read_text() == "{not json\n", "the file is left for the person to inspect"
    flakes = recipebook(tmp_path, "flakes")
    assert flakes.returncode == 2 and "line 1" in flakes.stderr


# ---- the nightly issue ------------------------------------------------------------------------------------------------
def test_failures_markdown_names_pages_steps_logs_and_reproduce_commands(tmp_path):
    recipebook(tmp_path, "verify", canaries=("exits-nonzero", "retries-once"))
    result = recipebook(tmp_path, "failures", "--markdown", "--run-url", "https://ci.example/runs/7")
    body = result.stdout
    assert result.returncode == 0, result.stderr
    assert body.startswith("<!-- recipebook:nightly-failures -->")
    assert "**1 recipe run(s) failed** in the verification (run https://ci.example/runs/7" in body
    assert "| `docs/canaries/exits-nonzero.md` | `exits-nonzero` | local | `fail` (exit code 3) | `.venv/bin/recipebook run exits-nonzero` |" in body
    assert "- Reason: step 'fail' failed: exit code: expected 0, received 3" in body
    assert "logs/exits-nonzero/02-fail.log" in body and "about to fail" in body
    assert "- History: passed 0 of its last 1 recorded runs on local" in body
    assert "retries-once" not in body, "only what failed"
    plain = recipebook(tmp_path, "failures")
    assert "docs/canaries/exits-nonzero.md (local):" in plain.stdout and "reproduce:  .venv/bin/recipebook run exits-nonzero" in plain.stdout


def test_failures_markdown_without_a_failing_recipe_points_at_the_run(tmp_path):
    recipebook(tmp_path, "verify", canaries=("retries-once",))
    body = recipebook(tmp_path, "failures", "--markdown").stdout
    assert "No recipe failed in the verification reports" in body and "see the run's log" in body


def test_the_report_records_the_python_of_the_recipes_own_environment(tmp_path, monkeypatch):
    """A recipe runs in its own environment (uv venv --python 3.11), whose Python may differ from the runner's: the
    report on disk names the environment's. `uv` is a stand-in that builds nothing; the environment's pyvenv.cfg
    says 3.11.2, a version the runner here does not have."""
    import dataclasses
    import io
    import os
    import platform
    import shutil

    from recipebook import report, spec, venvs
    from recipebook.progress import Progress
    from recipebook.runner import Session

    assert platform.python_version() != "3.11.2"
    canary = spec.discover(CANARIES)["retries-once"]
    folder = tmp_path / "recipes" / "retries-once"
    shutil.copytree(canary.path, folder)
    (folder / "requirements.txt").write_text("# nothing to install\n")
    (folder / "env.sh").write_text("")
    own = dataclasses.replace(canary, path=folder, packages=("demo",))
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "activate").write_text("")
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nimplementation = CPython\nversion_info = 3.11.2\n")
    monkeypatch.setattr(venvs, "path_for", lambda requirements: venv)
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "uv").write_text("#!/bin/sh\nexit 0\n")
    (shim / "uv").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")

    def recorded(recipe):
        session = Session({recipe.name: recipe}, "local", report_dir=tmp_path / "r", work_root=tmp_path / "w", merge=False,
                          progress=Progress(io.StringIO(), heartbeat=60))
        assert session.run_many([recipe.name])[recipe.name]["status"] == "passed"
        saved = report.load(report.report_path("local", tmp_path / "r"))
        return saved["recipes"][recipe.name]["python"], saved["environment"]["python"]

    assert recorded(own)[0] == "3.11.2"
    python, runners = recorded(canary)
    assert python == runners == platform.python_version(), "no environment of its own: the runner's Python"
