#!/usr/bin/env bash
# Create the project's kind cluster from kind/cluster.yaml and load the project's images into it.
# Checks the prerequisites first and says what to do when one is missing. Idempotent: with the cluster already
# there it only (re)loads the images (kind skips images the node already has).
# Usage: bash scripts/kind-up.sh      (build the images first: bash scripts/build-images.sh)
# Environment: KIND_CONFIG (default kind/cluster.yaml), SKIP_IMAGE_LOAD=1 to create the cluster only.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/versions.env
CONFIG="${KIND_CONFIG:-kind/cluster.yaml}"
NAME="$KIND_CLUSTER_NAME"
IMAGES=("recipebook/flow-runner:$IMAGE_TAG" "recipebook/scoring:$IMAGE_TAG")

die() { echo "ERROR: $*" >&2; exit 2; }
version_at_least() {  # version_at_least v0.33.1 v0.33.0 -> true
  [ "$(printf '%s\n%s\n' "${2#v}" "${1#v}" | sort -V | head -n1)" = "${2#v}" ]
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# 1. Docker: installed and running.
command -v docker >/dev/null 2>&1 || die "Docker is not installed. Install Docker (https://docs.docker.com/engine/install/) and re-run."
docker info >/dev/null 2>&1 || die "Docker is not running (docker info failed). Start Docker Desktop or 'sudo systemctl start docker', check 'docker info' works for your user, then re-run."

# 2. kind: present and recent enough for the pinned node image; kubectl present.
command -v kind >/dev/null 2>&1 || die "kind is missing. Install kind $KIND_VERSION (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), put it on PATH and re-run."
kind_version="$(kind version 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -n1 || true)"
[ -n "$kind_version" ] || die "cannot read the kind version from 'kind version'; install kind $KIND_VERSION."
version_at_least "$kind_version" "$KIND_MIN_VERSION" || die "kind $kind_version is older than $KIND_MIN_VERSION, the oldest release that supports the pinned node image ($KIND_NODE_IMAGE). Install kind $KIND_VERSION and re-run."
command -v kubectl >/dev/null 2>&1 || die "kubectl is missing. Install kubectl $KUBECTL_VERSION (https://kubernetes.io/docs/tasks/tools/) and re-run."
[ -f "$CONFIG" ] || die "kind config $CONFIG not found."

# 3. The cluster: create it unless it exists.
if kind get clusters 2>/dev/null | grep -qx "$NAME"; then
  echo "kind-up: cluster '$NAME' already exists; nothing to create"
else
  for port in $(grep -E '^\s*(apiServerPort|hostPort):' "$CONFIG" | grep -o '[0-9]\+'); do
    port_in_use "$port" && die "port $port on 127.0.0.1 is in use (see: ss -ltnp 'sport = :$port'). Stop what uses it, or change the port in $CONFIG, and re-run."
  done
  echo "kind-up: creating cluster '$NAME' ($KIND_NODE_IMAGE)"
  kind create cluster --name "$NAME" --config "$CONFIG" --wait 180s
fi
kubectl cluster-info --context "kind-$NAME" >/dev/null || die "the cluster '$NAME' does not answer; delete it with 'bash scripts/kind-down.sh' and re-run."

# 4. The project's images: kind nodes cannot pull them from anywhere, so they are loaded (else: ImagePullBackOff).
if [ "${SKIP_IMAGE_LOAD:-0}" != 1 ]; then
  for image in "${IMAGES[@]}"; do
    docker image inspect "$image" >/dev/null 2>&1 || die "image $image is not built. Run: bash scripts/build-images.sh, then re-run this script."
    kind load docker-image --name "$NAME" "$image"
  done
fi
echo "kind-up: cluster '$NAME' is ready (kubectl context kind-$NAME)"
