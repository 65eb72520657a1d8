# Settings for this recipe. Load them in every terminal you use for it:
# `source env.sh`. A value you export before sourcing wins over the default
# after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The local platform's servers, at its default ports: flow runs go to
# Prefect, the model comes from MLflow's registry.
export PREFECT_API_URL=${PREFECT_API_URL:-http://127.0.0.1:4200/api}
export MLFLOW_TRACKING_URI=${MLFLOW_TRACKING_URI:-http://127.0.0.1:5050}

# The registered model this page trains and scores with. A name of its own,
# so that no model another recipe registered on the same platform can be its
# champion.
export MODEL_NAME=${MODEL_NAME:-churn-dask-scoring}

# The Dask cluster the flow computes on: empty starts a local cluster inside
# the flow's process; an address (tcp://host:port) uses a running scheduler
# and its workers. Dask reads this variable itself (config scheduler-address).
export DASK_SCHEDULER_ADDRESS=${DASK_SCHEDULER_ADDRESS:-}

# The port of the scheduler this page starts in section 5, on 127.0.0.1.
export DASK_SCHEDULER_PORT=${DASK_SCHEDULER_PORT:-8786}

# Dask's scratch files (partitions spilled to disk) go to this folder instead
# of the system's temporary folder.
export DASK_TEMPORARY_DIRECTORY="$PWD/.dask"

# Prefect's client keeps its settings and what it stores for runs (such as the
# exception of a failed flow run) in this folder, not in ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"

# This recipe's Python environment (made by the install step), activated once
# it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
