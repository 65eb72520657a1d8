"""The report file (report.py): where it lives, what a corrupt or older one says, atomic writes, merging and the
passing hashes `verify --changed` compares against."""
import json
import os
from datetime import datetime

import pytest

from recipebook import report


def test_now_iso_is_utc_to_the_second():
    moment = datetime.fromisoformat(report.now_iso())
    assert moment.utcoffset().total_seconds() == 0 and moment.microsecond == 0


def test_the_report_of_a_target_lives_in_its_own_folder(tmp_path):
    assert report.report_path("kind", tmp_path) == tmp_path / "kind" / "report.json"


def test_load_returns_none_without_a_file_and_names_a_corrupt_or_older_one(tmp_path):
    path = tmp_path / "local" / "report.json"
    assert report.load(path) is None
    path.parent.mkdir()
    path.write_text("{")
    with pytest.raises(ValueError, match=r"report.json: not a valid verification report \(.*\); delete it and re-run"):
        report.load(path)
    path.write_text(json.dumps({"schema_version": 0}))
    with pytest.raises(ValueError, match=r"report.json: report schema_version 0, expected 1; re-run `recipebook verify`"):
        report.load(path)
    path.write_text(json.dumps({"schema_version": report.SCHEMA_VERSION, "recipes": {}}))
    assert report.load(path) == {"schema_version": 1, "recipes": {}}


def test_write_atomic_replaces_the_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    """The new file is written beside the old one and renamed over it (a rename within one folder is atomic);
    it is indented, in the report's own key order, for people who open it."""
    path = tmp_path / "new" / "report.json"
    report.write_atomic(path, {"a": 1})
    renamed = []
    monkeypatch.setattr(report.os, "replace", lambda src, dst: renamed.append((src, dst)) or os.rename(src, dst))
    report.write_atomic(path, {"status": "passed", "a": 2, "é": "ü"})
    assert [os.path.dirname(src) for src, _ in renamed] == [str(path.parent)]
    assert path.read_text() == json.dumps({"status": "passed", "a": 2, "é": "ü"}, indent=2) + "\n"
    assert os.listdir(path.parent) == ["report.json"]
    with pytest.raises(TypeError):
        report.write_atomic(path, {"a": object()})
    assert json.loads(path.read_text())["a"] == 2 and os.listdir(path.parent) == ["report.json"]


def test_new_report_starts_running_and_keeps_the_previous_entries_only_when_merging():
    fresh = report.new_report("local", {"python": "3.11.7"}, "abc", True)
    assert {k: v for k, v in fresh.items() if k != "started_at"} == {
        "schema_version": 1, "target": "local", "status": "running", "finished_at": None, "git_commit": "abc",
        "git_dirty": True, "environment": {"python": "3.11.7"}, "recipes": {}}
    previous = {"recipes": {"a": {"status": "passed"}}}
    merged = report.new_report("local", {}, None, False, previous)
    assert merged["recipes"] == {"a": {"status": "passed"}}
    merged["recipes"]["b"] = {}
    assert set(previous["recipes"]) == {"a"}, "the previous report is copied, not changed"


def test_passing_hashes_are_those_of_passed_entries_only():
    data = {"recipes": {"a": {"status": "passed", "content_hash": "h1"}, "b": {"status": "failed", "content_hash": "h2"},
                        "c": {"status": "skipped", "content_hash": "h3"}}}
    assert report.passing_hashes(data) == {"a": "h1"}
    assert report.passing_hashes(None) == {} and report.passing_hashes({}) == {} and report.passing_hashes({"target": "local"}) == {}
