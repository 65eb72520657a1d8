"""Send three customers to the scoring Service and print its answer.

Run inside the cluster (kubectl run ... -- python - < score_request.py): the Service only routes to ready pods,
so after `kubectl rollout status` the answer comes from the pods of the new rollout.
"""
import json
import os
import urllib.request

ROWS = {
    "dataframe_split": {
        "columns": ["contract", "tenure_months", "monthly_charges", "support_calls", "age"],
        "data": [["month-to-month", 2, 95.0, 6, 25], ["two-year", 60, 40.0, 0, 55], ["one-year", 24, 70.0, 2, 40]],
    }
}

if __name__ == "__main__":
    url = os.environ.get("SCORING_URL", "http://churn-scoring:8080/invocations")
    request = urllib.request.Request(url, data=json.dumps(ROWS).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        print(json.dumps(json.load(response)))
