"""The knobs of a site build, read from the environment so CI, tests and authors can set them without editing files.

RECIPEBOOK_REPORT_DIR           folder holding <target>/report.json (default: <project>/build/verification)
RECIPEBOOK_MAX_REPORT_AGE_DAYS  a passing run older than this no longer counts (default 7)
RECIPEBOOK_REQUIRED_TARGETS     comma-separated targets a recipe must pass on, when it supports them (default local)
RECIPEBOOK_STRICT               1 makes findings fail the build, like `mkdocs build --strict`
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from recipebook.targets import TARGETS

DEFAULT_MAX_AGE_DAYS = 7.0
DEFAULT_REQUIRED_TARGETS = ("local",)


@dataclass(frozen=True)
class Settings:
    project_root: Path
    docs_dir: Path
    recipes_dir: Path
    report_dir: Path
    max_age: timedelta
    required_targets: tuple[str, ...]
    strict: bool
    now: datetime


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def from_environment(project_root: Path, docs_dir: Path, mkdocs_strict: bool,
                     environ: dict[str, str] | None = None) -> Settings:
    """Settings for one build; the project root is the folder of mkdocs.yml, so a copied project works alike."""
    env = os.environ if environ is None else environ
    report_dir = Path(env.get("RECIPEBOOK_REPORT_DIR") or project_root / "build" / "verification")
    raw_age = env.get("RECIPEBOOK_MAX_REPORT_AGE_DAYS") or str(DEFAULT_MAX_AGE_DAYS)
    try:
        max_age_days = float(raw_age)
    except ValueError:
        raise ValueError(f"RECIPEBOOK_MAX_REPORT_AGE_DAYS={raw_age!r} is not a number of days") from None
    raw_targets = env.get("RECIPEBOOK_REQUIRED_TARGETS")
    targets = tuple(t.strip() for t in raw_targets.split(",") if t.strip()) if raw_targets is not None else DEFAULT_REQUIRED_TARGETS
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        raise ValueError(f"RECIPEBOOK_REQUIRED_TARGETS: unknown target(s) {', '.join(unknown)}; use {' and/or '.join(TARGETS)}")
    return Settings(
        project_root=Path(project_root),
        docs_dir=Path(docs_dir),
        recipes_dir=Path(project_root) / "recipes",
        report_dir=report_dir if report_dir.is_absolute() else Path(project_root) / report_dir,
        max_age=timedelta(days=max_age_days),
        required_targets=targets,
        strict=mkdocs_strict or _truthy(env.get("RECIPEBOOK_STRICT")),
        now=datetime.now(timezone.utc),
    )
