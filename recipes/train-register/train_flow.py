"""Train the churn model, track it in MLflow, register it, and move the `champion` alias only if it is better.

    python train_flow.py                          # default configuration
    python train_flow.py --n-estimators 3 --max-depth 1

The comparison is fair: the current champion is re-scored on the same held-out rows as the candidate.
"""
import argparse
import json
import os
from pathlib import Path

import mlflow
import pandas as pd
import sklearn
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from prefect import flow, task
from prefect.runtime import flow_run
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")
NUMERIC = ["tenure_months", "monthly_charges", "support_calls", "age"]
CATEGORICAL = ["contract"]
TARGET = "churned"


@task
def load_dataset(data_dir: Path) -> tuple[pd.DataFrame, str]:
    """Read the newest clean version written by the data recipe; return it with its version label."""
    version = (data_dir / "clean" / "LATEST").read_text().strip()
    return pd.read_parquet(data_dir / "clean" / version / "part.parquet"), version


@task
def train(features: pd.DataFrame, labels: pd.Series, n_estimators: int, max_depth: int | None) -> Pipeline:
    model = Pipeline(
        [
            ("encode", ColumnTransformer([("contract", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)], remainder="passthrough")),
            ("forest", RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=0, n_jobs=1)),
        ]
    )
    return model.fit(features, labels)


def roc_auc(model: Pipeline, features: pd.DataFrame, labels: pd.Series) -> float:
    return round(float(roc_auc_score(labels, model.predict_proba(features)[:, 1])), 4)


@task
def log_and_register(model: Pipeline, features: pd.DataFrame, params: dict, metrics: dict, data_version: str) -> str:
    """Log params, metrics and the model (signature + input example) in one run; register a new version."""
    mlflow.set_experiment("churn")
    with mlflow.start_run(tags={"prefect_flow_run_id": str(flow_run.id), "data_version": data_version}):
        mlflow.log_params(params)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(features, model.predict_proba(features)),
            input_example=features.head(3),
            # Explicit requirements: MLflow otherwise imports and inspects the environment (slow).
            pip_requirements=[f"mlflow=={mlflow.__version__}", f"scikit-learn=={sklearn.__version__}", f"pandas=={pd.__version__}"],
            pyfunc_predict_fn="predict_proba",  # served predictions are [P(stay), P(churn)] per row
            # MLflow saves scikit-learn models with skops, which only loads types you trust.
            skops_trusted_types=["sklearn.tree._tree.Tree"],
            registered_model_name=MODEL_NAME,
        )
        # After the model, linked to it: log_model copies the run's earlier metrics to the model it logs,
        # which writes each of them a second time (PostgreSQL logs the duplicate key as an ERROR).
        mlflow.log_metrics(metrics, model_id=info.model_id)
    return str(info.registered_model_version)


@task
def champion_auc(features: pd.DataFrame, labels: pd.Series) -> tuple[str | None, float | None]:
    """Score the current champion on the same held-out rows; (None, None) when there is no champion yet."""
    try:
        aliases = MlflowClient().get_registered_model(MODEL_NAME).aliases
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise  # an unreachable server must not look like "no champion yet"
        return None, None
    if "champion" not in aliases:
        return None, None
    version = aliases["champion"]
    return version, roc_auc(mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{version}"), features, labels)


@task
def promote_if_better(version: str, candidate_auc: float, champion_auc: float | None) -> bool:
    if champion_auc is not None and candidate_auc <= champion_auc:
        print(f"version {version} (AUC {candidate_auc}) does not beat the champion (AUC {champion_auc}); alias unchanged")
        return False
    MlflowClient().set_registered_model_alias(MODEL_NAME, "champion", version)
    print(f"version {version} (AUC {candidate_auc}) is the new champion")
    return True


@flow(name="train-churn-model", log_prints=True)
def train_churn_model(data_dir: Path = Path("data"), n_estimators: int = 200, max_depth: int | None = 8) -> dict:
    customers, data_version = load_dataset(data_dir)
    features, labels = customers[CATEGORICAL + NUMERIC], customers[TARGET]
    x_train, x_test, y_train, y_test = train_test_split(features, labels, test_size=0.25, stratify=labels, random_state=0)

    model = train(x_train, y_train, n_estimators, max_depth)
    metrics = {"test_roc_auc": roc_auc(model, x_test, y_test), "train_roc_auc": roc_auc(model, x_train, y_train)}
    params = {"n_estimators": n_estimators, "max_depth": max_depth, "rows_train": len(x_train), "rows_test": len(x_test)}
    previous_champion, previous_auc = champion_auc(x_test, y_test)
    version = log_and_register(model, x_train, params, metrics, data_version)
    promoted = promote_if_better(version, metrics["test_roc_auc"], previous_auc)
    return {
        "model_name": MODEL_NAME,
        "version": version,
        "test_roc_auc": metrics["test_roc_auc"],
        "previous_champion": previous_champion,
        "previous_champion_roc_auc": previous_auc,
        "promoted": promoted,
        "champion": MlflowClient().get_model_version_by_alias(MODEL_NAME, "champion").version,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Train, register and maybe promote the churn model.")
    parser.add_argument("--n-estimators", type=int, default=200)
    parser.add_argument("--max-depth", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(train_churn_model(n_estimators=args.n_estimators, max_depth=args.max_depth)))
