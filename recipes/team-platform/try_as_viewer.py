"""Sign in as the read-only "viewer" and try what a reader may and may not do in the model registry.

    MLFLOW_TRACKING_USERNAME=viewer MLFLOW_TRACKING_PASSWORD=... python try_as_viewer.py

Reading runs and models works; registering a new version of the team's model or moving its alias is
refused with 403 (the viewer has READ on what others created).
"""
import json
import os

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")
client = MlflowClient()


def attempt(action) -> str:
    """'allowed', or the HTTP status and error code the server answered."""
    try:
        action()
        return "allowed"
    except MlflowException as error:
        return f"{error.get_http_status_code()} {error.error_code}"


runs = mlflow.search_runs(experiment_names=["churn"], output_format="list")
champion = client.get_model_version_by_alias(MODEL_NAME, "champion")
print(f"read {len(runs)} runs of experiment churn")
print(f"read {MODEL_NAME}@champion: version {champion.version}, run {champion.run_id}")
tries = {
    "register a new version": attempt(lambda: client.create_model_version(
        MODEL_NAME, source=champion.source, run_id=champion.run_id)),
    "move the champion alias": attempt(lambda: client.set_registered_model_alias(
        MODEL_NAME, "champion", champion.version)),
    "create a model of its own": attempt(lambda: client.create_registered_model(f"{MODEL_NAME}-viewer-notes")),
}
for action, outcome in tries.items():
    print(f"{action}: {outcome}")
print(json.dumps({"runs_read": len(runs), "champion": champion.version, "tries": tries}))
