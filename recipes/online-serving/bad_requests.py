"""Send the malformed requests a real service receives and show what the scoring server answers.

    python bad_requests.py http://127.0.0.1:5001/invocations
"""
import json
import re
import sys

import httpx

GOOD = {"contract": "one-year", "tenure_months": 12, "monthly_charges": 70.5, "support_calls": 1, "age": 40}
BAD_REQUESTS = {
    "invalid JSON": '{"inputs": [{"contract": ',
    "missing column": json.dumps({"inputs": [{k: v for k, v in GOOD.items() if k != "monthly_charges"}]}),
    "extra column": json.dumps({"inputs": [GOOD | {"favourite_colour": "red"}]}),
    "wrong type": json.dumps({"inputs": [GOOD | {"tenure_months": "twelve"}]}),
    "fraction for an integer": json.dumps({"inputs": [GOOD | {"tenure_months": 12.5}]}),
    "out of range": json.dumps({"inputs": [GOOD | {"age": 400}]}),
    "empty batch": json.dumps({"inputs": []}),
    "oversized batch": json.dumps({"inputs": [GOOD] * 1001}),
}


def short_reason(message: str) -> str:
    """The useful part of the server's message: the failing field for validation errors."""
    field_error = re.search(r"for Customer\\n(\w+)\\n\s+(.+?) \[type=", message)
    if field_error:
        return f"{field_error[1]}: {field_error[2]}"
    return message.split("Error: ")[-1].splitlines()[0]


def main(url: str) -> None:
    statuses = {}
    with httpx.Client(timeout=30, trust_env=False) as client:
        for case, body in BAD_REQUESTS.items():
            response = client.post(url, content=body, headers={"Content-Type": "application/json"})
            statuses[case] = response.status_code
            print(f"{case:24} -> {response.status_code}: {short_reason(response.json()['message'])}")
        after = client.post(url, content=json.dumps({"inputs": [GOOD]}), headers={"Content-Type": "application/json"})
        print(f"{'good request afterwards':24} -> {after.status_code}: {after.text}")
    print(json.dumps({"statuses": statuses, "good_request_after": after.status_code}))


if __name__ == "__main__":
    main(sys.argv[1])
