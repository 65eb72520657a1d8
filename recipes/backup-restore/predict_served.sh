#!/usr/bin/env bash
# Serve the champion with MLflow's scoring server (it fetches the model through the tracking server),
# send it customer.json, write the answer to the file named by $1, and stop the scoring server.
set -euo pipefail
umask 077
nohup mlflow models serve -m "models:/$MODEL_NAME@champion" \
  --env-manager local --host 127.0.0.1 --port "$SCORING_PORT" \
  > scoring.log 2>&1 &
pid=$!
url="http://127.0.0.1:$SCORING_PORT"
curl --silent --fail --output /dev/null \
  --retry 300 --retry-delay 1 --retry-all-errors "$url/ping"
curl --silent --show-error --fail -H "Content-Type: application/json" \
  --data @customer.json "$url/invocations" > "$1"
kill "$pid"
while curl --silent --output /dev/null "$url/ping"; do sleep 0.2; done
echo "$1: $(cat "$1")"
