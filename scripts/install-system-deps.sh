#!/usr/bin/env bash
# System packages some tests need beyond the Python lock: Debian's chromium + chromium-driver (the browser
# test of the site) and Docker (image builds and smoke runs). Needs root (or sudo). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-browser.sh
bash scripts/install-docker.sh
bash scripts/install-postgresql.sh
echo "install-system-deps: done"
