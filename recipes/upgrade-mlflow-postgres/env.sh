# Settings for the MLflow upgrade rehearsal on PostgreSQL. Load them in every
# terminal you use for it: `source env.sh`. A value you export before sourcing
# wins over the default after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# PostgreSQL's server programs (initdb, postgres). Debian keeps them off PATH,
# in /usr/lib/postgresql/<major>/bin, and pg_config knows where.
export PG_BIN=${PG_BIN:-$(pg_config --bindir)}
# PostgreSQL refuses to run as root. As root (in CI, in a container), its
# server runs as an ordinary user of a user namespace; its files stay yours.
if [ "$(id -u)" = 0 ]; then
  export PG_AS="unshare --user --map-user=1 --map-group=1"
else
  export PG_AS=
fi

# The rehearsal's own PostgreSQL server: its files in pgdata/ in this folder,
# listening on 127.0.0.1 only. psql, pg_dump and pg_restore find it through
# the PG* variables.
export PG_PORT=${PG_PORT:-5433}
export PGDATA="$PWD/pgdata" PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=postgres

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
