"""Failed logins are counted per user and per address and then refused cheaply (HTTP 429);
the RespURI follows NTS_EXTERNAL_URL."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncml.codes import AlertCode
from tests.server.server_process import HttpRefused, OverHttp, ServerProcess, cli
from tests.syncml.device import Device
from tests.syncml.raw import RawMessages, login

PASSWORD = "correct-horse-battery"


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()


def start(data: Path, servers: list[ServerProcess], settings: str) -> ServerProcess:
    done = cli("--data", str(data), "user", "add", "alice", "--email", "alice@example.com",
               "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    (data / "notes.ini").write_text(settings)
    server = ServerProcess(data, "--port", "0")
    servers.append(server)
    server.started()
    return server


def stop(server: ServerProcess) -> str:
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    return server.text()


def device(server: ServerProcess, source: str, name: str) -> Device:
    """A device of alice's with the right password: our real client."""
    return Device(OverHttp(server.base, source), device_id=name, password=PASSWORD)


def guesser(server: ServerProcess, source: str, name: str) -> RawMessages:
    """Someone trying passwords: hand-made logins, one per session."""
    return RawMessages(OverHttp(server.base, source), device_id=name, password="guess")




def test_an_address_guessing_passwords_gets_429_then_others_still_log_in(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_LOGIN_FAILURES_PER_ADDRESS=3\n"
                                      "NTS_LOGIN_FAILURES_PER_USER=100\n")
    guess = guesser(server, "127.0.0.2", "IMEI:666")
    for _ in range(3):
        assert login(guess) == 401
    with pytest.raises(HttpRefused) as refused:
        login(guess)
    assert refused.value.status == 429
    problem = json.loads(refused.value.body)
    assert "too many failed logins from 127.0.0.2" in problem["detail"]
    assert isinstance(guess.server, OverHttp)
    headers = guess.server.last_headers
    assert 1 <= int(headers["retry-after"]) <= 300
    # Even the right password from that address waits: the address is the guesser's.
    with pytest.raises(HttpRefused):
        device(server, "127.0.0.2", "IMEI:666").sync(AlertCode.SLOW_SYNC)
    assert device(server, "127.0.0.1", "IMEI:1").first_login() == 212
    out = stop(server)
    warnings = [line for line in out.splitlines() if "failed logins from 127.0.0.2" in line]
    assert len(warnings) == 1 and "WARNING" in warnings[0] and "HTTP 429" in warnings[0]


def test_a_user_under_attack_is_refused_to_new_devices_but_not_to_known_ones(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_LOGIN_FAILURES_PER_USER=3\n"
                                      "NTS_LOGIN_FAILURES_PER_ADDRESS=100\n")
    own = device(server, "127.0.0.1", "IMEI:1")
    own.sync(AlertCode.SLOW_SYNC)
    for n in range(3):  # a guesser rotating addresses
        assert login(guesser(server, f"127.0.0.{10 + n}", "IMEI:666")) == 401
    with pytest.raises(HttpRefused) as refused:
        device(server, "127.0.0.20", "IMEI:2").sync(AlertCode.SLOW_SYNC)
    assert refused.value.status == 429
    assert "too many failed logins for user alice" in json.loads(refused.value.body)["detail"]
    own.sync()  # the owner's known device keeps syncing
    assert own.done is not None and own.log[-1].header_status() == 200
    stop(server)


def test_the_resp_uri_follows_the_external_url(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_EXTERNAL_URL=https://traveler.example.com/traveler\n")
    phone = device(server, "127.0.0.1", "IMEI:1")
    assert phone.first_login() == 212
    resp_uri = phone.log[0].message.header.resp_uri or ""
    assert resp_uri.startswith("https://traveler.example.com/traveler?sid=")
    # our client posts the rest of the session there (the transport keeps the path)
    assert all(e.url == resp_uri for e in phone.log[1:])
    stop(server)


def test_two_server_processes_on_one_data_folder_share_the_counts(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    """A pool's members count together: failures at one member count at the other, which
    refuses (429) before any password check."""
    first = start(tmp_path, servers, "NTS_LOGIN_FAILURES_PER_ADDRESS=4\n"
                                     "NTS_LOGIN_FAILURES_PER_USER=100\n")
    second = ServerProcess(tmp_path, "--port", "0")
    servers.append(second)
    second.started()
    assert first.base != second.base
    for server in (first, second, first):
        assert login(guesser(server, "127.0.0.2", "IMEI:666")) == 401
    assert login(guesser(second, "127.0.0.2", "IMEI:666")) == 401  # the fourth: limit reached
    for server in (first, second):
        with pytest.raises(HttpRefused) as refused:
            login(guesser(server, "127.0.0.2", "IMEI:666"))
        assert refused.value.status == 429
        assert "too many failed logins from 127.0.0.2" in json.loads(refused.value.body)["detail"]
    # Another address is not affected, at either member.
    assert device(second, "127.0.0.1", "IMEI:1").first_login() == 212
    stop(second)
    stop(first)


def forwarded(server: ServerProcess, client: str, name: str, password: str = "guess"
              ) -> RawMessages:
    """A device behind a reverse proxy on 127.0.0.1 that forwards for ``client``."""
    http = OverHttp(server.base, "127.0.0.1", {"X-Forwarded-For": f"{client}, 127.0.0.1"})
    return RawMessages(http, device_id=name, password=password)


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted_and_logged(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_LOGIN_FAILURES_PER_ADDRESS=3\n"
                                      "NTS_LOGIN_FAILURES_PER_USER=100\n"
                                      "NTS_TRUSTED_PROXIES=127.0.0.1/32, 10.0.0.0/8\n")
    for _ in range(3):
        assert login(forwarded(server, "203.0.113.5", "IMEI:666")) == 401
    with pytest.raises(HttpRefused) as refused:
        login(forwarded(server, "203.0.113.5", "IMEI:666"))
    assert refused.value.status == 429
    assert "too many failed logins from 203.0.113.5" in json.loads(refused.value.body)["detail"]
    # Another client behind the same proxy still gets its own answer.
    assert login(forwarded(server, "203.0.113.6", "IMEI:777", PASSWORD)) == 212
    # A peer that is no trusted proxy cannot choose its address: 127.0.0.2 is counted as
    # itself, however often it claims to be someone else.
    spoofer = OverHttp(server.base, "127.0.0.2", {"X-Forwarded-For": "198.51.100.1"})
    for _ in range(3):
        assert login(RawMessages(spoofer, device_id="IMEI:999", password="guess")) == 401
    with pytest.raises(HttpRefused) as refused:
        login(RawMessages(spoofer, device_id="IMEI:999", password="guess"))
    assert "too many failed logins from 127.0.0.2" in json.loads(refused.value.body)["detail"]
    out = stop(server)
    failed = [line for line in out.splitlines() if "Login failed" in line]
    assert any("IMEI:666 from 203.0.113.5 (via 127.0.0.1:" in line for line in failed), out
    assert any("IMEI:999 from 127.0.0.2:" in line for line in failed), out
    assert "198.51.100.1" not in out


def test_without_trusted_proxies_x_forwarded_for_is_never_believed(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    # Not even from 127.0.0.1, which uvicorn would trust by default.
    server = start(tmp_path, servers, "")
    assert login(forwarded(server, "203.0.113.5", "IMEI:666")) == 401
    out = stop(server)
    assert "203.0.113.5" not in out
    assert any("IMEI:666 from 127.0.0.1:" in line for line in out.splitlines()), out
