"""Follow the loop from the newest drift event for a batch to the scoring server, and time each link.

    python follow_loop.py data/new/week-2.csv

It prints what each part recorded: the events, automations and flow runs in Prefect, the alias in MLflow,
and which version the scoring server answers with. Times are seconds after the drift event. It waits for
each link (4 minutes at most in all).
"""
import json
import os
import sys
import time
from pathlib import Path
from urllib.request import Request, urlopen

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from prefect.client.orchestration import get_client
from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter, EventResourceFilter

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")
SCORING_URL = f"http://127.0.0.1:{os.environ.get('SCORING_PORT', '5052')}/invocations"
THE_MODEL = f"mlflow.registered-model.{MODEL_NAME}"
DEADLINE = time.monotonic() + 240


def wait_for(what: str, find):
    while (found := find()) is None:
        if time.monotonic() > DEADLINE:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.5)
    return found


def newest_event(names: list[str], related: str | None = None, batch: str | None = None):
    """The newest event with one of these names: about the model (and this batch), or related to `related`."""
    with get_client(sync_client=True) as client:
        page = client.read_events(
            EventFilter(
                event=EventNameFilter(name=names),
                resource=None if related else EventResourceFilter(id=[THE_MODEL]),
                related=EventRelatedFilter(id=[related]) if related else None,
            ),
            limit=10,
        )
    return next((e for e in page.events if batch in (None, e.payload.get("batch"))), None)


def reaction_to(event):
    """The automation's action on `event`, and the flow run it started (once that run has finished)."""
    action = wait_for(f"an automation to react to {event.event}", lambda: newest_event(
        ["prefect.automation.action.executed", "prefect.automation.action.failed"], f"prefect.event.{event.id}"))
    if action.event.endswith("failed"):
        raise RuntimeError(f"automation {action.resource.name!r} failed: {action.payload}")
    run_id = next(r.id.removeprefix("prefect.flow-run.") for r in action.related if r.role == "flow-run")

    def finished():
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(run_id)
        return run if run.state.is_final() else None

    return action, wait_for(f"flow run {run_id}", finished)


def served_version() -> str | None:
    """Ask the scoring server, then name the registered version that gives exactly the same answer."""
    body = Path("request.json").read_text()
    request = Request(SCORING_URL, data=body.encode(), headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=30) as response:
        served = np.array(json.load(response)["predictions"])
    rows = pd.DataFrame(json.loads(body)["inputs"])
    registry = MlflowClient()
    champion = registry.get_model_version_by_alias(MODEL_NAME, "champion").version
    others = [v.version for v in registry.search_model_versions(f"name='{MODEL_NAME}'") if v.version != champion]
    for version in [champion, *others]:  # the champion first: it is the one that should answer
        model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{version}")
        if np.allclose(model.predict(rows), served, atol=1e-9):
            return version
    return None


batch = sys.argv[1]
drift = wait_for(f"a drift event for {batch}", lambda: newest_event(["churn.drift.detected"], batch=batch))


def show(when, what: str, text: str) -> None:
    seconds = f"{(when - drift.occurred).total_seconds():+6.1f} s" if when else ""
    print(f"{seconds:>9}  {what:<11} {text}")


def follow(event, flow: str):
    action, run = reaction_to(event)
    show(action.occurred, "automation", f"'{action.resource.name}' creates a run")
    show(run.start_time, "flow run", f"{flow} '{run.name}' starts")
    return action, run


show(drift.occurred, "event", f"{drift.event} {drift.id}")
show(None, "", f"{', '.join(drift.payload['drifted'])} drifted in {batch}")
action, retrain = follow(drift, "retrain-on-drift")
gate = wait_for("the gate's decision", lambda: newest_event(
    ["churn.model.promoted", "churn.model.not-promoted"], f"prefect.flow-run.{retrain.id}"))
result = gate.payload
show(gate.occurred, "event", f"{gate.event}: version {result['version']} (AUC {result['test_roc_auc']}), "
     f"champion was {result['previous_champion']} (AUC {result['previous_champion_roc_auc']})")
champion = MlflowClient().get_model_version_by_alias(MODEL_NAME, "champion").version
show(None, "alias", f"champion -> version {champion}")
show(retrain.end_time, "flow run", f"retrain-on-drift '{retrain.name}' ends {retrain.state.type.value}")
summary = {"drift_event": str(drift.id), "automations": [action.resource.name], "retrain_run": retrain.name,
           "retrain_state": retrain.state.type.value, "decision": gate.event, "new_version": result["version"],
           "champion": result["champion"]}
if gate.event == "churn.model.promoted":
    action, rollout = follow(gate, "roll-out-champion")
    served = wait_for("the served event",
                      lambda: newest_event(["churn.model.served"], f"prefect.flow-run.{rollout.id}"))
    show(served.occurred, "event", f"{served.event}: version {served.payload['version']} answers")
    show(rollout.end_time, "flow run", f"roll-out-champion '{rollout.name}' ends {rollout.state.type.value}")
    summary |= {"automations": summary["automations"] + [action.resource.name],
                "rollout_run": rollout.name, "rollout_state": rollout.state.type.value,
                "served_event_version": served.payload["version"],
                "seconds_event_to_served": round((served.occurred - drift.occurred).total_seconds(), 1)}
else:
    show(None, "", "no churn.model.promoted event, so no roll-out")
summary["served_version"] = served_version()
show(None, "served", f"the scoring server answers with version {summary['served_version']}")
if "seconds_event_to_served" in summary:
    print(f"drift event -> new version served: {summary['seconds_event_to_served']} s")
print(json.dumps(summary))
