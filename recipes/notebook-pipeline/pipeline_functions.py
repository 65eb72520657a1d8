"""Plain functions shared by the notebook and the Prefect flow: explore, train, evaluate, register.

Keeping them here (not in notebook cells) is what lets the same code run interactively and on a schedule.
"""
from pathlib import Path

import mlflow
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

FEATURES = ["contract", "tenure_months", "monthly_charges", "support_calls", "age"]
TARGET = "churned"


def load_customers(data_dir: Path = Path("data")) -> pd.DataFrame:
    """The newest clean dataset written by the data recipe."""
    version = (data_dir / "clean" / "LATEST").read_text().strip()
    return pd.read_parquet(data_dir / "clean" / version / "part.parquet")


def churn_rate_by(customers: pd.DataFrame, column: str) -> pd.Series:
    return customers.groupby(column)[TARGET].mean().round(3).sort_values(ascending=False)


def split(customers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """The same held-out rows every time (fixed seed), so versions are comparable."""
    return train_test_split(customers[FEATURES], customers[TARGET], test_size=0.25, stratify=customers[TARGET], random_state=0)


def train_model(features: pd.DataFrame, labels: pd.Series, n_estimators: int = 200, max_depth: int = 8) -> Pipeline:
    model = Pipeline(
        [
            ("encode", ColumnTransformer([("contract", OneHotEncoder(handle_unknown="ignore"), ["contract"])], remainder="passthrough")),
            ("forest", RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=0, n_jobs=1)),
        ]
    )
    return model.fit(features, labels)


def evaluate(model: Pipeline, features: pd.DataFrame, labels: pd.Series) -> dict[str, float]:
    return {"test_roc_auc": round(float(roc_auc_score(labels, model.predict_proba(features)[:, 1])), 4)}


def log_and_register(model: Pipeline, features: pd.DataFrame, metrics: dict, model_name: str, tags: dict) -> str:
    """Log the run (params, metrics, model with signature) and register a new model version."""
    mlflow.set_experiment("churn")
    with mlflow.start_run(tags=tags):
        mlflow.log_params(model.named_steps["forest"].get_params() | {"rows_train": len(features)})
        mlflow.log_metrics(metrics)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=mlflow.models.infer_signature(features, model.predict_proba(features)),
            input_example=features.head(3),
            pip_requirements=[f"mlflow=={mlflow.__version__}", f"scikit-learn=={sklearn.__version__}", f"pandas=={pd.__version__}"],
            pyfunc_predict_fn="predict_proba",
            skops_trusted_types=["sklearn.tree._tree.Tree"],
            registered_model_name=model_name,
        )
    return str(info.registered_model_version)
