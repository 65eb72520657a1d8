"""Print what the Prefect server holds, as JSON: flows, deployments, flow runs with their states, task runs
and logs. Works with the old and the new Prefect release, so the same script checks the upgrade and the rollback.
"""
import json

import prefect
from prefect import get_client

with get_client(sync_client=True) as client:
    flows = {f.id: f.name for f in client.read_flows()}
    deployments = {d.id: f"{flows[d.flow_id]}/{d.name}" for d in client.read_deployments()}
    flow_runs = [{"name": r.name, "flow": flows[r.flow_id], "parameters": r.parameters,
                  "state": r.state.name, "deployment": deployments.get(r.deployment_id)}
                 for r in client.read_flow_runs()]
    print(json.dumps({
        "server_version": client.api_version(),
        "client_version": prefect.__version__,
        "flows": sorted(flows.values()),
        "deployments": sorted(deployments.values()),
        "flow_runs": sorted(flow_runs, key=lambda r: r["name"]),
        "task_runs": len(client.read_task_runs()),
        "logs": len(client.read_logs()),
    }))
