"""A smoke test of the local platform: one Prefect flow that logs one MLflow run."""
import json

import mlflow
from prefect import flow, task
from prefect.runtime import flow_run


@task
def log_smoke_run() -> str:
    mlflow.set_experiment("platform-smoke")
    with mlflow.start_run(run_name="smoke") as run:
        mlflow.log_param("source", "prefect")
        mlflow.log_metric("smoke_metric", 1.0)
        mlflow.set_tag("prefect_flow_run_id", str(flow_run.id))
    return run.info.run_id


@flow(name="smoke-platform", log_prints=True)
def smoke_platform() -> str:
    run_id = log_smoke_run()
    print(f"logged MLflow run {run_id}")
    return run_id


if __name__ == "__main__":
    state = smoke_platform(return_state=True)
    print(json.dumps({"flow_run_state": state.type.value, "mlflow_run_id": state.result()}))
