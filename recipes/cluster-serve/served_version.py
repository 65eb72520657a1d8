"""Harness check: which registered version produced the served predictions? python served_version.py FILE
(FILE: the output of the scoring request, which must be exactly the server's JSON answer: `kubectl run -q` keeps
kubectl's own messages, such as "pod ... deleted", out of it).
Scores the same rows with every version, loaded through the MLflow server, and names the one that matches."""
import json
import os
import sys

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient

from score_request import ROWS

with open(sys.argv[1]) as file:
    served = np.array(json.load(file)["predictions"], dtype=float)
rows = pd.DataFrame(ROWS["inputs"])
name = os.environ["MODEL_NAME"]
matches = []
for version in MlflowClient().search_model_versions(f"name='{name}'"):
    expected = np.asarray(mlflow.pyfunc.load_model(f"models:/{name}/{version.version}").predict(rows), dtype=float)
    if expected.shape == served.shape and np.allclose(expected, served, atol=1e-6):
        matches.append(version.version)
print(json.dumps({"served_version": matches[0] if len(matches) == 1 else None, "matches": matches}))
