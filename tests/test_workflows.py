"""The GitHub workflows (.github/workflows/) and the nightly job's run history.

- Both workflows validate against GitHub's workflow schema, offline: check-jsonschema ships that schema
  (`--builtin-schema vendor.github-workflows`), so `.ci/run` (through scripts/test.sh) checks them with no network;
  a broken workflow fails the check.
- The nightly job frees disk before building images, restores the run history before verifying and saves it
  after, deploys the site to GitHub Pages only when the strict build passed, and opens or updates one issue on a
  failing night; ci.yml runs the engine and site tests on Python 3.12 and 3.13 as well.
- scripts/history-branch.sh keeps the history on its branch: it accumulates across runs, and a restored file
  that cannot be read is set aside with a warning.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
CHECK = ROOT / ".venv" / "bin" / "check-jsonschema"
sys.path.insert(0, str(ROOT))

from recipebook import history  # noqa: E402


def check_schema(*files: Path) -> subprocess.CompletedProcess:
    assert CHECK.exists(), f"{CHECK} is missing: it is in requirements.lock; run `bash scripts/setup.sh`"
    # A proxy that refuses every connection: the check must not need the network (the schema is built in).
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTPS_PROXY": dead, "HTTP_PROXY": dead, "https_proxy": dead, "http_proxy": dead, "NO_PROXY": ""}
    return subprocess.run([str(CHECK), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
                          capture_output=True, text=True, timeout=120, env=env)


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def step_index(steps: list[dict], text: str) -> int:
    """The index of the first step whose name, `run` or `uses` contains text."""
    for i, step in enumerate(steps):
        if text in " ".join(str(step.get(k, "")) for k in ("name", "run", "uses")):
            return i
    raise AssertionError(f"no step mentions {text!r}")


# ---- the schema check ------------------------------------------------------------------------------------------------
def test_both_workflows_pass_the_github_workflow_schema_offline():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "nightly.yml"]
    result = check_schema(*files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize("old, new, expected", [
    ("    runs-on: ubuntu-24.04\n", "    runs_on: ubuntu-24.04\n", "'runs-on' is a required property"),
    ("      pages: write", "      pages: publish", "$.jobs.pages.permissions.pages: 'publish' is not one of"),
])
def test_a_broken_workflow_fails_the_schema_check(tmp_path, old, new, expected):
    text = (WORKFLOWS / "nightly.yml").read_text()
    assert old in text, f"nightly.yml no longer contains {old!r}; update the test"
    broken = tmp_path / "nightly.yml"
    broken.write_text(text.replace(old, new, 1))
    result = check_schema(broken)
    assert result.returncode == 1, result.stdout
    assert str(broken) in result.stdout and expected in result.stdout, result.stdout


# ---- what the nightly job does ---------------------------------------------------------------------------------------
def test_nightly_frees_disk_restores_and_saves_history_deploys_only_a_strict_site_and_reports_failures():
    data = workflow("nightly.yml")
    job = data["jobs"]["kind"]
    steps = job["steps"]
    free = steps[step_index(steps, "/usr/share/dotnet")]
    for folder in ("/usr/share/dotnet", "/usr/local/lib/android", "/opt/ghc"):
        assert folder in free["run"]
    assert free["run"].count("df -h") == 2, "disk space is printed before and after"
    assert step_index(steps, "/usr/share/dotnet") < step_index(steps, "scripts/build-images.sh")

    restore, save = step_index(steps, "history-branch.sh restore"), step_index(steps, "history-branch.sh save")
    verifies = [i for i, s in enumerate(steps) if "recipebook verify" in str(s.get("run", ""))]
    assert len(verifies) == 2 and restore < min(verifies) < max(verifies) < save
    assert steps[save]["if"].startswith("always()") and "steps.restore.outcome == 'success'" in steps[save]["if"]
    assert steps[restore]["id"] == "restore"
    assert job["permissions"]["contents"] == "write"

    site = steps[step_index(steps, "scripts/build-site.sh")]
    assert site["id"] == "site" and site["env"]["RECIPEBOOK_REQUIRED_TARGETS"] == "local,kind"
    upload = steps[step_index(steps, "actions/upload-pages-artifact")]
    assert "steps.site.outcome == 'success'" in upload["if"] and upload["with"]["path"] == "site"
    assert job["outputs"]["site"] == "${{ steps.site.outcome }}"
    pages = data["jobs"]["pages"]
    assert pages["needs"] == "kind" and "needs.kind.outputs.site == 'success'" in pages["if"]
    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    assert pages["environment"]["name"] == "github-pages"
    assert pages["steps"][-1]["uses"].startswith("actions/deploy-pages@")

    issue = steps[step_index(steps, "recipebook failures --markdown")]
    assert issue["if"] == "failure()" and issue is steps[-2]
    for command in ("gh issue list", "gh issue edit", "gh issue create", "--body-file failures.md"):
        assert command in issue["run"]
    assert steps[-1]["if"] == "success()" and "gh issue close" in steps[-1]["run"]
    assert job["permissions"]["issues"] == "write" and job["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert data["permissions"] == {"contents": "read"} and data["concurrency"]["cancel-in-progress"] is False


def test_ci_runs_the_engine_and_site_tests_on_python_312_and_313_and_everything_on_311():
    data = workflow("ci.yml")
    full = data["jobs"]["test"]
    assert full["steps"][step_index(full["steps"], "actions/setup-python")]["with"]["python-version"] == "3.11"
    assert step_index(full["steps"], "bash scripts/test.sh") >= 0
    matrix = data["jobs"]["python"]
    assert matrix["strategy"]["matrix"]["python"] == ["3.12", "3.13"]
    assert matrix["env"]["PYTHON"] == "python${{ matrix.python }}"
    setup = matrix["steps"][step_index(matrix["steps"], "actions/setup-python")]["with"]["python-version"]
    assert setup.split() == ["3.11", "${{", "matrix.python", "}}"], "3.11 too: the recipes' environments use it"
    tests = matrix["steps"][step_index(matrix["steps"], "scripts/test.sh")]["run"]
    assert "tests/engine tests/site" in tests and "tests/test_recipes.py" not in tests
    assert "recipebook-history" in data["on"]["push"]["branches-ignore"]


# ---- the history branch --------------------------------------------------------------------------------------------
def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60).stdout


def _clone(tmp_path: Path, name: str, remote: Path) -> Path:
    """A checkout holding only the script (and the project's .venv, to check restored files), with `origin`."""
    clone = tmp_path / name
    (clone / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "history-branch.sh", clone / "scripts")
    (clone / ".venv").symlink_to(ROOT / ".venv")
    _git(clone, "init", "--quiet")
    _git(clone, "remote", "add", "origin", remote.as_uri())
    return clone


def _history(clone: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", HOME=str(clone.parent))
    return subprocess.run(["bash", "scripts/history-branch.sh", *args], cwd=clone, capture_output=True, text=True, timeout=120, env=env)


def _record(recipe: str, status: str, day: str) -> dict:
    return {"format": history.FORMAT, "run_id": f"night-{day}", "target": "local", "recipe": recipe, "status": status,
            "content_hash": "sha256:a", "finished_at": f"2026-11-{day}T03:00:00+00:00", "duration_s": 10.0, "failure": None}


def test_history_branch_accumulates_runs_across_nights(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed: scripts/history-branch.sh needs it")
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    night1 = _clone(tmp_path, "night1", remote)
    first = _history(night1, "restore")
    assert first.returncode == 0 and "no branch recipebook-history on origin yet" in first.stdout, first.stderr
    path = night1 / "build" / "verification" / "local" / "history.jsonl"
    history.append(path, [_record("train", "failed", "01")])
    saved = _history(night1, "save")
    assert saved.returncode == 0, saved.stderr
    assert _history(night1, "save").stdout.strip() == "history: recipebook-history already holds these files"

    night2 = _clone(tmp_path, "night2", remote)
    restored = _history(night2, "restore")
    assert restored.returncode == 0 and "restored build/verification/local/history.jsonl (1 runs)" in restored.stdout, restored.stderr
    path2 = night2 / "build" / "verification" / "local" / "history.jsonl"
    history.append(path2, [_record("train", "passed", "02")])
    assert _history(night2, "save").returncode == 0

    night3 = _clone(tmp_path, "night3", remote)
    assert _history(night3, "restore").returncode == 0
    records = history.load(night3 / "build" / "verification" / "local" / "history.jsonl")
    assert [(r["run_id"], r["status"]) for r in records] == [("night-01", "failed"), ("night-02", "passed")]
    assert [f.recipe for f in history.flakes(records)] == ["train"], "flaky across nights, found from the kept history"
    log = _git(tmp_path, "--git-dir", str(remote), "log", "--format=%s", "recipebook-history").splitlines()
    assert len(log) == 2 and all(line.startswith("Run history after ") for line in log)
    assert _git(night3, "status", "--porcelain", "--untracked-files=no") == "", "the checkout is untouched"


def test_history_branch_sets_an_unreadable_history_aside(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed: scripts/history-branch.sh needs it")
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    writer = _clone(tmp_path, "writer", remote)
    path = writer / "build" / "verification" / "local" / "history.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"recipe": "train", "status": "passed"}\n')  # an older format
    assert _history(writer, "save").returncode == 0
    reader = _clone(tmp_path, "reader", remote)
    result = _history(reader, "restore")
    assert result.returncode == 0, result.stderr
    assert "::warning title=Run history set aside::" in result.stdout and "line 1: a run history record of an older format" in result.stdout
    folder = reader / "build" / "verification" / "local"
    assert not (folder / "history.jsonl").exists() and (folder / "history.jsonl.unreadable").is_file()
