"""The content hash (hashing.py) and the work-folder snapshots behind the hidden-write check (workfolder.py),
rule by rule."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recipebook import hashing, spec, workfolder


def make_recipe(root: Path, files=()) -> spec.Recipe:
    folder = root / "recipes" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "recipe.yaml").write_text("title: Demo\n")
    data = {"title": "Demo", "page": "recipes/training/demo.md", "stage": "training", "targets": ["local"],
            "components": [], "files": list(files), "steps": [{"id": "train", "run": "python train.py"}]}
    return spec.parse(data, folder / "recipe.yaml")


def test_the_hash_is_sha256_over_each_file_s_project_name_and_bytes_then_the_page(tmp_path):
    """The documented format, recomputed here: a change to any separator, name or byte changes every stored hash."""
    recipe = make_recipe(tmp_path)
    (recipe.path / "train.py").write_text("print(1)\n")
    docs = tmp_path / "docs"
    (docs / "recipes" / "training").mkdir(parents=True)
    (docs / "recipes" / "training" / "demo.md").write_text("# Demo\n")
    expected = hashlib.sha256()
    for name in ("recipes/demo/recipe.yaml", "recipes/demo/train.py"):
        expected.update(name.encode() + b"\0" + (tmp_path / name).read_bytes() + b"\0")
    expected.update(b"page\0recipes/training/demo.md\0# Demo\n")
    assert hashing.content_hash(recipe, docs) == "sha256:" + expected.hexdigest()


def test_a_missing_page_hashes_as_absent_and_an_empty_page_differs(tmp_path):
    recipe = make_recipe(tmp_path)
    docs = tmp_path / "docs"
    missing = hashing.content_hash(recipe, docs)
    expected = hashlib.sha256(b"recipes/demo/recipe.yaml\0title: Demo\n\0page\0recipes/training/demo.md\0<missing>")
    assert missing == "sha256:" + expected.hexdigest()
    (docs / "recipes" / "training").mkdir(parents=True)
    (docs / "recipes" / "training" / "demo.md").write_text("")
    assert hashing.content_hash(recipe, docs) != missing


def test_recipe_files_skip_caches_and_add_the_extra_files_by_their_normalised_name(tmp_path):
    other = tmp_path / "recipes" / "other"
    other.mkdir(parents=True)
    (other / "shared.py").write_text("x = 1\n")
    recipe = make_recipe(tmp_path, files=["../other/shared.py"])
    (recipe.path / "sub").mkdir()
    (recipe.path / "sub" / "kept.py").write_text("")
    for cache in sorted(hashing.IGNORED_PARTS):
        (recipe.path / cache).mkdir()
        (recipe.path / cache / "file").write_text("cache")
    (recipe.path / "sub" / "__pycache__").mkdir()
    (recipe.path / "sub" / "__pycache__" / "kept.cpython-311.pyc").write_bytes(b"")
    (recipe.path / "stray.pyc").write_bytes(b"")
    assert hashing.recipe_files(recipe) == [recipe.path / "recipe.yaml", recipe.path / "sub" / "kept.py", other / "shared.py"]
    assert hashing.IGNORED_PARTS == {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", "mlruns", ".DS_Store"}


def test_an_extra_file_outside_the_project_is_hashed_by_its_name(tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("x")
    recipe = make_recipe(tmp_path / "project", files=["../../../elsewhere.txt"])
    docs = tmp_path / "docs"
    expected = hashlib.sha256(b"recipes/demo/recipe.yaml\0title: Demo\n\0" + b"elsewhere.txt\0x\0"
                              + b"page\0recipes/training/demo.md\0<missing>")
    assert hashing.content_hash(recipe, docs) == "sha256:" + expected.hexdigest()


def test_snapshot_records_size_and_time_of_every_file_but_caches(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "data.csv").write_text("1,2\n")
    (tmp_path / "top.txt").write_text("")
    for cache in ("__pycache__", ".ipynb_checkpoints"):
        (tmp_path / "a" / cache).mkdir()
        (tmp_path / "a" / cache / "x").write_text("cache")
    found = workfolder.snapshot(tmp_path)
    st = os.stat(tmp_path / "a" / "data.csv")
    assert found == {os.path.join("a", "data.csv"): (4, st.st_mtime_ns), "top.txt": (0, os.stat(tmp_path / "top.txt").st_mtime_ns)}
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "dangling").symlink_to(tmp_path / "nowhere")
    for i in range(9):  # whatever order the folder lists them in, a file that cannot be read skips only itself
        (tmp_path / "b" / f"f{i}").write_text("")
    assert sorted(workfolder.snapshot(tmp_path / "b")) == [f"f{i}" for i in range(9)]
    assert workfolder.snapshot(tmp_path / "missing") == {}


def test_home_state_covers_only_the_tools_default_folders(tmp_path):
    for name in workfolder.HOME_STATE_DIRS:
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "sub" / "f").write_text("x")
    (tmp_path / ".bashrc").write_text("")
    assert sorted(workfolder.home_state(tmp_path)) == [".mlflow/sub/f", ".prefect/sub/f", "mlruns/sub/f"]


def test_changes_excuse_what_servers_hold_open_and_sqlite_side_files_only(tmp_path):
    before = {"db.sqlite": (1, 1), "out.csv": (1, 1)}
    after = {"db.sqlite": (2, 2), "db.sqlite-journal": (1, 1), "db.sqlite-wal": (1, 1), "db.sqlite-shm": (1, 1),
             "out.csv": (1, 1), "log-journal.txt": (1, 1)}
    assert workfolder.changes(before, after, {str(tmp_path / "db.sqlite")}, tmp_path) == ["created log-journal.txt"]
    assert workfolder.changes(before, after, set(), tmp_path) == ["changed db.sqlite", "created log-journal.txt"]
    assert workfolder.changes(after, before, set(), tmp_path) == ["changed db.sqlite", "deleted log-journal.txt"]
    assert workfolder.changes({"out.csv": (1, 1)}, {"out.csv": (1, 2)}, set(), tmp_path) == ["changed out.csv"]


def test_a_live_cluster_is_one_whose_postmaster_pid_names_a_running_process(tmp_path):
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # only the first line is the pid: a file whose pid sits on a later line is not a cluster's
        for name, content in (("live", f"{server.pid}\n/data\n"), ("dead", "999999999\n"), ("garbage", f"\n{server.pid}\n")):
            (tmp_path / name).mkdir()
            (tmp_path / name / "postmaster.pid").write_text(content)
        (tmp_path / "live" / "other.pid").write_text(f"{server.pid}\n")
        files = {f"{name}/postmaster.pid": (1, 1) for name in ("dead", "garbage", "live")}
        assert workfolder.live_database_dirs(tmp_path, {"live/other.pid": (1, 1), **files}) == ["live"]
        with pytest.raises(subprocess.TimeoutExpired):  # asking whether a process lives must not signal it
            server.wait(timeout=1)
        assert workfolder.live_database_dirs(tmp_path, {"gone/postmaster.pid": (1, 1)}) == []
        before = {"live/base/1": (1, 1), "lively.txt": (1, 1)}
        after = {**workfolder.snapshot(tmp_path), "live/base/1": (2, 2), "lively.txt": (2, 2)}
        assert workfolder.changes(before, after, set(), tmp_path) == [
            "created dead/postmaster.pid", "created garbage/postmaster.pid", "changed lively.txt"]
    finally:
        server.kill()
        server.wait()
