"""Fill a tracking database the way months of work would: an experiment with runs, and a registered model
with versions, an alias and tags. Run it with the OLD MLflow release, against MLFLOW_TRACKING_URI.
"""
from pathlib import Path

import mlflow
from mlflow import MlflowClient

client = MlflowClient()
client.create_registered_model("churn-classifier", description="churn model, created before the upgrade")
mlflow.set_experiment("churn")
for n_estimators in (50, 100, 200):
    with mlflow.start_run(run_name=f"forest-{n_estimators}") as run:
        mlflow.log_param("n_estimators", n_estimators)
        mlflow.log_metric("test_roc_auc", 0.70 + n_estimators / 2000)
        Path("notes.txt").write_text(f"trained with {n_estimators} trees\n")
        mlflow.log_artifact("notes.txt")
    version = client.create_model_version("churn-classifier", source=f"{run.info.artifact_uri}/notes.txt",
                                          run_id=run.info.run_id)
client.set_registered_model_alias("churn-classifier", "champion", version.version)
client.set_model_version_tag("churn-classifier", version.version, "validated", "true")
print(f"MLflow {mlflow.__version__}: 3 runs, registered model churn-classifier with versions 1-3, "
      f"champion = {version.version}")
