"""The content hash that ties a passing run to the exact code a page shows.

It covers every file in the recipe folder (recipe.yaml included), the extra `files:` it copies from other
recipes, and the recipe's page. Editing any of them changes the hash, so the site knows the evidence is stale.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from recipebook import DOCS_DIR
from recipebook.spec import Recipe

IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", "mlruns", ".DS_Store"}


def recipe_files(recipe: Recipe) -> list[Path]:
    """Files that make up the recipe: its folder (minus caches) plus its declared extra files.

    Extra files are normalised by name (`..` removed), not resolved through symbolic links: a recipes folder
    that is a link (a test's or a contributor's layout) must hash exactly as the real one does."""
    own = [p for p in sorted(recipe.path.rglob("*")) if p.is_file() and not (IGNORED_PARTS & set(p.relative_to(recipe.path).parts)) and p.suffix != ".pyc"]
    extra = [Path(os.path.normpath(recipe.path / f)) for f in recipe.files]
    return own + extra


def content_hash(recipe: Recipe, docs_dir: Path = DOCS_DIR) -> str:
    """sha256 over (relative name, bytes) of the recipe's files and its page; a missing page hashes as absent."""
    h = hashlib.sha256()
    root = recipe.path.parent.parent  # the project root (recipes/<name>/..)
    for path in recipe_files(recipe):
        try:
            name = path.relative_to(root).as_posix()
        except ValueError:
            name = path.name
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    page = Path(docs_dir) / recipe.page
    h.update(b"page\0" + recipe.page.encode() + b"\0" + (page.read_bytes() if page.is_file() else b"<missing>"))
    return "sha256:" + h.hexdigest()
