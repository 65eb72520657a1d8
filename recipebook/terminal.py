"""The reader's terminal, emulated: what one command exports or `cd`s into is there for the next.

A reader types a page's blocks one after another into one terminal, so `source env.sh` in the first block
still counts in the fifth. The runner runs each block in its own bash process (for logs, timeouts and exit
codes per step) and carries the terminal over: at the end of a block, bash writes its exported variables and
its working folder to a state file, and the next block starts from them. A background step is a server the
page starts "in a new terminal": it starts from the terminal a reader opens (the initial environment, the
recipe folder), not from the first terminal's state.

Only exported variables carry over (as with `bash -c` everywhere); a page that needs a variable later
exports it.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

# Bash's own bookkeeping, not something a page sets.
_NOT_CARRIED = {"_", "SHLVL", "OLDPWD", "PWD"}


@dataclass
class Terminal:
    env: dict[str, str]
    cwd: Path


def script(command: str, state: Path | None) -> str:
    """The bash script for one block; with `state`, bash records the terminal on exit (pass or fail)."""
    if state is None:
        return command
    target = shlex.quote(str(state))
    return f"trap 'env -0 > {target}.env; pwd > {target}.cwd' EXIT\n{command}"


def carry_over(terminal: Terminal, state: Path) -> Terminal:
    """The terminal after a block, from its state files; unchanged when the block left none."""
    env_file, cwd_file = Path(f"{state}.env"), Path(f"{state}.cwd")
    if not env_file.is_file() or not cwd_file.is_file():
        return terminal
    env = {}
    for item in env_file.read_bytes().split(b"\0"):
        if b"=" in item:
            key, _, value = item.decode(errors="replace").partition("=")
            if key not in _NOT_CARRIED and not key.startswith("BASH_FUNC_"):
                env[key] = value
    cwd = Path(cwd_file.read_text().strip() or terminal.cwd)
    env_file.unlink()
    cwd_file.unlink()
    return Terminal(env, cwd)
