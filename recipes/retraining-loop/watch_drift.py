"""Check a new batch for drift and, when it drifted, tell Prefect with an event.

    python watch_drift.py data/new/week-2.csv

The check is the drift-monitoring recipe's flow, unchanged: it fails with a DRIFT ALERT when too many
features drifted. This flow runs it as a subflow and turns the alert into a `churn.drift.detected` event
about the model. Automations react to events (see automations.py); this flow does not know what they do.
"""
import argparse
import json
import os
from pathlib import Path

from prefect import flow
from prefect.events import emit_event

from monitor_flow import DriftAlert, monitor_drift

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")


@flow(name="watch-for-drift", log_prints=True)
def watch_for_drift(batch_path: Path) -> dict:
    check = monitor_drift(batch_path, return_state=True)
    if check.is_completed():
        return {"batch": str(batch_path), "drift": False}
    alert = check.result(raise_on_failure=False)
    if not isinstance(alert, DriftAlert):
        raise alert  # a broken check is not drift: fail loudly
    summary = json.loads((Path("reports") / f"drift-{batch_path.stem}.json").read_text())
    event = emit_event(
        event="churn.drift.detected",
        resource={"prefect.resource.id": f"mlflow.registered-model.{MODEL_NAME}",
                  "prefect.resource.name": MODEL_NAME},
        payload={"batch": str(batch_path), "drifted": summary["drifted"],
                 "drift_share": summary["drift_share"]},
    )
    print(f"drift in {batch_path}: emitted {event.event} (id {event.id})")
    return {"batch": str(batch_path), "drift": True, "event": event.event, "event_id": str(event.id)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Check a batch for drift; emit an event on drift.")
    parser.add_argument("batch", type=Path)
    print(json.dumps(watch_for_drift(parser.parse_args().batch)))
