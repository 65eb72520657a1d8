# Settings for the retraining loop. Load them in every terminal you use for
# it: `source env.sh`. A value you export before sourcing wins over the
# default after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The local platform's servers (see its page); change these if you started it
# on other ports.
export PREFECT_API_URL=${PREFECT_API_URL:-http://127.0.0.1:4200/api}
export MLFLOW_TRACKING_URI=${MLFLOW_TRACKING_URI:-http://127.0.0.1:5050}

# The scoring server's port on 127.0.0.1; the roll-out flow (re)starts it.
export SCORING_PORT=${SCORING_PORT:-5052}

# The registered model this loop trains, promotes and serves. A name of its
# own: the automations react only to this model's events, and no other recipe
# on the same platform moves its champion alias.
export MODEL_NAME=${MODEL_NAME:-churn-retraining-loop}

# No progress bars when MLflow downloads a model (they fill the logs).
export MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR=false

# The served deployments ask Prefect for new runs every second instead of
# every 10 s (the default), so an automation's run starts sooner.
export PREFECT_RUNNER_POLL_FREQUENCY=1

# Prefect's client keeps its settings and what it stores for runs (such as the
# exception of a failed flow run) in this folder, not in ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"

# This recipe's Python environment (created by the install step); activated
# here once it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
