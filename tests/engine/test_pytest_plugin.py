"""The pytest plugin: one item per recipe, selectable with -k, --target, loud skips, JUnit XML."""
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pytest_run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_recipes.py", "-rs",
                           "--recipe-report-dir", str(tmp_path / "r"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def _ids(out: str) -> list[str]:
    return [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "test_recipe[" in line]


def test_every_recipe_is_an_item_in_needs_order_without_shuffle(tmp_path):
    ids = _ids(pytest_run("--collect-only", "-q", "--recipe-shuffle", "none", tmp_path=tmp_path).stdout)
    assert "local-platform" in ids
    from recipebook import spec
    recipes = spec.discover()
    assert sorted(ids) == sorted(recipes)
    for name in ids:
        for need in recipes[name].needs:
            assert ids.index(need) < ids.index(name), f"{need} must come before {name}"


def test_recipe_items_run_in_a_seeded_shuffled_order_that_replays(tmp_path):
    first = pytest_run("--collect-only", "-q", "--recipe-shuffle", "7", tmp_path=tmp_path)
    again = pytest_run("--collect-only", "-q", "--recipe-shuffle", "7", tmp_path=tmp_path)
    other = pytest_run("--collect-only", "-q", "--recipe-shuffle", "8", tmp_path=tmp_path)
    plain = pytest_run("--collect-only", "-q", "--recipe-shuffle", "none", tmp_path=tmp_path)
    assert "recipe order shuffled with seed 7 (replay: --recipe-shuffle 7)" in first.stdout
    assert _ids(first.stdout) == _ids(again.stdout), "the same seed must give the same order"
    assert sorted(_ids(first.stdout)) == sorted(_ids(plain.stdout))
    assert _ids(first.stdout) != _ids(plain.stdout) or _ids(other.stdout) != _ids(plain.stdout)
    bad = pytest_run("--collect-only", "-q", "--recipe-shuffle", "soon", tmp_path=tmp_path)
    assert bad.returncode != 0 and "--recipe-shuffle: expected a number, 'random' or 'none'" in bad.stdout + bad.stderr


def test_kind_target_skips_loudly_and_junit_records_it(tmp_path):
    junit = tmp_path / "junit.xml"
    result = pytest_run("-k", "local-platform", "--target", "kind", f"--junitxml={junit}", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "recipe 'local-platform' supports only local, not --target kind" in result.stdout
    case = ET.parse(junit).getroot().find(".//testcase")
    skipped = case.find("skipped")
    assert skipped is not None and "supports only local" in skipped.get("message")
