"""Score the same customers with plain pandas and with Dask, each in a fresh process; report speed and memory.

    python benchmark.py

pandas reads the whole dataset into one DataFrame and scores it at once; Dask runs the flow's scoring task on a
local cluster (always local here, whatever DASK_SCHEDULER_ADDRESS says, so that every process it uses is
measured). Both use the same model version and the same scoring function, import the same libraries and write
their predictions to Parquet, and their logs, under benchmark/.

- seconds: loading the model, starting the cluster (Dask only), reading, scoring and writing; not starting Python
  or importing libraries.
- peak memory: the largest total resident memory (RSS) of the run's process and of every process it started,
  sampled every 20 ms, and never less than the kernel's exact peak of the run's process (getrusage ru_maxrss).
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

DATA = Path("data/customers")
OUT = Path("benchmark")


def run_one(how: str, version: str) -> None:
    """In the child process: score the dataset one way, print the seconds it took as JSON."""
    import mlflow
    import pandas as pd

    from score_flow import MODEL_NAME, score, score_partition

    start = time.perf_counter()
    if how == "pandas":
        model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{version}")
        customers = pd.read_parquet(DATA)  # the whole dataset in one DataFrame
        (OUT / how).mkdir(parents=True, exist_ok=True)
        score_partition(customers, model, version).to_parquet(OUT / how / "predictions.parquet", index=False)
    else:
        score.fn(DATA, OUT / how, version)  # the flow's task, without Prefect around it
    print(json.dumps({"seconds": time.perf_counter() - start}))


def measure(how: str, version: str) -> dict:
    """Run one way in a child process and watch its memory, and its children's, until it ends."""
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    OUT.mkdir(exist_ok=True)
    log = open(OUT / f"{how}.log", "w")  # the run's warnings and errors
    child = subprocess.Popen([sys.executable, __file__, how, version], stdout=subprocess.PIPE, stderr=log, text=True,
                             env=env)
    process, peak = psutil.Process(child.pid), 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        try:
            peak = max(peak, sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]))
        except psutil.Error:
            pass  # a process ended while being sampled
        time.sleep(0.02)
    log.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"the {how} run failed (exit code {os.waitstatus_to_exitcode(status)}); see {log.name}:\n"
                 + "".join(open(log.name).readlines()[-20:]))
    kernel_peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux
    seconds = json.loads(child.stdout.read().strip().splitlines()[-1])["seconds"]
    return {"seconds": round(seconds, 2), "peak_mib": round(max(peak, kernel_peak) / 2**20)}


def main() -> None:
    from mlflow import MlflowClient
    import pyarrow.parquet as pq

    from score_flow import MODEL_NAME

    version = MlflowClient().get_model_version_by_alias(MODEL_NAME, "champion").version
    files = sorted(DATA.glob("*.parquet"))
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    results = {how: measure(how, version) for how in ("pandas", "dask")}
    for result in results.values():
        result["rows_per_s"] = round(rows / result["seconds"])
    ratio = results["pandas"]["peak_mib"] / results["dask"]["peak_mib"]

    print(f"{rows:,} customers in {len(files)} Parquet files, {MODEL_NAME} version {version}, "
          f"{os.cpu_count()} CPU cores")
    print(f"{'':22}{'seconds':>9}{'rows/s':>11}{'peak memory':>14}")
    for how, label in (("pandas", "pandas, one DataFrame"), ("dask", "Dask, local cluster")):
        r = results[how]
        print(f"{label:22}{r['seconds']:9.1f}{r['rows_per_s']:11,}{r['peak_mib']:10,} MiB")
    print(f"pandas needed {ratio:.1f} times the memory of Dask")
    print(json.dumps({"rows": rows, "model_version": version, **results, "memory_ratio": round(ratio, 2)}))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        run_one(*sys.argv[1:])
    else:
        main()
