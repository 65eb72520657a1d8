"""Measure the scoring server against the same model called in-process: two separate figures.

    python benchmark.py --url http://127.0.0.1:5051/invocations --model models:/churn-serving-online@champion

1. Latency, one client: requests one after another, so nothing waits in a queue. p50 and p95 over HTTP
   and for the same model's predict() in this process, taking turns. The difference is what the HTTP
   hop costs (network stack, JSON in and out, the server's request handling).
2. Throughput, N concurrent clients: N threads send requests as fast as they get answers, over HTTP
   and in-process. Requests per second; under load, latency also includes time spent waiting in line.

Loopback only, a bounded number of requests, one customer per request.
"""
import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import mlflow

CUSTOMER = {"contract": "month-to-month", "tenure_months": 2, "monthly_charges": 99.5, "support_calls": 4, "age": 31}
BODY = json.dumps({"inputs": [CUSTOMER]})


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def latencies(calls: dict, requests: int) -> dict:
    """One client, sequential: p50 and p95 in milliseconds for each call. The calls take turns, so a busy
    moment on the machine slows both alike."""
    times = {name: [] for name in calls}
    for call in calls.values():
        call()  # warm-up
    for _ in range(requests):
        for name, call in calls.items():
            times[name].append(timed(call))
    cuts = {name: statistics.quantiles(t, n=100) for name, t in times.items()}
    return {name: {"p50_ms": round(c[49] * 1000, 2), "p95_ms": round(c[94] * 1000, 2)} for name, c in cuts.items()}


def throughput(call, requests: int, clients: int) -> float:
    """`clients` threads share `requests` calls: completed calls per second."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(lambda _: call(), range(requests)))
    return round(requests / (time.perf_counter() - start), 1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Scoring server vs in-process: latency and throughput.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--model", required=True, help="the model the server serves, e.g. models:/NAME@champion")
    parser.add_argument("--requests", type=int, default=100, help="requests per measurement")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for the throughput figure")
    args = parser.parse_args()

    model = mlflow.pyfunc.load_model(args.model)
    with httpx.Client(timeout=10, trust_env=False, limits=httpx.Limits(max_connections=args.clients)) as client:

        def over_http():
            client.post(args.url, content=BODY, headers={"Content-Type": "application/json"}).raise_for_status()

        def in_process():
            model.predict([CUSTOMER])

        result = {
            "single_client": {"requests": args.requests} | latencies({"http": over_http, "in_process": in_process}, args.requests),
            "concurrent": {
                "clients": args.clients,
                "requests": args.requests,
                "http_per_s": throughput(over_http, args.requests, args.clients),
                "in_process_per_s": throughput(in_process, args.requests, args.clients),
            },
        }
    single, concurrent = result["single_client"], result["concurrent"]
    print(f"one client, {args.requests} sequential requests:")
    print(f"  HTTP        p50 {single['http']['p50_ms']} ms, p95 {single['http']['p95_ms']} ms")
    print(f"  in-process  p50 {single['in_process']['p50_ms']} ms, p95 {single['in_process']['p95_ms']} ms")
    print(f"{args.clients} concurrent clients, {args.requests} requests:")
    print(f"  HTTP        {concurrent['http_per_s']} requests/s")
    print(f"  in-process  {concurrent['in_process_per_s']} calls/s")
    print(json.dumps(result))
