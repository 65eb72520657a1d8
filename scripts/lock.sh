#!/usr/bin/env bash
# Re-resolve requirements.lock from pyproject.toml: exact versions and hashes, no index URLs recorded.
# Run after changing a version in pyproject.toml, then `bash scripts/setup.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null || python3 -m pip install --quiet "uv==0.13.8"
uv pip compile pyproject.toml --universal --python-version 3.11.5 --generate-hashes --no-header --quiet -o requirements.lock
for extra in recipes/*/env.in; do
  [ -e "$extra" ] || continue
  uv pip compile "$extra" --python-version 3.11.7 --generate-hashes --no-header --quiet -o "$(dirname "$extra")/env.lock"
done
# Each recipe's install list: its `packages:` resolved at exactly the lock's versions, with hashes.
if [ -x .venv/bin/python ]; then
  .venv/bin/python -m recipebook.requirements
else
  echo "lock: no .venv yet; run bash scripts/setup.sh, then bash scripts/lock.sh again to cut recipes/*/requirements.txt" >&2
fi
echo "lock: requirements.lock and recipes/*/requirements.txt updated; now run: bash scripts/setup.sh"
