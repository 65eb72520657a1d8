"""The Recipes and Operations sections of the navigation, built from the specs and the pages under docs/recipes/,
so adding a recipe page never requires editing mkdocs.yml."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from recipebook import spec
from recipebook.spec import Recipe

# The stages in pipeline order: the schema's `stage` enum, so a stage the specs accept is never missing here.
STAGE_ORDER = tuple(spec.schema()["properties"]["stage"]["enum"])
RECIPES_SECTION = "Recipes"
OPERATIONS_SECTION = "Operations"


def page_stage(src_uri: str, recipes: list[Recipe]) -> str:
    """The stage of a page: its recipes' (earliest in the pipeline), else the folder it sits in."""
    stages = sorted({r.stage for r in recipes}, key=STAGE_ORDER.index)
    if stages:
        return stages[0]
    parts = src_uri.split("/")
    return parts[1] if len(parts) > 2 else "other"


def recipe_pages(docs_dir: Path, recipes: dict[str, Recipe]) -> dict[str, str]:
    """src_uri -> stage, for every existing page under docs/recipes/ and every existing page a spec names."""
    by_page: dict[str, list[Recipe]] = {}
    for r in recipes.values():
        by_page.setdefault(r.page, []).append(r)
    uris = {p.relative_to(docs_dir).as_posix() for p in (docs_dir / "recipes").rglob("*.md")} if (docs_dir / "recipes").is_dir() else set()
    uris |= {uri for uri in by_page if (docs_dir / uri).is_file()}
    uris.discard("recipes/index.md")
    return {uri: page_stage(uri, by_page.get(uri, [])) for uri in sorted(uris)}


def _section_title(stage: str) -> str:
    return stage.replace("-", " ").capitalize()


def extend_nav(nav: list[Any], pages: dict[str, str]) -> list[Any]:
    """Append stage groups to the Recipes section and the operations pages to the Operations section of `nav`."""
    grouped: dict[str, list[str]] = {}
    for uri, stage in pages.items():
        grouped.setdefault(stage, []).append(uri)
    order = [s for s in STAGE_ORDER if s in grouped] + sorted(s for s in grouped if s not in STAGE_ORDER)
    recipes_items = [{_section_title(s): grouped[s]} for s in order if s != "operations"]
    operations_items = grouped.get("operations", [])
    for item in nav:
        if isinstance(item, dict) and RECIPES_SECTION in item:
            item[RECIPES_SECTION] = list(item[RECIPES_SECTION] or []) + recipes_items
        if isinstance(item, dict) and OPERATIONS_SECTION in item:
            item[OPERATIONS_SECTION] = list(item[OPERATIONS_SECTION] or []) + operations_items
    return nav
