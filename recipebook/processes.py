"""Start step commands in their own process group, stop whole groups, and find what a recipe left behind.

Every process a recipe starts inherits RECIPEBOOK_TOKEN; after cleanup any live process still carrying the
recipe's token is a leftover (this catches daemons that escaped their process group with setsid or nohup).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil

TOKEN_VAR = "RECIPEBOOK_TOKEN"


def start(command: str, cwd: Path, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Run `command` with bash in a new session; stdout and stderr both go to log_path (nothing is lost)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab", buffering=0)
    script = "set -euo pipefail\n" + command
    try:
        return subprocess.Popen(["bash", "-c", script], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    finally:
        log.close()


def stop_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group, wait up to `grace` seconds, then SIGKILL it."""
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        pgid = None
    if pgid is not None:
        _signal_group(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    if pgid is not None:
        _signal_group(pgid, signal.SIGKILL)
        deadline = time.monotonic() + grace
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _alive(p: psutil.Process) -> bool:
    """Running, or a zombie thread-group leader whose other threads still run (and may hold sockets, as uvicorn's do)."""
    if p.status() != psutil.STATUS_ZOMBIE:
        return True
    try:
        return len(os.listdir(f"/proc/{p.pid}/task")) > 1
    except OSError:
        return False


def _group_alive(pgid: int) -> bool:
    for p in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(p.pid) == pgid and _alive(p):
                return True
        except (ProcessLookupError, psutil.Error, OSError):
            continue
    return False


def tagged_processes(token: str) -> list[psutil.Process]:
    """Live processes whose environment carries RECIPEBOOK_TOKEN=token."""
    found = []
    me = os.getpid()
    for p in psutil.process_iter(["pid"]):
        if p.pid == me:
            continue
        try:
            if p.environ().get(TOKEN_VAR) == token and _alive(p):
                found.append(p)
        except (psutil.Error, OSError):
            continue
    return found


def describe_process(p: psutil.Process) -> str:
    try:
        return f"pid {p.pid}: {' '.join(p.cmdline())[:160]}"
    except psutil.Error:
        return f"pid {p.pid}"


def kill_processes(procs: list[psutil.Process], grace: float = 5.0) -> None:
    if not procs:
        return
    for p in procs:
        try:
            p.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=grace)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def open_files(procs: list[subprocess.Popen]) -> set[str]:
    """Paths of the files held open by these processes and everything in their process groups."""
    groups = set()
    for proc in procs:
        try:
            groups.add(os.getpgid(proc.pid))
        except ProcessLookupError:
            continue
    paths: set[str] = set()
    if not groups:
        return paths
    for p in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(p.pid) in groups:
                paths.update(f.path for f in p.open_files())
        except (ProcessLookupError, psutil.Error, OSError):
            continue
    return paths
