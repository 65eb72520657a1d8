# Settings for this recipe. Load them in every terminal you use for it:
# `source env.sh`. A value you export before sourcing wins over the default
# after `:-`.

# Nothing leaves your machine: usage telemetry off for MLflow and Prefect.
export DO_NOT_TRACK=true MLFLOW_DISABLE_TELEMETRY=true \
  PREFECT_SERVER_ANALYTICS_ENABLED=false

# The local platform's servers, at its default ports: flows run in Prefect,
# runs and models go to MLflow.
export PREFECT_API_URL=${PREFECT_API_URL:-http://127.0.0.1:4200/api}
export MLFLOW_TRACKING_URI=${MLFLOW_TRACKING_URI:-http://127.0.0.1:5050}
# MLflow prints two links for every run it ends; with a run per trial they
# would fill the terminal.
export MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT=true

# The registered model this page tunes; the Optuna study has the same name.
# A name of its own, so that no model another recipe registered on the same
# platform can be its champion.
export MODEL_NAME=${MODEL_NAME:-churn-tuning}

# Where Optuna keeps the study, as a database URL: an SQLite file in this
# folder. Any run that uses the same URL and study name resumes the study.
export OPTUNA_STORAGE=${OPTUNA_STORAGE:-sqlite:///optuna.db}

# Dask's workers keep their scratch files in this folder, not in /tmp, and
# Dask logs only warnings (its INFO lines would fill the terminal).
export DASK_TEMPORARY_DIRECTORY="$PWD/.dask" DASK_LOGGING__DISTRIBUTED=warning

# Prefect's client keeps its settings and what it stores for runs (such as the
# exception of a failed flow run) in this folder, not in ~/.prefect.
export PREFECT_HOME="$PWD/.prefect"

# This recipe's Python environment (made by the install step), activated once
# it exists.
export RECIPE_VENV=${RECIPE_VENV:-.venv}
if [ -f "$RECIPE_VENV/bin/activate" ]; then
  source "$RECIPE_VENV/bin/activate"
fi
