"""Fixtures shared by the Docker tests of the project's images (test_images.py, test_server_images.py)."""
import os
import shutil
import subprocess
import time

import pytest

from recipebook import PROJECT_ROOT


def docker_problem() -> str | None:
    if not shutil.which("docker"):
        return "docker is not installed (on Debian: bash scripts/install-docker.sh)"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        return f"the Docker engine does not answer (start it; on Debian: bash scripts/install-docker.sh): {info.stderr.strip()[-200:]}"
    return None


@pytest.fixture(scope="session")
def built_images():
    """scripts/build-images.sh, once per session (an image whose inputs did not change is reused, not rebuilt).
    Without a Docker engine the tests that use it skip with the reason - except under CI=true, where they fail."""
    problem = docker_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(f"Docker image tests skipped: {problem}")
    start = time.monotonic()
    result = subprocess.run(["bash", "scripts/build-images.sh"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, f"build-images.sh failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    print(f"\nbuild-images.sh: {time.monotonic() - start:.0f} s\n{result.stdout}")
    return result.stdout
