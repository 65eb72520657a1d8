# Settings for the platform on Kubernetes. Load them in every terminal you use
# for it: `source env.sh`. A value you export before sourcing wins over the
# default after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The laptop ends of the two port-forwards, on 127.0.0.1: the local platform's
# ports, so the other pages' env.sh files reach the in-cluster servers
# unchanged (stop the local platform first, or choose other ports). MLflow's
# usual 5000 is taken by macOS's AirPlay Receiver: this uses 5050.
export PREFECT_PORT=${PREFECT_PORT:-4200}
export MLFLOW_PORT=${MLFLOW_PORT:-5050}

# Where the Prefect and MLflow clients on your laptop (flows, notebooks, CLIs)
# find the servers.
export PREFECT_API_URL="http://127.0.0.1:$PREFECT_PORT/api"
export MLFLOW_TRACKING_URI="http://127.0.0.1:$MLFLOW_PORT"

# Prefect's client keeps its settings and what it stores for runs (such as the
# exception of a failed flow run) in this folder, not in ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"

# This recipe's Python environment (created by the install step); activated
# here once it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
