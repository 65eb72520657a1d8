# Settings for this recipe. Load them in every terminal you use for it:
# `source env.sh`. A value you export before sourcing wins over the default
# after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The local platform's servers, at its default ports: the deployment lives in
# Prefect, the model in MLflow.
export PREFECT_API_URL=${PREFECT_API_URL:-http://127.0.0.1:4200/api}
export MLFLOW_TRACKING_URI=${MLFLOW_TRACKING_URI:-http://127.0.0.1:5050}

# The registered model this page trains and scores with (train_flow.py and
# batch_flow.py read it). A name of its own, so that no model another recipe
# registered on the same platform can be its champion.
export MODEL_NAME=${MODEL_NAME:-churn-batch-inference}

# Prefect's client keeps its settings and what it stores for runs (such as the
# exception of a failed flow run) in this folder, not in ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"

# This recipe's Python environment (made by the install step), activated once
# it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
