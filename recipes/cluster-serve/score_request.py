"""Send three customers to the scoring Service and print its answer.

Run inside the cluster (kubectl run ... -- python - < score_request.py): the Service only routes to ready pods,
so after `kubectl rollout status` the answer comes from the pods of the new rollout. The body uses MLflow's
`inputs` format, one record per customer: the format the laptop's guarded scoring server accepts too.
"""
import json
import os
import urllib.request

ROWS = {
    "inputs": [
        {"contract": "month-to-month", "tenure_months": 2, "monthly_charges": 95.0, "support_calls": 6, "age": 25},
        {"contract": "two-year", "tenure_months": 60, "monthly_charges": 40.0, "support_calls": 0, "age": 55},
        {"contract": "one-year", "tenure_months": 24, "monthly_charges": 70.0, "support_calls": 2, "age": 40},
    ]
}

if __name__ == "__main__":
    url = os.environ.get("SCORING_URL", "http://churn-scoring:8080/invocations")
    request = urllib.request.Request(url, data=json.dumps(ROWS).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        print(json.dumps(json.load(response)))
