"""The status banner at the top of a recipe page: the evidence of its last run on each target, or its absence,
and, from the run history, its recent runs as a strip (one mark per run), its pass rate and its median and p95
duration."""
from __future__ import annotations

import html
import re

from recipebook import history as run_history
from recipebook.spec import Recipe

from recipebook.site.components import Component, key_versions
from recipebook.site.evidence import Evidence, reproduce_command

TARGET_LABELS = {"local": "laptop (local)", "kind": "Kubernetes (kind)"}
# state -> (admonition type, headline)
STYLES = {
    "passed": ("success", "Verified"),
    "failed": ("failure", "Failing"),
    "stale": ("warning", "Changed since its last passing run"),
    "too-old": ("warning", "Verification too old"),
    "skipped": ("info", "Not verified here"),
    "not-verified": ("info", "Not verified"),
}
# the worst state wins the banner's colour
SEVERITY = ["failed", "stale", "too-old", "not-verified", "skipped", "passed"]
# One run of the strip is a small square drawn by CSS (docs/assets/recipebook.css), not an emoji: a machine without an
# emoji font (many Linux desktops, headless browsers) draws an emoji as a missing-glyph box. Its text is in its
# title and aria-label.
RUN_CLASS = "recipebook-run"
RUN_STATES = ("passed", "failed")
# What a page that has no passing run for its current form means for its reader, by state.
READER = {
    "failed": "the last run of this page's commands failed, so they may not work as shown.",
    "stale": "this page changed since its last passing run, so it has not been verified in its current form.",
    "too-old": "this page's last passing run is older than the allowed age, so it has not been verified recently.",
    "not-verified": "this page has not been verified in its current form.",
}
READER_ADVICE = ("Follow it at your own risk, or use the published site, which is only deployed when every page "
                 "has passed.")
FLAKY_PAGE = "/recipes/flaky.md"


def _duration(seconds) -> str:
    if seconds is None:
        return "?"
    seconds = float(seconds)
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _source(entry: dict) -> str:
    """Which code ran: a commit, or that commit plus uncommitted changes (a bare commit would claim too much)."""
    commit = entry.get("git_commit")
    if not commit:
        return ""
    if entry.get("git_dirty"):
        return f" (commit `{str(commit)[:10]}` with uncommitted changes)"
    return f" (commit `{str(commit)[:10]}`)"


def _mark(run: dict) -> str:
    """One run of the strip: a coloured square whose tooltip says when, how it ended, how long and which commit."""
    when = (run.get("finished_at") or "?")[:16].replace("T", " ")
    detail = f"{when} UTC: {run['status']} in {_duration(run.get('duration_s'))}"
    if run.get("git_commit"):
        detail += f", commit {str(run['git_commit'])[:10]}"
    if run["status"] == "failed" and (run.get("failure") or {}).get("step"):
        detail += f", at step {run['failure']['step']}"
    label = html.escape(detail, quote=True)
    state = run["status"] if run["status"] in RUN_STATES else "other"
    return f'<span class="{RUN_CLASS} {RUN_CLASS}--{state}" role="img" title="{label}" aria-label="{label}"></span>'


def for_maintainers(command: str, indent: str = "", hint: str | None = None, failing: str | None = None) -> list[str]:
    """A collapsed block (pymdownx.details) with the command that verifies the page again (and, for a failure, the
    failing step's command and the hint): for maintainers, not readers, so it is closed by default."""
    inner = [f"`{command}`"]
    if failing:  # a step's command may span lines: a code block, not inline code
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", failing)), default=0))
        inner += ["", "The failing step ran:", "", f"{fence}bash", *failing.rstrip().splitlines(), fence]
    if hint:
        inner += ["", f"Hint: {hint}"]
    return [f'{indent}??? note "For maintainers: verify it again"', ""] + [f"{indent}    {line}" if line else "" for line in inner]


def history_lines(records: list[dict], recipe: str, target: str, current_hash: str | None) -> list[str]:
    """The strip of recent runs, the pass rate and the durations; [] when the history has no run of the recipe."""
    runs = run_history.runs_of(records, recipe, target)
    if not runs:
        return []
    s = run_history.summarize(runs)
    strip = "".join(_mark(r) for r in s.runs)
    older = f" of {s.total} recorded" if s.total > len(s.runs) else ""
    text = f"Recent runs{older}, oldest first: {strip} passed {s.passed} of {len(s.runs)} ({s.pass_rate:.0%})"
    if s.median_s is not None:
        text += f"; passing runs took {_duration(s.median_s)} (median), {_duration(s.p95_s)} (p95)"
    lines = [text + "."]
    flaky = [f for f in run_history.flakes(runs) if f.content_hash == current_hash]
    if flaky:
        lines.append(f"Flaky: with its current content it failed {len(flaky[0].failures)} time(s) and then passed; "
                     f"see [flaky recipes]({FLAKY_PAGE}).")
    return lines


def _target_line(ev: Evidence, registry: dict[str, Component], components: tuple[str, ...],
                 records: list[dict] | None = None, current_hash: str | None = None) -> list[str]:
    label = TARGET_LABELS.get(ev.target, ev.target)
    when = ev.when.strftime("%Y-%m-%d %H:%M UTC") if ev.when else "never"
    entry = ev.entry or {}
    if ev.state in ("not-verified", "skipped"):
        lines = [f"**{label}**: {STYLES[ev.state][1].lower()} ({ev.reason})."]
    else:
        lines = [f"**{label}**: {ev.state} on {when}, in {_duration(entry.get('duration_s'))}" + _source(entry) + "."]
    lines.extend(history_lines(records or [], ev.recipe, ev.target, current_hash))
    environment = dict(ev.environment or {})
    if entry.get("requirements"):  # what the recipe's own environment pinned, not the runner's
        environment["packages"] = {**(environment.get("packages") or {}), **entry["requirements"]}
    versions = key_versions(components, environment, registry)
    if versions and ev.state != "not-verified":
        python = entry.get("python") or (ev.environment or {}).get("python")  # the recipe's own environment's
        lines.append("Versions: " + ", ".join(f"{n} {v}" for n, v in versions) + (f", Python {python}" if python else "") + ".")
    if ev.state == "failed":
        failure = entry.get("failure") or {}
        if failure.get("step"):
            code = f" (exit code {failure['exit_code']})" if failure.get("exit_code") is not None else ""
            lines.append(f"Failing step `{failure['step']}`{code}.")
        if ev.reason:
            lines.append(f"Reason: {ev.reason}.")
    if ev.state in ("stale", "too-old"):
        lines.append(f"Why: {ev.reason}.")
    if ev.state in READER:
        lines.append(f"**What this means for you:** {READER[ev.state]} {READER_ADVICE}")
        lines.append("")
        failure = (entry.get("failure") or {}) if ev.state == "failed" else {}
        lines.extend(for_maintainers(reproduce_command(ev.recipe, ev.target), hint=failure.get("hint"),
                                     failing=failure.get("command")))
    return lines


def render(recipe: Recipe, evidence: dict[str, Evidence], required: tuple[str, ...],
           registry: dict[str, Component], records: list[dict] | None = None, current_hash: str | None = None) -> str:
    """An admonition per recipe; its colour is the worst state among the recipe's targets. `records` is the run
    history (all recipes); `current_hash` the recipe's content hash now (to say whether it is flaky as shown)."""
    shown = [evidence[t] for t in recipe.targets if t in evidence]
    states = [e.state for e in shown] or ["not-verified"]
    worst = min(states, key=SEVERITY.index)
    kind, headline = STYLES[worst]
    runs_where_required = bool(set(recipe.targets) & set(required))
    if not runs_where_required and worst != "passed":
        kind, headline = "info", "Not verified here"
    body = []
    for ev in shown:
        body.extend(_target_line(ev, registry, recipe.components, records, current_hash))
        body.append("")
    if not runs_where_required:
        body.append(f"This recipe runs on {', '.join(TARGET_LABELS[t] for t in recipe.targets)} only, "
                    "which this build does not require; see [how verification works](/contributing/verification.md).")
    text = "\n".join("    " + line if line else "" for line in body).rstrip()
    return f'!!! {kind} "{headline}: {recipe.title}"\n\n{text}\n'
