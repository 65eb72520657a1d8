"""The run history: one JSON line per recipe per `recipebook verify` run, appended and never rewritten.

The report (report.py) holds the LAST run of each recipe; the history keeps EVERY run, so the site can show a
page's recent runs, its pass rate and its durations, and name the recipes that are flaky.

Location: build/verification/<target>/history.jsonl, beside report.json (`history_path`). JSON Lines, because
appending a line never has to read or rewrite what is there, and a line cut short by a crash is found and named
by its line number. The nightly job restores the files from the branch `recipebook-history` before verifying
and pushes them back afterwards, whether the night passed or failed (scripts/history-branch.sh); the site build
reads them when present.

What is recorded: every recipe of the run that passed or failed. Skipped recipes (not run), interrupted ones (a
person stopped the run) and needed recipes reused from `recipebook up` (not run by this session) are not.

Record (format 1), one per line:
{"format": 1, "run_id": "3f2a…", "target": "local", "recipe": "train-register", "page": "recipes/…/x.md",
 "status": "passed|failed", "content_hash": "sha256:…", "started_at": "…", "finished_at": "…", "duration_s": 41.2,
 "git_commit": "abc…|null", "git_dirty": false, "shuffle_seed": 123|null,
 "python": "3.11.7",                      # the Python the recipe ran with (its environment's, else the runner's)
 "environment": {"python": "…", "kind": null, "kubernetes": null, "packages": {…}},   # the runner's, as in the report
 "requirements": {"mlflow": "3.17.2", …}, # the recipe's own pins, for the packages the site names (components)
 "retries": 0,                            # step attempts the spec allowed to fail before one passed
 "failure": {"step": "train", "command": "…", "exit_code": 1, "reason": "…", "log": "…", "output_tail": "…"} | null}
`log` is relative to build/verification/<target>/: a failing run's step log is copied to
history-logs/<run_id>/<recipe>/ so that later runs (which rewrite logs/) do not overwrite it.

A record without `format`, or with a smaller one, is from an older format; a file that is not JSON Lines is
corrupt. Both raise HistoryError naming the file, the line and the fix, so the site says what is wrong instead
of drawing a wrong strip (and `verify` refuses to append to such a file).

Statistics (documented on docs/contributing/verification.md):
  window      the last WINDOW runs of a recipe on a target
  pass rate   passed runs / recorded runs in the window
  median, p95 of the durations of the PASSING runs in the window (a failed run stops early, so its time says
              nothing about how long the recipe takes); p95 is the nearest-rank percentile
  flaky       a recipe that failed and LATER passed with the same content hash: nothing it runs or shows
              changed, so the failure came from timing, order or the machine
"""
from __future__ import annotations

import json
import math
import os
import shutil
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from recipebook import DEFAULT_REPORT_DIR, PROJECT_ROOT
from recipebook.environment import KEY_PACKAGES
from recipebook.requirements import normalize

FORMAT = 1
FILE_NAME = "history.jsonl"
LOG_FOLDER = "history-logs"
RECORDED = ("passed", "failed")
WINDOW = 20
TAIL_LINES = 15
REQUIRED_KEYS = ("run_id", "target", "recipe", "status", "content_hash", "finished_at")
COMPONENTS_FILE = PROJECT_ROOT / "recipebook" / "components.yaml"


class HistoryError(ValueError):
    """A history file that cannot be read: corrupt, or written in another format. Names the file and line
    (`where`), what is wrong (`problem`) and what to do (`fix`)."""

    def __init__(self, where: str, problem: str, fix: str):
        self.where, self.problem, self.fix = where, problem, fix
        super().__init__(f"{where}: {problem}. Fix: {fix}")


def history_path(target: str, report_dir: Path = DEFAULT_REPORT_DIR) -> Path:
    return Path(report_dir) / target / FILE_NAME


def _fix(path: Path) -> str:
    return (f"move it aside (`mv {path} {path}.bad`) and run `recipebook verify` to start a new history, "
            f"or restore a good copy (the nightly job keeps it on the branch recipebook-history)")


# ---- reading and writing ---------------------------------------------------------------------------------------
def load(path: Path) -> list[dict[str, Any]]:
    """Every record of one history file, in file order; [] when there is no file. Raises HistoryError."""
    path = Path(path)
    if not path.is_file():
        return []
    records = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}, line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise HistoryError(where, f"not a run history record (invalid JSON: {exc.msg}); the file is corrupt, "
                                          "for example a write was cut short", _fix(path)) from None
            if not isinstance(record, dict):
                raise HistoryError(where, f"not a run history record (a JSON {type(record).__name__}, expected an object)", _fix(path))
            found = record.get("format")
            if isinstance(found, bool) or not isinstance(found, int) or found < FORMAT:
                raise HistoryError(where, "a run history record of an older format "
                                          f"({'no format key' if found is None else f'format {found!r}'}; this recipebook "
                                          f"reads format {FORMAT})", _fix(path))
            if found > FORMAT:
                raise HistoryError(where, f"written by a newer recipebook (history format {found}; this one reads format {FORMAT})",
                                   "update this checkout (git pull) and set up again (bash scripts/setup.sh)")
            missing = [k for k in REQUIRED_KEYS if k not in record]
            if missing:
                raise HistoryError(where, f"run history record without {', '.join(missing)}", _fix(path))
            records.append(record)
    return records


def load_all(report_dir: Path, targets: Iterable[str]) -> list[dict[str, Any]]:
    """The records of every target's history under report_dir, oldest first. Raises HistoryError."""
    records = [r for t in targets for r in load(history_path(t, report_dir))]
    return sorted(records, key=lambda r: r.get("finished_at") or "")


def append(path: Path, records: list[dict[str, Any]]) -> None:
    """Append records as lines (one write, then fsync); a file whose last line was cut short stays detectably so."""
    if not records:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n" for r in records)
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


# ---- records from a report ---------------------------------------------------------------------------------------
def tracked_packages(components: Path = COMPONENTS_FILE) -> set[str]:
    """The packages whose versions a record keeps from the recipe's pins: the report's key packages and every
    package the component registry names (the versions the banners and the compatibility page show)."""
    names = {normalize(p) for p in KEY_PACKAGES}
    if Path(components).is_file():
        data = yaml.safe_load(Path(components).read_text()) or {}
        names |= {normalize(str(c["package"])) for c in data.values() if isinstance(c, dict) and c.get("package")}
    return names


def _tail(text: str | None) -> str:
    lines = (text or "").splitlines()[-TAIL_LINES:]
    return "\n".join(lines)[-4000:]


def record(name: str, entry: dict[str, Any], report: dict[str, Any], run_id: str | None,
           tracked: set[str] | None = None) -> dict[str, Any]:
    """The history record of one report entry (see the module docstring for the fields)."""
    tracked = tracked_packages() if tracked is None else tracked
    env = entry.get("environment") or report.get("environment") or {}
    failure = entry.get("failure") or None
    return {
        "format": FORMAT, "run_id": run_id, "target": report.get("target"), "recipe": name, "page": entry.get("page"),
        "status": entry.get("status"), "content_hash": entry.get("content_hash"),
        "started_at": entry.get("started_at"), "finished_at": entry.get("finished_at"), "duration_s": entry.get("duration_s"),
        "git_commit": entry.get("git_commit"), "git_dirty": bool(entry.get("git_dirty")),
        "shuffle_seed": report.get("shuffle_seed"),
        "python": entry.get("python") or env.get("python"),
        "environment": {k: env.get(k) for k in ("python", "kind", "kubernetes", "packages")},
        "requirements": {k: v for k, v in (entry.get("requirements") or {}).items() if normalize(k) in tracked},
        "retries": sum(len(s.get("retries") or []) for s in entry.get("steps") or []),
        "failure": None if not failure else {
            "step": failure.get("step"), "command": failure.get("command"), "exit_code": failure.get("exit_code"),
            "reason": entry.get("reason"), "log": failure.get("log"), "output_tail": _tail(failure.get("output_tail")),
        },
    }


def records_of_run(report: dict[str, Any], names: Iterable[str], run_id: str, log_root: Path | None = None) -> list[dict[str, Any]]:
    """The records of one session: the named recipes that passed or failed (not skipped, interrupted or reused).
    With log_root, a failing step's log is copied to history-logs/<run_id>/<recipe>/ and the record points there."""
    tracked = tracked_packages()
    out = []
    for name in names:
        entry = report.get("recipes", {}).get(name)
        if not entry or entry.get("status") not in RECORDED or entry.get("reused"):
            continue
        rec = record(name, entry, report, run_id, tracked)
        log = (rec["failure"] or {}).get("log")
        if log and log_root is not None and (Path(log_root) / log).is_file():
            kept = Path(LOG_FOLDER) / run_id / name / Path(log).name
            (Path(log_root) / kept).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(log_root) / log, Path(log_root) / kept)
            rec["failure"]["log"] = kept.as_posix()
        out.append(rec)
    return out


# ---- statistics -------------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100): a value that was actually measured, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    runs: list[dict[str, Any]]  # the window, oldest first
    passed: int
    failed: int
    retried: int
    pass_rate: float | None
    median_s: float | None
    p95_s: float | None
    total: int  # every recorded run of the recipe on the target, beyond the window too


def runs_of(records: list[dict[str, Any]], recipe: str, target: str) -> list[dict[str, Any]]:
    """The recipe's recorded runs on the target, oldest first."""
    return sorted((r for r in records if r["recipe"] == recipe and r["target"] == target), key=lambda r: r["finished_at"] or "")


def summarize(runs: list[dict[str, Any]], window: int = WINDOW) -> Summary:
    """Pass rate and durations over the last `window` runs (runs oldest first)."""
    recent = runs[-window:]
    passed = [r for r in recent if r["status"] == "passed"]
    durations = [float(r["duration_s"]) for r in passed if r.get("duration_s") is not None]
    return Summary(
        runs=recent, passed=len(passed), failed=sum(r["status"] == "failed" for r in recent),
        retried=sum(1 for r in recent if r.get("retries")),
        pass_rate=len(passed) / len(recent) if recent else None,
        median_s=statistics.median(durations) if durations else None,
        p95_s=percentile(durations, 95), total=len(runs),
    )


def expected_durations(records: list[dict[str, Any]], target: str) -> dict[str, float]:
    """Each recipe's median passing duration on the target over the last WINDOW runs: `verify --jobs` starts the
    longest first, so a long recipe does not start last and run alone while the other slots sit idle."""
    names = {r["recipe"] for r in records if r["target"] == target}
    medians = {name: summarize(runs_of(records, name, target)).median_s for name in names}
    return {name: m for name, m in medians.items() if m is not None}


@dataclass(frozen=True)
class Flake:
    """A recipe that failed and later passed with the same content hash."""
    recipe: str
    target: str
    content_hash: str
    page: str | None
    runs: int  # runs with this content hash
    passed: int
    failures: list[dict[str, Any]] = field(default_factory=list)  # failed runs followed by a pass, newest first
    last_run: str = ""


def flakes(records: list[dict[str, Any]]) -> list[Flake]:
    """Every (recipe, target, content hash) with a failure followed by a pass; most recently seen first."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault((r["recipe"], r["target"], r["content_hash"]), []).append(r)
    found = []
    for (recipe, target, content), runs in groups.items():
        runs.sort(key=lambda r: r["finished_at"] or "")
        last_pass = max((i for i, r in enumerate(runs) if r["status"] == "passed"), default=-1)
        failures = [r for r in runs[:max(last_pass, 0)] if r["status"] == "failed"]
        if failures:
            found.append(Flake(recipe, target, content, runs[-1].get("page"), len(runs),
                               sum(r["status"] == "passed" for r in runs), failures[::-1], runs[-1]["finished_at"] or ""))
    return sorted(found, key=lambda f: f.last_run, reverse=True)


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}s" if value < 120 else f"{int(value // 60)}m{int(value % 60):02d}s"


def flake_table(records: list[dict[str, Any]]) -> str:
    """A text table, one row per recipe and target: runs, passed, failed, retried, pass rate, median, p95, a verdict
    (FLAKY, failing, fixed, retried, stable) and the steps that failed. Used by `verify --repeat N` (over its N runs)
    and `recipebook flakes`."""
    if not records:
        return "no recorded runs"
    flaky = {(f.recipe, f.target) for f in flakes(records)}
    keys = sorted({(r["recipe"], r["target"]) for r in records})
    rows = []
    for recipe, target in keys:
        runs = runs_of(records, recipe, target)
        s = summarize(runs, window=len(runs))
        steps = sorted({(r.get("failure") or {}).get("step") or "?" for r in runs if r["status"] == "failed"})
        if (recipe, target) in flaky:
            verdict = "FLAKY"  # failed, then passed with the same content
        elif runs[-1]["status"] == "failed":
            verdict = "failing"  # its latest run failed (and no pass with that content came after a failure)
        elif s.failed:
            verdict = "fixed"  # it failed with other content, and passes now
        else:
            verdict = "retried" if s.retried else "stable"
        rate = f"{s.pass_rate:.0%}" if s.pass_rate is not None else "-"
        rows.append((recipe, target, str(len(runs)), str(s.passed), str(s.failed), str(s.retried), rate,
                     _seconds(s.median_s), _seconds(s.p95_s), verdict, ", ".join(steps)))
    header = ("recipe", "target", "runs", "passed", "failed", "retried", "pass rate", "median", "p95", "verdict", "failing steps")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(header), "-" * len(line(header))] + [line(r) for r in rows]
    flaky_names = sorted(f"{r} ({t})" for r, t in flaky)
    out.append(f"flaky (failed, then passed with the same content hash): {', '.join(flaky_names) if flaky_names else 'none'}")
    return "\n".join(out)
