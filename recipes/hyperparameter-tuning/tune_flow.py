"""Tune the churn model with Optuna: trials run in parallel as Prefect tasks on a local Dask cluster.

    python tune_flow.py --trials 6       # start the study (or add 6 trials to it)
    python tune_flow.py --trials 2       # run again: 2 more trials in the same study

The study lives in the database OPTUNA_STORAGE names, so a second run resumes it. Every trial is a child run
of the study's MLflow run. The best configuration is refitted, registered and goes through train_flow.py's
champion gate: the `champion` alias moves only if it beats the current champion on the held-out rows.
"""
import argparse
import json
import os
import statistics
from pathlib import Path

import mlflow
import optuna
import pandas as pd
from prefect import flow, task
from prefect.futures import as_completed
from prefect_dask import DaskTaskRunner
from sklearn.model_selection import StratifiedKFold, train_test_split

from train_flow import (CATEGORICAL, MODEL_NAME, NUMERIC, TARGET, champion_auc, load_dataset, log_and_register,
                        promote_if_better, roc_auc, train)

STORAGE = os.environ.get("OPTUNA_STORAGE", "sqlite:///optuna.db")
EXPERIMENT = "churn-tuning"


def suggest(trial: optuna.Trial) -> dict:
    """The search space: the two settings of train_flow.py's random forest."""
    return {
        "n_estimators": trial.suggest_int("n_estimators", 50, 200, step=25),
        "max_depth": trial.suggest_int("max_depth", 3, 14),
    }


def dask_cluster(workers: int) -> DaskTaskRunner:
    """A temporary local Dask cluster: a process per worker, a thread each, the dashboard on a free port."""
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "dashboard_address": "127.0.0.1:0"}
    )


@task
def run_trial(number: int, params: dict, features: pd.DataFrame, labels: pd.Series,
              experiment_id: str, parent_run_id: str) -> float:
    """Score one configuration by 3-fold cross-validation on the training rows; log it as a child run."""
    with mlflow.start_run(experiment_id=experiment_id, parent_run_id=parent_run_id, nested=True,
                          run_name=f"trial-{number}"):
        mlflow.log_params(params)
        scores = []
        for fit, held in StratifiedKFold(n_splits=3, shuffle=True, random_state=0).split(features, labels):
            # train.fn is the plain function inside train_flow.py's task: the gate's pipeline.
            model = train.fn(features.iloc[fit], labels.iloc[fit], **params)
            scores.append(roc_auc(model, features.iloc[held], labels.iloc[held]))
        auc = round(statistics.fmean(scores), 4)
        mlflow.log_metric("cv_roc_auc", auc)
    return auc


def split(customers: pd.DataFrame) -> tuple[tuple, tuple]:
    """(training, test) rows: train_flow.py's split. The trials never see the test rows; the gate does."""
    features, labels = customers[CATEGORICAL + NUMERIC], customers[TARGET]
    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=0.25, stratify=labels, random_state=0)
    return (x_train, y_train), (x_test, y_test)


def run_study(study: optuna.Study, n_trials: int, parallel: int, training: tuple,
              experiment_id: str, parent_run_id: str) -> None:
    """Ask Optuna for a trial whenever a worker is free; tell it each result as soon as it arrives."""
    running = {}  # future -> trial

    def tell(future) -> None:
        trial = running.pop(future)
        try:
            study.tell(trial, future.result())
        except Exception as error:  # a failed trial is recorded as failed, not lost
            print(f"trial {trial.number} failed: {error!r}")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)

    for _ in range(n_trials):
        if len(running) == parallel:
            tell(next(as_completed(list(running))))
        trial = study.ask()
        future = run_trial.submit(trial.number, suggest(trial), *training, experiment_id, parent_run_id)
        running[future] = trial
    for future in as_completed(list(running)):
        tell(future)


@flow(name="tune-churn-model", log_prints=True, task_runner=dask_cluster(2))
def tune_churn_model(n_trials: int = 6, parallel: int = 2, data_dir: Path = Path("data")) -> dict:
    customers, data_version = load_dataset(data_dir)
    (x_train, y_train), (x_test, y_test) = split(customers)

    # The study is named after the model; load_if_exists resumes it from the database.
    study = optuna.create_study(study_name=MODEL_NAME, storage=STORAGE, direction="maximize", load_if_exists=True)
    experiment_id = mlflow.set_experiment(EXPERIMENT).experiment_id
    # One MLflow run per study: created by the first run, reopened by the next ones.
    with mlflow.start_run(run_id=study.user_attrs.get("mlflow_run_id"), run_name=MODEL_NAME) as parent:
        study.set_user_attr("mlflow_run_id", parent.info.run_id)
        mlflow.set_tags({"optuna_study": study.study_name, "data_version": data_version})
        run_study(study, n_trials, parallel, (x_train, y_train), experiment_id, parent.info.run_id)
        best = study.best_trial
        mlflow.set_tag("best_trial", best.number)
        mlflow.log_metric("best_cv_roc_auc", best.value, step=len(study.trials))
    print(f"study {study.study_name}: {len(study.trials)} trials, best #{best.number} {best.params} AUC {best.value}")

    # The champion gate of train_flow.py: refit the best configuration on all training rows, register it,
    # and move the alias only if it beats the champion on the test rows.
    model = train(x_train, y_train, **best.params)
    metrics = {"test_roc_auc": roc_auc(model, x_test, y_test), "train_roc_auc": roc_auc(model, x_train, y_train)}
    params = {**best.params, "rows_train": len(x_train), "rows_test": len(x_test),
              "optuna_study": study.study_name, "optuna_trial": best.number, "tuning_run_id": parent.info.run_id}
    previous_champion, previous_auc = champion_auc(x_test, y_test)
    version = log_and_register(model, x_train, params, metrics, data_version)
    promoted = promote_if_better(version, metrics["test_roc_auc"], previous_auc)
    return {
        "study": study.study_name,
        "trials_in_study": len(study.trials),
        "trials_this_run": n_trials,
        "best_trial": best.number,
        "best_params": best.params,
        "best_cv_roc_auc": best.value,
        "mlflow_parent_run_id": parent.info.run_id,
        "model_name": MODEL_NAME,
        "version": version,
        "test_roc_auc": metrics["test_roc_auc"],
        "previous_champion": previous_champion,
        "previous_champion_roc_auc": previous_auc,
        "promoted": promoted,
        "champion": mlflow.MlflowClient().get_model_version_by_alias(MODEL_NAME, "champion").version,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Tune, register and maybe promote the churn model.")
    parser.add_argument("--trials", type=int, default=6, help="trials to add to the study in this run")
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes (trials at a time)")
    args = parser.parse_args()
    tune = tune_churn_model.with_options(task_runner=dask_cluster(args.workers))
    print(json.dumps(tune(n_trials=args.trials, parallel=args.workers)))
