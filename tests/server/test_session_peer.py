"""A session continued without its RespURI (by device, SessionID and user) is tied to the
client's address: a stranger elsewhere who knows the device ID and SessionID cannot join it,
and the owner moving to another address must show good credentials again."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncml.codes import AlertCode
from tests.server.server_process import OverHttp, ServerProcess, cli
from tests.syncml.device import SERVER_URL, Exchange
from tests.syncml.raw import RawMessages, sync, sync_alert

PASSWORD = "correct-horse-battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    done = cli("--data", str(tmp_path), "user", "add", "alice", "--email", "alice@example.com",
               "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    (tmp_path / "notes.ini").write_text("NTS_SYNCML_AUTH_TYPES=basic\n")
    process = ServerProcess(tmp_path, "--port", "0")
    process.started()
    yield process
    if process.proc.poll() is None:
        process.proc.send_signal(signal.SIGTERM)
        assert process.finish() == 0
    process.kill()


def session_less(raw: RawMessages, commands: list, cred: bool = False) -> Exchange:  # type: ignore[type-arg]
    """One message to the session-less URL, as from a client that ignores the RespURI."""
    raw.url = SERVER_URL
    return raw.send(commands, cred=raw.basic() if cred else None)


def test_a_stranger_from_another_address_cannot_join_a_session(server: ServerProcess) -> None:
    owner = RawMessages(OverHttp(server.base, "127.0.0.1"), device_id="IMEI:1",
                        password=PASSWORD, session_id="41")
    assert session_less(owner, [sync_alert(AlertCode.SLOW_SYNC)], cred=True
                        ).header_status() == 212
    assert session_less(owner, [sync([])]).header_status() == 200  # found by ID, same address

    # The stranger knows device ID, SessionID, user and the next MsgID, but posts from
    # 127.0.0.9: no session of alice's, just a demand for credentials.
    stranger = RawMessages(OverHttp(server.base, "127.0.0.9"), device_id="IMEI:1",
                           password="guess", session_id="41", msg_id=owner.msg_id)
    refused = session_less(stranger, [sync([])])
    assert refused.header_status() in (401, 407)
    assert not refused.sync_commands()
    # With a wrong password it is no better.
    stranger.msg_id = owner.msg_id
    assert session_less(stranger, [sync([])], cred=True).header_status() == 401

    # The owner's session goes on untouched.
    assert session_less(owner, [sync([])]).header_status() == 200

    # The owner on another address (Wi-Fi to mobile) continues with good credentials.
    owner.server = OverHttp(server.base, "127.0.0.5")
    assert session_less(owner, [sync([])], cred=True).header_status() == 212
    assert session_less(owner, [sync([])]).header_status() == 200  # now tied to .5
    # ...and the old address is now the stranger's.
    owner.server = OverHttp(server.base, "127.0.0.1")
    assert session_less(owner, [sync([])]).header_status() in (401, 407)
