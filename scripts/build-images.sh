#!/usr/bin/env bash
# Build the project's images (images/<name>/Dockerfile) hermetically, without any network inside the build:
#  1. resolve images/<name>/requirements.in with requirements.lock as constraints (versions come only from the lock),
#  2. `pip download` those exact wheels (hash-checked) on the host into the cache build/wheels,
#  3. `docker build --network none` from a staged context that holds the Dockerfile, the wheels and the files it copies.
# An image whose inputs did not change (same content-hash tag) is not rebuilt.
# Base image: $RECIPEBOOK_BASE_IMAGE if set, else python:3.11-slim if present locally, else the local mmdebstrap base
# if it was built before, else python:3.11-slim pulled, else the local base built now by scripts/build-base-image.sh.
# Usage: bash scripts/build-images.sh [flow-runner] [scoring] [mlflow]     Tags: recipebook/<name>:$IMAGE_TAG and :h-<hash>
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/versions.env

die() { echo "ERROR: $*" >&2; exit 2; }
names=("$@"); [ "${#names[@]}" -gt 0 ] || names=(flow-runner scoring mlflow)
docker info >/dev/null 2>&1 || die "Docker is not running. Start Docker (Docker Desktop, or 'sudo systemctl start docker'; on a bare Debian machine: bash scripts/install-docker.sh) and re-run."
command -v uv >/dev/null || die "uv is missing; run: bash scripts/setup.sh"

choose_base() {
  if [ -n "${RECIPEBOOK_BASE_IMAGE:-}" ]; then echo "$RECIPEBOOK_BASE_IMAGE"; return; fi
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then echo "$BASE_IMAGE"; return; fi
  # A local base built earlier is used as it is, without trying a registry again (offline machines, CI re-runs).
  if docker image inspect "$LOCAL_BASE_IMAGE" >/dev/null 2>&1; then echo "$LOCAL_BASE_IMAGE"; return; fi
  if timeout 300 docker pull --quiet "$BASE_IMAGE" >/dev/null 2>&1; then echo "$BASE_IMAGE"; return; fi
  echo "build-images: $BASE_IMAGE cannot be pulled here; using the local base $LOCAL_BASE_IMAGE" >&2
  bash scripts/build-base-image.sh "$LOCAL_BASE_IMAGE" >&2
  echo "$LOCAL_BASE_IMAGE"
}

case "$(uname -m)" in x86_64|amd64) arch=x86_64 ;; aarch64|arm64) arch=aarch64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
# Wheels for the image's platform (Linux, CPython 3.11), whatever the host is.
platform_args=(--only-binary=:all: --implementation cp --python-version 3.11 --abi cp311)
for glibc in 2_36 2_35 2_34 2_31 2_28 2_27 2_24 2_17; do platform_args+=(--platform "manylinux_${glibc}_${arch}"); done
platform_args+=(--platform "manylinux2014_${arch}")

base="$(choose_base)"
base_id="$(docker image inspect -f '{{.Id}}' "$base")"
mkdir -p build/wheels
for name in "${names[@]}"; do
  src="images/$name"; stage="build/images/$name"
  [ -f "$src/Dockerfile" ] || die "no such image: $src/Dockerfile"
  start=$SECONDS
  rm -rf "$stage"; mkdir -p "$stage/wheels" "$stage/flows"
  uv pip compile "$src/requirements.in" --constraint requirements.lock --python-version 3.11.7 \
    --generate-hashes --no-header --quiet --no-progress -o "$stage/requirements.txt"
  .venv/bin/python -m recipebook.k8s.images check-subset "$stage/requirements.txt" requirements.lock
  # The wheel cache remembers which requirement sets it already holds completely (skips the index round trips).
  done_mark="build/wheels/.complete-$(echo "${platform_args[*]}" | cat - "$stage/requirements.txt" | sha256sum | cut -c1-16)"
  if [ ! -f "$done_mark" ]; then
    python3 -m pip download --quiet --disable-pip-version-check --no-deps "${platform_args[@]}" \
      -r "$stage/requirements.txt" -d build/wheels
    touch "$done_mark"
  fi
  PIP_CONFIG_FILE=/dev/null python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-index --find-links build/wheels \
    "${platform_args[@]}" -r "$stage/requirements.txt" -d "$stage/wheels"
  cp "$src"/* "$stage/" 2>/dev/null || true
  if [ -f "$src/flows.txt" ]; then
    grep -v '^\s*\(#\|$\)' "$src/flows.txt" | while read -r f; do cp "$f" "$stage/flows/"; done
  fi
  hash="$( (echo "$base_id"; cd "$stage" && find . -type f ! -path './wheels/*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12)"
  image="recipebook/$name"
  if docker image inspect "$image:h-$hash" >/dev/null 2>&1; then
    docker tag "$image:h-$hash" "$image:$IMAGE_TAG"
    echo "build-images: $image:$IMAGE_TAG is up to date (h-$hash)"
    continue
  fi
  docker build --quiet --network none --build-arg "BASE_IMAGE=$base" \
    --label "org.opencontainers.image.source=images/$name" --label "recipebook.content-hash=$hash" \
    -t "$image:h-$hash" -t "$image:$IMAGE_TAG" "$stage" >/dev/null
  echo "build-images: built $image:$IMAGE_TAG (h-$hash, FROM $base) in $((SECONDS - start)) s"
  # Older content-hash tags of this image are superseded; drop them so the cache does not grow without bound.
  docker image ls --format '{{.Repository}}:{{.Tag}}' "$image" | grep ":h-" | grep -v ":h-$hash\$" | xargs -r docker rmi >/dev/null 2>&1 || true
done
