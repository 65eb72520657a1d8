"""Print what the tracking database holds, as JSON: runs, metrics, registered models, aliases, tags.
Works with the old and the new MLflow release, so the same script checks the upgrade and the rollback.
"""
import json

import mlflow
from mlflow import MlflowClient

client = MlflowClient()
runs = mlflow.search_runs(experiment_names=["churn"], order_by=["params.n_estimators"], output_format="list")
champion = client.get_model_version_by_alias("churn-classifier", "champion")
print(json.dumps({
    "mlflow_version": mlflow.__version__,
    "runs": [{"name": r.info.run_name, "params": r.data.params,
              "test_roc_auc": r.data.metrics["test_roc_auc"],
              "artifacts": [a.path for a in client.list_artifacts(r.info.run_id)]} for r in runs],
    "registered_models": [m.name for m in client.search_registered_models()],
    "versions": sorted(int(v.version) for v in client.search_model_versions("name='churn-classifier'")),
    "champion": int(champion.version),
    "champion_tags": champion.tags,
    "description": client.get_registered_model("churn-classifier").description,
}))
