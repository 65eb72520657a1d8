"""Generate a synthetic customer-churn table, reproducibly (fixed seed, no downloads).

By default it writes the raw export the data recipe cleans, with the faults real exports have:
missing values, wrong types, out-of-range values and duplicated rows. Other recipes call it
for fault-free "new" customers (--no-faults) or for a shifted population (--drift).
"""
import argparse
from pathlib import Path

import numpy as np
import pandas as pd

CONTRACTS = ["month-to-month", "one-year", "two-year"]


def generate_customers(rows: int, seed: int, drift: float = 0.0) -> pd.DataFrame:
    """Customers whose churn depends on tenure, charges, support calls and contract.

    `drift` in [0, 1] shifts the population: newer customers, higher bills, more support calls.
    """
    rng = np.random.default_rng(seed)
    tenure = rng.gamma(shape=2.0, scale=14.0 * (1 - 0.6 * drift), size=rows).clip(0, 120).round()
    charges = rng.normal(70 + 45 * drift, 25, size=rows).clip(10, 300).round(2)
    calls = rng.poisson(1.5 + 4 * drift, size=rows).clip(0, 30)
    contract = rng.choice(CONTRACTS, size=rows, p=[0.5 + 0.3 * drift, 0.3 - 0.15 * drift, 0.2 - 0.15 * drift])
    age = rng.integers(18, 90, size=rows)
    score = (
        -1.0
        - 0.05 * tenure
        + 0.02 * (charges - 70)
        + 0.45 * calls
        + np.select([contract == "month-to-month", contract == "one-year"], [1.2, 0.0], -1.0)
    )
    churned = (rng.random(rows) < 1 / (1 + np.exp(-score))).astype(int)
    return pd.DataFrame(
        {
            "customer_id": np.arange(100_000 + seed * 10_000, 100_000 + seed * 10_000 + rows),
            "tenure_months": tenure.astype(int),
            "monthly_charges": charges,
            "support_calls": calls,
            "contract": contract,
            "age": age,
            "churned": churned,
        }
    )


def add_faults(customers: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Damage a copy the way exports get damaged; every damaged row is distinct and known."""
    rng = np.random.default_rng(seed + 1)
    raw = customers.astype(object).copy()
    picked = rng.choice(len(raw), size=120, replace=False)
    missing, wrong_type, out_of_range, duplicated = np.split(picked, [30, 55, 90])
    raw.loc[missing, "monthly_charges"] = None
    raw.loc[wrong_type[:15], "tenure_months"] = "twelve"
    raw.loc[wrong_type[15:], "monthly_charges"] = "79,90"  # a decimal comma from a spreadsheet
    raw.loc[out_of_range[:12], "age"] = 213
    raw.loc[out_of_range[12:24], "monthly_charges"] = -35.0
    raw.loc[out_of_range[24:], "contract"] = "lifetime"
    copies = raw.loc[duplicated]
    return pd.concat([raw, copies]).sample(frac=1, random_state=seed).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--drift", type=float, default=0.0, help="0 = same population, 1 = strongly shifted")
    parser.add_argument("--no-faults", action="store_true", help="write clean rows (for scoring or monitoring)")
    parser.add_argument("--out", type=Path, default=Path("data/raw/customers.csv"))
    args = parser.parse_args()

    customers = generate_customers(args.rows, args.seed, args.drift)
    if not args.no_faults:
        customers = add_faults(customers, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    customers.to_csv(args.out, index=False)
    print(f"wrote {len(customers)} rows to {args.out}")


if __name__ == "__main__":
    main()
