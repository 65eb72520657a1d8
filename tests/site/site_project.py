"""A copy of the project in a tmp dir, fixture reports, and a strict build of it (helpers of the site tests).

Builds run `mkdocs build` in a subprocess on the COPY (mkdocs.yml, docs/, recipes/), writing the site to a tmp dir,
so tests can edit files and reports without touching the repository or its site/ folder.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from recipebook import hashing, history, procedure, spec  # noqa: E402
from recipebook import report as report_format  # noqa: E402

MKDOCS = REPO / ".venv" / "bin" / "mkdocs"
HOOK = REPO / "recipebook" / "site" / "hook.py"
PLATFORM_PAGE = "docs/recipes/platform/local-platform.md"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "mlruns", "mlartifacts", ".ipynb_checkpoints", ".venv*", "*.db")
ENVIRONMENT = {"python": "3.11.7", "platform": "Linux-test", "kind": None, "kubernetes": None,
               "packages": {"prefect": "3.9.1", "mlflow": "3.17.2", "scikit-learn": "1.9.1", "pandas": "2.3.3",
                            "pyarrow": "25.0.1", "pandera": "0.35.0", "evidently": "0.7.23", "ipykernel": "7.4.0",
                            "prefect-kubernetes": "0.8.0"}}


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def copy_project(dest: Path) -> Path:
    """mkdocs.yml (hook path made absolute), docs/ and recipes/ of the repository, copied to dest."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "docs", dest / "docs", ignore=IGNORE)
    shutil.copytree(REPO / "recipes", dest / "recipes", ignore=IGNORE)
    for extra in ("deploy", "kind", "images", "build/vendor"):  # files recipes hash (`files:`); vendored Mermaid
        if (REPO / extra).is_dir():
            shutil.copytree(REPO / extra, dest / extra, ignore=IGNORE)
    config = (REPO / "mkdocs.yml").read_text()
    config, replaced = re.subn(r"^(\s*-\s*)recipebook/site/hook\.py", lambda m: m.group(1) + str(HOOK), config, flags=re.M)
    assert replaced == 1, "mkdocs.yml must list recipebook/site/hook.py under hooks:"
    (dest / "mkdocs.yml").write_text(config)
    return dest


def recipe_entry(recipe: spec.Recipe, content_hash: str, status: str, finished: datetime, target: str) -> dict:
    started = finished - timedelta(seconds=42)
    entry = {
        "title": recipe.title, "page": recipe.page, "stage": recipe.stage, "components": list(recipe.components),
        "status": status, "reason": None, "content_hash": content_hash,
        "started_at": iso(started), "finished_at": iso(finished), "duration_s": 42.0, "attempts": 1,
        "git_commit": "0123456789abcdef", "environment": ENVIRONMENT, "failure": None,
        "steps": [{"id": s.id, "status": "passed", "background": s.background, "duration_s": 1.0, "attempts": 1,
                   "exit_code": 0, "log": f"logs/{recipe.name}/{i:02d}-{s.id}.log", "retries": [], "reason": None,
                   **({} if s.hidden or s.background else {"output": f"printed by {s.id} on {target}"})}
                  for i, s in enumerate(recipe.steps, start=1) if target in s.run],
        "cleanup": {"status": "passed", "leftovers": []},
        "commands": [{"step": s.id, "command": s.run[target]} for s in procedure.all_steps(recipe)
                     if not s.hidden and target in s.run],
    }
    if status == "failed":
        step = next(s for s in recipe.steps if not s.hidden and target in s.run)
        entry["steps"][0]["status"] = "failed"
        entry["reason"] = f"step {step.id} failed"
        entry["failure"] = {"step": step.id, "command": step.run[target], "exit_code": 3, "output_tail": "boom",
                            "log": f"logs/{recipe.name}/01-{step.id}.log", "hint": None}
    return entry


# ---- run history records, as `recipebook verify` appends them ---------------------------------------------------------
def rec(recipe: str, status: str, day: str, content: str, *, target: str = "local", python: str = "3.11.7",
        mlflow: str = "3.17.2", duration: float = 40.0, kubernetes: str | None = None) -> dict:
    """A history record as `recipebook verify` appends it."""
    packages = {**ENVIRONMENT["packages"], "mlflow": mlflow}
    failure = {"step": "start-prefect", "command": "prefect server start", "exit_code": 1, "reason": "step 'start-prefect' failed: port in use",
               "log": f"history-logs/run-{day}/{recipe}/03-start-prefect.log", "output_tail": "OSError: [Errno 98] Address already in use"}
    return {"format": history.FORMAT, "run_id": f"run-{day}-{status}", "target": target, "recipe": recipe, "page": PLATFORM_PAGE.removeprefix("docs/"),
            "status": status, "content_hash": content, "started_at": f"2026-11-{day}T03:00:00+00:00",
            "finished_at": f"2026-11-{day}T03:01:00+00:00", "duration_s": duration, "git_commit": "0123456789abcdef",
            "git_dirty": False, "shuffle_seed": None, "python": python,
            "environment": {"python": python, "kind": "kind v0" if kubernetes else None, "kubernetes": kubernetes, "packages": packages},
            "requirements": {"mlflow": mlflow}, "retries": 0, "failure": failure if status == "failed" else None}


def write_history(report_dir: Path, records: list[dict]) -> None:
    for target in {r["target"] for r in records}:
        path = history.history_path(target, report_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in records if r["target"] == target))



@dataclass
class Project:
    root: Path
    report_dir: Path
    out: Path

    def recipes(self) -> dict[str, spec.Recipe]:
        return spec.discover(self.root / "recipes")

    def current_hash(self, name: str) -> str:
        return hashing.content_hash(self.recipes()[name], self.root / "docs")

    def write_reports(self, status: dict[str, str] | None = None, finished: datetime | None = None,
                      hashes: dict[str, str] | None = None, edit_entry=None) -> None:
        """A report per target marking every recipe passed with its CURRENT hash, except the overrides."""
        finished = finished or datetime.now(timezone.utc) - timedelta(hours=1)
        recipes = self.recipes()
        for target in ("local", "kind"):
            entries = {
                name: recipe_entry(r, (hashes or {}).get(name) or hashing.content_hash(r, self.root / "docs"),
                                   (status or {}).get(name, "passed"), finished, target)
                for name, r in recipes.items() if target in r.targets
            }
            if edit_entry is not None:
                for name, entry in entries.items():
                    edit_entry(name, target, entry)
            if entries:
                data = {"schema_version": report_format.SCHEMA_VERSION, "target": target, "status": "passed",
                        "started_at": iso(finished - timedelta(minutes=5)), "finished_at": iso(finished),
                        "git_commit": "0123456789abcdef", "git_dirty": False, "environment": ENVIRONMENT, "recipes": entries}
                report_format.write_atomic(report_format.report_path(target, self.report_dir), data)

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text()
        assert old in text, f"{relative} no longer contains {old!r}; update the test"
        path.write_text(text.replace(old, new, 1))

    def append(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.write_text(path.read_text() + text)

    def build(self, strict: bool = True, **env: str) -> subprocess.CompletedProcess:
        """Build the copy; returns the finished process (stdout+stderr in .stdout)."""
        if not MKDOCS.exists():
            pytest.skip(f"mkdocs is not installed at {MKDOCS}; run `bash scripts/setup.sh`")
        environ = {**os.environ, "RECIPEBOOK_REPORT_DIR": str(self.report_dir), "NO_MKDOCS_2_WARNING": "1",
                   "DO_NOT_TRACK": "true", **env}
        environ.pop("RECIPEBOOK_STRICT", None) if "RECIPEBOOK_STRICT" not in env else None
        command = [str(MKDOCS), "build", "-f", str(self.root / "mkdocs.yml"), "-d", str(self.out)] + (["--strict"] if strict else [])
        started = time.monotonic()
        result = subprocess.run(command, cwd=self.root.parent, env=environ, capture_output=True, text=True, timeout=180)
        result.stdout = result.stdout + result.stderr
        result.seconds = time.monotonic() - started
        return result

    def html(self, page_uri: str) -> str:
        """The built HTML of docs page `recipes/x/y.md` (use_directory_urls layout)."""
        stem = page_uri[:-3]
        path = self.out / ("index.html" if stem == "index" else (stem[:-5] if stem.endswith("index") else stem + "/") + "index.html")
        return path.read_text()

    def text(self, page_uri: str) -> str:
        """The built page's visible text (tags removed, entities decoded), for phrases split by highlighting."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.html(page_uri)))
