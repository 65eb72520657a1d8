"""What the terminal shows while recipes run: recipe i/n, step j/m, elapsed time, failures, and a final table."""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import TextIO


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.1f}s" if s < 120 else f"{int(s // 60)}m{int(s % 60):02d}s"


def describe_failure(recipe: str, failure: dict, log_root: str, target: str = "local") -> str:
    """The failure block shown on the terminal and in pytest: step, command, problems, log, output tail, what to do."""
    lines = [f"  ✘ FAILED recipe '{recipe}', step '{failure['step']}'"
             + (f" (exit code {failure['exit_code']})" if failure.get("exit_code") is not None else "")]
    command = (failure.get("command") or "").strip().splitlines()
    if command:
        lines.append(f"    command:    {command[0]}{' …' if len(command) > 1 else ''}")
    lines.extend(f"    problem:    {problem}" for problem in failure.get("problems", []))
    if failure.get("log"):
        lines.append(f"    log:        {log_root}/{failure['log']}")
    if failure.get("output_tail"):
        lines.append("    last lines of output:")
        lines.extend("      | " + line for line in failure["output_tail"].splitlines())
    if failure.get("hint"):
        lines.append(f"    what to do: {failure['hint']}")
    lines.append(f"    reproduce:  .venv/bin/recipebook run {recipe}{'' if target == 'local' else ' --target ' + target}")
    return "\n".join(lines)


class Progress:
    """Plain line-based progress (works in CI logs and terminals alike)."""

    def __init__(self, out: TextIO | None = None, heartbeat: float = 15.0, verbose: bool = False, prefix: str = ""):
        self.out = out or sys.stdout
        self.prefix = prefix  # "[recipe] " when several recipes run at once (verify --jobs)
        self.heartbeat = heartbeat
        self.verbose = verbose  # also echo each step's output as it is written
        self._stop: tuple[threading.Event, threading.Thread] | None = None
        self._log: Path | None = None
        self._offsets: dict[Path, int] = {}
        self._echo_lock = threading.Lock()

    def say(self, text: str) -> None:
        if self.prefix:
            text = "\n".join(self.prefix + line if line else line for line in text.split("\n"))
        print(text, file=self.out, flush=True)

    def recipe_start(self, i: int, n: int, name: str, title: str, target: str, steps: int, note: str = "") -> None:
        self.say(f"\n▶ [{i}/{n}] {name} — {title} (target {target}, {steps} steps){note}")

    def step_start(self, j: int, m: int, step_id: str, description: str, started: float, log: Path | None = None) -> None:
        self.say(f"  [{j}/{m}] {step_id}{' — ' + description if description else ''}")
        self._log = log
        self._start_heartbeat(step_id, started)

    def attempt_log(self, log: Path) -> None:
        """The log file the current attempt writes to (followed in verbose mode); the previous attempt's
        remaining output is echoed first, so a retry never hides why the attempt before it failed."""
        with self._echo_lock:
            self._echo_rest()
            self._log = log

    def step_end(self, step_id: str, status: str, seconds: float, detail: str = "") -> None:
        self._stop_heartbeat()
        mark = {"passed": "✔", "failed": "✘", "interrupted": "■"}.get(status, "?")
        self.say(f"      {mark} {step_id} {status} in {fmt_seconds(seconds)}{' — ' + detail if detail else ''}")

    def retry(self, step_id: str, attempt: int, seconds: float, problem: str) -> None:
        with self._echo_lock:
            self._echo_rest()
        self.say(f"      ↻ {step_id} attempt {attempt} failed after {fmt_seconds(seconds)} — {problem}; retrying (allowed by the spec)")

    def recipe_end(self, name: str, status: str, seconds: float, reason: str | None) -> None:
        mark = {"passed": "✔", "failed": "✘", "skipped": "·", "interrupted": "■"}.get(status, "?")
        self.say(f"  {mark} {name} {status.upper()} in {fmt_seconds(seconds)}{' — ' + reason if reason and status != 'passed' else ''}")

    def failure(self, recipe: str, failure: dict, log_root: str, target: str = "local") -> None:
        self.say("\n" + describe_failure(recipe, failure, log_root, target))

    def table(self, rows: list[tuple[str, str, float | None, str]], wall: float) -> None:
        width = max([len(r[0]) for r in rows] + [6])
        self.say("\n" + f"{'recipe':<{width}}  {'status':<11}  {'time':>8}  reason")
        self.say("-" * (width + 40))
        for name, status, seconds, reason in rows:
            self.say(f"{name:<{width}}  {status:<11}  {fmt_seconds(seconds):>8}  {reason or ''}")
        counts: dict[str, int] = {}
        for _, status, _, _ in rows:
            counts[status] = counts.get(status, 0) + 1
        summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("passed", "failed") )
        extra = ", ".join(f"{v} {k}" for k, v in counts.items() if k not in ("passed", "failed"))
        self.say(f"recipes: {summary}{', ' + extra if extra else ''} — wall time {fmt_seconds(wall)}")

    def _start_heartbeat(self, step_id: str, started: float) -> None:
        self._stop_heartbeat()
        stop = threading.Event()

        def beat() -> None:
            last_beat = time.monotonic()
            while True:
                stopped = stop.wait(0.5 if self.verbose else self.heartbeat)
                with self._echo_lock:
                    self._echo_rest()
                if stopped:
                    return
                if time.monotonic() - last_beat >= self.heartbeat:
                    last_beat = time.monotonic()
                    self.say(f"      … {step_id} still running ({fmt_seconds(time.monotonic() - started)})")

        thread = threading.Thread(target=beat, daemon=True)
        self._stop = (stop, thread)
        thread.start()

    def _echo_rest(self) -> None:
        """Print what the current log gained since the last look (verbose mode only; caller holds the lock)."""
        log = self._log
        if not (self.verbose and log is not None and log.exists()):
            return
        with open(log, "rb") as f:
            f.seek(self._offsets.get(log, 0))
            chunk = f.read()
            self._offsets[log] = f.tell()
        for line in chunk.decode(errors="replace").splitlines():
            self.say(f"      | {line}")

    def _stop_heartbeat(self) -> None:
        if self._stop:
            stop, thread = self._stop
            stop.set()
            thread.join(timeout=2)
            self._stop = None
