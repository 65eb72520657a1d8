"""Fixtures of the site tests (helpers in site_project.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from site_project import Project, copy_project, rec, write_history


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh copy of the project whose reports say every recipe passed with its current content."""
    p = Project(copy_project(tmp_path / "project"), tmp_path / "reports", tmp_path / "site")
    p.write_reports()
    return p


@pytest.fixture(scope="session")
def passing_site(tmp_path_factory) -> Project:
    """One strict build of the unchanged project with all-passed reports, shared by read-only tests."""
    base = tmp_path_factory.mktemp("passing")
    p = Project(copy_project(base / "project"), base / "reports", base / "site")
    p.write_reports()
    p.result = p.build()
    return p


@pytest.fixture(scope="session")
def browsable_site(tmp_path_factory) -> Project:
    """A non-strict build of the project with all-passed reports: always written, even while other pages are
    unfinished, so the browser test checks the browser side only (the strict result is test_strict_build's job)."""
    base = tmp_path_factory.mktemp("browsable")
    p = Project(copy_project(base / "project"), base / "reports", base / "site")
    p.write_reports()
    # a run history, so local-platform's banner shows its strip of recent runs: passed, failed, passed
    current = p.current_hash("local-platform")
    write_history(p.report_dir, [rec("local-platform", status, day, current) for status, day in
                                 (("passed", "01"), ("failed", "02"), ("passed", "03"))])
    p.result = p.build(strict=False)
    return p
