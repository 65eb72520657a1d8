#!/usr/bin/env bash
# A new, empty PostgreSQL cluster in ./pgdata, started in the background (log: postgres.log), with the two
# roles the servers sign in with. The first day, and again when restoring. Run `source env.sh` first.
set -euo pipefail
mkdir -p -m 700 pgsocket
$PG_AS "$PG_BIN/initdb" --pgdata=pgdata --username=postgres \
  --auth-local=trust --auth-host=scram-sha-256 \
  --encoding=UTF8 --locale=C --no-instructions > initdb.log
$PG_AS "$PG_BIN/pg_ctl" start --pgdata=pgdata --log=postgres.log --wait \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1" -o "-k $PGHOST"
# Roles live outside the databases, so a database dump does not hold them.
"$PG_BIN/psql" --dbname=postgres --set=ON_ERROR_STOP=1 <<SQL
CREATE ROLE prefect LOGIN PASSWORD '$PREFECT_DB_PASSWORD';
CREATE ROLE mlflow LOGIN PASSWORD '$MLFLOW_DB_PASSWORD';
SQL
