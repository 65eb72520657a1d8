"""A page that starts PostgreSQL works in a folder of any depth.

A Unix-domain socket's path is limited to 107 bytes, and a CI runner's workspace for a fork with a long name,
or a reader's own deep folder, easily passes that. The pages therefore give PostgreSQL no socket at all (clients
reach it over TCP with a password): this runs one such page from a work folder more than 150 characters deep,
where a socket in the folder could not be created."""
import json
import os
import subprocess
import sys
from pathlib import Path

from recipebook import PROJECT_ROOT

DEPTH = 160
RECIPE = "team-platform"  # PostgreSQL under Prefect and MLflow, artifacts through the tracking server


def test_a_postgres_page_passes_in_a_folder_over_150_characters_deep(tmp_path_factory):
    base = Path("/tmp") if os.geteuid() == 0 else tmp_path_factory.mktemp("deep")  # as root, the postgres
    # account must enter the folder (pytest's own temporary folders are closed to other accounts)
    deep = base / "recipebook-deep-folder"
    while len(str(deep / "local" / RECIPE)) < DEPTH:
        deep = deep / "a-folder-as-deep-as-a-ci-runner-workspace"
    deep.mkdir(parents=True, exist_ok=True)
    for parent in [deep, *deep.parents]:
        if parent.is_relative_to(base):
            parent.chmod(0o755)
    work = deep / "local" / RECIPE
    assert len(str(work)) > 150
    report_dir = tmp_path_factory.mktemp("report")
    try:
        result = subprocess.run([sys.executable, "-m", "recipebook.cli", "--report-dir", str(report_dir), "run", RECIPE],
                                capture_output=True, text=True, timeout=900, cwd=PROJECT_ROOT,
                                env={**os.environ, "RECIPEBOOK_WORK_ROOT": str(deep)})
        report = json.loads((report_dir / "local" / "report.json").read_text())
        assert report["recipes"][RECIPE]["status"] == "passed", (
            f"work folder ({len(str(work))} characters): {work}\n" + result.stdout[-4000:] + result.stderr[-2000:])
    finally:
        subprocess.run(["rm", "-rf", str(base / "recipebook-deep-folder")], check=False)
