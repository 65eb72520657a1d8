"""Wrap the current champion in the request guard and register it for online serving.

The online model gets its own registered name and its own `champion` alias, pointing at a version
that records which training version it wraps.
"""
import json
import os

import mlflow
import pandas as pd
import pydantic
import sklearn
from mlflow import MlflowClient

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")
ONLINE_NAME = f"{MODEL_NAME}-online"

client = MlflowClient()
champion = client.get_model_version_by_alias(MODEL_NAME, "champion")
mlflow.set_experiment("churn")
with mlflow.start_run(run_name="package-online", tags={"wraps": f"{MODEL_NAME}/{champion.version}"}):
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model="guarded_model.py",  # model from code: the file is stored with the model, nothing is pickled
        artifacts={"churn_model": f"models:/{MODEL_NAME}/{champion.version}"},
        input_example=[{"contract": "one-year", "tenure_months": 12, "monthly_charges": 70.5, "support_calls": 1, "age": 40}],
        pip_requirements=[
            f"mlflow=={mlflow.__version__}",
            f"scikit-learn=={sklearn.__version__}",
            f"pandas=={pd.__version__}",
            f"pydantic=={pydantic.VERSION}",
        ],
        registered_model_name=ONLINE_NAME,
    )
client.set_registered_model_alias(ONLINE_NAME, "champion", info.registered_model_version)
print(json.dumps({"online_model": ONLINE_NAME, "version": str(info.registered_model_version), "wraps": champion.version}))
