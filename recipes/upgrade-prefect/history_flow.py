"""Fill Prefect's database the way weeks of work would: runs of a flow, with their task runs and logs, and a
deployment with a run scheduled for next week. Run it with the OLD Prefect release, against PREFECT_API_URL.
"""
from datetime import datetime, timedelta, timezone

from prefect import flow, task
from prefect.deployments import run_deployment


@task
def count_rows(day: str) -> int:
    return int(day[-2:]) * 100


@flow(name="nightly-etl", log_prints=True)
def nightly_etl(day: str) -> int:
    rows = count_rows(day)
    print(f"{day}: loaded {rows} rows")
    return rows


if __name__ == "__main__":
    for day in ("2026-11-01", "2026-11-02", "2026-11-03"):
        nightly_etl(day)
    nightly_etl.to_deployment(name="nightly", parameters={"day": "2026-11-04"}).apply()
    next_week = datetime.now(timezone.utc) + timedelta(days=7)
    run_deployment("nightly-etl/nightly", scheduled_time=next_week, timeout=0)
    print("3 completed flow runs; deployment nightly-etl/nightly with a run scheduled for next week")
