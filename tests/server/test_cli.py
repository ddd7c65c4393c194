"""traveler-server's command line: users, devices, config, and running the server."""

from __future__ import annotations

import io
import json
import signal
import socket
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.cli import main
from server.store import Database, DeviceStore, UserStore
from tests.server.server_process import ServerProcess, message_of


def add_user(
    data: Path, name: str, password: str, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(
        [
            "--data",
            str(data),
            "user",
            "add",
            name,
            "--email",
            f"{name}@example.com",
            "--password-stdin",
            *extra,
        ]
    )


# --- users and devices ----------------------------------------------------------------------


def test_user_add_reads_the_password_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = add_user(
        tmp_path, "alice", "pw with spaces ", monkeypatch, "--admin", "--full-name", "Alice Adams"
    )
    assert code == 0
    assert "alice" in capsys.readouterr().out
    with Database.open(tmp_path) as db:
        store = UserStore(db, store_md5_secret=True)
        alice = store.get("alice")
        assert alice is not None and alice.is_admin and alice.full_name == "Alice Adams"
        # Only the final newline is stripped: trailing spaces are part of the password.
        assert store.verify_password(alice, "pw with spaces ")


def test_user_add_refuses_duplicates_and_bad_input_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add_user(tmp_path, "alice", "pw-long-1", monkeypatch) == 0
    capsys.readouterr()
    assert add_user(tmp_path, "Alice", "pw-long-1", monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.strip() == "traveler-server: error: a user named 'alice' already exists"
    assert add_user(tmp_path, "bob", "", monkeypatch) == 1
    assert "password is empty" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("pw-long-1\n"))
    code = main(
        ["--data", str(tmp_path), "user", "add", "carol", "--email", "nope", "--password-stdin"]
    )
    assert code == 1
    assert "not an e-mail address" in capsys.readouterr().err


def test_user_add_without_password_stdin_explains_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--data", str(tmp_path), "user", "add", "alice", "--email", "a@example.com"])
    assert code == 1
    assert "--password-stdin" in capsys.readouterr().err


def test_user_and_device_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_user(tmp_path, "alice", "pw-long-1", monkeypatch)
    with Database.open(tmp_path) as db:
        alice = UserStore(db, store_md5_secret=True).get("alice")
        assert alice is not None
        DeviceStore(db).register_or_touch(
            alice.id, "IMEI:42", model="Desk 1", when=datetime(2024, 5, 1, tzinfo=UTC)
        )
    capsys.readouterr()
    assert main(["--data", str(tmp_path), "user", "list"]) == 0
    assert "alice@example.com" in capsys.readouterr().out
    assert main(["--data", str(tmp_path), "device", "list", "--user", "ALICE"]) == 0
    out = capsys.readouterr().out
    assert "IMEI:42" in out and "Desk 1" in out
    assert main(["--data", str(tmp_path), "device", "list", "--user", "nobody"]) == 1
    assert "no user named 'nobody'" in capsys.readouterr().err


def test_data_folder_defaults_to_traveler_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "from-env" / "deeper"
    monkeypatch.setenv("TRAVELER_DATA", str(target))
    assert main(["user", "list"]) == 1  # reading creates nothing
    assert not target.exists()
    monkeypatch.setattr(sys, "stdin", io.StringIO("pw-long-1\n"))
    assert main(["user", "add", "alice", "--email", "a@example.com", "--password-stdin"]) == 0
    assert (target / "traveler.db").is_file()


# --- config ---------------------------------------------------------------------------------


def test_config_show_prints_values_and_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.ini").write_text("[Notes]\nNTS_HTTP_PORT=9001\nNTS_TYPO=1\n")
    assert main(["--data", str(tmp_path), "config", "show", "--host", "0.0.0.0"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("NTS_")}
    assert "9001" in lines["NTS_HTTP_PORT"] and "notes.ini line 2" in lines["NTS_HTTP_PORT"]
    assert "0.0.0.0" in lines["NTS_HTTP_HOST"] and "command line" in lines["NTS_HTTP_HOST"]
    assert "150000" in lines["NTS_MAX_MSG_SIZE"] and "default" in lines["NTS_MAX_MSG_SIZE"]
    assert "unknown" in lines["NTS_TYPO"]
    assert "Warnings:" in out


def test_config_show_with_a_bad_value_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.ini").write_text("NTS_HTTP_PORT=lots\n")
    assert main(["--data", str(tmp_path), "config", "show"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "NTS_HTTP_PORT=lots" in err and "notes.ini line 1" in err


# --- run ------------------------------------------------------------------------------------


def test_run_binds_a_free_port_answers_health_and_stops_on_sigterm(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = ServerProcess(tmp_path, "--port", "0")
    servers.append(server)
    assert message_of(server.wait_for("Traveler: ")) == "Traveler: Server starting..."
    url = server.started()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/traveler")
    port = int(url.split(":")[2].split("/")[0])
    assert port > 0
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
        assert json.load(response)["status"] == "green"
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    out = server.text()
    assert "Traveler: Server shutting down..." in out
    assert message_of(server.output[-1]) == "Traveler: Server stopped."
    assert "Traceback" not in out


def test_run_on_a_busy_port_fails_with_one_clear_line(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = ServerProcess(tmp_path, "--port", str(port))
        servers.append(server)
        assert server.finish() == 1
    out = server.text()
    assert f"Cannot listen on 127.0.0.1:{port}: the port is already in use" in out
    assert "Traceback" not in out


def test_run_demo_seeds_accounts_once_and_prints_them(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    for _ in range(2):  # the second start finds the demo organisation in place
        server = ServerProcess(tmp_path, "--port", "0", "--demo")
        servers.append(server)
        server.wait_for("Traveler: Server started on ")
        server.wait_for("Stop the server")
        out = server.text()
        for name in ("alice", "bob", "carol"):
            assert f"{name}-demo-1" in out
        assert "syncevolution" in out
        server.proc.send_signal(signal.SIGINT)
        assert server.finish() == 0
    with Database.open(tmp_path) as db:
        users = UserStore(db, store_md5_secret=True).list()
    assert [(u.name, u.is_admin) for u in users] == [
        ("alice", True),
        ("bob", False),
        ("carol", False),
    ]
