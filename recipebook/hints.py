"""What to do about the failures we can foresee. Each hint is one or two sentences a reader can act on."""
from __future__ import annotations

import re

_OUTPUT_HINTS = [
    (re.compile(r"address already in use|Errno 98|port is already (in use|allocated)", re.I),
     "A port is already in use: another server (maybe from an interrupted run) is listening. Find it with "
     "`ss -ltnp` and stop it, then re-run; the runner allocates free ports, so a fixed port in the recipe is the usual cause."),
    (re.compile(r"ModuleNotFoundError|No module named", re.I),
     "A Python package is missing from the recipe's environment: each recipe runs with exactly its requirements.txt. "
     "Add the distribution to `packages:` in its recipe.yaml, then run `bash scripts/lock.sh` and `bash scripts/setup.sh`."),
    (re.compile(r"Because .* was not found in the cache|network connectivity is disabled|--offline", re.I),
     "uv needed a package that is not in its cache, and verification never downloads: run `bash scripts/setup.sh` "
     "(it builds every recipe's environment while the package registry is reachable), then re-run."),
    (re.compile(r"Cannot connect to the Docker daemon|docker daemon is not running|docker: not found", re.I),
     "Docker is not running: start it (`sudo systemctl start docker`, or `bash scripts/install-docker.sh` on a bare machine) and re-run."),
    (re.compile(r"kind: (command )?not found|No kind clusters found", re.I),
     "kind is missing or no cluster is up: install kind (see docs/recipes/kubernetes) and run `bash scripts/kind-up.sh`."),
    (re.compile(r"ImagePullBackOff|ErrImagePull", re.I),
     "An image could not be pulled: build and load the project's images into kind with `bash scripts/build-images.sh --load`."),
    (re.compile(r"Invalid Host header|DNS rebinding", re.I),
     "MLflow rejected the Host header: start `mlflow server` with `--allowed-hosts` listing the host name clients use."),
    (re.compile(r"401 Unauthorized", re.I),
     "A server answered 401 Unauthorized: it expects credentials the client did not send (Prefect's "
     "PREFECT_API_AUTH_STRING, MLflow's MLFLOW_TRACKING_USERNAME/PASSWORD); set them as the server's page shows."),
    (re.compile(r"Connection refused|ConnectError|Failed to establish a new connection", re.I),
     "A server did not answer: check that the recipes this one `needs` are up (the runner starts them) and that "
     "PREFECT_API_URL / MLFLOW_TRACKING_URI point at them."),
]


def for_exit(exit_code: int | None, output: str) -> str | None:
    """A hint for a failed step from its exit code and output, or None when nothing foreseeable matched."""
    if exit_code == 127 or re.search(r"command not found", output):
        missing = re.findall(r"([\w./-]+): command not found", output)
        name = f"'{missing[-1]}' " if missing else ""
        if missing and missing[-1] == "uv":
            from recipebook.procedure import UV_INSTALL
            return (f"uv is not on PATH: install it (`{UV_INSTALL}`; "
                    "`bash scripts/setup.sh` does), then re-run. Every recipe page creates its environment with uv.")
        return (f"The command {name}was not found: the page's install step puts the recipe's tools on PATH by activating "
                "$RECIPE_VENV (is the tool's package in `packages:`?), or install the system tool the page lists under "
                "\"Before you start\".")
    for pattern, hint in _OUTPUT_HINTS:
        if pattern.search(output):
            return hint
    return None


def for_timeout(step_id: str, timeout: float, recipe: str) -> str:
    return (f"Step '{step_id}' ran past its {timeout:g} s timeout and was stopped. Look at the log for where it hung; "
            f"if the machine is just slow, raise `timeout` for this step in recipes/{recipe}/recipe.yaml.")


def for_not_ready(step_id: str, detail: str) -> str:
    if "exited with code" in detail:
        return f"The service of step '{step_id}' stopped before it was ready; its log above says why (often a port in use or a bad flag)."
    return (f"The service of step '{step_id}' never became ready ({detail}). Check its log; if it is only slow on this "
            "machine, raise `ready.timeout` in the recipe spec.")


def for_leftovers() -> str:
    return ("The recipe left processes or listening ports behind after cleanup. Start servers as `background: true` steps "
            "(the runner stops them) or stop them in `cleanup:`; never daemonize with nohup/setsid/&.")


def for_network() -> str:
    return ("A step, a server or a library tried to reach an address other than 127.0.0.1 (telemetry, an update check, "
            "a download at run time). Pages promise that nothing leaves the reader's machine: turn it off in env.sh, or "
            "install it in the install step. To find it, run the step's command under `strace -f -e trace=connect,sendto`.")
