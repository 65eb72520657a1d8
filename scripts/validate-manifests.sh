#!/usr/bin/env bash
# Render every kustomization (deploy/, recipes/) with `kubectl kustomize`, validate it strictly against the pinned
# Kubernetes version (offline schemas of kubernetes-validate) and apply the project's policy. Offline; a few seconds.
# Usage: bash scripts/validate-manifests.sh [KUSTOMIZATION_DIR ...]
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m recipebook.k8s.check "$@"
