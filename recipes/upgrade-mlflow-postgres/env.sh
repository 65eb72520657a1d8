# Settings for the MLflow upgrade rehearsal on PostgreSQL. Load them in every
# terminal you use for it: `source env.sh`. A value you export before sourcing
# wins over the default after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The rehearsal's own PostgreSQL server, on 127.0.0.1:$PG_PORT, its files in
# pg/ in this folder: postgres.sh (shared by every page with PostgreSQL) says
# where its programs are and how psql, pg_dump, pg_restore and MLflow reach
# it (passwords from .pgpass).
export PG_PORT=${PG_PORT:-5433}
source postgres.sh

# The tracking database this recipe upgrades: "mlflow" on that server. The
# tracking server is stopped during an upgrade, so every client opens the
# database directly, each release through its own driver: MLflow 3.17.2
# through psycopg 3 (postgresql+psycopg://), MLflow 2.22.1 through psycopg2
# (plain postgresql://).
export PG_SERVER="postgres@127.0.0.1:$PG_PORT"
export MLFLOW_TRACKING_URI="postgresql+psycopg://$PG_SERVER/mlflow"
export OLD_MLFLOW_TRACKING_URI="postgresql://$PG_SERVER/mlflow"

# The release this recipe upgrades FROM (MLflow 2.22.1), in its own
# environment, created from env.lock.
export OLD_MLFLOW_VENV=${OLD_MLFLOW_VENV:-.venv-mlflow-2.22}

# This recipe's Python environment with the release it upgrades TO (the
# project's locked MLflow), created by the install step; activated here once
# it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
