"""What the verification reports say about one recipe on one target, reduced to one state the site can show.

The rule (documented on docs/contributing/verification.md):
  passed      the last run passed, for the recipe's CURRENT content hash, within the allowed age
  stale       the last passing run was for other content (a file or the page changed since)
  too-old     it passed for this content, but longer ago than the allowed age
  failed      the last run failed (or was interrupted)
  skipped     the runner skipped it (reason recorded), e.g. the target is not available there
  not-verified  no report, or no entry for the recipe in it
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from recipebook import report as report_format
from recipebook.targets import TARGETS

GOOD = "passed"


@dataclass(frozen=True)
class Evidence:
    recipe: str
    target: str
    state: str
    entry: dict[str, Any] | None = None
    environment: dict[str, Any] | None = None
    when: datetime | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.state == GOOD


def load_reports(report_dir: Path) -> dict[str, dict[str, Any]]:
    """target -> report, for the targets that have a report file; a corrupt report raises ValueError naming it."""
    reports = {}
    for target in TARGETS:
        data = report_format.load(report_format.report_path(target, report_dir))
        if data is not None:
            reports[target] = data
    return reports


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def run_time(entry: dict[str, Any]) -> datetime | None:
    """When the recipe's run ended (or started, if it never finished)."""
    return parse_time(entry.get("finished_at")) or parse_time(entry.get("started_at"))


def evaluate(recipe: str, target: str, current_hash: str, report: dict[str, Any] | None,
             now: datetime, max_age) -> Evidence:
    """The state of `recipe` on `target` given that target's report (or None)."""
    entry = (report or {}).get("recipes", {}).get(recipe)
    if entry is None:
        where = "no report for this target" if report is None else "not in the report"
        return Evidence(recipe, target, "not-verified", reason=where)
    environment = entry.get("environment") or (report or {}).get("environment") or {}
    when = run_time(entry)
    status = entry.get("status")
    common = dict(entry=entry, environment=environment, when=when)
    if status in ("failed", "interrupted"):
        return Evidence(recipe, target, "failed", reason=entry.get("reason") or status, **common)
    if status == "skipped":
        return Evidence(recipe, target, "skipped", reason=entry.get("reason") or "skipped", **common)
    if status != GOOD:
        return Evidence(recipe, target, "not-verified", reason=f"run {status or 'unknown'}", **common)
    if entry.get("content_hash") != current_hash:
        return Evidence(recipe, target, "stale", reason="its files or page changed since the passing run", **common)
    if when is None or now - when > max_age:
        age = "unknown age" if when is None else f"{(now - when).days} days ago"
        return Evidence(recipe, target, "too-old", reason=f"passed {age}, allowed age is {max_age.days} days", **common)
    return Evidence(recipe, target, GOOD, **common)


def reproduce_command(recipe: str, target: str) -> str:
    """What a reader or author types to run the recipe again on that target."""
    return f".venv/bin/recipebook run {recipe}" + ("" if target == "local" else f" --target {target}")


def failing_targets(recipe_targets: tuple[str, ...], required: tuple[str, ...],
                    evidence: dict[str, Evidence]) -> list[Evidence]:
    """The evidence that breaks a strict build: a required target the recipe supports without a passing run."""
    return [evidence[t] for t in required if t in recipe_targets and not evidence[t].ok]
