# Settings for the MLflow upgrade rehearsal on PostgreSQL. Load them in every
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
