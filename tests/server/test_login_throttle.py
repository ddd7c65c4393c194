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
