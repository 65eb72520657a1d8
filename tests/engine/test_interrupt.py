"""SIGINT or SIGTERM during a step: cleanup runs, nothing is left running, the report marks the recipe interrupted."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

CANARIES = Path(__file__).resolve().parent.parent / "canaries" / "recipes"


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("sig, inherit_ignored", [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True)],
                         ids=["SIGINT", "SIGTERM", "SIGINT-ignored-by-the-parent"])
def test_signal_during_step_runs_cleanup_and_marks_interrupted(tmp_path, sig, inherit_ignored):
    """With inherit_ignored, the runner starts with SIGINT ignored, as under `cmd &` in a script or nohup: Python
    would then never raise KeyboardInterrupt, so the runner sets its own handler."""
    report_dir = tmp_path / "report"

    def ignore_sigint():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = subprocess.Popen([sys.executable, "-m", "recipebook.cli", "--recipes-dir", str(CANARIES), "--report-dir", str(report_dir),
                             "run", "sleeps-for-interrupt"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**__import__("os").environ, "RECIPEBOOK_WORK_ROOT": str(tmp_path / "work")},
                            preexec_fn=ignore_sigint if inherit_ignored else None)
    log = report_dir / "local" / "logs" / "sleeps-for-interrupt" / "03-long.log"
    _wait_for(lambda: log.exists() and "long step started" in log.read_text(), 60, "the long step to start")
    report = json.loads((report_dir / "local" / "report.json").read_text())
    assert report["recipes"]["sleeps-for-interrupt"]["status"] == "running"
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "the step's processes should be running"
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    report = json.loads((report_dir / "local" / "report.json").read_text())
    entry = report["recipes"]["sleeps-for-interrupt"]
    assert report["status"] == "interrupted"
    assert entry["status"] == "interrupted"
    assert [s["status"] for s in entry["steps"]] == ["passed", "passed", "interrupted"]
    marker = tmp_path / "work" / "local" / "interrupt-cleanup-marker"
    assert marker.read_text().strip() == "cleanup ran"
    time.sleep(0.5)
    assert [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE] == []
