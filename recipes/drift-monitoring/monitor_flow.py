"""Compare a new batch of customers with the data the model was trained on, and alert on drift.

    python monitor_flow.py data/new/week-1.csv

Writes an Evidently HTML report and a JSON summary to reports/. When the share of drifted features reaches
the threshold, the flow run fails with a "DRIFT ALERT" message (and the script exits non-zero), so whatever
watches your flows — Prefect automations, a CI job, a cron mail — sees it.
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
    """One drift test per feature (Evidently picks the method per column) and the features that drifted."""
    report = Report([DataDriftPreset()], include_tests=True)
    snapshot = report.run(reference_data=reference, current_data=batch)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    snapshot.save_html(str(html_path))
    results = snapshot.dict()
    scores = {m["id"]: m["value"] for m in results["metrics"]}
    columns = {}
    for test in results["tests"]:  # a ValueDrift test per feature fails when that feature drifted
        params = test["metric_config"]["params"]
        if params["type"].endswith(":ValueDrift"):
            columns[params["column"]] = {
                "method": params["method"],
                "threshold": params["threshold"],
                "score": round(float(scores[test["metric_config"]["metric_id"]]), 4),
                "drifted": test["status"] == "FAIL",
            }
    drifted = [c for c in FEATURES if columns[c]["drifted"]]
    return {"drifted_features": len(drifted), "drift_share": round(len(drifted) / len(FEATURES), 2),
            "drifted": drifted, "columns": columns}


@flow(name="monitor-drift", log_prints=True)
def monitor_drift(batch_path: Path, data_dir: Path = Path("data"), max_drift_share: float = 0.5) -> dict:
    batch = pd.read_csv(batch_path)[FEATURES]
    html_path = Path("reports") / f"drift-{batch_path.stem}.html"
    result = drift_report(load_reference(data_dir), batch, html_path)
    result |= {"batch": str(batch_path), "report": str(html_path)}
    html_path.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    n, share = result["drifted_features"], result["drift_share"]
    print(f"{n} of {len(FEATURES)} features drifted (share {share}); report: {html_path}")
    if share >= max_drift_share:
        raise DriftAlert(
            f"DRIFT ALERT: {n} of {len(FEATURES)} features drifted in {batch_path} "
            f"({', '.join(result['drifted'])}; share {share} >= threshold {max_drift_share}). "
            f"See {html_path}."
        )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Data drift check for a new batch of customers.")
    parser.add_argument("batch", type=Path)
    parser.add_argument("--max-drift-share", type=float, default=0.5)
    args = parser.parse_args()
    print(json.dumps(monitor_drift(args.batch, max_drift_share=args.max_drift_share)))
