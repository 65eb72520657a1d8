#!/usr/bin/env bash
# Build the documentation site strictly from the current verification reports (build/verification/<target>/),
# as CI does: any finding (a recipe without a passing run for its current content, a stale or too old run,
# unaccounted code, a missing include, a broken link or anchor) fails the build and names the page.
# Usage: bash scripts/build-site.sh [OUTPUT_DIR]   (default: site)
# Settings: RECIPEBOOK_REPORT_DIR, RECIPEBOOK_MAX_REPORT_AGE_DAYS (7), RECIPEBOOK_REQUIRED_TARGETS (local).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-site}"
export NO_MKDOCS_2_WARNING=1 DO_NOT_TRACK=true
start_ns=$(date +%s%N)
status=0
.venv/bin/mkdocs build --strict -d "$out" || status=$?
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
elapsed="$((elapsed_ms / 1000)).$(printf %03d $((elapsed_ms % 1000)) | cut -c1)"
if [ "$status" -eq 0 ]; then
  echo "build-site: strict build passed in ${elapsed} s -> $out/"
else
  echo "build-site: strict build FAILED in ${elapsed} s (see the findings above; each names the page and the fix)" >&2
fi
exit "$status"
