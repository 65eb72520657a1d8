# PostgreSQL, set up the same way on every page that runs one. env.sh loads
# this file after setting PG_PORT.

# The server programs (initdb, pg_ctl, postgres). Debian and Ubuntu keep them
# in /usr/lib/postgresql/<major>/bin, which is not on PATH: take the newest
# there, else the folder of an initdb on PATH (Homebrew, Fedora).
if [ -z "${PG_BIN:-}" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  PG_BIN=${PG_BIN:-$(dirname "$(command -v initdb || echo /missing/initdb)")}
fi
export PG_BIN

# The server never runs as root. If you are root (a container, a CI runner),
# it runs as Debian's unprivileged "postgres" account, which then owns pg/;
# for anyone else PG_AS is empty and the server runs as you.
export PG_AS=""
if [ "$(id -u)" = 0 ]; then
  export PG_AS="setpriv --reuid=postgres --regid=postgres --init-groups"
fi

# The server's data directory and log, in pg/ (mode 700).
export PGDATA="$PWD/pg/data"

# Clients reach the server over TCP on 127.0.0.1 only, and always with a
# password; it has no Unix socket, whose path the system limits to 107 bytes.
# psql, pg_dump, Prefect and MLflow read the passwords from .pgpass (mode
# 600), so no password is ever on a command line.
export PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=postgres \
  PGPASSFILE="$PWD/.pgpass"
