"""Serve the loop's two deployments from this one process.

    python serve_deployments.py

The process polls Prefect for runs of its deployments (every PREFECT_RUNNER_POLL_FREQUENCY seconds) and
runs each in a subprocess. Each deployment is named after the model, so one process per model.
"""
from prefect import serve

from retrain_flow import MODEL_NAME, retrain_on_drift
from rollout_flow import roll_out_champion

if __name__ == "__main__":
    serve(
        retrain_on_drift.to_deployment(name=MODEL_NAME),
        roll_out_champion.to_deployment(name=MODEL_NAME),
    )
