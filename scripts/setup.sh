#!/usr/bin/env bash
# Create or refresh the project's one environment (.venv) from requirements.lock.
# Safe to re-run: when the lock has not changed since the last sync, it only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.8"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

"$PYTHON" - <<'PY' || { echo "ERROR: Python 3.11 (>=3.11.5), 3.12 or 3.13 is required; found $("$PYTHON" --version 2>&1). Install one and re-run, or set PYTHON=/path/to/python3.11." >&2; exit 2; }
import sys
sys.exit(0 if (3, 11, 5) <= sys.version_info[:3] and sys.version_info[:2] <= (3, 13) else 1)
PY

if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "setup: installing uv $UV_VERSION (recipe pages use it to create each recipe's environment)"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
UV="$("$PYTHON" -m uv --version >/dev/null 2>&1 && echo "$PYTHON -m uv" || echo uv)"

export UV_NO_PROGRESS=1
stamp=.venv/.lock-sha256
want="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup: .venv is up to date with requirements.lock"
else
  [ -x .venv/bin/python ] || $UV venv --quiet --python "$PYTHON" .venv
  echo "setup: syncing .venv with requirements.lock"
  $UV pip sync --quiet --python .venv/bin/python requirements.lock
  $UV pip install --quiet --python .venv/bin/python --no-deps -e .
  echo "$want" > "$stamp"
fi

# The recipes' own environments (each recipe runs with exactly its requirements.txt, cut from the lock; an
# upgrade recipe's older release has its own lock), built once with bytecode so recipes start fast, and
# reused by the runner through $RECIPE_VENV (see recipebook/venvs.py). With the next one, the last steps that
# may reach the package registry: verification itself installs from uv's cache with UV_OFFLINE=1.
.venv/bin/python -m recipebook.venvs
# `recipebook new` resolves a new recipe's requirements offline; resolve them once here so that uv's cache holds
# every package's metadata it needs (installing alone does not put all of it there).
.venv/bin/python -m recipebook.scaffold --prepare
# The site's one browser library (Mermaid), pinned and checked, so diagrams render offline.
bash scripts/vendor-site-assets.sh
echo "setup: done. Activate with: source .venv/bin/activate"
