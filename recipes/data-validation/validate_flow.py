"""Validate the raw customer export against a declared schema, keep the good rows, quarantine the rest.

Output: a versioned Parquet dataset data/clean/v=<content hash>/part.parquet, a quarantine file with
every rejected row and why, and data/clean/LATEST naming the newest version. Nothing is dropped silently:
rows in = rows kept + rows quarantined.
"""
import hashlib
import json
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from prefect import flow, task
from prefect.runtime import flow_run

CONTRACTS = ["month-to-month", "one-year", "two-year"]


# --8<-- [start:schema]
# Step 1: every value must parse as its column's type. strict=True: a missing or unexpected column fails loudly.
CUSTOMER_TYPES = pa.DataFrameSchema(
    {
        "customer_id": pa.Column("Int64", nullable=True),
        "tenure_months": pa.Column("Int64", nullable=True),
        "monthly_charges": pa.Column(float, nullable=True),
        "support_calls": pa.Column("Int64", nullable=True),
        "contract": pa.Column(str, nullable=True),
        "age": pa.Column("Int64", nullable=True),
        "churned": pa.Column("Int64", nullable=True),
    },
    coerce=True,
    strict=True,
)

# Step 2: the business rules on typed rows (no missing values, plausible ranges, one row per customer).
CUSTOMERS = pa.DataFrameSchema(
    {
        "customer_id": pa.Column("Int64"),
        "tenure_months": pa.Column("Int64", pa.Check.in_range(0, 120)),
        "monthly_charges": pa.Column(float, pa.Check.in_range(0, 500)),
        "support_calls": pa.Column("Int64", pa.Check.in_range(0, 30)),
        "contract": pa.Column(str, pa.Check.isin(CONTRACTS)),
        "age": pa.Column("Int64", pa.Check.in_range(18, 100)),
        "churned": pa.Column("Int64", pa.Check.isin([0, 1])),
    },
    unique=["customer_id"],
    report_duplicates="exclude_first",  # keep the first copy, quarantine the repeats
    strict=True,
)
# --8<-- [end:schema]


def fault_kind(check: str) -> str:
    """Name the fault behind a pandera check, for the quarantine file and the summary."""
    if check.startswith(("coerce_dtype", "dtype")):
        return "wrong_type"
    if check == "not_nullable":
        return "missing_value"
    if "uniqueness" in check:
        return "duplicate"
    return "out_of_range"


def failing_rows(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """One line per (row, problem): the row's index, the fault kind and a readable reason."""
    try:
        schema.validate(frame, lazy=True)
        return pd.DataFrame(columns=["row", "fault", "reason"])
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.dropna(subset=["index"])
        return pd.DataFrame(
            {
                "row": cases["index"].astype(int),
                "fault": cases["check"].map(fault_kind),
                "reason": cases["column"] + ": " + cases["check"] + " failed for " + cases["failure_case"].astype(str),
            }
        )


@task
def read_raw(path: Path) -> pd.DataFrame:
    # Read everything as text so pandas guesses nothing; the schema decides what a valid value is.
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


@task
def split_valid_rows(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (clean rows, quarantined rows with their reasons)."""
    type_problems = failing_rows(raw, CUSTOMER_TYPES)
    typed = CUSTOMER_TYPES.validate(raw.drop(index=type_problems["row"].unique()))
    rule_problems = failing_rows(typed, CUSTOMERS)
    problems = pd.concat([type_problems, rule_problems])

    reasons = problems.groupby("row").agg(fault=("fault", lambda f: ",".join(sorted(set(f)))), reason=("reason", "; ".join))
    quarantined = raw.loc[reasons.index].join(reasons)
    clean = CUSTOMERS.validate(typed.drop(index=reasons.index, errors="ignore"))
    return clean.astype({c: "int64" for c in clean.columns if str(clean[c].dtype) == "Int64"}), quarantined


@task
def write_versioned(clean: pd.DataFrame, quarantined: pd.DataFrame, out_dir: Path) -> Path:
    """Write data/clean/v=<hash of the rows>/ so a dataset version never changes once written."""
    version = hashlib.sha256(pd.util.hash_pandas_object(clean, index=False).values.tobytes()).hexdigest()[:12]
    version_dir = out_dir / "clean" / f"v={version}"
    version_dir.mkdir(parents=True, exist_ok=True)
    clean.to_parquet(version_dir / "part.parquet", index=False)
    (out_dir / "clean" / "LATEST").write_text(f"v={version}\n")
    quarantine_dir = out_dir / "quarantine" / f"v={version}"
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    quarantined.to_csv(quarantine_dir / "rejected.csv", index_label="raw_row")
    return version_dir


@flow(name="validate-customers", log_prints=True)
def validate_customers(raw_path: Path = Path("data/raw/customers.csv"), out_dir: Path = Path("data")) -> dict:
    raw = read_raw(raw_path)
    clean, quarantined = split_valid_rows(raw)
    version_dir = write_versioned(clean, quarantined, out_dir)
    faults = quarantined["fault"].str.split(",").explode().value_counts().to_dict()
    print(f"kept {len(clean)} of {len(raw)} rows in {version_dir}; quarantined {len(quarantined)}: {faults}")
    return {
        "rows_in": len(raw),
        "rows_kept": len(clean),
        "rows_quarantined": len(quarantined),
        "quarantined_by_fault": faults,
        "dataset": str(version_dir / "part.parquet"),
        "flow_run_id": str(flow_run.id),  # find this run in the Prefect UI or API
    }


if __name__ == "__main__":
    print(json.dumps(validate_customers()))
