"""Load-test the scoring server against the same model called in-process.

    python benchmark.py --url http://127.0.0.1:5001/invocations --model models:/churn-classifier-online@champion

Loopback only, a bounded number of requests, one customer per request. Prints p50/p95/p99 latency and
throughput for both, and how much the HTTP hop costs (ratio of medians and of throughputs).
"""
import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import mlflow

CUSTOMER = {"contract": "month-to-month", "tenure_months": 2, "monthly_charges": 99.5, "support_calls": 4, "age": 31}


def summarize(latencies: list[float], elapsed: float) -> dict:
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        "throughput_per_s": round(len(latencies) / elapsed, 1),
    }


def over_http(url: str, requests: int, concurrency: int) -> dict:
    body = json.dumps({"inputs": [CUSTOMER]})
    with httpx.Client(timeout=10, trust_env=False, limits=httpx.Limits(max_connections=concurrency)) as client:

        def one_request(_: int) -> float:
            start = time.perf_counter()
            client.post(url, content=body, headers={"Content-Type": "application/json"}).raise_for_status()
            return time.perf_counter() - start

        one_request(0)  # warm-up
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            latencies = list(pool.map(one_request, range(requests)))
        return summarize(latencies, time.perf_counter() - start)


def in_process(model_uri: str, requests: int) -> dict:
    model = mlflow.pyfunc.load_model(model_uri)
    model.predict([CUSTOMER])  # warm-up
    latencies = []
    start = time.perf_counter()
    for _ in range(requests):
        call_start = time.perf_counter()
        model.predict([CUSTOMER])
        latencies.append(time.perf_counter() - call_start)
    return summarize(latencies, time.perf_counter() - start)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Scoring server vs in-process latency and throughput.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--model", required=True, help="the model the server serves, e.g. models:/NAME@champion")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    http = over_http(args.url, args.requests, args.concurrency)
    local = in_process(args.model, args.requests)
    print(f"HTTP ({args.concurrency} clients): {http}")
    print(f"in-process (1 caller):  {local}")
    print(json.dumps({
        "http": http,
        "in_process": local,
        "p50_ratio_http_vs_in_process": round(http["p50_ms"] / local["p50_ms"], 1),
        "throughput_ratio_in_process_vs_http": round(local["throughput_per_s"] / http["throughput_per_s"], 1),
    }))
