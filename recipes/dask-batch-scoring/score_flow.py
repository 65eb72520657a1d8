"""Score a partitioned Parquet dataset with the champion model, one partition at a time, on a Dask cluster.

    python score_flow.py --output predictions/local

DASK_SCHEDULER_ADDRESS picks the cluster: empty, the flow starts a local cluster in its own process; an address
(tcp://host:8786), the same flow sends the work to that scheduler's workers. Neither the customers nor the
predictions are ever in memory whole: a worker thread reads one file, scores it and writes the result.
"""
import argparse
import json
import os
from pathlib import Path

import dask
import dask.dataframe as dd
import mlflow
import pandas as pd
from distributed import Client, LocalCluster, wait
from mlflow import MlflowClient
from prefect import flow, task

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")
FEATURES = ["contract", "tenure_months", "monthly_charges", "support_calls", "age"]
# The columns and types score_partition returns: Dask plans with them before any data is read.
PREDICTIONS = {"customer_id": "int64", "churn_probability": "float64", "model_name": "object", "model_version": "object"}


def connect() -> Client:
    """A client of the scheduler at DASK_SCHEDULER_ADDRESS, or of a new local cluster when it is empty."""
    address = dask.config.get("scheduler-address", None)  # Dask's own setting, read from DASK_SCHEDULER_ADDRESS
    if address:
        return Client(address)
    # A scheduler and one worker with a thread per core, inside this process; their dashboards on free ports.
    return Client(LocalCluster(processes=False, dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0"))


def score_partition(customers: pd.DataFrame, model: mlflow.pyfunc.PyFuncModel, version: str) -> pd.DataFrame:
    """Plain pandas: what a worker runs on each partition."""
    probabilities = model.predict(customers[FEATURES])
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "churn_probability": probabilities[:, 1].round(4),
            "model_name": MODEL_NAME,
            "model_version": version,
        }
    )


@task
def resolve_champion() -> str:
    """Pin the version once: the alias may move while this run is scoring."""
    return MlflowClient().get_model_version_by_alias(MODEL_NAME, "champion").version


@task
def score(input_dir: Path, output_dir: Path, version: str) -> dict:
    with connect() as client:
        customers = dd.read_parquet(input_dir.resolve())
        # Load the model once, on a worker, and wait for it before any partition is read (idle workers would
        # read partitions ahead meanwhile). Partitions scored on other workers get a copy of it.
        model = dask.delayed(mlflow.pyfunc.load_model)(f"models:/{MODEL_NAME}/{version}").persist()
        wait(model)
        predictions = customers.map_partitions(score_partition, model, version, meta=PREDICTIONS)
        predictions.to_parquet(output_dir.resolve(), write_index=False)
        workers = client.scheduler_info()["workers"].values()
        return {
            "rows": len(customers),  # from the Parquet footers: no second pass over the data
            "partitions": customers.npartitions,
            "scheduler": client.scheduler.address,
            "workers": len(workers),
            "threads": sum(w["nthreads"] for w in workers),
        }


@flow(name="score-customers-dask", log_prints=True)
def score_customers(input_dir: Path = Path("data/customers"), output_dir: Path = Path("predictions")) -> dict:
    version = resolve_champion()
    result = score(input_dir, output_dir, version)
    print(f"scored {result['rows']:,} customers in {result['partitions']} partitions on {result['scheduler']} "
          f"({result['workers']} workers, {result['threads']} threads) with {MODEL_NAME} version {version} -> {output_dir}")
    return {"model_name": MODEL_NAME, "model_version": version, "output": str(output_dir), **result}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=Path("data/customers"))
    parser.add_argument("--output", type=Path, default=Path("predictions"))
    args = parser.parse_args()
    print(json.dumps(score_customers(args.input, args.output)))
