# Settings for scoring with Dask on Kubernetes. Load them in every terminal
# you use for it: `source env.sh`. A value you export before sourcing wins
# over the default after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The in-cluster servers, through the port-forwards of the platform on
# Kubernetes (its defaults).
export PREFECT_API_URL=${PREFECT_API_URL:-http://127.0.0.1:4200/api}
export MLFLOW_TRACKING_URI=${MLFLOW_TRACKING_URI:-http://127.0.0.1:5050}

# The registered model train_flow.py registers from here and the scoring Job
# scores with (score-job.yaml names it too: change both together). A name of
# its own, so the other recipes sharing the platform cannot move its champion.
export MODEL_NAME=churn-cluster-dask-scoring

# Prefect's client keeps its settings and what it stores for runs (such as the
# exception of a failed flow run) in this folder, not in ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"

# This recipe's Python environment (created by the install step); activated
# here once it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
