#!/usr/bin/env bash
# Make a working Docker engine available: install Debian's docker.io (and mmdebstrap, for the offline base image)
# when missing, start dockerd in the background when it is not running, and wait until `docker info` answers.
# Idempotent: with Docker already up (a laptop, GitHub Actions) it only checks and returns.
# Usage: bash scripts/install-docker.sh        (log of a dockerd it starts: build/docker/dockerd.log)
set -euo pipefail
cd "$(dirname "$0")/.."

LOG_DIR="${DOCKERD_LOG_DIR:-$PWD/build/docker}"
WAIT_SECONDS="${DOCKERD_WAIT_SECONDS:-60}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "ERROR: '$*' needs root and sudo is missing. Run this script as root." >&2; exit 2; fi; }

if docker info >/dev/null 2>&1; then
  echo "install-docker: Docker is running ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
if [ "${#need[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "ERROR: Docker is not installed and apt-get is missing; install Docker for your system (https://docs.docker.com/engine/install/) and re-run." >&2; exit 2; }
  echo "install-docker: apt-get install ${need[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  mkdir -p "$LOG_DIR"
  echo "install-docker: starting dockerd (log: $LOG_DIR/dockerd.log)"
  # setsid: dockerd outlives this script and is not tied to the caller's terminal or process group.
  as_root setsid nohup dockerd >"$LOG_DIR/dockerd.log" 2>&1 < /dev/null &
fi

for _ in $(seq "$WAIT_SECONDS"); do
  if docker info >/dev/null 2>&1; then
    echo "install-docker: Docker is running ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  sleep 1
done
echo "ERROR: dockerd did not answer within ${WAIT_SECONDS}s. Last lines of $LOG_DIR/dockerd.log:" >&2
tail -n 20 "$LOG_DIR/dockerd.log" >&2 || true
exit 1
