#!/usr/bin/env bash
# Delete the project's kind cluster. Idempotent: without the cluster (or without kind) there is nothing to do.
# Usage: bash scripts/kind-down.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/versions.env
if ! command -v kind >/dev/null 2>&1; then
  echo "kind-down: kind is not installed; no cluster to delete"
elif kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER_NAME"; then
  kind delete cluster --name "$KIND_CLUSTER_NAME"
else
  echo "kind-down: no cluster '$KIND_CLUSTER_NAME'; nothing to delete"
fi
