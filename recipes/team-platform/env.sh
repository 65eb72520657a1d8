# Settings for the team platform. Load them in every terminal you use for it:
# `source env.sh`. A value you export before sourcing wins over the default
# after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# Ports on 127.0.0.1. PostgreSQL's usual 5432 is left to a system-wide server;
# the scoring server is for the serving check at the end.
export PG_PORT=${PG_PORT:-5433}
export PREFECT_PORT=${PREFECT_PORT:-4200}
export MLFLOW_PORT=${MLFLOW_PORT:-5050}
export SCORING_PORT=${SCORING_PORT:-5051}

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

# Where psql, createdb, pg_dump and pg_restore find the server: its Unix
# socket in this folder, as the superuser "postgres".
export PGHOST="$PWD/pgsocket" PGPORT="$PG_PORT" PGUSER=postgres

# Passwords: made once by the page into secrets.env (never committed: see
# .gitignore), or exported by you from a secret store (then skip that step).
if [ -f secrets.env ]; then
  source secrets.env
fi

# The two servers' databases, over TCP, each with its own role and password.
PG_TCP="127.0.0.1:$PG_PORT"
export PREFECT_API_DATABASE_CONNECTION_URL=\
"postgresql+asyncpg://prefect:${PREFECT_DB_PASSWORD:-}@$PG_TCP/prefect"
export MLFLOW_DATABASE_URL=\
"postgresql+psycopg://mlflow:${MLFLOW_DB_PASSWORD:-}@$PG_TCP/mlflow"
export MLFLOW_AUTH_DATABASE_URL=\
"postgresql+psycopg://mlflow:${MLFLOW_DB_PASSWORD:-}@$PG_TCP/mlflow_auth"

# Sign-in. Prefect: one shared "user:password"; the server checks
# PREFECT_SERVER_API_AUTH_STRING, clients send PREFECT_API_AUTH_STRING.
export PREFECT_SERVER_API_AUTH_STRING="team:${PREFECT_API_PASSWORD:-}"
export PREFECT_API_AUTH_STRING="$PREFECT_SERVER_API_AUTH_STRING"
# MLflow: users in its basic-auth app (settings in basic_auth.ini). Flows,
# notebooks and CLIs sign in as the "pipelines" user.
export MLFLOW_AUTH_CONFIG_PATH="$PWD/basic_auth.ini"
export MLFLOW_TRACKING_USERNAME=${MLFLOW_TRACKING_USERNAME:-pipelines}
export MLFLOW_TRACKING_PASSWORD=\
${MLFLOW_TRACKING_PASSWORD:-${MLFLOW_PIPELINES_PASSWORD:-}}

# Where every Prefect and MLflow client finds the two servers: the same
# variables as on the laptop platform.
export PREFECT_API_URL="http://127.0.0.1:$PREFECT_PORT/api"
export MLFLOW_TRACKING_URI="http://127.0.0.1:$MLFLOW_PORT"

# Prefect keeps its settings (not its database: that is PostgreSQL now) in
# this folder, not in ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"
# Prefect's CLI never stops to ask: in a terminal, `prefect server start`
# would otherwise ask which profile to put PREFECT_API_URL in.
export PREFECT_CLI_PROMPT=false

# The registered model the pipelines train, score with and serve here.
export MODEL_NAME=${MODEL_NAME:-churn-team}

# This recipe's Python environment (created by the install step); activated
# here once it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
