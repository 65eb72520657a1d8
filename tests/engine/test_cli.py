"""The recipebook command: list, run, verify --changed, new; meaningful exit codes."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recipebook import RECIPES_DIR, cli, scaffold, spec

CANARIES = Path(__file__).resolve().parent.parent / "canaries" / "recipes"


def recipebook(*args: str, report_dir: Path, work: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "recipebook.cli", "--recipes-dir", str(CANARIES), "--report-dir", str(report_dir), *args],
                          capture_output=True, text=True, timeout=300, env={**__import__("os").environ, "RECIPEBOOK_WORK_ROOT": str(work)})


def test_run_exit_codes_and_unknown_names(tmp_path):
    ok = recipebook("run", "retries-once", report_dir=tmp_path / "r", work=tmp_path / "w")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "[1/1] retries-once" in ok.stdout and "recipes: 1 passed, 0 failed" in ok.stdout
    failed = recipebook("run", "exits-nonzero", report_dir=tmp_path / "r", work=tmp_path / "w")
    assert failed.returncode == 1
    unknown = recipebook("run", "nope", report_dir=tmp_path / "r", work=tmp_path / "w")
    assert unknown.returncode == 2 and "unknown recipe(s): nope" in unknown.stderr
    report = json.loads((tmp_path / "r" / "local" / "report.json").read_text())
    assert set(report["recipes"]) == {"retries-once", "exits-nonzero"}, "run merges into the report"


def test_kind_target_missing_gives_exit_3_and_reason(tmp_path):
    from recipebook.targets import kind_missing_reason

    reason = kind_missing_reason()
    if reason is None:
        pytest.skip("a kind cluster is available here; the missing-target path cannot be shown")
    result = recipebook("run", "kind-only", "--target", "kind", report_dir=tmp_path / "r", work=tmp_path / "w")
    assert result.returncode == 3
    assert reason in result.stdout + result.stderr


def test_verify_changed_runs_nothing_when_nothing_changed(tmp_path, monkeypatch):
    """The first `verify --changed` runs the recipe (no passing run yet); the second finds its hash passing and runs
    nothing: the history gains no run and the report is left as it was."""
    from recipebook import history

    recipes = {n: r for n, r in spec.discover(CANARIES).items() if n == "retries-once"}
    monkeypatch.setattr(cli, "_load", lambda d: recipes)
    monkeypatch.setenv("RECIPEBOOK_WORK_ROOT", str(tmp_path / "w"))
    assert cli.main(["--report-dir", str(tmp_path / "r"), "verify", "--changed"]) == 0
    runs = history.load(history.history_path("local", tmp_path / "r"))
    assert [(r["recipe"], r["status"]) for r in runs] == [("retries-once", "passed")]
    report = (tmp_path / "r" / "local" / "report.json").read_text()
    assert cli.changed_recipes(recipes, "local", tmp_path / "r") == []
    assert cli.main(["--report-dir", str(tmp_path / "r"), "verify", "--changed"]) == 0
    assert history.load(history.history_path("local", tmp_path / "r")) == runs, "a recipe ran again"
    assert (tmp_path / "r" / "local" / "report.json").read_text() == report


def test_list_shows_status(tmp_path):
    recipebook("run", "retries-once", report_dir=tmp_path / "r", work=tmp_path / "w")
    out = recipebook("list", report_dir=tmp_path / "r", work=tmp_path / "w").stdout
    line = next(l for l in out.splitlines() if l.startswith("retries-once"))
    assert "local:passed" in line
    assert "not verified" in next(l for l in out.splitlines() if l.startswith("hangs"))


def test_invalid_spec_gives_exit_2_naming_the_file(tmp_path):
    bad = tmp_path / "recipes" / "broken"
    bad.mkdir(parents=True)
    (bad / "recipe.yaml").write_text("title: x\n")
    result = subprocess.run([sys.executable, "-m", "recipebook.cli", "--recipes-dir", str(tmp_path / "recipes"), "list"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "broken/recipe.yaml" in result.stderr and "missing required key 'page'" in result.stderr


def test_new_scaffolds_a_valid_recipe_and_page(tmp_path):
    created = scaffold.scaffold("batch-scoring", "orchestration", tmp_path / "recipes", tmp_path / "docs")
    assert [p.name for p in created] == ["recipe.yaml", "flow.py", "env.sh", "requirements.txt", "batch-scoring.md"]
    recipe = spec.load(tmp_path / "recipes" / "batch-scoring" / "recipe.yaml")
    assert recipe.page == "recipes/orchestration/batch-scoring.md"
    assert (tmp_path / "docs" / recipe.page).is_file()
    with pytest.raises(FileExistsError):
        scaffold.scaffold("batch-scoring", "orchestration", tmp_path / "recipes", tmp_path / "docs")
    with pytest.raises(ValueError, match="lower case"):
        scaffold.scaffold("Bad Name", "data", tmp_path / "recipes", tmp_path / "docs")


def test_verbose_shows_each_attempts_output_in_order(tmp_path):
    out = recipebook("run", "-v", "retries-once", report_dir=tmp_path / "r", work=tmp_path / "w").stdout
    lines = [l.strip() for l in out.splitlines()]
    first, retry, second = (lines.index(x) for x in ("| first try fails", next(l for l in lines if l.startswith("↻ flaky attempt 1")),
                                                      '| {"ok": true, "items": [1, 2, 3]}'))
    assert first < retry < second, out


def test_a_scaffolded_recipe_passes_run_unedited(tmp_path):
    """`recipebook new NAME` then `recipebook run NAME`, with nothing edited, passes (it needs the local platform,
    which the run starts first, so its flow never races Prefect's temporary server)."""
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "local-platform").symlink_to(RECIPES_DIR / "local-platform")
    scaffold.scaffold("hello-pipeline", "orchestration", recipes, tmp_path / "docs")
    result = recipebook("--recipes-dir", str(recipes), "run", "hello-pipeline", report_dir=tmp_path / "r", work=tmp_path / "w")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "recipes: 2 passed, 0 failed" in result.stdout, result.stdout[-3000:]


def test_up_keeps_a_needed_recipe_running_and_run_reuses_it(tmp_path):
    """`recipebook up web-server` keeps the server; `recipebook run uses-server` reuses it instead of starting its
    own; Ctrl-C on `up` tears it down, leaves nothing behind and forgets the state."""
    import os
    import signal

    env = {**os.environ, "RECIPEBOOK_WORK_ROOT": str(tmp_path / "w"), "RECIPEBOOK_RUNNING_DIR": str(tmp_path / "running")}
    base = [sys.executable, "-m", "recipebook.cli", "--recipes-dir", str(CANARIES), "--report-dir", str(tmp_path / "r")]
    up = subprocess.Popen([*base, "up", "web-server"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    state = tmp_path / "running" / "local" / "web-server.json"
    try:
        deadline = time.monotonic() + 60
        while not state.exists() and time.monotonic() < deadline and up.poll() is None:
            time.sleep(0.2)
        assert state.exists(), "recipebook up did not record the running recipe"
        port = int(json.loads(state.read_text())["provides"]["WEB_URL"].rsplit(":", 1)[1])
        run = subprocess.run([*base, "run", "uses-server"], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "reusing the one already running" in run.stdout and "[1/1] uses-server" in run.stdout
        fresh = subprocess.run([*base, "run", "--fresh", "uses-server"], env=env, capture_output=True, text=True, timeout=120)
        assert fresh.returncode == 0 and "reusing" not in fresh.stdout and "web-server" in fresh.stdout
    finally:
        up.send_signal(signal.SIGINT)
        out, _ = up.communicate(timeout=60)
    assert up.returncode == 0, out
    assert not state.exists(), "the state of a stopped recipe must be forgotten"
    from recipebook.processes import port_open
    assert not port_open(port), f"the server on port {port} outlived `recipebook up`"


def test_work_folders_stay_short_in_a_deep_checkout(tmp_path):
    """In a checkout deeper than 100 characters the runner works in a short folder of this user's (MLflow on
    PostgreSQL keeps a run's artifact path in 200 characters); in a checkout of ordinary depth, in build/work."""
    import os
    import tempfile

    from recipebook.runner import SHORT_ENOUGH, default_work_root

    short = tmp_path / "p"
    assert default_work_root(short) == short / "build" / "work"
    deep = tmp_path / ("a-long-folder-name/" * 6) / "project"
    root = default_work_root(deep)
    assert len(str(deep / "build" / "work")) > SHORT_ENOUGH
    assert root.parent == Path(tempfile.gettempdir()) / f"recipebook-{os.getuid()}"
    assert len(str(root / "local" / "upgrade-mlflow-postgres")) <= SHORT_ENOUGH
    assert root != default_work_root(deep.parent / "other-project"), "two checkouts must not share work folders"
    assert root.parent.stat().st_mode & 0o777 == 0o711
