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

# PostgreSQL: its programs, the account it runs as, its folder pg/, and how
# clients reach it (read postgres.sh once; every page with PostgreSQL uses it).
source postgres.sh

# Passwords for the two servers' sign-in: made once by the page into
# secrets.env (never committed: see .gitignore), or exported by you from a
# secret store (then skip that step). Database passwords are in .pgpass.
if [ -f secrets.env ]; then
  source secrets.env
fi

# The two servers' databases, each with its own role; the passwords come from
# .pgpass, so these URLs hold none.
export PREFECT_SERVER_DATABASE_CONNECTION_URL=\
"postgresql+asyncpg://prefect@127.0.0.1:$PG_PORT/prefect"
export MLFLOW_DATABASE_URL=\
"postgresql+psycopg://mlflow@127.0.0.1:$PG_PORT/mlflow"
export MLFLOW_AUTH_DATABASE_URL=\
"postgresql+psycopg://mlflow@127.0.0.1:$PG_PORT/mlflow_auth"

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
