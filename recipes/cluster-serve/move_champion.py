"""Point the champion alias at another registered version: python move_champion.py VERSION"""
import json
import os
import sys

from mlflow import MlflowClient

name = os.environ.get("MODEL_NAME", "churn-cluster-serve")
client = MlflowClient()
previous = client.get_model_version_by_alias(name, "champion").version
client.set_registered_model_alias(name, "champion", sys.argv[1])
print(json.dumps({"model": name, "previous_champion": previous, "champion": sys.argv[1]}))
