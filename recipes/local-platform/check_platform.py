"""Harness check: ask both servers, over their APIs, for what the smoke flow left there."""
import asyncio

import mlflow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName


async def last_smoke_flow_run():
    async with get_client() as client:
        runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["smoke-platform"])), limit=1)
        return runs[0]


run = asyncio.run(last_smoke_flow_run())
print(f"prefect: flow run smoke-platform {run.state.type.value}")
mlflow_run = mlflow.search_runs(experiment_names=["platform-smoke"], output_format="list")[0]
print(f"mlflow: run has metric smoke_metric={mlflow_run.data.metrics['smoke_metric']}")
assert mlflow_run.data.tags["prefect_flow_run_id"] == str(run.id), "MLflow run is not tagged with the Prefect flow run"
