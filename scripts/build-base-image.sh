#!/usr/bin/env bash
# Build a local stand-in for python:3.11-slim (Debian bookworm + its Python 3.11) without any container registry:
# mmdebstrap makes the root file system from Debian packages, `docker import` turns it into an image.
# For offline or air-gapped machines, and for CI machines that cannot pull images.
# Usage: bash scripts/build-base-image.sh [TAG]   (idempotent: returns at once when TAG exists)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/versions.env
TAG="${1:-$LOCAL_BASE_IMAGE}"

if docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "build-base-image: $TAG already exists"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "ERROR: mmdebstrap is missing; run: bash scripts/install-docker.sh (it installs mmdebstrap) or apt-get install mmdebstrap" >&2; exit 2; }

# Use this machine's Debian sources (a mirror or proxy it already trusts) when it has them.
sources=()
[ -f /etc/apt/sources.list.d/debian.sources ] && sources=(/etc/apt/sources.list.d/debian.sources)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
mmdebstrap --quiet --variant=minbase --mode=root --format=tar \
  --include=python3,python3-venv,ca-certificates \
  --hook-dir=/usr/share/mmdebstrap/hooks/eatmydata \
  --dpkgopt='path-exclude=/usr/share/{doc,man,info,locale}/*' \
  --customize-hook='chroot "$1" ln -sf /usr/bin/python3 /usr/local/bin/python' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$tmp/rootfs.tar" "${sources[@]}"
docker import \
  --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' \
  "$tmp/rootfs.tar" "$TAG" >/dev/null
echo "build-base-image: built $TAG in $((SECONDS - start)) s ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1/1e6}'))"
