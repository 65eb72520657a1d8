"""The `recipebook` command: list, run, verify, keep a platform up, scaffold recipes, and read the run history
(flaky recipes) and the failures of the last reports.

Exit codes: 0 every selected recipe passed (or does not support the target); 1 a recipe failed;
2 bad usage or an invalid recipe spec; 3 the target cannot run on this machine (every recipe skipped, reason printed);
130 interrupted (cleanup ran, the report marks what was interrupted).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recipebook import DEFAULT_REPORT_DIR, DOCS_DIR, RECIPES_DIR, report, spec, targets
from recipebook.hashing import content_hash

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TARGET_MISSING, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recipebook", description="Run the recipes of the reference ML architecture and record the evidence.")
    p.add_argument("--recipes-dir", type=Path, default=RECIPES_DIR, help=argparse.SUPPRESS)
    p.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR, help="where reports and logs go (default build/verification)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list recipes with stage, targets and last status")
    run = sub.add_parser("run", help="run the named recipes (and what they need); merges into the report")
    run.add_argument("names", nargs="+", metavar="NAME")
    verify = sub.add_parser("verify", help="run every recipe (a fresh report), or only changed ones with --changed")
    verify.add_argument("--changed", action="store_true", help="only recipes whose current content hash has no passing run in the last report")
    verify.add_argument("--shuffle", nargs="?", const="random", metavar="SEED",
                        help="run in a seeded random order (needs still first); the seed is printed so a failing order can be replayed")
    verify.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                        help="run up to N recipes at once (needed recipes still first, then the longest expected from the run "
                             "history; default 1, as CI does)")
    verify.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run N times (each run is appended to the history), then print the flake table of those runs")
    flakes = sub.add_parser("flakes", help="the flake table of the whole run history (what `verify` appended)")
    flakes.add_argument("--target", choices=targets.TARGETS, action="append", help="only this target (repeatable; default all)")
    failures = sub.add_parser("failures", help="what failed in the last reports: page, step, command, log, reproduce command")
    failures.add_argument("--target", choices=targets.TARGETS, action="append", help="only this target (repeatable; default all)")
    failures.add_argument("--markdown", action="store_true", help="as Markdown (the body of the nightly job's GitHub issue)")
    failures.add_argument("--run-url", help="a link to the CI run, named in the Markdown")
    for sp in (run, verify):
        sp.add_argument("--target", choices=targets.TARGETS, default="local")
        sp.add_argument("-v", "--verbose", action="store_true", help="also show each step's output as it runs")
    run.add_argument("--fresh", action="store_true", help="start needed recipes even when `recipebook up` keeps them running")
    up = sub.add_parser("up", help="run a recipe others need (e.g. local-platform) and keep it up until Ctrl-C; `run` reuses it")
    up.add_argument("name")
    up.add_argument("--target", choices=targets.TARGETS, default="local")
    up.add_argument("-v", "--verbose", action="store_true", help="also show each step's output as it runs")
    new = sub.add_parser("new", help="scaffold recipes/NAME and its page stub")
    new.add_argument("name")
    new.add_argument("--stage", default="training", choices=["data", "training", "serving", "orchestration", "platform", "operations"])
    return p


def _load(recipes_dir: Path) -> dict[str, spec.Recipe]:
    try:
        return spec.discover(recipes_dir)
    except spec.SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _cmd_list(recipes: dict[str, spec.Recipe], report_dir: Path) -> int:
    rows = []
    reports = {t: report.load(report.report_path(t, report_dir)) for t in targets.TARGETS}
    for name, r in recipes.items():
        h = content_hash(r)
        status = []
        for t, rep in reports.items():
            e = (rep or {}).get("recipes", {}).get(name)
            if e:
                s = e["status"] if e["content_hash"] == h or e["status"] != "passed" else "stale"
                status.append(f"{t}:{s}")
        rows.append((name, r.stage, ",".join(r.targets), " ".join(status) or "not verified", r.title))
    w = max([len(x[0]) for x in rows] + [4])
    print(f"{'name':<{w}}  {'stage':<13}  {'targets':<10}  {'last result':<24}  title")
    for row in rows:
        print(f"{row[0]:<{w}}  {row[1]:<13}  {row[2]:<10}  {row[3]:<24}  {row[4]}")
    return EXIT_OK


def _exit_code(results: dict, interrupted: bool, target_reason: str | None) -> int:
    if interrupted:
        return EXIT_INTERRUPTED
    statuses = [e["status"] for e in results.values()]
    if any(s in ("failed", "interrupted") for s in statuses):
        return EXIT_FAILED
    if target_reason and not any(s == "passed" for s in statuses):
        print(f"\nno recipe could run on this target: {target_reason}", file=sys.stderr)
        return EXIT_TARGET_MISSING
    skipped_by_need = [n for n, e in results.items() if e["status"] == "skipped" and (e.get("reason") or "").startswith("needed recipe")]
    return EXIT_FAILED if skipped_by_need else EXIT_OK


def _reusable_needs(recipes: dict[str, spec.Recipe], names: list[str], target: str) -> dict[str, dict]:
    """Needed recipes that `recipebook up` keeps running and that still answer."""
    from recipebook import running

    needed = {n for name in names for n in spec.order_with_needs([name], recipes) if n != name} - set(names)
    return {n: state for n in sorted(needed) if (state := running.reusable(n, target))}


def _up(recipes: dict[str, spec.Recipe], name: str, target: str, report_dir: Path, verbose: bool) -> int:
    """Run `name` (and what it needs), keep it up, record it for `run`, wait for Ctrl-C, then tear it down."""
    import time

    from recipebook import running
    from recipebook.progress import Progress
    from recipebook.runner import Session

    if name not in recipes:
        print(f"error: unknown recipe: {name}; known: {', '.join(recipes)}", file=sys.stderr)
        return EXIT_USAGE
    recipe = recipes[name]
    if not recipe.provides:
        print(f"error: {name} provides nothing to other recipes, so there is nothing to keep up; use `recipebook run {name}`",
              file=sys.stderr)
        return EXIT_USAGE
    session = Session(recipes, target, report_dir=report_dir, merge=True, progress=Progress(verbose=verbose), planned=[name],
                      isolate_network=False)  # `run` in another process reuses its servers: they must be reachable
    try:
        with session._signals_raise():
            entry = session.run_recipe(name)
            if entry["status"] != "passed" or name not in session.up:
                return _exit_code(session.results, session.interrupted, session.target_reason) or EXIT_FAILED
            path = running.record(name, target, session.provided(name))
            values = "  ".join(f"{k}={v}" for k, v in session.provided(name).items())
            print(f"\n{name} is up: {values}\n`recipebook run NAME` in another terminal reuses it (state: {path}). "
                  "Press Ctrl-C here to stop it.", flush=True)
            while True:
                time.sleep(1)
    except KeyboardInterrupt:
        print(f"\nstopping {name} …", flush=True)
        return EXIT_OK
    finally:
        running.forget(name, target)
        session.close()


def _run(recipes: dict[str, spec.Recipe], names: list[str], target: str, report_dir: Path, merge: bool,
         verbose: bool = False, shuffle: int | None = None, reuse: dict[str, dict] | None = None, jobs: int = 1,
         history: bool = False, run_ids: list[str] | None = None) -> int:
    """Run the recipes in one session; with `history`, the session appends its runs to the target's history and
    its run id is added to `run_ids`."""
    from recipebook.progress import Progress
    from recipebook.runner import Session

    unknown = [n for n in names if n not in recipes]
    if unknown:
        print(f"error: unknown recipe(s): {', '.join(unknown)}; known: {', '.join(recipes)} (see `recipebook list`)", file=sys.stderr)
        return EXIT_USAGE
    try:
        session = Session(recipes, target, report_dir=report_dir, merge=merge, progress=Progress(verbose=verbose), reuse=reuse,
                          keep_history=history)
    except ValueError as exc:  # a corrupt report or run history
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if run_ids is not None:
        run_ids.append(session.run_id)
    results = session.run_many(names, shuffle_seed=shuffle, jobs=jobs)
    return _exit_code(results, session.interrupted, session.target_reason)


def _verify(recipes: dict[str, spec.Recipe], names: list[str], args: argparse.Namespace, merge: bool, seed: int | None) -> int:
    """`verify`: run the recipes `--repeat` times, each run appended to the history; after several runs, print the
    flake table of exactly those runs. A new random seed per run with a bare `--shuffle`; a given seed replays."""
    from recipebook import history
    from recipebook.runner import shuffle_seed

    run_ids: list[str] = []
    code = EXIT_OK
    for i in range(1, args.repeat + 1):
        if args.repeat > 1:
            print(f"\n=== verify: run {i} of {args.repeat} ===", flush=True)
            if i > 1 and args.shuffle == "random":
                seed = shuffle_seed("random")
        result = _run(recipes, names, args.target, args.report_dir, merge=merge, verbose=args.verbose, shuffle=seed,
                      jobs=args.jobs, history=True, run_ids=run_ids)
        if result in (EXIT_USAGE, EXIT_INTERRUPTED):
            return result
        code = code or result
    if args.repeat > 1:
        path = history.history_path(args.target, args.report_dir)
        records = [r for r in history.load(path) if r["run_id"] in run_ids]
        print(f"\nflake table: {args.repeat} runs ({', '.join(run_ids)}), from {path}\n" + history.flake_table(records))
    return code


def _flakes(report_dir: Path, chosen: list[str] | None) -> int:
    from recipebook import history

    try:
        records = history.load_all(report_dir, chosen or targets.TARGETS)
    except history.HistoryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(history.flake_table(records))
    return EXIT_OK


def _failures(report_dir: Path, chosen: list[str] | None, as_markdown: bool, run_url: str | None) -> int:
    from recipebook import failures

    chosen_targets = tuple(chosen or targets.TARGETS)
    try:
        print(failures.markdown(report_dir, chosen_targets, run_url) if as_markdown else failures.text(report_dir, chosen_targets))
    except ValueError as exc:  # a corrupt report
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def changed_recipes(recipes: dict[str, spec.Recipe], target: str, report_dir: Path) -> list[str]:
    """Recipes that support the target and whose current hash has no passing run in the target's last report."""
    passing = report.passing_hashes(report.load(report.report_path(target, report_dir)))
    return [n for n, r in recipes.items() if target in r.targets and passing.get(n) != content_hash(r)]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "new":
        from recipebook.scaffold import ScaffoldError, scaffold
        try:
            # a recipes folder other than the project's (tests) gets its pages beside it, in docs/
            docs = DOCS_DIR if args.recipes_dir == RECIPES_DIR else args.recipes_dir.parent / "docs"
            created = scaffold(args.name, args.stage, args.recipes_dir, docs)
        except (ValueError, FileExistsError, ScaffoldError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print("created:\n" + "\n".join(f"  {p}" for p in created))
        print(f"next: edit the files, then run `.venv/bin/recipebook run {args.name}`")
        return EXIT_OK
    if args.command == "flakes":
        return _flakes(args.report_dir, args.target)
    if args.command == "failures":
        return _failures(args.report_dir, args.target, args.markdown, args.run_url)
    recipes = _load(args.recipes_dir)
    from recipebook.runner import shuffle_seed
    try:
        seed = shuffle_seed(getattr(args, "shuffle", None))
    except ValueError as exc:
        print(f"error: --shuffle: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "repeat", 1) < 1:
        print(f"error: --repeat: expected 1 or more, got {args.repeat}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "jobs", 1) < 1:
        print(f"error: --jobs: expected 1 or more, got {args.jobs}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "list":
        return _cmd_list(recipes, args.report_dir)
    if args.command == "up":
        return _up(recipes, args.name, args.target, args.report_dir, args.verbose)
    if args.command == "run":
        known = all(n in recipes for n in args.names)
        reuse = {} if args.fresh or not known else _reusable_needs(recipes, args.names, args.target)
        return _run(recipes, args.names, args.target, args.report_dir, merge=True, verbose=args.verbose, reuse=reuse)
    if args.changed:
        try:
            names = changed_recipes(recipes, args.target, args.report_dir)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if not names:
            print(f"verify --changed: every recipe for target {args.target} has a passing run for its current content; nothing to run.")
            return EXIT_OK
        print(f"verify --changed: {len(names)} recipe(s) changed since their last passing run: {', '.join(names)}")
        return _verify(recipes, names, args, merge=True, seed=seed)
    return _verify(recipes, list(recipes), args, merge=False, seed=seed)


if __name__ == "__main__":
    sys.exit(main())
