"""The server's log as an operator reads it: console and log file, seed-like lines and levels."""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.config import load_settings
from server.logs import FINEST, TravelerFormatter
from server.status import DiskUsage, Status, StatusMonitor
from syncml import auth
from syncml.codes import AlertCode
from tests.server.server_process import LINE, OverHttp, ServerProcess, cli
from tests.syncml.device import Device
from tests.syncml.items import vtodo
from tests.syncml.raw import RawMessages, login, nonce_of, sync_alert

MB = 1024 * 1024
PASSWORD = "correct-horse-battery"
SECRET_SUMMARY = "Buy the anniversary present"


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()


def add_alice(data: Path) -> None:
    done = cli("--data", str(data), "user", "add", "alice", "--email", "alice@example.com",
               "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr


def start(data: Path, servers: list[ServerProcess], settings: str = "") -> ServerProcess:
    (data / "notes.ini").write_text(settings)
    server = ServerProcess(data, "--port", "0")
    servers.append(server)
    server.started()
    return server


def stop(server: ServerProcess) -> str:
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    return server.text()


@pytest.mark.parametrize(
    ("logger", "level", "message", "expected"),
    [
        ("traveler", logging.INFO, "Server starting...", "Traveler: Server starting..."),
        ("traveler.status", logging.WARNING, "*system Status change from Green to Red: x",
         "Traveler: WARNING *system Status change from Green to Red: x"),
        ("traveler.http", logging.ERROR, "boom", "Traveler: SEVERE boom"),
        ("traveler.sync", logging.DEBUG, "SyncML in", "Traveler: FINE SyncML in"),
        ("traveler.sync", FINEST, "cmd 3", "Traveler: FINEST cmd 3"),
        ("uvicorn.error", logging.WARNING, "Invalid HTTP request received.",
         "Traveler: WARNING [HTTP] Invalid HTTP request received."),
    ],
)
def test_every_line_has_the_seeds_timestamp_and_severity(
    logger: str, level: int, message: str, expected: str
) -> None:
    record = logging.LogRecord(logger, level, __file__, 1, message, None, None)
    line = TravelerFormatter().format(record)
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d " + re.escape(expected), line)


def test_finest_shows_each_message_but_no_password_or_content_and_fills_the_log_file(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    add_alice(tmp_path)
    server = start(tmp_path, servers, "NTS_LOG_LEVEL=FINEST\n")
    http = OverHttp(server.base)
    phone = Device(http, device_id="IMEI:4711", password=PASSWORD, auth_type=auth.AUTH_MD5)
    phone.create(vtodo("u-1", SECRET_SUMMARY))
    phone.sync(AlertCode.SLOW_SYNC)
    assert phone.log[0].header_status() == 401  # a new md5 device has no nonce yet
    assert phone.log[1].header_status() == 212
    assert phone.create(vtodo("u-2", SECRET_SUMMARY)) == "2"
    phone.sync()
    # a wrong password, tried once (by hand: our client would retry with md5)
    thief = RawMessages(http, device_id="IMEI:666", user="alice", password="guess")
    assert thief.send([sync_alert(201)], cred=thief.basic()).header_status() == 401
    out = stop(server)

    lines = out.splitlines()
    assert all(LINE.match(line) for line in lines), out
    # The first md5 login of a device fails by design: told as INFO, not as an alarm.
    handshake = [line for line in lines if "IMEI:4711" in line and "Login" in line]
    assert handshake and all("WARNING" not in line for line in handshake)
    assert "normal md5 handshake" in handshake[0]
    failed = [line for line in lines if "Login failed" in line]
    assert len(failed) == 1
    assert "WARNING" in failed[0] and "alice" in failed[0] and "IMEI:666" in failed[0]
    assert "127.0.0.1:" in failed[0]
    # Per-message detail: commands in and out with their statuses.
    assert any("FINE SyncML in from 127.0.0.1" in line and "Sync tasks: Add×1" in line
               for line in lines)
    assert any("FINE SyncML out to" in line and "Status" in line for line in lines)
    assert any("FINEST SyncML in" in line and "Add: source 2" in line for line in lines)
    assert any("FINE HTTP POST /traveler from 127.0.0.1" in line for line in lines)
    for secret in (PASSWORD, SECRET_SUMMARY, "guess", auth.basic_cred_data("alice", "guess")):
        assert secret not in out
    log_file = tmp_path / "traveler.log"
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert log_file.read_text().splitlines()[-1].endswith("Traveler: Server stopped.")
    assert "Login failed for user alice on device IMEI:666" in log_file.read_text()


def test_the_log_file_rotates_at_the_configured_size(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    add_alice(tmp_path)
    server = start(
        tmp_path, servers,
        "NTS_LOG_LEVEL=FINEST\nNTS_LOG_FILE_SIZE=4096\nNTS_LOG_FILE_COUNT=2\n",
    )
    phone = Device(OverHttp(server.base), password=PASSWORD)
    for n in range(6):
        phone.create(vtodo(f"u-{n}", f"task {n}"))
        phone.sync()
    stop(server)
    names = sorted(p.name for p in tmp_path.glob("traveler.log*"))
    assert names == ["traveler.log", "traveler.log.1", "traveler.log.2"]
    for path in tmp_path.glob("traveler.log*"):
        assert path.stat().st_size <= 4096 + 1024  # one record may straddle the limit
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_info_level_shows_no_per_message_lines(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    add_alice(tmp_path)
    server = start(tmp_path, servers)
    Device(OverHttp(server.base), password=PASSWORD).sync(AlertCode.SLOW_SYNC)
    out = stop(server)
    assert "Sync user=alice device=test-device-1" in out
    assert "SyncML in" not in out and "FINE" not in out


def test_status_is_logged_at_start_up_with_the_reason(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_DISK_SPACE_THRESHOLD=999999999\n")
    try:
        host, port = server.base.removeprefix("http://").rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.request("GET", "/health")
        health = connection.getresponse()
        assert health.status == 503
        assert json.loads(health.read())["status"] == "red"
    finally:
        out = stop(server)
    status = [line for line in out.splitlines() if "*system Status" in line]
    assert len(status) == 1
    assert "WARNING *system Status is Red: Disk space for " in status[0]
    assert str(tmp_path) in status[0] and "NTS_DISK_SPACE_THRESHOLD" in status[0]


def test_a_status_change_is_logged_when_it_happens(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "notes.ini").write_text(
        "NTS_DISK_SPACE_THRESHOLD=100\nNTS_DISK_SPACE_WARNING=500\n"
    )
    free = [10_000 * MB]
    monitor = StatusMonitor(
        load_settings(tmp_path), disk_usage=lambda _: DiskUsage(100_000 * MB, 0, free[0])
    )
    caplog.set_level(logging.INFO, logger="traveler.status")
    seen = []
    for mb in (10_000, 10_000, 300, 80, 80, 10_000):
        free[0] = mb * MB
        seen.append(monitor.check().status)
    assert seen == [Status.GREEN, Status.GREEN, Status.YELLOW, Status.RED, Status.RED,
                    Status.GREEN]
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert messages[0] == ("INFO", "*system Status is Green")
    assert messages[1][0] == "WARNING"
    assert messages[1][1].startswith("*system Status change from Green to Yellow: Disk space for ")
    assert messages[2] == (
        "WARNING",
        f"*system Status change from Yellow to Red: Disk space for {tmp_path} has 80 MB "
        "(0 percent) free, less than the threshold of 100 MB (NTS_DISK_SPACE_THRESHOLD)",
    )
    assert messages[3][0] == "INFO" and "from Red to Green" in messages[3][1]
    assert len(messages) == 4


def test_log_lines_of_libraries_are_formatted_too(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers)
    import socket

    host, port = server.base.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        sock.recv(1000)
    out = stop(server)
    assert "Invalid HTTP request" in out
    assert all(LINE.match(line) for line in out.splitlines()), out
    assert os.path.exists(tmp_path / "traveler.log")


def test_repeats_of_one_failed_login_are_one_warning_and_one_count(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    """SyncEvolution retries a wrong md5 password four times per sync: one WARNING, then one
    line with the count once NTS_LOG_REPEAT_WINDOW has passed; another failure meanwhile is
    logged at once, and a failure after the window is a new WARNING."""
    add_alice(tmp_path)
    server = start(tmp_path, servers, "NTS_LOG_REPEAT_WINDOW=3\n")
    http = OverHttp(server.base)
    guesser = RawMessages(http, device_id="IMEI:666", user="alice", password="guess-1")
    # md5 as SyncEvolution does it: the routine first login gets a nonce, then each wrong
    # digest gets a 401 with the next nonce, and the client tries again.
    exchange = guesser.send([sync_alert(201)], cred=guesser.md5(b"none yet"))
    assert exchange.header_status() == 401
    for _ in range(4):
        guesser.new_session()
        exchange = guesser.send([sync_alert(201)], cred=guesser.md5(nonce_of(exchange)))
        assert exchange.header_status() == 401
    first = server.wait_for("Login failed for user alice on device IMEI:666", timeout=5)
    assert "WARNING" in first and "wrong user name or password" in first
    other = RawMessages(http, device_id="IMEI:777", user="alice", password="guess-2")
    assert login(other) == 401
    # A new failure (another device) is not held back by the pending count.
    line = server.wait_for("Login failed for user", timeout=5)
    assert "IMEI:777" in line and "repeated" not in line
    summary = server.wait_for("repeated", timeout=10)
    assert "WARNING Login failed for user alice on device IMEI:666 from 127.0.0.1:" in summary
    assert summary.endswith("wrong user name or password (repeated 3 more times within 1 s)")
    guesser.new_session()  # after the window: logged again
    assert guesser.send([sync_alert(201)], cred=guesser.md5(nonce_of(exchange))
                        ).header_status() == 401
    again = server.wait_for("Login failed for user", timeout=5)
    assert "IMEI:666" in again and "repeated" not in again
    out = stop(server)
    warnings = [line for line in out.splitlines() if "Login failed" in line]
    assert len(warnings) == 4, out  # first, the other device, the count, the late one
    for secret in ("guess-1", "guess-2", PASSWORD):
        assert secret not in out
