"""Everything a strict build refuses, found before any page is rendered. Each finding names the page and the fix.

The checks (see docs/contributing/strict-mode.md):
  - every recipe has its page, and every page names only existing recipes;
  - every recipe passed, for its current content hash and within the allowed age, on each required target it supports;
  - every code block on every page is included from a recipe file, rendered from a step, or marked not executed
    with a reason (after the build, `executed` also compares each recipe page's step blocks with the commands the
    verified run executed);
  - every include exists (with its section), and lies in the files hashed for the page's recipes;
  - every step placeholder names a visible step; every output placeholder a visible step whose passing run recorded it;
  - the run history (build/verification/<target>/history.jsonl), when present, can be read.
Broken links and anchors are MkDocs' own `validation:` warnings; missing includes also fail in pymdownx.snippets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from recipebook import hashing, history
from recipebook.spec import Recipe
from recipebook.targets import TARGETS

from recipebook.site import evidence as ev
from recipebook.site import outputs, steps
from recipebook.site.pages import PageScan, scan
from recipebook.site.settings import Settings


@dataclass(frozen=True)
class Finding:
    where: str  # a page under docs/ (docs/recipes/...) or a spec file
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}. Fix: {self.fix}"


@dataclass
class SiteModel:
    """What the build knows about recipes, pages and evidence; computed once per build."""
    settings: Settings
    recipes: dict[str, Recipe]
    hashes: dict[str, str]
    reports: dict[str, dict]
    evidence: dict[str, dict[str, ev.Evidence]]
    scans: dict[str, PageScan]
    page_recipes: dict[str, list[Recipe]]
    findings: list[Finding] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)  # every recorded run (recipebook/history.py), oldest first
    history_error: str = ""  # why the history could not be read (the pages then show no history, and say why)

    @cached_property
    def verified_files(self) -> set[Path]:
        """Every file some recipe runs (hashes), listed once per build."""
        return _hashed_files(list(self.recipes.values()))

    def is_recipe_page(self, src_uri: str) -> bool:
        return bool(self.page_recipes.get(src_uri)) or src_uri.startswith("recipes/") or bool(self.scans[src_uri].named_recipes())


def _docs(src_uri: str) -> str:
    return f"docs/{src_uri}"


def _spec(recipe: Recipe, settings: Settings) -> str:
    try:
        return recipe.spec_file.relative_to(settings.project_root).as_posix()
    except ValueError:
        return str(recipe.spec_file)


def check_pages_and_recipes(model: SiteModel) -> list[Finding]:
    found = []
    for recipe in model.recipes.values():
        if recipe.page not in model.scans:
            found.append(Finding(_spec(recipe, model.settings), f"recipe '{recipe.name}' names page '{recipe.page}', which does not exist under docs/",
                                 f"create docs/{recipe.page} (or correct `page:` in {_spec(recipe, model.settings)})"))
    for uri, page in model.scans.items():
        if page.front_matter_error:
            found.append(Finding(_docs(uri), page.front_matter_error, "correct the front matter between the `---` lines"))
        for name in page.named_recipes():
            recipe = model.recipes.get(name)
            if recipe is None:
                found.append(Finding(_docs(uri), f"front matter names recipe '{name}', which does not exist (known: {', '.join(sorted(model.recipes)) or 'none'})",
                                     f"correct the name, or add recipes/{name}/recipe.yaml (`.venv/bin/recipebook new {name}`)"))
            elif recipe.page != uri:
                found.append(Finding(_docs(uri), f"front matter names recipe '{name}', but its spec puts it on '{recipe.page}'",
                                     f"make `page:` in {_spec(recipe, model.settings)} and the page agree"))
    return found


def check_evidence(model: SiteModel) -> list[Finding]:
    found = []
    for recipe in model.recipes.values():
        for bad in ev.failing_targets(recipe.targets, model.settings.required_targets, model.evidence[recipe.name]):
            rerun = ev.reproduce_command(recipe.name, bad.target)
            entry = bad.entry or {}
            failure = entry.get("failure") or {}
            if bad.state == "failed":
                step = f" at step '{failure.get('step')}'" if failure.get("step") else ""
                code = f" (exit code {failure['exit_code']})" if failure.get("exit_code") is not None else ""
                why = f": {bad.reason}" if bad.reason and bad.reason != "failed" else ""
                log = f"; its log: {failure['log']}" if failure.get("log") else ""
                problem = f"recipe '{recipe.name}' failed on {bad.target}{step}{code}{why}{log}"
                fix = f"fix the recipe, then re-verify with `{rerun}`"
            elif bad.state == "stale":
                problem = f"recipe '{recipe.name}' has no passing run on {bad.target} for its current content (hash {model.hashes[recipe.name][:19]}…): {bad.reason}"
                fix = f"run `{rerun}` to re-verify"
            elif bad.state == "too-old":
                problem = f"recipe '{recipe.name}' on {bad.target}: {bad.reason}"
                fix = f"run `{rerun}` to re-verify"
            else:
                problem = f"recipe '{recipe.name}' has no passing run on {bad.target} ({bad.state}: {bad.reason})"
                fix = f"run `{rerun}` to verify it"
            found.append(Finding(_docs(recipe.page), problem, fix))
    return found


def _hashed_files(recipes: list[Recipe]) -> set[Path]:
    return {p.resolve() for r in recipes for p in hashing.recipe_files(r)}


def _has_section(path: Path, section: str) -> bool:
    text = path.read_text(errors="replace")
    return f"[start:{section}]" in text and f"[end:{section}]" in text


def check_includes(model: SiteModel, uri: str, page: PageScan) -> list[Finding]:
    found = []
    root = model.settings.project_root
    recipe_page = model.is_recipe_page(uri)
    covered = _hashed_files(model.page_recipes.get(uri, [])) if recipe_page and page.includes else set()
    for inc in page.includes:
        target = root / inc.path
        if not target.is_file():
            found.append(Finding(_docs(uri), f"line {inc.line}: included file '{inc.path}' does not exist",
                                 "correct the path after --8<-- (relative to the project root, e.g. recipes/NAME/file.py)"))
            continue
        if inc.section and not _has_section(target, inc.section):
            found.append(Finding(_docs(uri), f"line {inc.line}: '{inc.path}' has no section '{inc.section}'",
                                 f"add `--8<-- [start:{inc.section}]` and `--8<-- [end:{inc.section}]` comments to the file, or correct the name"))
        # Any file the page's recipes hash may be shown (their folders and their `files:`, e.g. deploy/ manifests);
        # anything else would not invalidate their verification when edited.
        if recipe_page and target.resolve() not in covered:
            owners = ", ".join(r.name for r in model.page_recipes.get(uri, [])) or "none"
            found.append(Finding(_docs(uri), f"line {inc.line}: '{inc.path}' is not a file of this page's recipes ({owners}), so editing it would not invalidate their verification",
                                 "include it from the page's own recipe, or add it to that recipe's `files:`"))
    return found


def check_blocks(model: SiteModel, uri: str, page: PageScan) -> list[Finding]:
    """Every code block on every page ran (a step, or an include of a file some recipe runs) or says why not."""
    found = []
    if not model.is_recipe_page(uri) and any(b.kind == "included" for b in page.blocks):
        verified = model.verified_files
        for block in page.blocks:
            for inc in block.includes:
                target = (model.settings.project_root / inc.path).resolve()
                if block.kind == "included" and target.is_file() and target not in verified:
                    found.append(Finding(_docs(uri), f"line {block.line}: code block includes '{inc.path}', which no recipe runs",
                                         "include a file of a recipe, or put `<!-- not-executed: reason -->` on the line before the fence"))
    for block in page.blocks:
        if block.kind == "unaccounted":
            found.append(Finding(_docs(uri), f"line {block.line}: code block not accounted for ({block.detail!r}): it is neither included from a recipe file nor a step",
                                 "include the code with a `--8<-- \"recipes/NAME/FILE\"` line, render a step with `<!-- recipe:step ID -->`, "
                                 "or put `<!-- not-executed: reason -->` on the line before the fence"))
        elif block.kind == "not-executed" and not block.detail:
            found.append(Finding(_docs(uri), f"line {block.line}: `<!-- not-executed -->` without a reason",
                                 "say why the block is not executed: `<!-- not-executed: reason -->`"))
    for p in page.placeholders:
        _recipe, step, problem = steps.resolve(p.recipe, p.step, model.page_recipes.get(uri, []), model.recipes)
        if step is None:
            found.append(Finding(_docs(uri), f"line {p.line}: step placeholder '{p.step}': {problem}",
                                 "use the id of a visible step of the page's recipe (see its recipe.yaml)"))
    return found


def analyze(settings: Settings, page_sources: dict[str, str], recipes: dict[str, Recipe]) -> SiteModel:
    """Scan every page, evaluate the evidence of every recipe and collect the findings."""
    hashes = {name: hashing.content_hash(r, settings.docs_dir) for name, r in recipes.items()}
    findings: list[Finding] = []
    try:
        reports = ev.load_reports(settings.report_dir)
    except ValueError as exc:
        reports = {}
        findings.append(Finding(str(settings.report_dir), str(exc), "re-run `.venv/bin/recipebook verify`"))
    try:
        runs, history_error = history.load_all(settings.report_dir, TARGETS), ""
    except history.HistoryError as exc:
        runs, history_error = [], str(exc)
        findings.append(Finding(exc.where, exc.problem, exc.fix))
    evidence = {
        name: {t: ev.evaluate(name, t, hashes[name], reports.get(t), settings.now, settings.max_age) for t in r.targets}
        for name, r in recipes.items()
    }
    scans = {uri: scan(text) for uri, text in page_sources.items()}
    page_recipes: dict[str, list[Recipe]] = {}
    for r in recipes.values():
        page_recipes.setdefault(r.page, []).append(r)
    model = SiteModel(settings, recipes, hashes, reports, evidence, scans, page_recipes, findings, runs, history_error)
    model.findings.extend(check_pages_and_recipes(model))
    model.findings.extend(check_evidence(model))
    for uri, page in scans.items():
        model.findings.extend(check_includes(model, uri, page))
        model.findings.extend(check_blocks(model, uri, page))
        if page.outputs:
            model.findings.extend(Finding(_docs(uri), f"line {line}: {problem}", fix) for line, problem, fix
                                  in outputs.problems(page_sources[uri], page_recipes.get(uri, []), recipes, evidence))
    return model
