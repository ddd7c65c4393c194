"""The data folder as an operator meets it: private files, no stray folders, a guarded demo."""

from __future__ import annotations

import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.server_process import REPO, ServerProcess, cli, server_env

PASSWORD = "correct-horse-battery"


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def shell(command: str) -> subprocess.CompletedProcess[str]:
    """A command line as typed in a shell (so the umask is the shell's)."""
    return subprocess.run(
        ["sh", "-c", command], cwd=REPO, env=server_env(), capture_output=True, text=True,
        timeout=120, check=False,
    )


def add_user(data: Path, name: str = "alice") -> None:
    done = cli("--data", str(data), "user", "add", name, "--email", f"{name}@example.com",
               "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr


def test_everything_is_private_whatever_the_umask_even_in_an_open_folder(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    open_folder = tmp_path / "open"
    open_folder.mkdir(mode=0o755)
    open_folder.chmod(0o755)
    new_folder = tmp_path / "new" / "data"
    for folder in (open_folder, new_folder):
        done = shell(
            f"umask 000; printf '%s\\n' {PASSWORD} | {sys.executable} -m server.cli "
            f"--data {folder} user add alice --email alice@example.com --password-stdin"
        )
        assert done.returncode == 0, done.stderr
        server = ServerProcess(folder, "--port", "0")
        servers.append(server)
        server.started()
        files = {p.name: mode(p) for p in folder.iterdir()}
        assert files["traveler.db"] == 0o600
        assert files["traveler.db-wal"] == 0o600
        assert files["traveler.db-shm"] == 0o600
        assert files["traveler.log"] == 0o600
        server.proc.send_signal(signal.SIGTERM)
        assert server.finish() == 0
    assert mode(new_folder) == 0o700
    assert mode(open_folder) == 0o755  # the operator's choice; run warns about it (below)


def test_run_warns_at_start_up_about_files_others_can_read(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    add_user(tmp_path)
    tmp_path.chmod(0o755)
    (tmp_path / "traveler.db").chmod(0o644)
    server = ServerProcess(tmp_path, "--port", "0")
    servers.append(server)
    server.started()
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    warnings = [line for line in server.output if "WARNING" in line]
    assert any(f"the data folder {tmp_path} is open to other users (mode 0755)" in line
               and f"chmod 700 {tmp_path}" in line for line in warnings), server.text()
    assert any(f"{tmp_path / 'traveler.db'} is readable by other users (mode 0644)" in line
               for line in warnings)


@pytest.mark.parametrize(
    "command",
    [["user", "list"], ["device", "list"], ["config", "show"], ["task", "list", "--user", "a"]],
)
def test_reading_commands_on_a_missing_folder_say_so_and_create_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "no" / "such"
    done = cli("--data", str(missing), *command)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"traveler-server: error: the data folder {missing} does not exist; nothing to show "
        "(give the right one with --data, or add a user first to create it)"
    )
    assert not (tmp_path / "no").exists()


def test_reading_commands_on_an_empty_folder_create_no_database(tmp_path: Path) -> None:
    for command in (["user", "list"], ["device", "list"], ["config", "show"]):
        done = cli("--data", str(tmp_path), *command)
        assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_empty_data_argument_is_refused_and_data_may_follow_the_subcommand(
    tmp_path: Path,
) -> None:
    refused = cli("--data", "", "user", "list")
    assert refused.returncode == 2
    assert "--data: is empty" in refused.stderr
    refused = cli("user", "list", "--data", "")
    assert refused.returncode == 2
    add_user(tmp_path)
    listed = cli("user", "list", "--data", str(tmp_path))
    assert listed.returncode == 0 and "alice@example.com" in listed.stdout
    listed = cli("device", "list", "--user", "alice", "--data", str(tmp_path))
    assert listed.returncode == 0, listed.stderr


def test_demo_refuses_a_folder_with_real_users(tmp_path: Path) -> None:
    add_user(tmp_path, "dave")
    done = cli("--data", str(tmp_path), "run", "--port", "0", "--demo")
    assert done.returncode == 1
    assert "already holds other users (dave)" in done.stderr
    assert "alice-demo-1" not in done.stdout + done.stderr
    users = cli("--data", str(tmp_path), "user", "list").stdout
    assert "alice" not in users


def test_demo_refuses_the_network_unless_told_and_prints_a_url_that_works(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    done = cli("--data", str(tmp_path / "demo"), "run", "--host", "0.0.0.0", "--port", "0",
               "--demo")
    assert done.returncode == 1
    assert "--allow-remote-demo" in done.stderr
    assert not (tmp_path / "demo" / "traveler.db").exists()
    server = ServerProcess(
        tmp_path / "demo", "--host", "0.0.0.0", "--port", "0", "--demo", "--allow-remote-demo"
    )
    servers.append(server)
    url = server.started()
    assert url.startswith("http://127.0.0.1:")
    server.wait_for("Stop the server")
    assert "0.0.0.0" not in server.text().split("Traveler demo server:", 1)[1]
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
