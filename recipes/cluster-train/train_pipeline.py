"""The churn pipeline as one flow, so it can run as one Kubernetes Job: make the raw export, validate it, train.

It chains the laptop recipes' code unchanged (make_customers.py, validate_flow.py, train_flow.py); the flow-runner
image carries all four files in its working directory.
"""
import json
from pathlib import Path

from prefect import flow

from make_customers import add_faults, generate_customers
from train_flow import train_churn_model
from validate_flow import validate_customers


@flow(name="churn-train-pipeline", log_prints=True)
def churn_train_pipeline(rows: int = 3000, seed: int = 42, n_estimators: int = 200, max_depth: int | None = 8) -> dict:
    raw = Path("data/raw/customers.csv")
    raw.parent.mkdir(parents=True, exist_ok=True)
    add_faults(generate_customers(rows, seed), seed).to_csv(raw, index=False)
    validation = validate_customers(raw_path=raw, out_dir=Path("data"))
    training = train_churn_model(data_dir=Path("data"), n_estimators=n_estimators, max_depth=max_depth)
    return {"rows_kept": validation["rows_kept"], **training}


if __name__ == "__main__":
    print(json.dumps(churn_train_pipeline()))
