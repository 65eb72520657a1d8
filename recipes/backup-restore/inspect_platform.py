"""Write what the team platform holds to a JSON file, and print a one-line summary.

    python inspect_platform.py before.json

MLflow (as the signed-in user): experiments, runs with their parameters, every point of every metric,
tags and artifacts; logged models and their files; registered models with versions, aliases and tags.
Prefect (with PREFECT_API_AUTH_STRING): flows, flow runs with their states, times and parameters, task
runs, deployments. Run it before a backup and after a restore: the two files must be identical.
"""
import asyncio
import json
import sys

from mlflow import MlflowClient
from prefect.client.orchestration import get_client

mlflow = MlflowClient()


def files(list_dir, path=None) -> list[dict]:
    """Every file under `path`, recursively, with its size."""
    found = []
    for item in list_dir(path):
        found += files(list_dir, item.path) if item.is_dir else [{"path": item.path, "size": item.file_size}]
    return found


def run_state(run) -> dict:
    run_id = run.info.run_id
    return {
        "id": run_id, "name": run.info.run_name, "status": run.info.status,
        "start_time": run.info.start_time, "end_time": run.info.end_time,
        "params": run.data.params, "tags": run.data.tags,
        "metrics": {key: [[m.value, m.step, m.timestamp] for m in mlflow.get_metric_history(run_id, key)]
                    for key in sorted(run.data.metrics)},
        "artifacts": files(lambda path: mlflow.list_artifacts(run_id, path)),
    }


def mlflow_state() -> dict:
    experiments = sorted(mlflow.search_experiments(), key=lambda e: int(e.experiment_id))
    ids = [e.experiment_id for e in experiments]
    return {
        "experiments": [{
            "id": e.experiment_id, "name": e.name, "tags": e.tags, "artifact_location": e.artifact_location,
            "runs": [run_state(r) for r in mlflow.search_runs([e.experiment_id], order_by=["attributes.start_time"])],
        } for e in experiments],
        "logged_models": [{
            "id": m.model_id, "name": m.name, "status": str(m.status), "source_run_id": m.source_run_id,
            "params": m.params, "tags": m.tags,
            "files": files(lambda path, model_id=m.model_id: mlflow.list_logged_model_artifacts(model_id, path)),
        } for m in sorted(mlflow.search_logged_models(ids), key=lambda m: m.model_id)],
        "registered_models": [{
            "name": m.name, "description": m.description, "tags": m.tags, "aliases": m.aliases,
            "versions": [{"version": v.version, "source": v.source, "run_id": v.run_id, "status": v.status,
                          "tags": v.tags, "created": v.creation_timestamp}
                         for v in sorted(mlflow.search_model_versions(f"name='{m.name}'"), key=lambda v: int(v.version))],
        } for m in sorted(mlflow.search_registered_models(), key=lambda m: m.name)],
    }


async def prefect_state() -> dict:
    async with get_client() as prefect:
        flows = {f.id: f.name for f in await prefect.read_flows()}
        flow_runs = sorted(await prefect.read_flow_runs(), key=lambda r: (r.start_time, str(r.id)))
        task_runs = sorted(await prefect.read_task_runs(), key=lambda r: (r.start_time, str(r.id)))
        deployments = await prefect.read_deployments()
    return {
        "flow_runs": [{
            "id": str(r.id), "name": r.name, "flow": flows[r.flow_id], "state": r.state.type.value,
            "state_name": r.state.name, "start_time": str(r.start_time), "end_time": str(r.end_time),
            "parameters": r.parameters, "tags": r.tags,
        } for r in flow_runs],
        "task_runs": [{"id": str(t.id), "flow_run_id": str(t.flow_run_id), "name": t.name, "state": t.state.type.value}
                      for t in task_runs],
        "deployments": sorted(f"{flows[d.flow_id]}/{d.name}" for d in deployments),
    }


if __name__ == "__main__":
    state = {"mlflow": mlflow_state(), "prefect": asyncio.run(prefect_state())}
    with open(sys.argv[1], "w") as out:
        json.dump(state, out, indent=1, sort_keys=True, default=str)
    runs = [r for e in state["mlflow"]["experiments"] for r in e["runs"]]
    points = sum(len(history) for r in runs for history in r["metrics"].values())
    artifacts = sum(len(r["artifacts"]) for r in runs) + sum(len(m["files"]) for m in state["mlflow"]["logged_models"])
    models = state["mlflow"]["registered_models"]
    versions = sum(len(m["versions"]) for m in models)
    aliases = ", ".join(f"{m['name']}@{alias} = {v}" for m in models for alias, v in m["aliases"].items())
    flow_runs, task_runs = len(state["prefect"]["flow_runs"]), len(state["prefect"]["task_runs"])
    print(f"{sys.argv[1]}: MLflow {len(runs)} runs, {points} metric points, {artifacts} artifact files, "
          f"{versions} model versions, {aliases}; Prefect {flow_runs} flow runs, {task_runs} task runs")
