"""Run recipes on a target: fresh work folder, free ports, offline environment, steps with timeouts and
retries, cleanup that always runs, a leftover check, and the report written after every change.

A Session is one verification run. Recipes named under `needs:` start once per session, stay up for the
recipes that need them, and are torn down (with their leftover check) when the session closes. A session made
with `keep_history=True` (`recipebook verify`) appends its runs to the target's history when it closes (history.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from recipebook import DEFAULT_REPORT_DIR, DOCS_DIR, PROJECT_ROOT, environment, hints, history, netns, procedure, processes, readiness, report, spec, targets, venvs
from recipebook.expand import expand
from recipebook.expectations import check as check_expectations
from recipebook.hashing import content_hash
from recipebook.progress import Progress
from recipebook.terminal import Terminal, carry_over, script
from recipebook.workfolder import changes, home_state, snapshot

TAIL_LINES = 25
OUTPUT_LINES, OUTPUT_CHARS = 60, 6000


@dataclass
class Running:
    """What a recipe has started and must stop: background steps, ports, its namespace.

    `env` is a new terminal (what a reader opens, plus the runner's few overrides); `terminal` is the page's
    first terminal as the steps so far left it (exports and folder carry over from step to step).
    """
    recipe: spec.Recipe
    work_dir: Path
    log_dir: Path
    env: dict[str, str]
    token: str
    ports: dict[str, int]
    terminal: Terminal
    check_dir: Path
    home_before: dict[str, tuple[int, int]] = field(default_factory=dict)
    namespace: str | None = None
    backgrounds: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    network_mark: netns.Mark | None = None  # the outbound-attempt counters when the recipe started


def _tail(path: Path, lines: int = TAIL_LINES) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").rstrip().splitlines()[-lines:])


def _output(path: Path) -> str:
    """A passed visible step's output for the report: its last OUTPUT_LINES lines, at most OUTPUT_CHARS characters."""
    text = _tail(path, OUTPUT_LINES)
    return text if len(text) <= OUTPUT_CHARS else "…" + text[-OUTPUT_CHARS:]


def _raise_interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt(f"signal {signum}")


# Tools keep the work folder's absolute path in fields of fixed size: MLflow on PostgreSQL stores a run's artifact
# location in 200 characters (the folder, /mlruns/<experiment>/, the run's 32-character id and /artifacts).
SHORT_ENOUGH = 100


def default_work_root(project_root: Path = PROJECT_ROOT) -> Path:
    """build/work in the checkout; for a checkout deeper than a reader's folder usually is (a CI runner's workspace
    for a fork with a long name), a short folder of this user's in the system's temporary folder instead, so that
    the pages run in a folder of ordinary depth. The pages that must work at any depth have a test of their own
    (tests/recipes/test_deep_folder.py)."""
    inside = project_root / "build" / "work"
    if len(str(inside)) <= SHORT_ENOUGH:
        return inside
    mine = Path(tempfile.gettempdir()) / f"recipebook-{os.getuid()}"
    mine.mkdir(mode=0o711, exist_ok=True)  # others may pass through (a server's own account), not list it
    info = mine.lstat()
    if not mine.is_dir() or mine.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise ValueError(f"{mine} is not a folder of yours that only you can write to; remove it, or set "
                           "RECIPEBOOK_WORK_ROOT to a folder of yours for the recipes' work folders")
    return mine / hashlib.sha256(str(project_root).encode()).hexdigest()[:12]


def expected_durations(target: str, report_dir: Path = DEFAULT_REPORT_DIR) -> dict[str, float]:
    """How long each recipe is expected to take: its median in the run history, else its time in the last report;
    only the order of `verify --jobs` uses it. A history or report that cannot be read adds nothing (the session
    itself reports what is wrong with them)."""
    expected: dict[str, float] = {}
    try:
        last = report.load(report.report_path(target, report_dir)) or {}
        expected.update({name: float(e["duration_s"]) for name, e in last.get("recipes", {}).items()
                         if e.get("status") == "passed" and e.get("duration_s")})
    except (ValueError, OSError):
        pass
    try:
        expected.update(history.expected_durations(history.load(history.history_path(target, report_dir)), target))
    except (ValueError, OSError):
        pass
    return expected


def critical_path(name: str, needs: dict[str, tuple[str, ...]], expected: dict[str, float]) -> float:
    """The recipe's expected time plus the longest chain of recipes in this run (`needs`' keys) that need it: a
    platform that starts in seconds but that long recipes wait for goes first. Unknown times count as infinitely long."""
    dependents = [n for n, wanted in needs.items() if name in wanted]
    return expected.get(name, float("inf")) + max((critical_path(d, needs, expected) for d in dependents), default=0.0)


def ready_to_start(pending: list[str], needs: dict[str, tuple[str, ...]], finished: set[str],
                   expected: dict[str, float]) -> list[str]:
    """The pending recipes whose needed recipes have all finished, the one heading the longest expected chain
    first: `verify --jobs` starts them in this order (a plain function, so the choice is testable without processes)."""
    ready = [n for n in pending if all(need in finished for need in needs[n])]
    ready.sort(key=lambda n: -critical_path(n, needs, expected))
    return ready


class Session:
    """One verification run on one target; writes build/verification/<target>/report.json as it goes."""

    def __init__(self, recipes: dict[str, spec.Recipe], target: str = "local", *, report_dir: Path = DEFAULT_REPORT_DIR,
                 work_root: Path | None = None, merge: bool = True, progress: Progress | None = None,
                 docs_dir: Path = DOCS_DIR, planned: list[str] | None = None, reuse: dict[str, dict] | None = None,
                 keep_history: bool = False, expected: dict[str, float] | None = None, isolate_network: bool = True):
        self.recipes = recipes
        self.target = target
        self.docs_dir = docs_dir
        self.report_path = report.report_path(target, report_dir)
        self.log_root = self.report_path.parent
        self.work_root = Path(work_root or os.environ.get("RECIPEBOOK_WORK_ROOT") or default_work_root()) / target
        self._progress = progress or Progress()
        self._local = threading.local()  # with --jobs, each worker thread reports through its own Progress
        self._lock = threading.RLock()
        previous = report.load(self.report_path) if merge else None
        self.history_path = history.history_path(target, report_dir) if keep_history else None
        if self.history_path is not None:
            history.load(self.history_path)  # a corrupt or older-format history stops the run before it starts
        commit, dirty = environment.git_state()
        self.environment = environment.describe(target)
        self.report = report.new_report(target, self.environment, commit, dirty, previous)
        # Nothing leaves the machine: the run's recipes share one network namespace with only loopback (netns.py)
        self.isolation = netns.create(target, reuse=bool(reuse), wanted=isolate_network)
        self.report["network_isolation"] = self.isolation.describe()
        if self.isolation.active:
            self.progress.say("network: the recipes run in a network namespace with only loopback; a connection attempt "
                              "to any other address, or a DNS lookup, fails the recipe")
        else:
            self.progress.say(f"WARNING: OUTBOUND-CONNECTION CHECK OFF: {self.isolation.reason}. This run does not check "
                              "that nothing leaves the machine (it needs Linux and root; see recipebook/netns.py)")
        self.expected = expected if expected is not None else expected_durations(target, report_dir)
        self.run_id = uuid.uuid4().hex[:12]
        self.target_reason = targets.missing_reason(target)
        self.up: dict[str, Running] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.planned = list(planned or [])
        self.reuse = dict(reuse or {})  # needed recipes already running (recipebook up): name -> state
        self.interrupted = False
        self.started = time.monotonic()
        self._count = 0
        self._closed = False
        self._save()

    @property
    def progress(self) -> Progress:
        return getattr(self._local, "progress", None) or self._progress

    # ---- public -------------------------------------------------------------------------------------------
    def run_many(self, names: list[str], shuffle_seed: int | None = None, jobs: int = 1) -> dict[str, dict[str, Any]]:
        """Run the named recipes (and what they need) in order, then close the session.

        With `shuffle_seed`, the order is a seeded shuffle (needed recipes still first), so a recipe that only
        passes after another one is found, and the failing order can be replayed with the same seed.
        With `jobs` > 1, up to that many recipes run at once (see _run_parallel)."""
        if shuffle_seed is not None:
            names = list(names)
            random.Random(shuffle_seed).shuffle(names)
            self.progress.say(f"order shuffled with seed {shuffle_seed} (replay: recipebook verify --shuffle {shuffle_seed})")
            self.report["shuffle_seed"] = shuffle_seed
        order = spec.order_with_needs(names, self.recipes)
        self.planned = [n for n in order if n not in self.reuse]
        with self._signals_raise():
            try:
                if jobs > 1:
                    self._run_parallel(order, jobs)
                for name in order:
                    if self.interrupted:
                        break
                    self.run_recipe(name)
            except KeyboardInterrupt:
                self.interrupted = True
                for name in order:  # with --jobs, the workers' steps end now and their cleanup runs
                    processes.kill_processes(processes.tagged_processes(f"{self.run_id}-{name}"))
            finally:
                self.close()
        return self.results

    def _run_parallel(self, order: list[str], jobs: int) -> None:
        """Run up to `jobs` recipes at once, each in a worker thread with its own progress prefix.

        A recipe starts once every recipe it needs has finished (a needed platform stays up for it, as in a
        sequential run). Of the recipes that can start, the one heading the longest expected chain starts first
        (ready_to_start), so the run does not end with one long recipe alone on an idle machine. Recipes share the
        machine and the platforms they need, so this proves a little more than a sequential run (no two recipes
        may collide on names or ports) and suits a developer's machine with spare cores; CI and the pytest suite
        run one recipe at a time."""
        pending = list(order)
        futures: dict[Future, str] = {}
        needs = {n: self.recipes[n].needs for n in order}
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="recipe") as pool:
            while (pending and not self.interrupted) or futures:
                ready = ready_to_start(pending, needs, {n for n in order if self._finished(n)}, self.expected)
                for name in ready[:jobs - len(futures)]:
                    pending.remove(name)
                    futures[pool.submit(self._run_in_worker, name)] = name
                if not futures:
                    break  # nothing can start: run_many's loop reports what is left
                done, _ = wait(futures, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    futures.pop(future)
                    future.result()

    def _finished(self, name: str) -> bool:
        return name in self.results and self.results[name].get("status") != "running"

    def _run_in_worker(self, name: str) -> None:
        parent = self._progress
        self._local.progress = Progress(out=parent.out, heartbeat=parent.heartbeat, verbose=parent.verbose, prefix=f"[{name}] ")
        try:
            self.run_recipe(name)
        finally:
            self._local.progress = None

    def run_recipe(self, name: str) -> dict[str, Any]:
        """Run one recipe (starting what it needs first) and return its report entry."""
        with self.isolation.inside():
            return self._run_recipe(name)

    def _run_recipe(self, name: str) -> dict[str, Any]:
        if name in self.results:
            return self.results[name]
        recipe = self.recipes[name]
        if name in self.reuse:
            state = self.reuse[name]
            self.results[name] = {"status": "passed", "reason": f"reused: already running (recipebook up, pid {state['pid']})",
                                  "duration_s": 0.0, "reused": True}
            self.progress.say(f"\n↺ {name}: reusing the one already running (`recipebook up {name}`, pid {state['pid']})")
            return self.results[name]
        for need in recipe.needs:
            self._run_recipe(need)
        with self._lock:
            self._count += 1
            count = self._count
        total = max(len(self.planned), count)
        self.progress.recipe_start(count, total, name, recipe.title, self.target, len(procedure.all_steps(recipe)),
                                   note=f" — needs {', '.join(recipe.needs)}" if recipe.needs else "")
        skip = self._skip_reason(recipe)
        if skip:
            entry = self._new_entry(recipe, count)
            entry.update(status="skipped", reason=skip, finished_at=report.now_iso(), duration_s=0.0)
            self.progress.recipe_end(name, "skipped", 0.0, skip)
            self._save()
            return entry
        entry = self._execute(recipe, count)
        self.progress.recipe_end(name, entry["status"], entry["duration_s"] or 0.0, entry["reason"])
        if entry.get("failure"):
            self.progress.failure(name, entry["failure"], str(self.log_root), self.target)
        return entry

    def close(self) -> dict[str, Any]:
        """Stop the recipes kept up for others, finish the report and print the final table."""
        if self._closed:
            return self.report
        self._closed = True
        with self.isolation.inside():
            for name in reversed(list(self.up)):
                running = self.up.pop(name)
                self._teardown(running, self.results[name])
                self._save()
        self.isolation.close()
        statuses = [e["status"] for e in self.results.values()]
        if self.interrupted:
            overall = "interrupted"
        elif any(s in ("failed", "interrupted") for s in statuses):
            overall = "failed"
        else:
            overall = "passed"
        self.report.update(status=overall, finished_at=report.now_iso())
        self._save()
        if self.history_path is not None:
            self._append_history()
        rows = [(n, e["status"], e.get("duration_s"), e.get("reason")) for n, e in self.results.items()]
        if rows:
            self.progress.table(rows, time.monotonic() - self.started)
        self.progress.say(f"report: {self.report_path}")
        return self.report

    # ---- one recipe -------------------------------------------------------------------------------------------
    def _skip_reason(self, recipe: spec.Recipe) -> str | None:
        if self.target not in recipe.targets:
            return f"supports only {', '.join(recipe.targets)}; this run's target is {self.target}"
        if self.target_reason:
            return self.target_reason
        for need in recipe.needs:
            status = self.results.get(need, {}).get("status")
            if status != "passed":
                return f"needed recipe '{need}' {status or 'did not run'}"
        return None

    def _new_entry(self, recipe: spec.Recipe, sequence: int) -> dict[str, Any]:
        """A running entry; `sequence` is the order the session started it in (exact where `started_at`, in whole
        seconds, ties)."""
        entry = {
            "title": recipe.title, "page": recipe.page, "stage": recipe.stage, "components": list(recipe.components),
            "targets": list(recipe.targets), "needs": list(recipe.needs),
            "status": "running", "reason": None, "content_hash": content_hash(recipe, self.docs_dir),
            "sequence": sequence, "started_at": report.now_iso(), "finished_at": None, "duration_s": None, "attempts": 0,
            "git_commit": self.report["git_commit"], "git_dirty": self.report["git_dirty"],
            "environment": self.environment, "failure": None, "steps": [], "cleanup": None,
            "commands": [], "requirements": _requirements_of(recipe),
        }
        self.report["recipes"][recipe.name] = entry
        self.results[recipe.name] = entry
        self._save()
        return entry

    def _prepare(self, recipe: spec.Recipe) -> Running:
        """An empty work folder and a new terminal: the page does the rest (docs/contributing/design.md, "The page is the procedure")."""
        work = self.work_root / recipe.name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        check_dir = self.work_root / f".checks-{recipe.name}"
        shutil.rmtree(check_dir, ignore_errors=True)
        check_dir.mkdir(parents=True)
        log_dir = self.log_root / "logs" / recipe.name
        shutil.rmtree(log_dir, ignore_errors=True)
        log_dir.mkdir(parents=True)
        ports = {p: processes.free_port() for p in recipe.ports}
        env = environment.base_env()
        env[processes.TOKEN_VAR] = f"{self.run_id}-{recipe.name}"
        # The only values the runner sets: each overrides a default the page shows (spec.discover checks that).
        env[procedure.REPO_VAR] = str(procedure.repo_root(recipe))
        for need in recipe.needs:
            env.update(self.provided(need))
        env.update({p: str(v) for p, v in ports.items()})
        for var, requirements in procedure.venv_files(recipe).items():
            env[var] = str(venvs.path_for(requirements))
        namespace = None
        if self.target == "kind":
            namespace = targets.namespace_for(recipe.name)
            env.update(KUBECONFIG=targets.kubeconfig(), RECIPE_NAMESPACE=namespace)
        return Running(recipe, work, log_dir, env, env[processes.TOKEN_VAR], ports, Terminal(dict(env), work), check_dir,
                       home_state(_home(env)), namespace, network_mark=self.isolation.mark())

    def provided(self, need: str) -> dict[str, str]:
        """What a needed recipe exports to the recipes that need it (from its terminal, or from `recipebook up`)."""
        if need in self.reuse:
            return dict(self.reuse[need]["provides"])
        running = self.up.get(need)
        if running is None:  # a needed recipe that provides nothing is not kept up
            return {}
        return {k: expand(v, running.terminal.env) for k, v in running.recipe.provides.items()}


    def _execute(self, recipe: spec.Recipe, sequence: int) -> dict[str, Any]:
        entry = self._new_entry(recipe, sequence)
        started = time.monotonic()
        running = self._prepare(recipe)
        entry["ports"] = dict(running.ports)  # the free ports this run used instead of the page's defaults
        deadline = started + recipe.timeout
        executed = 0
        keep_up = False
        try:
            if running.namespace:
                error = targets.create_namespace(running.namespace, running.env)
                if error:
                    raise _SetupFailed(error)
            steps = [(s, s.command_for(self.target)) for s in procedure.all_steps(recipe)]  # generated ones first
            for j, (step, command) in enumerate(steps, 1):
                if command is None:
                    entry["steps"].append({"id": step.id, "status": "skipped", "reason": f"no command for target {self.target}"})
                    continue
                if not step.hidden:
                    entry["commands"].append({"step": step.id, "command": command})
                result = self._run_step(running, step, command, j, len(steps), deadline, entry)
                executed += step.id not in procedure.GENERATED_STEP_IDS  # copying files alone proves nothing
                if result["status"] != "passed":
                    entry["status"] = "interrupted" if self.interrupted else "failed"
                    entry["reason"] = f"step '{step.id}' failed: {result['reason']}"
                    entry["failure"] = {
                        "step": step.id, "command": command, "exit_code": result.get("exit_code"),
                        "problems": result.get("problems", []), "output_tail": _tail(self.log_root / result["log"]),
                        "log": result["log"], "hint": result.get("hint"),
                    }
                    break
            else:
                if executed == 0:
                    entry.update(status="failed", reason=f"no step was executed on target {self.target}: a recipe that runs nothing proves nothing")
                else:
                    entry["status"] = "passed"
                    keep_up = bool(recipe.provides) and any(recipe.name in r.needs for r in self.recipes.values())
        except _SetupFailed as exc:
            entry.update(status="failed", reason=str(exc))
        except KeyboardInterrupt:
            self.interrupted = True
            entry.update(status="interrupted", reason="interrupted (Ctrl-C or SIGTERM); cleanup ran")
            for s in entry["steps"]:
                if s["status"] == "running":
                    s["status"] = "interrupted"
        finally:
            entry["duration_s"] = round(time.monotonic() - started, 3)
            entry["finished_at"] = report.now_iso()
            entry["attempts"] = sum(s.get("attempts", 0) for s in entry["steps"])
            entry["python"] = _recipe_python(recipe) or self.environment.get("python")
            if keep_up and not self.interrupted:
                self._check_network(running, entry)  # its own steps; what its servers do later counts for the recipe running then
                running.network_mark = self.isolation.mark()
                self.up[recipe.name] = running
                entry["cleanup"] = {"status": "deferred", "leftovers": [], "note": "kept up for the recipes that need it; torn down at the end of the run"}
                self._save()
            else:
                self._teardown(running, entry)
        if self.interrupted:
            raise KeyboardInterrupt
        return entry

    def _run_step(self, running: Running, step: spec.Step, command: str, j: int, m: int, deadline: float,
                  entry: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"id": step.id, "status": "running", "background": step.background, "hidden": step.hidden,
                                  "duration_s": None, "attempts": 0, "exit_code": None, "log": None, "retries": [], "reason": None}
        entry["steps"].append(result)
        self._save()
        t0 = time.monotonic()
        self.progress.step_start(j, m, step.id, step.description, t0)
        for attempt in range(1, step.retries + 2):
            result["attempts"] = attempt
            suffix = "" if attempt == 1 else f".attempt{attempt}"
            log_path = running.log_dir / f"{j:02d}-{step.id}{suffix}.log"
            self.progress.attempt_log(log_path)
            result["log"] = str(log_path.relative_to(self.log_root))
            problems, hint, code = self._attempt(running, step, command, log_path, deadline)
            result["exit_code"] = code
            if not problems:
                result.update(status="passed", reason=None, problems=[], hint=None)
                if not (step.hidden or step.background):
                    result["output"] = _output(log_path)  # what a page may show with <!-- recipe:output ID -->
                break
            result.update(status="failed", reason=problems[0], problems=problems, hint=hint)
            if attempt <= step.retries and time.monotonic() < deadline:
                result["retries"].append({"attempt": attempt, "exit_code": code, "reason": problems[0], "log": result["log"]})
                self.progress.retry(step.id, attempt, time.monotonic() - t0, problems[0])
                self._save()
                time.sleep(step.retry_delay)
                continue
            break
        result["duration_s"] = round(time.monotonic() - t0, 3)
        self.progress.step_end(step.id, result["status"], result["duration_s"], result["reason"] or "")
        self._save()
        return result

    def _attempt(self, running: Running, step: spec.Step, command: str, log_path: Path,
                 deadline: float) -> tuple[list[str], str | None, int | None]:
        """One try of a step: (problems, hint, exit code). Empty problems = passed.

        A visible step runs in the page's terminal and leaves it changed for the next; a background step is a
        new terminal; a hidden check runs in the page's terminal but may change nothing (variables or files)."""
        recipe = running.recipe
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return [f"the recipe's {recipe.timeout:g} s timeout was used up before this step"], hints.for_timeout(step.id, recipe.timeout, recipe.name), None
        terminal = running.terminal
        state = None
        if step.background:
            env, cwd = dict(running.env), running.work_dir
        else:
            env, cwd = dict(terminal.env), terminal.cwd
            if step.hidden:
                env["RECIPEBOOK_CHECK_DIR"] = str(running.check_dir)
                env["PYTHONDONTWRITEBYTECODE"] = "1"
                for k, v in step.env.items():
                    env[k] = expand(v, env)
            else:
                state = running.log_dir / f".terminal-{step.id}"
        before = snapshot(running.work_dir) if step.hidden else None  # checks may only check
        proc = processes.start(script(command, state), cwd, env, log_path)
        try:
            if step.background:
                ready_timeout = float(step.ready.get("timeout", step.timeout))
                ready_env = {**terminal.env, **running.env}
                ok, detail = readiness.wait_ready(step.ready, ready_env, log_path, proc, time.monotonic() + min(ready_timeout, remaining))
                if ok:
                    running.backgrounds.append((step.id, proc))
                    return [], None, None
                processes.stop_group(proc)
                hint = hints.for_exit(proc.returncode, log_path.read_text(errors="replace")) if "exited" in detail else None
                return [f"service not ready: {detail}"], hint or hints.for_not_ready(step.id, detail), proc.returncode
            limit = min(step.timeout, remaining)
            try:
                code = proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                processes.stop_group(proc)
                which = "step" if limit == step.timeout else "recipe"
                budget = step.timeout if which == "step" else recipe.timeout
                return [f"timed out after {limit:.0f} s (the {which}'s timeout is {budget:g} s)"], hints.for_timeout(step.id, budget, recipe.name), None
            if state is not None:
                running.terminal = carry_over(terminal, state)
            output = log_path.read_text(errors="replace")
            problems = check_expectations(step.expect, code, output, running.work_dir)
            if before is not None:
                changed = changes(before, snapshot(running.work_dir), _open_files(running), running.work_dir.resolve())
                if changed:
                    problems.append("a hidden check may only check, but it changed the work folder: " + ", ".join(changed[:5])
                                    + (f" (and {len(changed) - 5} more)" if len(changed) > 5 else "")
                                    + "; write scratch files to $RECIPEBOOK_CHECK_DIR, or make the step visible on the page")
            return problems, (hints.for_exit(code, output) if problems else None), code
        except KeyboardInterrupt:
            processes.stop_group(proc)
            raise

    def _teardown(self, running: Running, entry: dict[str, Any]) -> None:
        """Cleanup commands, stop background steps, then fail the recipe if anything it started is still alive."""
        recipe = running.recipe
        with self._signals_deferred():
            notes: list[str] = []
            cleanup_status = "passed"
            log_path = running.log_dir / "cleanup.log"
            for c in recipe.cleanup:
                command = c.run.get(self.target)
                if command is None:
                    continue
                proc = processes.start(command, running.terminal.cwd, running.terminal.env, log_path)
                try:
                    code = proc.wait(timeout=c.timeout)
                except subprocess.TimeoutExpired:
                    processes.stop_group(proc)
                    code = None
                if code != 0:
                    cleanup_status = "failed"
                    notes.append(f"cleanup command failed ({'timeout' if code is None else f'exit {code}'}): {command.strip().splitlines()[0]}")
            for _, proc in reversed(running.backgrounds):
                processes.stop_group(proc)
            running.backgrounds.clear()
            survivors = processes.tagged_processes(running.token)
            leftovers = [processes.describe_process(p) for p in survivors]
            processes.kill_processes(survivors)
            leftovers += [f"port {port} ({name}) still listening" for name, port in running.ports.items() if processes.port_open(port)]
            home = _home(running.env)
            leftovers += [f"{change} in {home} (outside the work folder; point the tool's home into the folder in env.sh)"
                          for change in changes(running.home_before, home_state(home), set(), home)]
            if running.namespace:
                targets.delete_namespace(running.namespace, running.env)
                if targets.namespace_exists(running.namespace, running.env):
                    leftovers.append(f"namespace {running.namespace} still exists")
            entry["cleanup"] = {"status": "failed" if leftovers else cleanup_status, "leftovers": leftovers, "notes": notes}
            self._check_network(running, entry)
            if leftovers and entry["status"] in ("passed", "running"):
                entry["status"] = "failed"
                entry["reason"] = "left behind after cleanup: " + "; ".join(leftovers)
                entry["failure"] = {"step": "cleanup", "command": None, "exit_code": None, "problems": leftovers,
                                    "output_tail": _tail(log_path), "log": str(log_path.relative_to(self.log_root)) if log_path.exists() else None,
                                    "hint": hints.for_leftovers()}
                self.progress.say(f"  ✘ {recipe.name}: {entry['reason']}")
            elif notes and entry["status"] == "passed":
                self.progress.say(f"  ! {recipe.name}: " + "; ".join(notes))
            self._save()

    def _check_network(self, running: Running, entry: dict[str, Any]) -> None:
        """Fail the recipe if anything tried to leave the machine since its mark (netns.py)."""
        reached_out = self.isolation.attempts_since(running.network_mark)
        if not reached_out:
            return
        entry["network"] = entry.get("network", []) + reached_out
        if entry["status"] in ("passed", "running"):
            entry["status"] = "failed"
            entry["reason"] = ("tried to reach the network (only loopback is reachable while it is verified): "
                               + "; ".join(reached_out))
            entry["failure"] = {"step": "network", "command": None, "exit_code": None, "problems": reached_out,
                                "output_tail": "", "log": None, "hint": hints.for_network()}
            self.progress.say(f"  ✘ {running.recipe.name}: {entry['reason']}")

    # ---- plumbing -------------------------------------------------------------------------------------------
    def _append_history(self) -> None:
        """One line per recipe this session passed or failed; a history that cannot be written is reported, and the
        report (already saved) still stands."""
        try:
            ran = [name for name, entry in self.results.items() if not entry.get("reused")]
            records = history.records_of_run(self.report, ran, self.run_id, self.log_root)
            history.append(self.history_path, records)
        except OSError as exc:
            self.progress.say(f"warning: could not append to the run history {self.history_path}: {exc}")
            return
        self.progress.say(f"history: run {self.run_id} appended to {self.history_path} ({len(records)} recipe(s))")

    def _save(self) -> None:
        # One-shot json.dumps (C, no indent) holds the GIL, so a worker thread cannot change the report mid-copy.
        with self._lock:
            report.write_atomic(self.report_path, json.loads(json.dumps(self.report)))

    @contextmanager
    def _signals_raise(self) -> Iterator[None]:
        """SIGTERM behaves like Ctrl-C: both interrupt the current step and lead to cleanup. SIGINT is set here too:
        a process started in the background by a non-interactive shell (`cmd &`, nohup) inherits SIGINT ignored,
        and Python then never turns it into KeyboardInterrupt, so `kill -INT` would leave the servers running."""
        handled = (signal.SIGTERM, signal.SIGINT)
        try:
            old = {sig: signal.signal(sig, _raise_interrupt) for sig in handled}
        except ValueError:  # not the main thread
            old = {}
        try:
            yield
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)

    @contextmanager
    def _signals_deferred(self) -> Iterator[None]:
        """While cleaning up, a further Ctrl-C/SIGTERM is noted but does not stop the cleanup."""
        caught: list[int] = []
        saved = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                saved[sig] = signal.signal(sig, lambda s, f: caught.append(s))
            except ValueError:
                pass
        try:
            yield
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)
            if caught:
                self.interrupted = True


def shuffle_seed(value: str | None) -> int | None:
    """A shuffle option as a seed: None/''/'none' -> no shuffle, 'random' -> a new seed, digits -> that seed."""
    if value in (None, "", "none"):
        return None
    if value == "random":
        return random.SystemRandom().randrange(1, 10**6)
    if not value.isdigit():
        raise ValueError(f"expected a number, 'random' or 'none' (a number replays that seed), got {value!r}")
    return int(value)


def _requirements_of(recipe: spec.Recipe) -> dict[str, str]:
    """The pinned versions the recipe runs with (from its requirements.txt), recorded with its evidence."""
    from recipebook import requirements
    path = recipe.path / procedure.REQUIREMENTS
    return requirements.pins(path) if recipe.packages and path.is_file() else {}


def _recipe_python(recipe: spec.Recipe) -> str | None:
    """The Python version the recipe's own environment runs (its pyvenv.cfg), when it has one."""
    path = recipe.path / procedure.REQUIREMENTS
    if not (recipe.packages and path.is_file()):
        return None
    config = venvs.path_for(path) / "pyvenv.cfg"
    if not config.is_file():
        return None
    for line in config.read_text(errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version_info", "version"):
            return value.strip()
    return None


def _home(env: dict[str, str]) -> Path:
    return Path(env.get("HOME") or Path.home())


def _open_files(running: Running) -> set[str]:
    """Files the recipe's servers hold open (their databases change while a check reads through them)."""
    return processes.open_files([proc for _, proc in running.backgrounds])


class _SetupFailed(Exception):
    """The target could not be prepared for the recipe (for example its namespace could not be created)."""
