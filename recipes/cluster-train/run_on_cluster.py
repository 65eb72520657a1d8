"""Start a run of the Kubernetes deployment, wait for it, and say where it ran.

    python run_on_cluster.py                          # default configuration
    python run_on_cluster.py --n-estimators 3 --max-depth 1
"""
import argparse
import json

from prefect.deployments import run_deployment

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-estimators", type=int, default=200)
    parser.add_argument("--max-depth", type=int, default=8)
    args = parser.parse_args()
    flow_run = run_deployment(
        "churn-train-pipeline/kubernetes",
        parameters={"n_estimators": args.n_estimators, "max_depth": args.max_depth},
        timeout=900,  # seconds to wait for the Job to finish
    )
    namespace, _, job = (flow_run.infrastructure_pid or "").partition(":")
    print(json.dumps({"flow_run": flow_run.name, "state": flow_run.state.type.value, "namespace": namespace, "job": job}))
