"""Benchmark the engine on a full local run: wall time, user CPU, sum of step times, and the environment cost.

Usage: .venv/bin/python scripts/benchmark_engine.py [RECIPE ...] [--repeat-trivial N] [--cold-env] [--jobs N]

Runs the named recipes (default: every recipe that supports the local target) in one session, into a
throw-away report folder, and prints:
  wall time                the whole session, start to report closed (servers stopped)
  sum of step times        every step attempt's duration (foreground run time, background start-up until ready)
  engine overhead          wall - sum of step times: work-folder copies, hashing, port allocation, process
                           start/stop, cleanup, leftover scans, report writes — as a share of the wall time
  user CPU                 CPU seconds of every process the recipes started (servers included, once stopped)
  environment per recipe   its `install` step: `uv venv` + `uv pip sync --compile-bytecode` of its requirements.txt
                           against the cached environment (scripts/setup.sh builds them; --cold-env also times one
                           build from uv's cache into an empty folder, bytecode included)
With --jobs N the full run executes up to N recipes at once (`recipebook verify --jobs N`); the sum of step times
then exceeds the wall time, and the overhead line is not meaningful.
It also times a trivial one-step recipe N times to show the fixed per-recipe cost (median and spread).
"""
from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recipebook import procedure, spec, venvs  # noqa: E402
from recipebook.progress import Progress  # noqa: E402
from recipebook.runner import Session, expected_durations  # noqa: E402


def full_run(names: list[str], tmp: Path, jobs: int = 1) -> None:
    recipes = spec.discover()
    names = names or [n for n, r in recipes.items() if "local" in r.targets]
    t0 = time.monotonic()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_utime
    # the throw-away report folder has no history: --jobs orders by this checkout's history and last report
    session = Session(recipes, "local", report_dir=tmp / "report", work_root=tmp / "work", merge=False,
                      expected=expected_durations("local"))
    results = session.run_many(names, jobs=jobs)
    wall = time.monotonic() - t0
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu0
    steps = [s for e in results.values() for s in e["steps"] if s.get("duration_s") is not None]
    step_sum = sum(s["duration_s"] for s in steps)
    overhead = wall - step_sum
    print(f"\n== full local run, {jobs} recipe(s) at a time ==")
    print(f"recipes: {len(results)} ({sum(e['status'] == 'passed' for e in results.values())} passed), steps: {len(steps)}")
    print(f"wall time:          {wall:8.1f} s  ({wall / 60:.1f} min)")
    print(f"user CPU:           {cpu:8.1f} s")
    print(f"sum of step times:  {step_sum:8.1f} s")
    print(f"engine overhead:    {overhead:8.1f} s  = {100 * overhead / wall:.1f}% of wall time")
    print(f"  {'recipe':<24} {'status':<8} {'time':>9} {'environment':>12}")
    for name, e in results.items():
        install = next((s["duration_s"] for s in e["steps"] if s["id"] == procedure.INSTALL and s.get("duration_s") is not None), None)
        env_cost = f"{install:9.1f} s" if install is not None else "         —"
        print(f"  {name:<24} {e['status']:<8} {e['duration_s'] or 0:7.1f} s {env_cost}")


def cold_environment(tmp: Path) -> None:
    """One recipe environment built from uv's cache into an empty folder, bytecode included (what a reader's
    first install costs here, and what scripts/setup.sh pays once per distinct requirements file)."""
    requirements = spec.discover()["quickstart"].path / procedure.REQUIREMENTS
    _, seconds, _ = venvs.prepare(requirements, root=tmp / "cold-venvs", offline=True)
    print(f"\n== cold environment (quickstart's requirements.txt, from uv's cache, with bytecode) ==\n{seconds:.1f} s")


def trivial_runs(n: int, tmp: Path) -> None:
    folder = tmp / "recipes" / "trivial"
    folder.mkdir(parents=True)
    (folder / "recipe.yaml").write_text(textwrap.dedent("""\
        title: trivial
        page: bench/trivial.md
        stage: operations
        targets: [local]
        components: []
        steps:
          - id: true
            run: "true"
        """).replace("id: true", "id: noop"))
    recipes = spec.discover(tmp / "recipes")
    overheads = []
    for i in range(n):
        t0 = time.monotonic()
        session = Session(recipes, "local", report_dir=tmp / f"r{i}", work_root=tmp / f"w{i}", merge=False, progress=Progress(io.StringIO()))
        results = session.run_many(["trivial"])
        wall = time.monotonic() - t0
        overheads.append(wall - sum(s["duration_s"] for s in results["trivial"]["steps"]))
    print(f"\n== fixed cost of one trivial recipe (n={n}) ==")
    spread = ""
    if n >= 2:  # quartiles need two values
        q = statistics.quantiles(overheads, n=4)
        spread = f" (IQR {q[0] * 1000:.0f}-{q[2] * 1000:.0f} ms)"
    print(f"engine overhead per recipe: median {statistics.median(overheads) * 1000:.0f} ms{spread}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--repeat-trivial", type=int, default=15, help="times to run the one-step recipe (1 or more)")
    parser.add_argument("--skip-full", action="store_true", help="only the trivial-recipe timing")
    parser.add_argument("--cold-env", action="store_true", help="also time one environment built from uv's cache")
    parser.add_argument("--jobs", type=int, default=1, help="recipes at once in the full run (verify --jobs)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recipebook-bench-") as d:
        tmp = Path(d)
        trivial_runs(args.repeat_trivial, tmp)
        if args.cold_env:
            cold_environment(tmp)
        if not args.skip_full:
            full_run(args.names, tmp, args.jobs)


if __name__ == "__main__":
    main()
