"""The second-user check finds what another local account could take: the canary for the hidden checks named
`second-user-gets-nothing` on every page that starts PostgreSQL (they pass only when it finds nothing).

It needs root (only root can act as another account), so outside CI it skips and says so."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from recipebook import PROJECT_ROOT

PROBE = PROJECT_ROOT / "recipebook" / "checks" / "second_user.py"
SECRET = "canary-secret-5f0e8a1c"

needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv") or not Path("/usr/bin/python3").exists(),
    reason="LOUD SKIP: the second-user check acts as another local account, which needs root, setpriv and "
           "/usr/bin/python3; CI runs as root and exercises it")


def probe(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROBE), "--folder", str(folder), *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def folder():
    """A page's folder that another account can enter, as the runner's and a reader's usually are (pytest's own
    temporary folders are closed to other accounts)."""
    path = Path(tempfile.mkdtemp(prefix="second-user-", dir="/tmp"))
    path.chmod(0o755)
    (path / "secrets.env").write_text(f"export API_PASSWORD={SECRET}\n")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@needs_root
def test_finds_readable_secrets_a_secret_in_argv_and_private_files(folder):
    (folder / "secrets.env").chmod(0o644)
    (folder / "backups").mkdir(mode=0o755)
    (folder / "backups" / "mlflow.dump").write_text("a dump")
    (folder / "backups" / "mlflow.dump").chmod(0o644)
    (folder / "notes.txt").write_text(f"the password is {SECRET}\n")
    (folder / "notes.txt").chmod(0o644)
    leaky = subprocess.Popen(["bash", "-c", f'exec -a "server --password={SECRET}" sleep 60'])
    try:
        time.sleep(0.3)
        result = probe(folder)
    finally:
        leaky.kill()
        leaky.wait()
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "worked: read secrets.env (it holds a secret)" in out
    assert "worked: read backups/mlflow.dump" in out
    assert "worked: read notes.txt (it holds a secret)" in out
    assert f"/cmdline: server --password={SECRET}" in out
    assert "second user nobody: 4 of" in out


@needs_root
def test_finds_a_postgres_that_trusts_tcp_and_runs_programs(folder):
    """What the upgrade pages did before: initdb --auth=trust on 127.0.0.1. The second user signs in as the
    superuser and runs a program through COPY ... TO PROGRAM."""
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not pg_bin:
        pytest.skip("LOUD SKIP: PostgreSQL's server programs are not installed (scripts/install-postgresql.sh)")
    pg_bin = pg_bin[-1]
    (folder / "secrets.env").chmod(0o600)
    data = folder / "trusting-pg"
    data.mkdir(mode=0o700)
    shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    subprocess.run([*as_postgres, str(pg_bin / "initdb"), "-D", str(data / "d"), "-U", "postgres", "--auth=trust"],
                   check=True, capture_output=True)
    subprocess.run([*as_postgres, str(pg_bin / "pg_ctl"), "start", "-w", "-D", str(data / "d"), "-l", str(data / "log"),
                    "-o", f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"],
                   check=True, capture_output=True)
    try:
        result = probe(folder, "--postgres", str(port))
    finally:
        subprocess.run([*as_postgres, str(pg_bin / "pg_ctl"), "stop", "-m", "immediate", "-D", str(data / "d")],
                       capture_output=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"signed in to PostgreSQL on port {port} as postgres without a password" in result.stdout
    assert f"ran a program through COPY ... TO PROGRAM on port {port} as postgres" in result.stdout


@needs_root
def test_finds_an_api_that_answers_without_credentials(folder):
    (folder / "secrets.env").chmod(0o600)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/"]).returncode == 0:
                break
            time.sleep(0.1)
        result = probe(folder, "--http", f"http://127.0.0.1:{port}/api/flows/filter")
    finally:
        server.kill()
        server.wait()
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"http://127.0.0.1:{port}/api/flows/filter answered 501 without credentials (expected 401)" in result.stdout


@needs_root
def test_a_private_folder_and_a_password_only_server_give_nothing(folder):
    (folder / "secrets.env").chmod(0o600)
    (folder / "data").mkdir(mode=0o700)
    (folder / "data" / "customers.csv").write_text("id\n1\n")
    (folder / "train_flow.py").write_text("print('public code')\n")
    (folder / "train_flow.py").chmod(0o644)
    result = probe(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "second user nobody:" in result.stdout and "all refused" in result.stdout


def test_not_root_says_not_exercised(tmp_path, monkeypatch):
    """Without root the check cannot act as anyone else: it says so rather than claiming a pass."""
    sys.path.insert(0, str(PROBE.parent))
    try:
        import second_user
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(second_user.os, "geteuid", lambda: 1000)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert second_user.main(["--folder", str(tmp_path)]) == 0
    assert out.getvalue().startswith("second user: not exercised: only root can act as another local user")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
