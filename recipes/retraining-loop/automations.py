"""Create the loop's two automations in Prefect (replacing those of an earlier run with the same names).

    python automations.py

1. A `churn.drift.detected` event about the model runs the retraining deployment, with the batch the
   event names as its parameter.
2. A `churn.model.promoted` event about the model runs the roll-out deployment.

Each is named after its event and deployment, e.g. "churn.drift.detected -> retrain-on-drift/MODEL".
"""
import json
import os

from prefect.automations import Automation
from prefect.client.orchestration import get_client
from prefect.events.actions import RunDeployment
from prefect.events.schemas.automations import EventTrigger

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")
THE_MODEL = {"prefect.resource.id": f"mlflow.registered-model.{MODEL_NAME}"}


def when(event: str, run: str, parameters: dict | None = None) -> Automation:
    """An automation that runs deployment `run` as soon as one `event` about the model arrives."""
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(run)
    return Automation(
        name=f"{event} -> {run}",
        trigger=EventTrigger(expect={event}, match=THE_MODEL, posture="Reactive", threshold=1),
        actions=[RunDeployment(deployment_id=deployment.id, parameters=parameters)],
    )


def replace(automation: Automation) -> Automation:
    with get_client(sync_client=True) as client:
        for old in client.read_automations_by_name(automation.name):
            client.delete_automation(old.id)
    return automation.create()


if __name__ == "__main__":
    created = [
        replace(when("churn.drift.detected", f"retrain-on-drift/{MODEL_NAME}",
                     # A Jinja template: the flow run gets the batch the event names.
                     parameters={"batch_path": "{{ event.payload.batch }}"})),
        replace(when("churn.model.promoted", f"roll-out-champion/{MODEL_NAME}")),
    ]
    for automation in created:
        print(f"automation '{automation.name}' ({automation.id})")
    print(json.dumps({"automations": [a.name for a in created]}))
