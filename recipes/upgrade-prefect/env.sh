# Settings for the Prefect server upgrade rehearsal. Load them in every
# terminal you use for it: `source env.sh`. A value you export before sourcing
# wins over the default after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The rehearsal's own PostgreSQL server, on 127.0.0.1:$PG_PORT, its files in
# pg/ in this folder: postgres.sh (shared by every page with PostgreSQL) says
# where its programs are and how psql, pg_dump and pg_restore reach it.
export PG_PORT=${PG_PORT:-5434}
source postgres.sh

# Prefect's server keeps its state in the database "prefect" on that server,
# through the asyncpg driver, which reads the password from .pgpass.
export PG_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT"
export PREFECT_SERVER_DATABASE_CONNECTION_URL="$PG_URL/prefect"

# The rehearsal's Prefect API signs in as the team platform's does: one
# shared "user:password", its password made by the page into secrets.env.
if [ -f secrets.env ]; then
  source secrets.env
fi
export PREFECT_SERVER_API_AUTH_STRING="rehearsal:${PREFECT_API_PASSWORD:-}"
export PREFECT_API_AUTH_STRING="$PREFECT_SERVER_API_AUTH_STRING"

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
