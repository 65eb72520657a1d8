"""The runner's choices tested without running recipes: which recipe `--jobs` starts next, and what teardown
counts as left behind."""
import socket

from recipebook.runner import Running, Session, critical_path, ready_to_start
from recipebook.terminal import Terminal

NEEDS = {"platform": (), "train": ("platform",), "serve": ("platform",), "lint": (), "report": ("train",)}


def test_a_recipe_waits_until_every_recipe_it_needs_has_finished():
    pending = ["platform", "train", "serve", "lint", "report"]
    assert set(ready_to_start(pending, NEEDS, set(), {})) == {"platform", "lint"}
    assert set(ready_to_start(["train", "serve", "lint", "report"], NEEDS, {"platform"}, {})) == {"train", "serve", "lint"}
    assert ready_to_start(["report"], NEEDS, {"platform"}, {}) == []
    assert ready_to_start(["report"], NEEDS, {"platform", "train"}, {}) == ["report"]


def test_the_recipe_heading_the_longest_expected_chain_starts_first():
    """lint alone (50 s) is longer than platform (1 s), but platform heads platform -> train -> report (1 + 30 + 40 s);
    a recipe without an expected time counts as the longest."""
    expected = {"platform": 1.0, "train": 30.0, "serve": 5.0, "lint": 50.0, "report": 40.0}
    assert critical_path("platform", NEEDS, expected) == 71.0
    assert critical_path("train", NEEDS, expected) == 70.0
    assert ready_to_start(["lint", "platform"], NEEDS, set(), expected) == ["platform", "lint"]
    assert ready_to_start(["serve", "lint", "train"], NEEDS, {"platform"}, expected) == ["train", "lint", "serve"]
    assert ready_to_start(["lint", "serve"], NEEDS, {"platform"}, {"lint": 50.0}) == ["serve", "lint"]


def test_a_port_still_listening_after_teardown_is_a_leftover(canaries, tmp_path):
    """A server that escaped the process group (no tagged process left) but still holds its port fails the recipe."""
    import io

    from recipebook.progress import Progress

    session = Session(canaries, "local", report_dir=tmp_path / "report", work_root=tmp_path / "work", merge=False,
                      progress=Progress(io.StringIO(), heartbeat=60), expected={})
    recipe = canaries["retries-once"]
    work = tmp_path / "work" / "local" / recipe.name
    work.mkdir(parents=True)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        env = {"HOME": str(tmp_path / "home")}
        running = Running(recipe, work, tmp_path / "report" / "local" / "logs", env, f"{session.run_id}-x",
                          {"DEMO_PORT": port}, Terminal(dict(env), work), tmp_path / "checks")
        entry = {"status": "passed", "reason": None}
        session._teardown(running, entry)
    assert entry["cleanup"]["leftovers"] == [f"port {port} (DEMO_PORT) still listening"]
    assert entry["status"] == "failed" and entry["reason"] == f"left behind after cleanup: port {port} (DEMO_PORT) still listening"
