"""Score new customers with the current champion model, on a schedule.

    python batch_flow.py     # serve the deployment: runs every day at 06:00 UTC and whenever triggered

Each prediction row records the model name and version that made it, so a score can always be traced
back to its MLflow run, even after the champion alias has moved on.
"""
import os
from datetime import datetime, timezone
from pathlib import Path

import mlflow
import pandas as pd
from mlflow import MlflowClient
from prefect import flow, task
from prefect.runtime import flow_run
from prefect.schedules import Cron

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")
FEATURES = ["contract", "tenure_months", "monthly_charges", "support_calls", "age"]


@task
def resolve_champion() -> str:
    """Pin the version once: the alias may move while this run is scoring."""
    return MlflowClient().get_model_version_by_alias(MODEL_NAME, "champion").version


@task
def score(customers: pd.DataFrame, version: str) -> pd.DataFrame:
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{version}")
    probabilities = model.predict(customers[FEATURES])
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "churn_probability": probabilities[:, 1].round(4),
            "model_name": MODEL_NAME,
            "model_version": version,
            "scored_at": datetime.now(timezone.utc),
        }
    )


@task
def write_predictions(predictions: pd.DataFrame, output_dir: Path) -> Path:
    """One file per run, partitioned by the day the run was scheduled for."""
    day = flow_run.scheduled_start_time.strftime("%Y-%m-%d")
    path = output_dir / f"date={day}" / f"{flow_run.name}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    predictions.to_parquet(path, index=False)
    return path


@flow(name="score-new-customers", log_prints=True)
def score_new_customers(input_path: Path = Path("data/new/customers.csv"), output_dir: Path = Path("predictions")) -> str:
    customers = pd.read_csv(input_path)
    version = resolve_champion()
    path = write_predictions(score(customers, version), output_dir)
    print(f"scored {len(customers)} customers with {MODEL_NAME} version {version} -> {path}")
    return str(path)


if __name__ == "__main__":
    # Serve the flow as a deployment: this process polls Prefect's API for due and triggered runs.
    # A cron without a time zone is ambiguous; name it (an IANA name such as "Europe/Berlin" works too).
    score_new_customers.serve(name="daily", schedule=Cron("0 6 * * *", timezone="UTC"))
