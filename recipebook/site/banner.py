"""The status banner at the top of a recipe page: the evidence of its last run on each target, or its absence."""
from __future__ import annotations

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


def _target_line(ev: Evidence, registry: dict[str, Component], components: tuple[str, ...]) -> list[str]:
    label = TARGET_LABELS.get(ev.target, ev.target)
    when = ev.when.strftime("%Y-%m-%d %H:%M UTC") if ev.when else "never"
    entry = ev.entry or {}
    if ev.state in ("not-verified", "skipped"):
        lines = [f"**{label}**: {STYLES[ev.state][1].lower()} ({ev.reason})."]
    else:
        lines = [f"**{label}**: {ev.state} on {when}, in {_duration(entry.get('duration_s'))}" + _source(entry) + "."]
    environment = dict(ev.environment or {})
    if entry.get("requirements"):  # what the recipe's own environment pinned, not the runner's
        environment["packages"] = {**(environment.get("packages") or {}), **entry["requirements"]}
    versions = key_versions(components, environment, registry)
    if versions and ev.state != "not-verified":
        python = (ev.environment or {}).get("python")
        lines.append("Versions: " + ", ".join(f"{n} {v}" for n, v in versions) + (f", Python {python}" if python else "") + ".")
    if ev.state == "failed":
        failure = entry.get("failure") or {}
        if failure.get("step"):
            code = f" (exit code {failure['exit_code']})" if failure.get("exit_code") is not None else ""
            command = f": `{failure['command']}`" if failure.get("command") else ""
            lines.append(f"Failing step `{failure['step']}`{code}{command}.")
        if ev.reason:
            lines.append(f"Reason: {ev.reason}.")
        if failure.get("hint"):
            lines.append(f"Hint: {failure['hint']}")
    if ev.state in ("stale", "too-old"):
        lines.append(f"Why: {ev.reason}.")
    if ev.state in ("failed", "stale", "too-old", "not-verified"):
        lines.append(f"Reproduce: `{reproduce_command(ev.recipe, ev.target)}`")
    return lines


def render(recipe: Recipe, evidence: dict[str, Evidence], required: tuple[str, ...],
           registry: dict[str, Component]) -> str:
    """An admonition per recipe; its colour is the worst state among the recipe's targets."""
    shown = [evidence[t] for t in recipe.targets if t in evidence]
    states = [e.state for e in shown] or ["not-verified"]
    worst = min(states, key=SEVERITY.index)
    kind, headline = STYLES[worst]
    runs_where_required = bool(set(recipe.targets) & set(required))
    if not runs_where_required and worst != "passed":
        kind, headline = "info", "Not verified here"
    body = []
    for ev in shown:
        body.extend(_target_line(ev, registry, recipe.components))
        body.append("")
    if not runs_where_required:
        body.append(f"This recipe runs on {', '.join(TARGET_LABELS[t] for t in recipe.targets)} only, "
                    "which this build does not require; see [how verification works](/contributing/verification.md).")
    text = "\n".join("    " + line if line else "" for line in body).rstrip()
    return f'!!! {kind} "{headline}: {recipe.title}"\n\n{text}\n'
