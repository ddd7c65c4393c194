"""Users, devices and tasks from the command line, checked against a running server."""

from __future__ import annotations

import io
import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.cli import main
from syncml.codes import AlertCode
from tests.server.server_process import OverHttp, ServerProcess
from tests.syncml.device import Device
from tests.syncml.items import vtodo
from tests.syncml.raw import RawMessages, login, nonce_of, sync_alert

PASSWORD = "correct-horse-battery"


class Cli:
    """`traveler-server --data DIR ...` in this process, output captured."""

    def __init__(self, data: Path, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> None:
        self.data = data
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def __call__(self, *args: str, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--data", str(self.data), *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def add(self, name: str, email: str | None = None, password: str = PASSWORD) -> None:
        code, _, err = self("user", "add", name, "--email", email or f"{name}@example.com",
                            "--password-stdin", stdin=password + "\n")
        assert code == 0, err


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path, monkeypatch, capsys)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path, "--port", "0")
    process.started()
    yield process
    process.kill()


def stop(process: ServerProcess) -> str:
    process.proc.send_signal(signal.SIGTERM)
    assert process.finish() == 0
    return process.text()


def phone(process: ServerProcess, user: str = "alice", password: str = PASSWORD,
          device: str = "IMEI:1") -> Device:
    """A device of ``user``: our real client."""
    return Device(OverHttp(process.base), device_id=device, user=user, password=password)


def refused_phone(process: ServerProcess, user: str = "alice", password: str = PASSWORD,
                  device: str = "IMEI:1") -> RawMessages:
    """A device whose logins are expected to fail: hand-made, one try per login."""
    return RawMessages(OverHttp(process.base), device_id=device, user=user, password=password)


@pytest.mark.parametrize(
    ("name", "email", "password", "reason"),
    [
        ("bob", "alice@example.com", PASSWORD,
         "the e-mail address alice@example.com is already used by 'alice'"),
        ("bob", "bob@localhost", PASSWORD, "'bob@localhost' is not an e-mail address"),
        ("bob", "bob@example.com", "short", "the password is shorter than 8 characters"),
        ("bob smith", "bob@example.com", PASSWORD, "contains a space"),
        ("bob/smith", "bob@example.com", PASSWORD, "contains a slash"),
        ("bob\x1b[31m", "bob@example.com", PASSWORD, "contains control characters"),
    ],
)
def test_user_add_refuses_bad_input_with_one_line(
    run: Cli, name: str, email: str, password: str, reason: str
) -> None:
    run.add("alice")
    code, _, err = run("user", "add", name, "--email", email, "--password-stdin",
                       stdin=password + "\n")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("traveler-server: error: ")
    assert reason in err


def test_the_minimum_password_length_is_a_setting(run: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.ini").write_text("NTS_MIN_PASSWORD_LENGTH=30\n")
    code, _, err = run("user", "add", "bob", "--email", "bob@example.com", "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert code == 1 and "shorter than 30 characters" in err


def test_passwd_replaces_the_password_a_device_logs_in_with(
    run: Cli, tmp_path: Path
) -> None:
    run.add("alice")
    code, out, _ = run("user", "passwd", "alice", "--password-stdin", stdin="new-password-2\n")
    assert code == 0 and "new password" in out
    code, _, err = run("user", "passwd", "alice", "--password-stdin", stdin="short\n")
    assert code == 1 and "shorter than 8" in err
    process = ServerProcess(tmp_path, "--port", "0")
    try:
        process.started()
        assert login(refused_phone(process)) == 401
        assert phone(process, password="new-password-2").first_login() == 212
    finally:
        stop(process)


def test_a_disabled_users_devices_get_403_with_the_reason_in_the_log(
    run: Cli, tmp_path: Path
) -> None:
    run.add("alice")
    run.add("bob")
    code, out, _ = run("user", "disable", "alice", "--reason", "left the company")
    assert code == 0 and "Disabled alice (left the company)" in out
    _, listing, _ = run("user", "list")
    assert "user (disabled: left the company)" in listing
    process = ServerProcess(tmp_path, "--port", "0")
    try:
        process.started()
        md5 = refused_phone(process, device="IMEI:2")
        md5.new_session()
        first = md5.send([sync_alert(201)], cred=md5.md5(b""))
        assert first.header_status() == 401
        chal = first.statuses("SyncHdr")[0].chal
        nonce = nonce_of(first) if chal is not None and chal.meta.next_nonce else b""
        # The right password, with the nonce: 403, the account may not sync (SyncEvolution
        # shows "access denied" and does not retry; a 401 would ask to check the password).
        assert login(md5, md5.md5(nonce)) == 403
        assert login(refused_phone(process)) == 403
        # A wrong password learns nothing about the account: 401 as for anyone.
        assert login(refused_phone(process, password="guess")) == 401
        assert phone(process, user="bob").first_login() == 212
        code, out, _ = run("user", "enable", "alice")
        assert code == 0
        assert phone(process).first_login() == 212
    finally:
        out = stop(process)
    refused = [line for line in out.splitlines() if "the account is disabled" in line]
    assert len(refused) == 2, out
    assert all("WARNING Login failed for user alice" in line and "left the company" in line
               for line in refused)


def test_user_remove_asks_then_removes_devices_and_items_in_one_go(
    run: Cli, tmp_path: Path
) -> None:
    run.add("alice")
    run.add("bob")
    process = ServerProcess(tmp_path, "--port", "0")
    try:
        process.started()
        for user in ("alice", "bob"):
            device = phone(process, user=user)
            device.sync(AlertCode.SLOW_SYNC)
            device.create(vtodo(f"{user}-1", f"{user}'s task"))
            device.sync()
    finally:
        stop(process)
    code, _, err = run("user", "remove", "alice")
    assert code == 1 and "add --yes" in err  # no terminal to ask on: nothing happens
    _, tasks, _ = run("task", "list", "--user", "alice", "--json")
    assert len(json.loads(tasks)) == 1
    code, out, _ = run("user", "remove", "alice", "--yes")
    assert code == 0
    assert out.strip() == "Removed user alice with 1 device and 1 item."
    _, users, _ = run("user", "list")
    assert "alice" not in users and "bob" in users
    _, devices, _ = run("device", "list")
    assert "alice" not in devices and "bob" in devices
    _, bobs, _ = run("task", "list", "--user", "bob", "--json")
    assert [t["summary"] for t in json.loads(bobs)] == ["bob's task"]
    code, _, err = run("user", "remove", "alice", "--yes")
    assert code == 1 and "no user named 'alice'" in err


def test_device_remove_makes_the_next_sync_a_slow_one(run: Cli, tmp_path: Path) -> None:
    run.add("alice")
    process = ServerProcess(tmp_path, "--port", "0")
    try:
        process.started()
        device = phone(process)
        device.sync(AlertCode.SLOW_SYNC)
        code, out, _ = run("device", "remove", "IMEI:1")
        assert code == 0 and "Removed device IMEI:1 of alice" in out
        _, listing, _ = run("device", "list")
        assert "IMEI:1" not in listing
        init = device.sync()[0]
        assert any(s.code == 508 for s in init.statuses("Alert"))  # refresh required
        assert device.done is not None and device.done.mode is AlertCode.SLOW_SYNC
    finally:
        stop(process)
    code, _, err = run("device", "remove", "IMEI:9")
    assert code == 1 and "there is no device 'IMEI:9'" in err


def test_task_list_shows_what_the_server_holds(run: Cli, tmp_path: Path) -> None:
    run.add("alice")
    process = ServerProcess(tmp_path, "--port", "0")
    try:
        process.started()
        device = phone(process)
        device.sync(AlertCode.SLOW_SYNC)
        device.create(vtodo("u-1", "Call the printer vendor", "PRIORITY:1\r\n"))
        device.sync()
    finally:
        stop(process)
    code, out, _ = run("task", "list", "--user", "ALICE")
    assert code == 0
    assert out.splitlines()[0].split() == ["ID", "DUE", "PRIORITY", "STATUS", "SUMMARY"]
    assert "Call the printer vendor" in out and "high" in out
    _, out, _ = run("task", "list", "--user", "alice", "--json")
    (task,) = json.loads(out)
    assert task["uid"] == "u-1" and task["summary"] == "Call the printer vendor"
    assert task["priority"] == "high" and task["datastore"] == "tasks"
    code, _, err = run("task", "list", "--user", "nobody")
    assert code == 1 and "no user named 'nobody'" in err
