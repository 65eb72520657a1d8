"""Compare a new batch of customers with the data the model was trained on, and alert on drift.

    python monitor_flow.py data/new/week-1.csv

Writes an Evidently HTML report to reports/. When the share of drifted features reaches the threshold,
the flow run fails with a "DRIFT ALERT" message (and the script exits non-zero), so whatever watches
your flows — Prefect automations, a CI job, a cron mail — sees it.
"""
import argparse
import json
from pathlib import Path

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
from prefect import flow, task

FEATURES = ["contract", "tenure_months", "monthly_charges", "support_calls", "age"]


class DriftAlert(Exception):
    """The batch no longer looks like the training data; retrain or investigate before trusting scores."""


@task
def load_reference(data_dir: Path) -> pd.DataFrame:
    """The training data: the newest clean version written by the data recipe."""
    version = (data_dir / "clean" / "LATEST").read_text().strip()
    return pd.read_parquet(data_dir / "clean" / version / "part.parquet")[FEATURES]


@task
def drift_report(reference: pd.DataFrame, batch: pd.DataFrame, html_path: Path) -> dict:
    """Per-feature drift tests (Evidently picks the test per column type and size) and the drifted share."""
    snapshot = Report([DataDriftPreset()]).run(reference_data=reference, current_data=batch)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    snapshot.save_html(str(html_path))
    metrics = snapshot.dict()["metrics"]
    drifted = next(m["value"] for m in metrics if m["metric_name"].startswith("DriftedColumnsCount"))
    scores = {m["metric_name"]: round(float(m["value"]), 4) for m in metrics if m["metric_name"].startswith("ValueDrift")}
    return {"drifted_features": int(drifted["count"]), "drift_share": round(drifted["share"], 2), "scores": scores}


@flow(name="monitor-drift", log_prints=True)
def monitor_drift(batch_path: Path, data_dir: Path = Path("data"), max_drift_share: float = 0.5) -> dict:
    batch = pd.read_csv(batch_path)[FEATURES]
    html_path = Path("reports") / f"drift-{batch_path.stem}.html"
    result = drift_report(load_reference(data_dir), batch, html_path) | {"batch": str(batch_path), "report": str(html_path)}
    print(f"{result['drifted_features']} of {len(FEATURES)} features drifted (share {result['drift_share']}); report: {html_path}")
    if result["drift_share"] >= max_drift_share:
        raise DriftAlert(
            f"DRIFT ALERT: {result['drifted_features']} of {len(FEATURES)} features drifted in {batch_path} "
            f"(share {result['drift_share']} >= threshold {max_drift_share}). See {html_path}."
        )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Data drift check for a new batch of customers.")
    parser.add_argument("batch", type=Path)
    parser.add_argument("--max-drift-share", type=float, default=0.5)
    args = parser.parse_args()
    print(json.dumps(monitor_drift(args.batch, max_drift_share=args.max_drift_share)))
