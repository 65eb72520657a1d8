#!/usr/bin/env bash
# Install Debian's PostgreSQL server programs for the team-platform and backup-restore recipes (and the
# upgrade recipes on PostgreSQL). The recipes start their own server, unprivileged, in their work folder;
# nothing here starts or configures one. Idempotent: with initdb already in /usr/lib/postgresql/*/bin (or on
# PATH) it only reports the version.
set -euo pipefail

found() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$bin" ] && [ -x "$bin/initdb" ]; then echo "$bin"; return 0; fi
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

if bin=$(found); then
  echo "install-postgresql: $("$bin/postgres" --version) in $bin (already installed)"
  exit 0
fi
command -v apt-get >/dev/null || { echo "ERROR: PostgreSQL's server programs are missing and apt-get is not available; install PostgreSQL 14 or newer for your system (initdb, pg_ctl, postgres, pg_dump, pg_restore) and re-run." >&2; exit 2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "ERROR: '$*' needs root and sudo is missing. Run this script as root." >&2; exit 2; fi; }
echo "install-postgresql: apt-get install postgresql"
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql >/dev/null
bin=$(found) || { echo "ERROR: apt-get installed postgresql, but no initdb was found in /usr/lib/postgresql/*/bin" >&2; exit 1; }
echo "install-postgresql: $("$bin/postgres" --version) in $bin"
