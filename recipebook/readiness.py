"""Wait until a background step is ready: a port accepts, an HTTP URL answers, or a log line appears."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx

from recipebook.expand import expand
from recipebook.processes import port_open


def _http_ok(url: str) -> tuple[bool, str]:
    try:
        r = httpx.get(url, timeout=2.0, trust_env=False)
    except httpx.HTTPError as exc:
        return False, f"{type(exc).__name__}"
    return r.status_code < 400, f"HTTP {r.status_code}"


def wait_ready(ready: dict, env: dict[str, str], log_path: Path, proc: subprocess.Popen,
               deadline: float) -> tuple[bool, str]:
    """Poll every check in `ready` until all pass, the process exits, or the deadline passes; returns (ok, detail)."""
    port = ready.get("port")
    if port is not None and not str(port).isdigit():
        port = env.get(str(port))
    url = expand(ready["http"], env) if "http" in ready else None
    pattern = re.compile(ready["log"], re.MULTILINE) if "log" in ready else None
    last = "no check has run yet"
    while True:
        pending = []
        if port is not None and not port_open(int(port)):
            pending.append(f"port {port} not accepting connections")
        if url:
            ok, detail = _http_ok(url)
            if not ok:
                pending.append(f"{url} -> {detail}")
        if pattern is not None:
            text = log_path.read_text(errors="replace") if log_path.exists() else ""
            if not pattern.search(text):
                pending.append(f"log line /{pattern.pattern}/ not seen")
        if not pending:
            return True, "ready"
        last = "; ".join(pending)
        code = proc.poll()
        if code is not None:
            return False, f"the process exited with code {code} before it was ready ({last})"
        if time.monotonic() >= deadline:
            return False, f"not ready before its deadline: {last}"
        time.sleep(0.5)
