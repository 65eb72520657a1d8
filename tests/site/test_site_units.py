"""Fast checks of the site modules' rules, without building a site."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import site_project  # noqa: F401  (puts the checkout on sys.path)
from recipebook.spec import parse
from recipebook.site import evidence, navigation, pages, steps
from recipebook.site.external_links import external_links, links_in_site, main as check_links

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
WEEK = timedelta(days=7)


def make_recipe(targets=("local", "kind"), run=None, hidden=False):
    data = {"title": "Demo", "page": "recipes/training/demo.md", "stage": "training", "targets": list(targets),
            "components": ["prefect"], "steps": [
                {"id": "train", "run": run or {"local": "python train.py", "kind": "kubectl apply -k k8s/"}},
                {"id": "check", "run": "python check.py", "hidden": True}]}
    return parse(data, Path("/nowhere/recipes/demo/recipe.yaml"))


def test_scan_classifies_every_code_block():
    markdown = "\n".join([
        "---", "recipe: demo", "---", "# Demo", "",
        "```python", '--8<-- "recipes/demo/train.py:fit"', "```", "",
        "<!-- recipe:step train -->", "",
        "<!-- not-executed: sample output -->", "```text", "accuracy 0.9", "```", "",
        "<!-- not-executed: -->", "```bash", "echo no reason", "```", "",
        "```mermaid", "flowchart LR", "```", "",
        "````markdown", "```python", "print('nested example')", "```", "<!-- recipe:step not-a-real-one -->", "````", "",
        "```python", "print('pasted')", "```",
    ])
    scan = pages.scan(markdown)
    assert scan.named_recipes() == ["demo"]
    kinds = [(b.line, b.kind) for b in scan.blocks]
    assert kinds == [(6, "included"), (10, "step"), (13, "not-executed"), (18, "not-executed"), (22, "diagram"),
                     (26, "unaccounted"), (33, "unaccounted")]
    assert scan.includes == [pages.Include(7, "recipes/demo/train.py", "fit")]
    assert [p.step for p in scan.placeholders] == ["train"]  # the one inside the example fence is not a placeholder
    assert scan.blocks[2].detail == "sample output" and scan.blocks[3].detail == ""


def test_block_form_include_counts_as_included():
    scan = pages.scan("```python\n--8<--\nrecipes/demo/a.py\nrecipes/demo/b.py:part\n--8<--\n```\n")
    assert [b.kind for b in scan.blocks] == ["included"]
    assert scan.includes == [pages.Include(3, "recipes/demo/a.py"), pages.Include(4, "recipes/demo/b.py", "part")]


def test_step_with_different_commands_renders_laptop_and_kubernetes_tabs():
    recipe = make_recipe()
    rendered = steps.render(recipe, recipe.steps[0])
    assert '=== "Laptop"' in rendered and '=== "Kubernetes"' in rendered
    assert "    python train.py" in rendered and "    kubectl apply -k k8s/" in rendered
    assert 'data-step="train" data-targets="local"' in rendered and 'data-targets="kind"' in rendered


def test_the_executed_check_reads_commands_back_from_built_html():
    """Pygments wraps every token in spans and escapes <, > and &: the check reads the text back exactly."""
    from recipebook.site import executed
    html = ('<div class="recipebook-step" data-recipe="demo" data-step="train" data-targets="local">'
            '<div class="language-bash highlight"><pre><span></span><code><span class="nb">echo</span> '
            '<span class="s2">"a &amp;&amp; b &lt; c"</span>\n</code></pre></div></div>')
    assert executed.shown_commands(html) == [executed.ShownCommand("demo", "train", ("local",), 'echo "a && b < c"\n')]
    assert executed.differences(html, "demo", "local", [{"step": "train", "command": 'echo "a && b < c"'}]) == []
    problems = executed.differences(html, "demo", "local", [{"step": "train", "command": 'echo "a && b > c"'}])
    assert len(problems) == 1 and "differs from the command the run executed" in problems[0]


def test_a_block_on_the_page_that_the_run_never_executed_is_a_finding():
    """The page shows two steps, the run executed only the first: the second block is named, and is the only finding."""
    from recipebook.site import executed

    def block(step, command):
        return (f'<div class="recipebook-step" data-recipe="demo" data-step="{step}" data-targets="local">'
                f'<pre><code>{command}\n</code></pre></div>')
    html = block("train", "python train.py") + block("serve", "python serve.py")
    ran = [{"step": "train", "command": "python train.py"}]
    assert executed.differences(html, "demo", "local", ran) == [
        "block 2 (step 'serve') is on the page but the verified run executed no command there"]
    assert executed.differences(html, "demo", "local", ran + [{"step": "serve", "command": "python serve.py"}]) == []


def test_step_for_one_target_or_same_command_renders_one_block():
    local_only = make_recipe(targets=("local",))
    assert "===" not in steps.render(local_only, local_only.steps[0])
    same = make_recipe(run="python train.py")
    assert steps.render(same, same.steps[0]).count("```") == 2


def test_placeholders_for_hidden_or_unknown_steps_are_refused():
    recipe = make_recipe()
    assert "hidden" in steps.resolve(None, "check", [recipe], {"demo": recipe})[2]
    assert "has no step 'nope'" in steps.resolve(None, "nope", [recipe], {"demo": recipe})[2]
    assert "several recipes" in steps.resolve(None, "train", [recipe, recipe], {"demo": recipe})[2]
    assert steps.resolve("demo", "train", [], {"demo": recipe})[1] is recipe.steps[0]


def entry(status="passed", content_hash="sha256:a", days_ago=1.0):
    finished = NOW - timedelta(days=days_ago)
    return {"status": status, "content_hash": content_hash, "finished_at": finished.isoformat(), "reason": None}


def test_evidence_states():
    def state(e, current="sha256:a", report=True):
        data = {"recipes": {"demo": e}} if report and e else ({"recipes": {}} if report else None)
        return evidence.evaluate("demo", "local", current, data, NOW, WEEK).state
    assert state(entry()) == "passed"
    assert state(entry(), current="sha256:b") == "stale"
    assert state(entry(days_ago=8)) == "too-old"
    assert state(entry("failed")) == "failed"
    assert state(entry("skipped")) == "skipped"
    assert state(entry("running")) == "not-verified"
    assert state(None) == "not-verified"
    assert state(None, report=False) == "not-verified"


def test_required_targets_rule():
    ok = evidence.Evidence("demo", "local", "passed")
    bad_kind = evidence.Evidence("demo", "kind", "not-verified")
    both = {"local": ok, "kind": bad_kind}
    assert evidence.failing_targets(("local", "kind"), ("local",), both) == []
    assert evidence.failing_targets(("local", "kind"), ("local", "kind"), both) == [bad_kind]
    assert evidence.failing_targets(("kind",), ("local",), {"kind": bad_kind}) == []  # kind-only: not verified here
    assert evidence.reproduce_command("demo", "kind") == ".venv/bin/recipebook run demo --target kind"


def test_navigation_groups_recipe_pages_by_stage(tmp_path):
    for uri in ("recipes/training/demo.md", "recipes/kubernetes/cluster.md", "recipes/operations/upgrade.md"):
        (tmp_path / uri).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / uri).write_text("# x\n")
    recipe = make_recipe()
    nav = [{"Home": "index.md"}, {"Recipes": ["recipes/index.md"]}, {"Operations": ["operations/index.md"]}]
    navigation.extend_nav(nav, navigation.recipe_pages(tmp_path, {"demo": recipe}))
    assert nav[1]["Recipes"] == ["recipes/index.md", {"Training": ["recipes/training/demo.md"]},
                                 {"Kubernetes": ["recipes/kubernetes/cluster.md"]}]
    assert nav[2]["Operations"] == ["operations/index.md", "recipes/operations/upgrade.md"]


def test_external_links_are_extracted_without_local_or_relative_ones(tmp_path):
    page = ('<a href="https://example.org/a#frag">x</a><a href="../local/">y</a><a href="http://127.0.0.1:4200/">z</a>'
            '<script src="https://cdn.example.net/lib.js"></script><a href="mailto:x@y">m</a>')
    assert external_links(page) == ["https://example.org/a", "https://cdn.example.net/lib.js"]
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(page)
    (tmp_path / "sub" / "index.html").write_text('<a href="https://example.org/a">again</a>')
    assert links_in_site(tmp_path)["https://example.org/a"] == ["index.html", "sub/index.html"]


def _closed_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed once the socket is: connecting is refused at once


def test_external_link_check_skips_loudly_when_offline(tmp_path, capsys):
    (tmp_path / "index.html").write_text('<a href="https://example.org/">x</a>')
    offline = {"RECIPEBOOK_LINKCHECK_PROBE": f"127.0.0.1:{_closed_port()}"}
    assert check_links([str(tmp_path)], environ=offline) == 0
    err = capsys.readouterr().err
    assert "EXTERNAL LINK CHECK SKIPPED: no network" in err and "1 external links" in err
    assert check_links([str(tmp_path)], environ={**offline, "RECIPEBOOK_REQUIRE_NETWORK": "1"}) == 2
    assert check_links([str(tmp_path / "missing")], environ=offline) == 2


def test_rendered_output_shows_the_pages_ports_not_the_runs_free_ones():
    """The runner gives a recipe free ports; a reader who follows the page has its defaults (PG_PORT=5434 …), so a
    rendered output shows those, and the caption says so."""
    from recipebook import spec as spec_module
    from recipebook.site import outputs

    recipe = spec_module.discover()["backup-restore"]
    entry = {"ports": {"PG_PORT": 41847, "MLFLOW_PORT": 35037, "PREFECT_PORT": 38987}}
    shown, renamed = outputs.with_page_ports(recipe, entry, "db on 127.0.0.1:41847, MLflow at :35037, 413847 rows")
    assert renamed
    assert shown == "db on 127.0.0.1:5434, MLflow at :5150, 413847 rows"
    assert outputs.with_page_ports(recipe, {}, "port 41847") == ("port 41847", False)


def test_no_file_of_the_project_cites_a_file_outside_it():
    """Contributors who clone the project have only the project: the rules the code relies on are in
    docs/contributing/design.md, and no file points at a design document the repository does not hold."""
    root = Path(__file__).resolve().parents[2]
    tracked = __import__("subprocess").run(["git", "ls-files"], cwd=root, capture_output=True, text=True).stdout.split()
    outside = "DESIGN" + ".md"  # spelled apart, so that this test does not cite it itself
    citing = [f for f in tracked if f.endswith((".py", ".md", ".sh", ".yaml", ".yml", ".toml"))
              and outside in (root / f).read_text(errors="replace")]
    assert citing == [], f"these cite {outside}, which the repository does not contain: {citing}"
