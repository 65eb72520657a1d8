"""An invalid recipe spec is refused with a message naming the file, the key and what was expected."""
import textwrap
from pathlib import Path

import pytest

from recipebook import spec

VALID = """
title: ok
page: recipes/data/ok.md
stage: data
targets: [local]
components: [pandas]
ports: [WEB_PORT]
steps:
  - id: one
    run: echo hi
  - id: two
    run: export WEB_PORT=${WEB_PORT:-8000}
"""


def write(tmp_path: Path, text: str, name: str = "bad") -> Path:
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "recipe.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(spec.SpecError) as info:
        spec.load(write(tmp_path, text))
    return str(info.value)


def test_valid_spec_loads_with_defaults(tmp_path):
    recipe = spec.load(write(tmp_path, VALID, "ok"))
    assert recipe.name == "ok" and recipe.timeout == 900 and recipe.ports == ("WEB_PORT",)
    assert recipe.steps[0].run == {"local": "echo hi", "kind": "echo hi"}
    assert recipe.steps[0].timeout == 300 and recipe.steps[0].retries == 0


@pytest.mark.parametrize("change, expected", [
    (("stage: data", "stage: cooking"), "stage: got 'cooking', expected one of data, training, serving, orchestration, platform, operations"),
    (("title: ok\n", ""), "(top level): missing required key 'title'"),
    (("    run: echo hi", "    run: echo hi\n    colour: red"), "steps[0]: Additional properties are not allowed ('colour' was unexpected)"),
    (("    run: echo hi", "    run: {docker: echo hi}"), "steps[0].run: expected a command string, or a mapping with 'local' and/or 'kind' commands"),
    (("  - id: one", "  - id: One Step"), "steps[0].id: got 'One Step', which does not match"),
    (("    run: echo hi", "    run: echo hi\n    background: true"), "steps[0]: missing required key 'ready'"),
    (("    run: echo hi", "    run: echo hi\n    timeout: soon"), "steps[0].timeout: got 'soon' (str), expected number"),
    (("    run: echo hi", "    run: echo hi\n    expect: {json: {checks: [{path: a}]}}"), "steps[0].expect.json.checks[0]"),
])
def test_schema_errors_name_file_and_key(tmp_path, change, expected):
    message = error_for(tmp_path, VALID.replace(*change))
    assert "bad/recipe.yaml" in message
    assert expected in message


def test_semantic_errors(tmp_path):
    dup = VALID + "  - id: one\n    run: echo again\n"
    assert "steps[2].id: duplicate step id 'one'" in error_for(tmp_path, dup)
    port = VALID.replace("    run: echo hi", "    run: sleep 9\n    background: true\n    ready: {port: db}")
    assert "steps[0].ready.port: 'db' is not declared under 'ports' (WEB_PORT)" in error_for(tmp_path, port)
    regex = VALID.replace("    run: echo hi", "    run: echo hi\n    expect: {output_matches: ['(unclosed']}")
    assert "steps[0].expect.output_matches: invalid regular expression" in error_for(tmp_path, regex)
    kind = (VALID.replace("targets: [local]", "targets: [local, kind]").replace("    run: echo hi", "    run: {local: echo hi}")
            .replace("    run: export WEB_PORT=${WEB_PORT:-8000}", "    run: {local: 'export WEB_PORT=${WEB_PORT:-8000}'}"))
    assert "targets: 'kind' is listed but no step has a command for it" in error_for(tmp_path, kind)
    assert "not valid YAML" in error_for(tmp_path, "title: [unclosed\n")
    assert "expected a mapping of keys" in error_for(tmp_path, "- just a list\n")
    missing = VALID + "files: [../elsewhere/flow.py]\n"
    assert "files: '../elsewhere/flow.py' does not exist" in error_for(tmp_path, missing)


def test_needs_must_exist_and_not_cycle(tmp_path):
    write(tmp_path, VALID + "needs: [ghost]\n", "a")
    with pytest.raises(spec.SpecError, match=r"a/recipe.yaml: needs: 'ghost' is not a recipe"):
        spec.discover(tmp_path)
    write(tmp_path, VALID + "needs: [b]\n", "a")
    write(tmp_path, VALID + "needs: [a]\n", "b")
    recipes = spec.discover(tmp_path)
    with pytest.raises(spec.SpecError, match="cycle a -> b -> a"):
        spec.order_with_needs(["a"], recipes)


def test_order_puts_needs_first(tmp_path):
    write(tmp_path, VALID, "platform")
    write(tmp_path, VALID + "needs: [platform]\n", "train")
    recipes = spec.discover(tmp_path)
    assert spec.order_with_needs(["train"], recipes) == ["platform", "train"]
    assert spec.order_with_needs(["train", "platform"], recipes) == ["platform", "train"]


def test_every_real_recipe_is_valid():
    recipes = spec.discover()
    assert "local-platform" in recipes
    for recipe in recipes.values():
        assert recipe.steps, f"{recipe.name} has no steps"


def test_files_must_not_collide_in_the_flat_work_folder(tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "flow.py").write_text("print('hi')\n")
    text = VALID + "files: [../x/flow.py, ../y/flow.py]\n"
    assert "files: '../y/flow.py' and '../x/flow.py' share the name 'flow.py'" in error_for(tmp_path, text)


def test_a_variable_the_runner_sets_needs_a_visible_default_on_the_page(tmp_path):
    write(tmp_path, VALID.replace("run: export WEB_PORT=${WEB_PORT:-8000}", "run: echo $WEB_PORT"), "nodefault")
    with pytest.raises(spec.SpecError) as info:
        spec.discover(tmp_path)
    assert "nodefault/recipe.yaml: the runner sets WEB_PORT (a free port instead of the default), but the page does not " \
           "export it with a visible default" in str(info.value)


def test_a_visible_step_gets_no_environment_from_the_spec(tmp_path):
    message = error_for(tmp_path, VALID.replace("    run: echo hi", "    run: echo hi\n    env: {A: b}"))
    assert "steps[0].env: only hidden checks may get environment from the spec" in message


def test_generated_step_ids_are_reserved(tmp_path):
    assert "steps[0].id: 'install' is generated for every recipe" in error_for(tmp_path, VALID.replace("id: one", "id: install"))


def test_a_variable_the_page_reads_must_be_set_on_the_page(tmp_path):
    write(tmp_path, VALID.replace("run: echo hi", "run: echo \"$MODEL_NAME\" '$NOT_EXPANDED_IN_SINGLE_QUOTES'"), "unset")
    with pytest.raises(spec.SpecError) as info:
        spec.discover(tmp_path)
    assert "the page's commands read $MODEL_NAME, which neither the page sets nor a reader's shell has" in str(info.value)
    assert "NOT_EXPANDED" not in str(info.value)
    write(tmp_path, VALID.replace("run: echo hi", "run: export MODEL_NAME=${MODEL_NAME:-churn}; echo \"$MODEL_NAME $HOME\""), "unset")
    assert "unset" in spec.discover(tmp_path)


def test_the_pages_uv_and_python_are_the_ones_setup_installs():
    """Pages name uv and Python versions (procedure.py); the set-up scripts install those same versions."""
    import re

    from recipebook import PROJECT_ROOT, procedure
    for script in ("scripts/setup.sh", "scripts/lock.sh"):
        text = (PROJECT_ROOT / script).read_text()
        pinned = set(re.findall(r'UV_VERSION="([0-9.]+)"', text)) | set(re.findall(r'"uv==([0-9.]+)"', text))
        assert pinned == {procedure.UV_VERSION}, f"{script} pins uv {pinned}, pages say {procedure.UV_VERSION}"
    assert 'PYTHON="${PYTHON:-python' + procedure.PYTHON_VERSION + '}"' in (PROJECT_ROOT / "scripts/setup.sh").read_text()
