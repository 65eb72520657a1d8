"""Helpers for engine tests: run canary recipes in a temporary report and work folder."""
import io
from pathlib import Path

import psutil
import pytest

from recipebook import processes, spec
from recipebook.progress import Progress
from recipebook.runner import Session

CANARIES = Path(__file__).resolve().parent.parent / "canaries" / "recipes"


@pytest.fixture
def canaries() -> dict[str, spec.Recipe]:
    return spec.discover(CANARIES)


@pytest.fixture
def run_canaries(tmp_path, canaries):
    """Run the named canaries in one session; returns (results, report, terminal output, session)."""

    def run(*names: str, target: str = "local"):
        out = io.StringIO()
        session = Session(canaries, target, report_dir=tmp_path / "report", work_root=tmp_path / "work",
                          merge=False, progress=Progress(out, heartbeat=60))
        results = session.run_many(list(names))
        return results, session.report, out.getvalue(), session

    return run


def alive_with_token(token: str) -> list[psutil.Process]:
    return processes.tagged_processes(token)

