#!/usr/bin/env bash
# Check the external (http/https) links of a built site. Meant for the nightly job, which has network access.
# Offline it prints a loud SKIPPED and exits 0, or exits 2 when RECIPEBOOK_REQUIRE_NETWORK=1.
# Internal links and anchors are checked on every build by mkdocs (validation: in mkdocs.yml).
# Usage: bash scripts/check-external-links.sh [SITE_DIR]   (default: site, made by scripts/build-site.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m recipebook.site.external_links "${1:-site}"
