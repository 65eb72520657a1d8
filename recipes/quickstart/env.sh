# Settings for the quickstart. Load them in every terminal you use for it:
# `source env.sh`. A value you export before sourcing wins over the default
# after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# Ports on 127.0.0.1. MLflow's usual 5000 is taken by macOS's AirPlay
# Receiver, so this uses 5050.
export PREFECT_PORT=${PREFECT_PORT:-4200}
export MLFLOW_PORT=${MLFLOW_PORT:-5050}
export SCORING_PORT=${SCORING_PORT:-5051}

# Prefect keeps its settings and its SQLite database in this folder, not in
# ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"
# Prefect's CLI never stops to ask: in a terminal, `prefect server start`
# would otherwise ask which profile to put PREFECT_API_URL in.
export PREFECT_CLI_PROMPT=false

# Where the flows and the MLflow CLI find the two servers this page starts.
export PREFECT_API_URL="http://127.0.0.1:$PREFECT_PORT/api"
export MLFLOW_TRACKING_URI="http://127.0.0.1:$MLFLOW_PORT"

# The registered model the training flow creates and the scoring server
# serves.
export MODEL_NAME=${MODEL_NAME:-churn-classifier}

# This recipe's Python environment (created by the install step); activated
# here once it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
