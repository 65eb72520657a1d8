"""Expectations, JSON paths, ${VAR} expansion, hints and the content hash."""
import pytest
import shutil
from pathlib import Path

from recipebook import hints, spec
from recipebook.expand import expand
from recipebook.expectations import check, json_path
from recipebook.hashing import content_hash


def test_json_path_and_checks(tmp_path):
    data = {"a": {"b": [{"c": 5}]}}
    assert json_path(data, "a.b[0].c") == 5
    out = 'noise\n{"rows_in": 5, "kept": 3, "bad": 2, "items": [1, 2]}\n'
    ok = {"json": {"checks": [{"path": "rows_in", "equals_sum_of": ["kept", "bad"]}, {"path": "items", "length": 2},
                              {"path": "kept", "min": 3, "max": 3}, {"path": "nope", "exists": False}]}}
    assert check(ok, 0, out, tmp_path) == []
    bad = {"json": {"checks": [{"path": "kept", "min": 4}, {"path": "missing", "equals": 1}]}}
    assert check(bad, 0, out, tmp_path) == ["output JSON kept: expected >= 4, received 3",
                                            "output JSON missing: expected a value, the path does not exist"]
    assert check({"json": {"file": "x.json", "checks": [{"path": "a", "equals": 1}]}}, 0, "", tmp_path) == [
        "expected JSON file x.json in the work folder; it does not exist"]
    assert check({"exit_code": 2, "output_matches": [r"^done \d+$"]}, 2, "done 42\n", tmp_path) == []
    assert check({"output_not_contains": ["Traceback"]}, 0, "Traceback (most recent call last)", tmp_path) == [
        "output: expected not to contain 'Traceback'; it does"]


def test_expand_leaves_unknown_variables_visible():
    assert expand("http://127.0.0.1:${PORT}/x$Y", {"PORT": "80"}) == "http://127.0.0.1:80/x$Y"


def test_hints_for_foreseeable_failures():
    assert "port is already in use" in hints.for_exit(1, "OSError: [Errno 98] Address already in use").lower()
    assert "scripts/setup.sh" in hints.for_exit(1, "ModuleNotFoundError: No module named 'prefect'")
    assert hints.for_exit(1, "plain failure") is None


def test_content_hash_changes_with_code_and_page(tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(Path(spec.RECIPES_DIR) / "local-platform", root / "recipes" / "local-platform")
    docs = root / "docs"
    page = docs / "recipes" / "platform" / "local-platform.md"
    page.parent.mkdir(parents=True)
    page.write_text("# page\n")
    recipe = spec.load(root / "recipes" / "local-platform" / "recipe.yaml")
    first = content_hash(recipe, docs)
    assert first == content_hash(recipe, docs)
    (root / "recipes" / "local-platform" / "__pycache__").mkdir()
    (root / "recipes" / "local-platform" / "__pycache__" / "x.pyc").write_bytes(b"cache")
    assert content_hash(recipe, docs) == first, "caches must not change the hash"
    flow = root / "recipes" / "local-platform" / "smoke_flow.py"
    flow.write_text(flow.read_text() + "\n# edited\n")
    second = content_hash(recipe, docs)
    assert second != first
    page.write_text("# page edited\n")
    assert content_hash(recipe, docs) not in (first, second)


def test_the_evidence_covers_the_locked_versions_a_recipe_runs_with(tmp_path):
    """A recipe's versions live in its requirements.txt (hashed with the recipe); a file that disagrees with the one
    lock (the lock changed, the file was not regenerated) is an invalid spec, so no old evidence can pass for it."""
    import re
    import shutil

    from recipebook import RECIPES_DIR, hashing, spec

    folder = tmp_path / "recipes" / "local-platform"
    shutil.copytree(RECIPES_DIR / "local-platform", folder)
    before = hashing.content_hash(spec.load(folder / "recipe.yaml"), tmp_path)
    requirements = folder / "requirements.txt"
    text = requirements.read_text()
    pinned = re.search(r"^prefect==(\S+) ", text, re.M).group(1)
    requirements.write_text(text.replace(f"prefect=={pinned} ", "prefect=3.0.0 ".replace("=", "==", 1)))
    with pytest.raises(spec.SpecError, match=r"does not match requirements.lock \(prefect==3.0.0, but requirements.lock has "):
        spec.load(folder / "recipe.yaml")
    after = hashing.content_hash(spec.load(folder / "recipe.yaml", check_requirements=False), tmp_path)
    assert after != before


def test_content_hash_is_the_same_through_a_linked_recipes_folder(tmp_path):
    """A recipe with extra files from another recipe hashes the same when the recipes folder is a symbolic link to
    the real one: resolving the link used to name the extra files differently, so a run from a linked checkout
    looked stale on the site."""
    real = tmp_path / "real" / "recipes"
    for name in ("train-register", "data-validation"):
        shutil.copytree(Path(spec.RECIPES_DIR) / name, real / name)
    linked_root = tmp_path / "linked"
    linked_root.mkdir()
    (linked_root / "recipes").symlink_to(real, target_is_directory=True)
    docs = tmp_path / "docs"
    through_real = content_hash(spec.load(real / "train-register" / "recipe.yaml"), docs)
    through_link = content_hash(spec.load(linked_root / "recipes" / "train-register" / "recipe.yaml"), docs)
    assert spec.load(real / "train-register" / "recipe.yaml").files, "the recipe must copy files from another recipe"
    assert through_link == through_real


def test_a_running_database_cluster_s_files_are_not_a_check_s_doing(tmp_path):
    """Files under a data directory whose postmaster.pid names a live process are excused (a query rewrites them);
    the same change with a dead process, or a change beside the data directory, is still reported."""
    import os
    import subprocess
    import sys

    from recipebook.workfolder import changes, snapshot

    data = tmp_path / "pgdata"
    (data / "base").mkdir(parents=True)
    table = data / "base" / "16384"
    table.write_text("v1")
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (data / "postmaster.pid").write_text(f"{server.pid}\n{data}\n")
        before = snapshot(tmp_path)
        table.write_text("v2, longer")
        (tmp_path / "notes.txt").write_text("a check wrote this")
        assert changes(before, snapshot(tmp_path), set(), tmp_path) == ["created notes.txt"]
    finally:
        server.kill()
        server.wait()
    table.write_text("v3, longer still")
    found = changes(before, snapshot(tmp_path), set(), tmp_path)
    assert "changed pgdata/base/16384" in found and "created notes.txt" in found
    assert os.path.exists(data / "postmaster.pid")


def test_a_check_that_deletes_creates_or_changes_a_file_is_reported_each_way(tmp_path):
    """Each kind of change is named, a deleted file included: a check that removes an output would hide a failure."""
    from recipebook.workfolder import changes, snapshot

    (tmp_path / "kept.txt").write_text("same")
    (tmp_path / "gone.txt").write_text("deleted by the check")
    (tmp_path / "edited.txt").write_text("v1")
    before = snapshot(tmp_path)
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "edited.txt").write_text("v2, longer")
    (tmp_path / "new.txt").write_text("created")
    assert changes(before, snapshot(tmp_path), set(), tmp_path) == ["changed edited.txt", "deleted gone.txt", "created new.txt"]
    assert changes(before, before, set(), tmp_path) == []
