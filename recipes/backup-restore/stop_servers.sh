#!/usr/bin/env bash
# Stop the servers that start_servers.sh started (SIGTERM, as Ctrl-C would) and wait until they are gone.
set -euo pipefail
running() { ps -o stat= -p "$1" 2>/dev/null | grep -qv Z; }  # a zombie has exited
for name in mlflow prefect; do
  [ -f "$name.pid" ] || continue
  pid=$(cat "$name.pid")
  kill "$pid" 2>/dev/null || true
  while running "$pid"; do sleep 0.2; done
  rm "$name.pid"
  echo "stopped: $name"
done
