"""Compare the study's trials in MLflow: every child run of the study's run, best first.

    python compare_trials.py
"""
import os

import mlflow
import optuna
import pandas as pd

STORAGE = os.environ.get("OPTUNA_STORAGE", "sqlite:///optuna.db")
MODEL_NAME = os.environ.get("MODEL_NAME", "churn-classifier")

study = optuna.load_study(study_name=MODEL_NAME, storage=STORAGE)
parent_run_id = study.user_attrs["mlflow_run_id"]  # written by tune_flow.py

trials = mlflow.search_runs(
    experiment_names=["churn-tuning"],
    filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'",
    order_by=["metrics.cv_roc_auc DESC"],
)
columns = {"tags.mlflow.runName": "run", "params.n_estimators": "n_estimators",
           "params.max_depth": "max_depth", "metrics.cv_roc_auc": "cv_roc_auc"}
with pd.option_context("display.width", 100):
    print(trials[list(columns)].rename(columns=columns).to_string(index=False))
print(f"{len(trials)} trials in study {study.study_name} (MLflow run {parent_run_id})")
