"""Roll the champion out: restart MLflow's scoring server on the version the `champion` alias names.

MLflow's scoring server loads its model once, when it starts, so serving a new champion means starting
the server again. Served as a deployment by serve_deployments.py; the automation
"churn.model.promoted -> roll-out-champion/MODEL" runs it, and you can run it by hand:

    prefect deployment run "roll-out-champion/$MODEL_NAME" --watch

The server stays in the serving process's process group (Ctrl-C there stops both); scoring-server.json
records its process id and version, so that the next roll-out knows what to stop.
"""
import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from mlflow import MlflowClient
from prefect import flow, task
from prefect.events import emit_event

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")
SCORING_PORT = int(os.environ.get("SCORING_PORT", "5052"))
STATE_FILE = Path("scoring-server.json")
PING = f"http://127.0.0.1:{SCORING_PORT}/ping"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@task
def champion_version() -> str:
    return MlflowClient().get_model_version_by_alias(MODEL_NAME, "champion").version


@task
def stop_running_server() -> str | None:
    """Stop the server the previous rollout started, if any; return the version it served."""
    if not STATE_FILE.exists():
        return None
    running = json.loads(STATE_FILE.read_text())
    if answers(PING):  # only then can the recorded process still be the server
        os.kill(running["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 60
    while answers(PING):  # until the port is free for the new server
        if time.monotonic() > deadline:
            raise TimeoutError(f"the scoring server (pid {running['pid']}) did not stop")
        time.sleep(0.2)
    STATE_FILE.unlink()
    return running["version"]


@task
def start_server(version: str) -> int:
    """Start `mlflow models serve` on this version and wait until it answers."""
    server = subprocess.Popen(
        ["mlflow", "models", "serve", "-m", f"models:/{MODEL_NAME}/{version}",
         "--env-manager", "local", "--host", "127.0.0.1", "--port", str(SCORING_PORT)]
    )
    STATE_FILE.write_text(json.dumps({"pid": server.pid, "version": version}) + "\n")
    deadline = time.monotonic() + 120
    while not answers(PING):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the scoring server for version {version} did not start")
        time.sleep(0.2)
    return server.pid


@flow(name="roll-out-champion", log_prints=True)
def roll_out_champion() -> dict:
    version = champion_version()
    previous = stop_running_server()
    start_server(version)
    emit_event(
        event="churn.model.served",
        resource={"prefect.resource.id": f"mlflow.registered-model.{MODEL_NAME}",
                  "prefect.resource.name": MODEL_NAME},
        payload={"version": version, "previous_version": previous, "url": PING.removesuffix("/ping")},
    )
    print(f"{MODEL_NAME}: the scoring server now serves version {version} (before: {previous})")
    return {"version": version, "previous_version": previous}
