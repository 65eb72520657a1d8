# Settings for the MLflow upgrade rehearsal. Load them in every terminal you
# use for it: `source env.sh`. A value you export before sourcing wins over
# the default after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The tracking database this recipe upgrades, as a file. The tracking server
# is stopped during an upgrade, so every client, of the old release and of the
# new one, opens the database file directly.
export MLFLOW_TRACKING_URI=sqlite:///mlflow.db

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
