"""How much faster are trials on 2 Dask workers than on 1? Both timings are measured in this one run.

Both runs train the same fixed configurations (drawn by Optuna's random sampler with a fixed seed) with
tune_flow.py's trial task, on one local Dask cluster: first with one worker, then scaled to two. The clock
starts once every worker has loaded the trial's code.
"""
import argparse
import datetime
import json
import os
import time
from pathlib import Path

import mlflow
import optuna
from distributed import LocalCluster
from prefect import flow, task
from prefect_dask import DaskTaskRunner

from tune_flow import load_dataset, run_trial, split, suggest


@task
def warm_up() -> int:
    """Import the trial's code (scikit-learn, MLflow, the data split) in a worker process."""
    import tune_flow  # noqa: F401

    return os.getpid()


@flow(name="time-trials")
def time_trials(configurations: list[dict], workers: int) -> dict:
    (features, labels), _ = split(load_dataset(Path("data"))[0])
    worker_pids = {future.result() for future in [warm_up.submit() for _ in range(workers)]}
    experiment_id = mlflow.set_experiment("churn-tuning-benchmark").experiment_id
    with mlflow.start_run(run_name=f"{workers} worker(s)") as parent:
        start = time.perf_counter()
        futures = [run_trial.submit(number, params, features, labels, experiment_id, parent.info.run_id)
                   for number, params in enumerate(configurations)]
        for future in futures:
            future.result()
        seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2), "worker_processes": len(worker_pids), "mlflow_run_id": parent.info.run_id}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=4)
    args = parser.parse_args()
    draws = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))  # in memory, seeded
    configurations = [suggest(draws.ask()) for _ in range(args.trials)]

    # One cluster for both timings, as in tune_flow.py (a process per worker, a thread each): it starts
    # with one worker and is then scaled to two. Each flow run connects to it by its scheduler's address.
    runs = {}
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address="127.0.0.1:0") as cluster:
        for workers in (1, 2):
            cluster.scale(workers)
            cluster.wait_for_workers(workers)
            runner = DaskTaskRunner(address=cluster.scheduler_address)
            runs[workers] = time_trials.with_options(task_runner=runner)(configurations, workers)
    one, two = runs[1]["seconds"], runs[2]["seconds"]
    print(f"{args.trials} trials, {datetime.date.today()}, {os.cpu_count()} CPU cores, one thread per worker:")
    print(f"  1 worker : {one:6.2f} s")
    print(f"  2 workers: {two:6.2f} s")
    print(f"  speed-up : {one / two:6.2f}x")
    print(json.dumps({"date": str(datetime.date.today()), "trials": args.trials, "cpu_cores": os.cpu_count(),
                      "runs": {str(w): r for w, r in runs.items()}, "speedup": round(one / two, 2)}))
