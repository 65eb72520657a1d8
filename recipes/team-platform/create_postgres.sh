#!/usr/bin/env bash
# A new PostgreSQL database cluster in pg/, signed in to with passwords only
# (scram-sha-256), the superuser's password made into .pgpass. Then start it
# in the background on 127.0.0.1:$PG_PORT, its log in pg/postgres.log.
# Run `source env.sh` first.
set -euo pipefail
umask 077  # pg/ and .pgpass: readable by their owner only
test -x "$PG_BIN/initdb" || {
  echo "PostgreSQL's server programs are not in PG_BIN=$PG_BIN: install" \
    "them (Debian, Ubuntu: sudo apt-get install postgresql), or export" \
    "PG_BIN=<the folder with initdb> and source env.sh again." >&2
  exit 1
}
if [ -n "$PG_AS" ] && ! $PG_AS test -x "$PWD"; then
  echo "The postgres account cannot enter $PWD, so as root the server" \
    "cannot run here: use a folder it can reach (e.g. under /srv or" \
    "/tmp), or follow this page as a normal user." >&2
  exit 1
fi
mkdir pg
[ -z "$PG_AS" ] || chown postgres:postgres pg
if ! grep -q '^127\.0\.0\.1:\*:\*:postgres:' "$PGPASSFILE" 2>/dev/null; then
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  echo "127.0.0.1:*:*:postgres:$password" >> "$PGPASSFILE"
fi
grep '^127\.0\.0\.1:\*:\*:postgres:' "$PGPASSFILE" | cut -d: -f5 \
  | $PG_AS tee pg/superuser-password > /dev/null
$PG_AS "$PG_BIN/initdb" --pgdata="$PGDATA" --username=postgres \
  --auth=scram-sha-256 --pwfile=pg/superuser-password \
  --encoding=UTF8 --locale=C --no-instructions > pg/initdb.log
rm pg/superuser-password
# env -i: the server gets none of your shell's variables (and so none of its
# secrets), whichever account it runs as.
$PG_AS env -i "$PG_BIN/pg_ctl" start --pgdata="$PGDATA" --log=pg/postgres.log \
  --wait -o "-p $PG_PORT -c listen_addresses=127.0.0.1" \
  -o "-c unix_socket_directories=''"
