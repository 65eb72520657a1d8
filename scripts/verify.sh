#!/usr/bin/env bash
# The main job: set up, run every recipe on the local target (fresh report), then build the site strictly
# from that report. Pass --target kind to verify on a kind cluster instead (scripts/kind-up.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
.venv/bin/recipebook verify "$@" || status=$?
bash scripts/build-site.sh || status=$((status == 0 ? 1 : status))
exit "$status"
