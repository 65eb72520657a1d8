"""The notebook's steps, promoted to a Prefect flow: same functions, now with retries, logs and a run history.

    python pipeline_flow.py
"""
import json
import os

from prefect import flow, task
from prefect.runtime import flow_run

import pipeline_functions as steps

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")

load_customers = task(steps.load_customers)
train_model = task(steps.train_model)
evaluate = task(steps.evaluate)
log_and_register = task(steps.log_and_register, retries=2, retry_delay_seconds=5)  # the tracking server may blip


@flow(name="churn-pipeline", log_prints=True)
def churn_pipeline(n_estimators: int = 200, max_depth: int = 8) -> dict:
    customers = load_customers()
    x_train, x_test, y_train, y_test = steps.split(customers)
    model = train_model(x_train, y_train, n_estimators, max_depth)
    metrics = evaluate(model, x_test, y_test)
    version = log_and_register(model, x_train, metrics, MODEL_NAME, tags={"source": "prefect", "prefect_flow_run_id": str(flow_run.id)})
    print(f"registered {MODEL_NAME} version {version} with {metrics}")
    return {"model_name": MODEL_NAME, "version": version, "flow_run_id": str(flow_run.id)} | metrics


if __name__ == "__main__":
    print(json.dumps(churn_pipeline()))
