"""What failed in the last verification reports: for a terminal (`recipebook failures`) or as the Markdown body of
the one GitHub issue the nightly job opens or updates when a night fails (`recipebook failures --markdown`).

Each failing recipe is named with its page, the failing step, its exit code and command, the reason, the hint,
the log, the last lines of its output, what the run history says about it, and the command that reproduces it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from recipebook import PROJECT_ROOT, history, report
from recipebook.site.evidence import reproduce_command as reproduce
from recipebook.targets import TARGETS

FAILED = ("failed", "interrupted")
MARKER = "<!-- recipebook:nightly-failures -->"  # lets a workflow recognise the issue body it wrote


def collect(report_dir: Path, targets: tuple[str, ...] = TARGETS) -> tuple[list[dict[str, Any]], dict[str, dict]]:
    """(failing recipes, reports by target): one item per failed or interrupted recipe of each target's report.
    A corrupt report raises ValueError naming it."""
    reports = {t: r for t in targets if (r := report.load(report.report_path(t, report_dir))) is not None}
    items = []
    for target, data in reports.items():
        for name, entry in sorted(data.get("recipes", {}).items()):
            if entry.get("status") in FAILED:
                items.append({"target": target, "recipe": name, "entry": entry,
                              "log_root": report.report_path(target, report_dir).parent})
    return items, reports


def _shown(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def _history_line(records: list[dict[str, Any]], recipe: str, target: str, content_hash: str | None) -> str:
    runs = history.runs_of(records, recipe, target)
    if not runs:
        return "no earlier run recorded"
    s = history.summarize(runs)
    median = f", median {s.median_s:.0f} s when passing" if s.median_s is not None else ""
    text = f"passed {s.passed} of its last {len(s.runs)} recorded runs on {target}{median}"
    if any(f.recipe == recipe and f.target == target and f.content_hash == content_hash for f in history.flakes(records)):
        text += "; with this same content it has failed and then passed before, so it is flaky"
    return text


def _fence(text: str) -> str:
    """A backtick fence longer than any run of backticks in text, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _code(text: str, language: str = "") -> list[str]:
    fence = _fence(text)
    return [fence + language, text.rstrip("\n"), fence]


def markdown(report_dir: Path, targets: tuple[str, ...] = TARGETS, run_url: str | None = None) -> str:
    """The issue body: a summary table, then one section per failing recipe."""
    items, reports = collect(report_dir, targets)
    try:
        records, history_note = history.load_all(report_dir, targets), ""
    except history.HistoryError as exc:
        records, history_note = [], f"The run history could not be read: {exc}"
    commit = next((r.get("git_commit") for r in reports.values() if r.get("git_commit")), None)
    where = ", ".join(filter(None, [f"run {run_url}" if run_url else "", f"commit `{str(commit)[:12]}`" if commit else ""]))
    lines = [MARKER]
    if not items:
        lines += ["No recipe failed in the verification reports" + (f" ({where})" if where else "") + ": the job failed in "
                  "another step (setting up, building images, creating the cluster, the strict site build or the link "
                  "check). The site online is still the last one that built strictly; see the run's log."]
        return "\n".join(lines) + "\n"
    lines += [f"**{len(items)} recipe run(s) failed** in the verification" + (f" ({where})" if where else "")
              + ". The site online is still the last one that built strictly; it is not updated until these pass.", "",
              "| Page | Recipe | Target | Failing step | Reproduce |", "|---|---|---|---|---|"]
    for item in items:
        entry, failure = item["entry"], item["entry"].get("failure") or {}
        step = f"`{failure['step']}`" if failure.get("step") else "—"
        code = f" (exit code {failure['exit_code']})" if failure.get("exit_code") is not None else ""
        lines.append(f"| `docs/{entry.get('page')}` | `{item['recipe']}` | {item['target']} | {step}{code} "
                     f"| `{reproduce(item['recipe'], item['target'])}` |")
    for item in items:
        entry, failure, target, name = item["entry"], item["entry"].get("failure") or {}, item["target"], item["recipe"]
        lines += ["", f"### `{name}` on {target}", "", f"- Page: `docs/{entry.get('page')}` ({entry.get('title', '')})"]
        if failure.get("step"):
            code = f" (exit code {failure['exit_code']})" if failure.get("exit_code") is not None else ""
            lines.append(f"- Failing step: `{failure['step']}`{code}")
        if entry.get("reason"):
            lines.append(f"- Reason: {entry['reason']}")
        if failure.get("hint"):
            lines.append(f"- Hint: {failure['hint']}")
        if failure.get("log"):
            lines.append(f"- Log: `{_shown(item['log_root'] / failure['log'])}` (in the run's uploaded artifact)")
        lines.append(f"- History: {_history_line(records, name, target, entry.get('content_hash'))}")
        lines.append(f"- Reproduce: `{reproduce(name, target)}`")
        if failure.get("command"):
            lines += ["", "Command:", "", *_code(failure["command"], "bash")]
        if failure.get("output_tail"):
            lines += ["", "<details><summary>Last lines of its output</summary>", "", *_code(failure["output_tail"], "text"),
                      "", "</details>"]
    if history_note:
        lines += ["", history_note]
    return "\n".join(lines) + "\n"


def text(report_dir: Path, targets: tuple[str, ...] = TARGETS) -> str:
    """The same facts for a terminal: one block per failing recipe."""
    from recipebook.progress import describe_failure

    items, _ = collect(report_dir, targets)
    if not items:
        return "no failing recipe in the reports"
    blocks = []
    for item in items:
        entry = item["entry"]
        failure = entry.get("failure") or {"step": "?", "problems": [entry.get("reason") or entry.get("status")]}
        blocks.append(f"docs/{entry.get('page')} ({item['target']}):\n"
                      + describe_failure(item["recipe"], failure, _shown(item["log_root"]), item["target"]))
    return "\n\n".join(blocks)
