"""Write a large customer table as a partitioned Parquet dataset, reproducibly (fixed seeds, no downloads).

    python make_dataset.py                      # 4,000,000 customers in 80 files under data/customers/
    python make_dataset.py --files 4 --rows-per-file 1000

Each file holds a block of customers with consecutive ids; file i is always generated from seed 1000 + i, so
the dataset is the same on every machine. The rows come from the data recipe's generator (make_customers.py),
without the churn label: these are the customers to score.
"""
import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from make_customers import generate_customers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=80)
    parser.add_argument("--rows-per-file", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=Path("data/customers"))
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.files):
        customers = generate_customers(args.rows_per_file, seed=1000 + i).drop(columns="churned")
        first_id = 1_000_000 + i * args.rows_per_file
        customers["customer_id"] = np.arange(first_id, first_id + args.rows_per_file)
        pq.write_table(pa.Table.from_pandas(customers, preserve_index=False), args.out / f"part-{i:03d}.parquet")
    size = sum(f.stat().st_size for f in args.out.glob("*.parquet"))
    rows = args.files * args.rows_per_file
    print(f"wrote {rows:,} customers in {args.files} files to {args.out} ({size / 2**20:.0f} MiB on disk)")


if __name__ == "__main__":
    main()
