"""A second local user tries to get at what a page left running: the check behind "safe to copy".

Hidden checks in the specs of the pages that start PostgreSQL run it, in the page's folder, while the platform
is up: `python "$RECIPEBOOK_REPO/recipebook/checks/second_user.py" --postgres "$PG_PORT" [--http URL ...]`.
Standard library only, so any recipe's Python runs it.

As root it switches to an unprivileged account (`--as`, default `nobody`) with setpriv and, as that account:
  - signs in to each PostgreSQL port without a password, as the superuser and as every role in .pgpass, and
    where that works tries `COPY ... TO PROGRAM` (a superuser's way to run commands as the server's account);
  - sends each HTTP URL a read-only POST without credentials (a server behind sign-in answers 401);
  - reads every process's command line and environment, looking for the page's secrets (the values in
    secrets.env and .pgpass);
  - opens every file under the folder, and fails on those that hold a secret or the platform's state
    (secrets, .pgpass, pg/, artifacts, backups and dumps, data, logs).
It prints each attempt that worked, then `second user NAME: N attempts, all refused` (exit 0) or
`second user NAME: K of N attempts worked` (exit 1). Not root, it cannot become another user: it says so and
exits 0 with `not exercised`, so a developer's own run does not fail; CI runs as root and exercises it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Paths under the page's folder that hold the platform's secrets or state: another user must not read them.
PRIVATE_NAMES = {"secrets.env", ".pgpass", "basic_auth.ini"}
PRIVATE_DIRS = {"pg", "mlartifacts", "backups", "data"}
PRIVATE_SUFFIXES = (".dump", ".log", ".tar.gz")
SKIPPED_DIRS = {".venv", "__pycache__"}

# What the unprivileged account runs: it gets the secrets and targets on stdin (never in its command line)
# and prints one JSON list of what worked.
INTRUDER = r'''
import json, os, subprocess, sys, urllib.error, urllib.request
job = json.load(sys.stdin)
secrets = [s for s in job["secrets"] if len(s) >= 8]
worked, tried = [], 0
def leak(text):
    return any(s in text for s in secrets)
for port in job["postgres"]:
    for user in job["roles"]:
        tried += 1
        r = subprocess.run(["psql", "-w", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", "postgres",
                            "-tAc", "select current_user"], capture_output=True, text=True,
                           env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PGCONNECT_TIMEOUT": "5"})
        if r.returncode == 0:
            worked.append(f"signed in to PostgreSQL on port {port} as {user} without a password")
            tried += 1
            r = subprocess.run(["psql", "-w", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", "postgres",
                                "-tAc", "COPY (SELECT 1) TO PROGRAM 'id -un'"], capture_output=True, text=True,
                               env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
            if r.returncode == 0:
                worked.append(f"ran a program through COPY ... TO PROGRAM on port {port} as {user}")
for url in job["http"]:
    tried += 1
    request = urllib.request.Request(url, data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            worked.append(f"{url} answered {response.status} without credentials")
    except urllib.error.HTTPError as e:
        if e.code not in (401, 403):
            worked.append(f"{url} answered {e.code} without credentials (expected 401)")
    except OSError:
        pass
for pid in filter(str.isdigit, os.listdir("/proc")):
    for part in ("cmdline", "environ"):
        tried += 1
        try:
            text = open(f"/proc/{pid}/{part}", "rb").read().decode(errors="replace")
        except OSError:
            continue
        if leak(text):
            worked.append(f"read a secret in /proc/{pid}/{part}: " + text.replace("\0", " ")[:120])
for root, dirs, files in os.walk(job["folder"]):
    dirs[:] = [d for d in dirs if d not in job["skipped"]]
    for name in files:
        path = os.path.join(root, name)
        rel = os.path.relpath(path, job["folder"])
        tried += 1
        try:
            with open(path, "rb") as f:
                text = f.read(4_000_000).decode(errors="replace")
        except OSError:
            continue
        parts = rel.split(os.sep)
        private = (name in job["names"] or any(p in job["dirs"] for p in parts[:-1])
                   or name.endswith(tuple(job["suffixes"])))
        if private or leak(text):
            worked.append(f"read {rel}" + (" (it holds a secret)" if leak(text) else ""))
print(json.dumps({"tried": tried, "worked": worked}))
'''


def page_secrets(folder: Path) -> tuple[list[str], list[str]]:
    """(secret values, PostgreSQL roles): the values exported in secrets.env and the passwords in .pgpass."""
    values, roles = [], ["postgres"]
    env = folder / "secrets.env"
    if env.is_file():
        for word in env.read_text().split():
            if "=" in word and word != "export":
                values.append(word.split("=", 1)[1].strip("'\""))
    pgpass = folder / ".pgpass"
    if pgpass.is_file():
        for line in pgpass.read_text().splitlines():
            fields = line.split(":", 4)
            if len(fields) == 5:
                values.append(fields[4])
                roles.append(fields[3])
    return values, sorted(set(roles))


def attack(folder: Path, account: str, postgres: list[int], http: list[str]) -> dict:
    """Run the attempts as `account`; return {"tried": N, "worked": [...]}."""
    secrets, roles = page_secrets(folder)
    job = {"secrets": secrets, "roles": roles, "postgres": postgres, "http": http, "folder": str(folder),
           "names": sorted(PRIVATE_NAMES), "dirs": sorted(PRIVATE_DIRS), "suffixes": list(PRIVATE_SUFFIXES),
           "skipped": sorted(SKIPPED_DIRS)}
    python = shutil.which("python3", path="/usr/bin:/bin") or "/usr/bin/python3"
    command = ["setpriv", f"--reuid={account}", f"--regid={_group_of(account)}", "--clear-groups",
               "env", "-i", "PATH=/usr/bin:/bin", "HOME=/nonexistent", python, "-c", INTRUDER]
    result = subprocess.run(command, input=json.dumps(job), capture_output=True, text=True, cwd="/")
    if result.returncode != 0:
        raise SystemExit(f"second user {account}: the attempts could not run (exit {result.returncode}): "
                         f"{result.stderr.strip()[-500:]}")
    return json.loads(result.stdout)


def _group_of(account: str) -> str:
    import grp
    import pwd

    return grp.getgrgid(pwd.getpwnam(account).pw_gid).gr_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", type=int, action="append", default=[], metavar="PORT")
    parser.add_argument("--http", action="append", default=[], metavar="URL")
    parser.add_argument("--as", dest="account", default="nobody")
    parser.add_argument("--folder", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        print(f"second user: not exercised: only root can act as another local user (uid {os.geteuid()}); "
              "CI runs this check as root")
        return 0
    found = attack(args.folder.resolve(), args.account, args.postgres, args.http)
    for line in found["worked"]:
        print(f"  worked: {line}")
    if found["worked"]:
        print(f"second user {args.account}: {len(found['worked'])} of {found['tried']} attempts worked")
        return 1
    print(f"second user {args.account}: {found['tried']} attempts, all refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
