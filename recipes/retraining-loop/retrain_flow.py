"""Retrain on the batch that drifted; the champion gate decides; tell Prefect what it decided.

Served as a deployment by serve_deployments.py; the automation
"churn.drift.detected -> retrain-on-drift/MODEL" runs it with the batch the event names. Both steps are
other recipes' flows, unchanged, run as subflows: the data recipe's validation turns the batch into a
clean, versioned dataset, and the training recipe's flow trains on it, registers a new version and moves
the `champion` alias only if that version beats the champion on the batch's held-out rows (rows neither
model was trained on).
"""
import os
from pathlib import Path

from prefect import flow
from prefect.events import emit_event

from train_flow import train_churn_model
from validate_flow import validate_customers

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")


@flow(name="retrain-on-drift", log_prints=True)
def retrain_on_drift(batch_path: Path) -> dict:
    data_dir = Path("data/retrain") / batch_path.stem
    validate_customers(raw_path=batch_path, out_dir=data_dir)
    result = train_churn_model(data_dir=data_dir)
    # The next automation listens for "promoted"; "not-promoted" is there for whoever wants to know.
    emit_event(
        event="churn.model.promoted" if result["promoted"] else "churn.model.not-promoted",
        resource={"prefect.resource.id": f"mlflow.registered-model.{MODEL_NAME}",
                  "prefect.resource.name": MODEL_NAME},
        payload=result,
    )
    return result
