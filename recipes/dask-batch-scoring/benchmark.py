"""Run the flow on a local Dask cluster, then plain pandas on the same customers, each in a fresh process.

    python benchmark.py

The flow runs as `python score_flow.py --output predictions/local-cluster` would with DASK_SCHEDULER_ADDRESS
empty: a local cluster inside its process (always local here, whatever the variable says, so that every process
it uses is measured). pandas then reads the whole dataset into one DataFrame and scores it at once, with the
version the flow used and the same scoring function. Both import the same libraries and write their predictions
to Parquet; their logs are under benchmark/.

- seconds: the flow run, from its call to its return (pandas: loading the model, reading, scoring and writing);
  not starting Python or importing libraries.
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


def run_one(how: str, version: str = "") -> None:
    """In the child process: score the dataset one way, print the seconds it took (and what it did) as JSON."""
    import mlflow
    import pandas as pd

    from score_flow import MODEL_NAME, score_customers, score_partition

    start = time.perf_counter()
    if how == "pandas":
        model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{version}")
        customers = pd.read_parquet(DATA)  # the whole dataset in one DataFrame
        (OUT / how).mkdir(parents=True, exist_ok=True)
        score_partition(customers, model, version).to_parquet(OUT / how / "predictions.parquet", index=False)
        result = {"rows": len(customers)}
    else:
        result = score_customers(DATA, Path("predictions/local-cluster"))  # the flow, a Prefect flow run
    print(json.dumps({"seconds": time.perf_counter() - start, "result": result}))


def measure(how: str, *args: str) -> dict:
    """Run one way in a child process and watch its memory, and its children's, until it ends."""
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    OUT.mkdir(exist_ok=True)
    log = open(OUT / f"{how}.log", "w")  # the run's warnings and errors
    child = subprocess.Popen([sys.executable, __file__, how, *args], stdout=subprocess.PIPE, stderr=log, text=True,
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
    output = json.loads(child.stdout.read().strip().splitlines()[-1])
    return {"seconds": round(output["seconds"], 2), "peak_mib": round(max(peak, kernel_peak) / 2**20),
            "result": output["result"]}


def main() -> None:
    results = {"dask": measure("dask")}
    flow = results["dask"].pop("result")  # the flow pinned the champion's version: pandas uses the same
    results["pandas"] = measure("pandas", flow["model_version"])
    if results["pandas"].pop("result")["rows"] != flow["rows"]:
        sys.exit("pandas and the flow did not score the same number of customers")
    rows = flow["rows"]
    for result in results.values():
        result["rows_per_s"] = round(rows / result["seconds"])
    ratio = results["pandas"]["peak_mib"] / results["dask"]["peak_mib"]

    print(f"the flow scored {rows:,} customers in {flow['partitions']} partitions on {flow['scheduler']} "
          f"({flow['workers']} workers, {flow['threads']} threads) -> {flow['output']}")
    print(f"{flow['model_name']} version {flow['model_version']}, {os.cpu_count()} CPU cores")
    print(f"{'':24}{'seconds':>9}{'rows/s':>11}{'peak memory':>14}")
    for how, label in (("dask", "the flow, local cluster"), ("pandas", "pandas, one DataFrame")):
        r = results[how]
        print(f"{label:24}{r['seconds']:9.1f}{r['rows_per_s']:11,}{r['peak_mib']:10,} MiB")
    print(f"pandas needed {ratio:.1f} times the memory of the flow")
    print(json.dumps({"flow": flow, **results, "memory_ratio": round(ratio, 2)}))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_one(*sys.argv[1:])
    else:
        main()
