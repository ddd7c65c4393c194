"""Failed logins are counted per user and per address and then refused cheaply (HTTP 429);
the RespURI follows NTS_EXTERNAL_URL."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.server_process import HttpRefused, OverHttp, ServerProcess, cli
from tests.syncml.peer import Peer

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


def device(server: ServerProcess, source: str, password: str, name: str) -> Peer:
    return Peer(OverHttp(server.base, source), device_id=name,  # type: ignore[arg-type]
                password=password)


def test_an_address_guessing_passwords_gets_429_then_others_still_log_in(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_LOGIN_FAILURES_PER_ADDRESS=3\n"
                                      "NTS_LOGIN_FAILURES_PER_USER=100\n")
    guesser = device(server, "127.0.0.2", "guess", "IMEI:666")
    for _ in range(3):
        assert guesser.init(201).header_status() == 401
    with pytest.raises(HttpRefused) as refused:
        guesser.init(201)
    assert refused.value.status == 429
    problem = json.loads(refused.value.body)
    assert "too many failed logins from 127.0.0.2" in problem["detail"]
    headers = guesser.server.last_headers  # type: ignore[attr-defined]
    assert 1 <= int(headers["retry-after"]) <= 300
    # Even the right password from that address waits: the address is the guesser's.
    with pytest.raises(HttpRefused):
        device(server, "127.0.0.2", PASSWORD, "IMEI:666").init(201)
    assert device(server, "127.0.0.1", PASSWORD, "IMEI:1").init(201).header_status() == 212
    out = stop(server)
    warnings = [line for line in out.splitlines() if "failed logins from 127.0.0.2" in line]
    assert len(warnings) == 1 and "WARNING" in warnings[0] and "HTTP 429" in warnings[0]


def test_a_user_under_attack_is_refused_to_new_devices_but_not_to_known_ones(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_LOGIN_FAILURES_PER_USER=3\n"
                                      "NTS_LOGIN_FAILURES_PER_ADDRESS=100\n")
    own = device(server, "127.0.0.1", PASSWORD, "IMEI:1")
    own.sync(201)
    for n in range(3):  # a guesser rotating addresses
        assert device(server, f"127.0.0.{10 + n}", "guess", "IMEI:666").init(201) \
            .header_status() == 401
    with pytest.raises(HttpRefused) as refused:
        device(server, "127.0.0.20", PASSWORD, "IMEI:2").init(201)
    assert refused.value.status == 429
    assert "too many failed logins for user alice" in json.loads(refused.value.body)["detail"]
    own.sync(200)  # the owner's known device keeps syncing
    stop(server)


def test_the_resp_uri_follows_the_external_url(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_EXTERNAL_URL=https://traveler.example.com/traveler\n")
    phone = device(server, "127.0.0.1", PASSWORD, "IMEI:1")
    phone.init(201)
    assert phone.url.startswith("https://traveler.example.com/traveler?sid=")
    stop(server)
