#!/usr/bin/env bash
# Start Prefect's server and MLflow's tracking server in the background, their logs and process ids in
# this folder (prefect.log, prefect.pid, mlflow.log, mlflow.pid), and wait until both answer.
# Run `source env.sh` first; PostgreSQL must be running and basic_auth.ini written.
set -euo pipefail
umask 077  # the servers' logs and the artifacts: readable by you only
: "${PREFECT_API_PASSWORD:?is not set: run the secrets step first}"
nohup prefect server start --host 127.0.0.1 --port "$PREFECT_PORT" \
  > prefect.log 2>&1 &
echo $! > prefect.pid
MLFLOW_AUTH_ADMIN_PASSWORD="$MLFLOW_ADMIN_PASSWORD" \
MLFLOW_FLASK_SERVER_SECRET_KEY="$MLFLOW_SECRET_KEY" \
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
  nohup mlflow server --app-name basic-auth \
  --host 127.0.0.1 --port "$MLFLOW_PORT" \
  --backend-store-uri "$MLFLOW_DATABASE_URL" \
  --artifacts-destination ./mlartifacts \
  --workers 1 > mlflow.log 2>&1 &
echo $! > mlflow.pid
for url in "$PREFECT_API_URL/health" "$MLFLOW_TRACKING_URI/health"; do
  curl --silent --fail --output /dev/null \
    --retry 300 --retry-delay 1 --retry-all-errors "$url"
  echo "answering: $url"
done
