# Settings for the Prefect server upgrade rehearsal. Load them in every
# terminal you use for it: `source env.sh`. A value you export before sourcing
# wins over the default after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# PostgreSQL's server programs (initdb, pg_ctl, postgres). Debian and Ubuntu
# keep them in /usr/lib/postgresql/<major>/bin, which is not on PATH: take
# the newest there, else the folder of an initdb on PATH (Homebrew, Fedora).
if [ -z "${PG_BIN:-}" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  PG_BIN=${PG_BIN:-$(dirname "$(command -v initdb || echo /missing/initdb)")}
fi
export PG_BIN

# PostgreSQL's server refuses to run as root. As root (a container, a CI
# machine), run it as Debian's "postgres" user in a user namespace, so the
# files it writes stay yours; as anyone else, PG_AS is empty.
export PG_AS=""
if [ "$(id -u)" = 0 ]; then
  export PG_AS="unshare --user --map-user=postgres --map-group=postgres"
fi

# The rehearsal's own PostgreSQL server: its files in pgdata/ in this folder,
# listening on 127.0.0.1 only. psql, pg_dump and pg_restore find it through
# the PG* variables.
export PG_PORT=${PG_PORT:-5434}
export PGDATA="$PWD/pgdata" PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=postgres

# Prefect's server keeps its state in the database "prefect" on that server,
# through the asyncpg driver.
export PG_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT"
export PREFECT_API_DATABASE_CONNECTION_URL="$PG_URL/prefect"

# Where `prefect server start` listens, and where clients find it.
export PREFECT_PORT=${PREFECT_PORT:-4210}
export PREFECT_SERVER_API_HOST=127.0.0.1 PREFECT_SERVER_API_PORT=$PREFECT_PORT
export PREFECT_API_URL="http://127.0.0.1:$PREFECT_PORT/api"

# Prefect keeps its settings and the background server's pid file in this
# folder, not in ~/.prefect. Prefect 3.4's server would still write its memo
# of registered blocks to ~/.prefect; the second line keeps that here too.
export PREFECT_HOME="$PWD/.prefect"
# Prefect's CLI never stops to ask: in a terminal, `prefect server start`
# would otherwise ask which profile to put PREFECT_API_URL in.
export PREFECT_CLI_PROMPT=false
export PREFECT_SERVER_MEMO_STORE_PATH="$PREFECT_HOME/memo_store.toml"

# The release this recipe upgrades FROM (Prefect 3.4.25), in its own
# environment, created from env.lock.
export OLD_PREFECT_VENV=${OLD_PREFECT_VENV:-.venv-prefect-3.4}

# This recipe's Python environment with the release it upgrades TO (the
# project's locked Prefect), created by the install step; activated here once
# it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
