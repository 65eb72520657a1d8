"""pytest plugin: every recipe is a test item (tests/test_recipes.py), selectable with -k, run on --target.

One runner Session serves the whole pytest session, so recipes named under `needs:` start once and stay up
for the recipes that need them. The session writes the same verification report as `recipebook verify`
(merged into the target's report). Items marked `after_recipes` (the strict site build) run after every recipe.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from recipebook import DEFAULT_REPORT_DIR, spec, targets
from recipebook.progress import Progress, describe_failure


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("recipebook")
    group.addoption("--target", choices=targets.TARGETS, default="local", help="recipe target: local (default) or kind")
    group.addoption("--recipe-report-dir", type=Path, default=DEFAULT_REPORT_DIR, help="where the verification report goes")
    group.addoption("--recipe-shuffle", default=os.environ.get("RECIPEBOOK_SHUFFLE", "random"), metavar="SEED|random|none",
                    help="run the recipe items in a seeded random order (default: a new seed each session, printed in the "
                         "header and the report; replay with the same SEED; `none` keeps the needs order)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "recipe(name): a recipe run by the recipebook runner")
    config.addinivalue_line("markers", "after_recipes: runs after every recipe item of the session (needs their report)")


_SEED = pytest.StashKey[int | None]()


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Recipe items in a seeded random order (each still starts what it needs first); after_recipes items last.

    Order must not matter (a recipe passes alone and after any other), so the suite proves it on every run."""
    from recipebook.runner import shuffle_seed
    try:
        seed = shuffle_seed(config.getoption("--recipe-shuffle"))
    except ValueError as exc:
        raise pytest.UsageError(f"--recipe-shuffle: {exc}") from None
    config.stash[_SEED] = seed
    slots = [n for n, i in enumerate(items) if "recipe_name" in getattr(getattr(i, "callspec", None), "params", {})]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if seed is not None and slots and reporter is not None:
        reporter.write_line(f"recipebook: recipe order shuffled with seed {seed} (replay: --recipe-shuffle {seed})")
    if seed is not None:
        shuffled = [items[n] for n in slots]
        random.Random(seed).shuffle(shuffled)
        for n, item in zip(slots, shuffled):
            items[n] = item
    late = [i for i in items if i.get_closest_marker("after_recipes")]
    if late:
        items[:] = [i for i in items if not i.get_closest_marker("after_recipes")] + late


@pytest.fixture(scope="session")
def recipe_target(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--target")


@pytest.fixture(scope="session")
def recipe_report_dir(request: pytest.FixtureRequest) -> Path:
    return request.config.getoption("--recipe-report-dir")


@pytest.fixture(scope="session")
def recipe_session(request: pytest.FixtureRequest, recipe_target: str, recipe_report_dir: Path):
    """The runner session shared by every recipe item; closed (servers stopped, report finished) at the end."""
    from recipebook.runner import Session

    recipes = spec.discover()
    selected = [i.callspec.params["recipe_name"] for i in request.session.items
                if hasattr(i, "callspec") and "recipe_name" in i.callspec.params]
    session = Session(recipes, recipe_target, report_dir=recipe_report_dir, merge=True,
                      progress=Progress(out=_terminal(request.config)),
                      planned=spec.order_with_needs(selected, recipes) if selected else None)
    seed = request.config.stash.get(_SEED, None)
    if seed is not None:
        session.report["shuffle_seed"] = seed
    yield session
    session.close()


class _TerminalLines:
    """A file-like object that writes through pytest's terminal reporter, so recipe progress (step j/m, elapsed
    time) shows live in CI logs although pytest captures the tests' own output."""

    def __init__(self, reporter, capture_manager):
        self.reporter = reporter
        self.capture_manager = capture_manager

    def write(self, text: str) -> int:
        if self.capture_manager is None:
            self.reporter.write(text, flush=True)
        else:
            with self.capture_manager.global_and_fixture_disabled():
                self.reporter.write(text, flush=True)
        return len(text)

    def flush(self) -> None:
        self.reporter.flush()


def _terminal(config: pytest.Config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture_manager = config.pluginmanager.get_plugin("capturemanager")
    return _TerminalLines(reporter, capture_manager) if reporter is not None else None


def run_recipe_item(session, name: str) -> None:
    """Body of a recipe test item: skip loudly where the target can't run it, fail with the runner's explanation."""
    recipe = session.recipes[name]
    if session.target not in recipe.targets:
        pytest.skip(f"recipe '{name}' supports only {', '.join(recipe.targets)}, not --target {session.target}")
    if session.target_reason:
        pytest.skip(f"SKIPPED ON THIS MACHINE: recipe '{name}' on target {session.target}: {session.target_reason}")
    entry = session.run_recipe(name)
    if entry["status"] == "passed":
        return
    lines = [f"recipe '{name}' {entry['status']}: {entry.get('reason')}"]
    if entry.get("failure"):
        lines.append(describe_failure(name, entry["failure"], str(session.log_root), session.target))
    pytest.fail("\n".join(lines), pytrace=False)
