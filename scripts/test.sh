#!/usr/bin/env bash
# The test command: set up the locked environment, then run every test — the engine's own tests and canaries,
# the site tests, the Kubernetes manifest checks, and every recipe on the local target (tests/test_recipes.py),
# with the strict site build last, against the report those recipe items just wrote.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k train-register`).
# Browser and Docker tests need chromium and a Docker engine: `sudo bash scripts/install-system-deps.sh` installs
# them (Debian/Ubuntu); without them those tests skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p build
exec .venv/bin/pytest --junitxml=build/junit.xml "$@"
