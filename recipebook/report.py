"""The verification report: one JSON file per target, written atomically, with step logs beside it.

Location: build/verification/<target>/report.json, logs in build/verification/<target>/logs/<recipe>/.

Format (schema_version 1):
{
  "schema_version": 1,
  "target": "local",                       # or "kind"
  "status": "running|passed|failed|interrupted",   # of the latest run that wrote this file
  "started_at": "2026-11-28T15:00:00+00:00", "finished_at": "...|null",
  "git_commit": "abc123...|null", "git_dirty": false,
  "environment": {"python": "3.11.7", "platform": "Linux-...", "packages": {"prefect": "3.9.1", ...},
                  "kind": "0.x|null", "kubernetes": "v1.x|null"},
  "recipes": {
    "<name>": {
      "title": "...", "page": "recipes/.../x.md", "stage": "training", "components": ["mlflow", ...],
      "status": "passed|failed|skipped|interrupted|running",
      "reason": "why it failed or was skipped|null",
      "content_hash": "sha256:...",
      "sequence": 3,                       # the order the run started its recipes in (1, 2, ...; older reports lack it)
      "started_at": "...", "finished_at": "...|null", "duration_s": 12.3,
      "attempts": 1,                       # total step attempts beyond the first are retries
      "git_commit": "...", "environment": {...},   # as above, for the run that produced this entry
      "python": "3.11.7",                  # the Python the recipe's own environment ran with (else the runner's)
      "failure": {"step": "train", "command": "python train.py", "exit_code": 1,
                  "output_tail": "...", "log": "logs/<name>/02-train.log", "hint": "..."} | null,
      "steps": [{"id": "train", "status": "passed|failed|skipped|interrupted|running", "background": false,
                 "duration_s": 3.2, "attempts": 1, "exit_code": 0, "log": "logs/<name>/02-train.log",
                 "retries": [{"attempt": 1, "exit_code": 1, "reason": "..."}], "reason": null,
                 "output": "last lines of a passed visible step's output (shown by <!-- recipe:output ID -->)"}],
      "cleanup": {"status": "passed|failed", "leftovers": ["pid 123: sleep 300"]}
    }
  }
}
Runs merge into the existing report of the same target: the recipes a run executes replace their entries,
other entries keep theirs (each entry has its own time, commit and environment). `verify` without
--changed starts a fresh report. The report holds the last run of each recipe; `verify` also appends every run
to the run history beside it (history.py: build/verification/<target>/history.jsonl).
"""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from recipebook import DEFAULT_REPORT_DIR

SCHEMA_VERSION = 1


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def report_path(target: str, report_dir: Path = DEFAULT_REPORT_DIR) -> Path:
    return Path(report_dir) / target / "report.json"


def load(path: Path) -> dict[str, Any] | None:
    """The report at path, or None when there is none; a corrupt file raises ValueError naming it."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a valid verification report ({exc}); delete it and re-run `recipebook verify`") from None
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{path}: report schema_version {data.get('schema_version')!r}, expected {SCHEMA_VERSION}; re-run `recipebook verify`")
    return data


def write_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON so that a crash at any moment leaves either the old or the new file, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2, sort_keys=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_report(target: str, environment: dict[str, Any], git_commit: str | None, git_dirty: bool,
               previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """A report for a run starting now; keeps the recipe entries of `previous` (merge mode)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "target": target,
        "status": "running",
        "started_at": now_iso(),
        "finished_at": None,
        "git_commit": git_commit,
        "git_dirty": git_dirty,
        "environment": environment,
        "recipes": dict(previous["recipes"]) if previous else {},
    }


def passing_hashes(report: dict[str, Any] | None) -> dict[str, str]:
    """recipe name -> content hash of its last passing run."""
    if not report:
        return {}
    return {n: r["content_hash"] for n, r in report.get("recipes", {}).items() if r.get("status") == "passed"}
