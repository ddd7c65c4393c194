"""Users never see each other's tasks: through the real HTTP edge, sync service and store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from server.store import Database
from syncml.codes import AlertCode
from syncml.model import Alert, Sync
from syncml.server import Reply
from tests.server.api_peer import app_client, database_of, hash_passwords_cheaply
from tests.server.app_peer import AppOverHttp
from tests.syncml.device import Device, Exchange, Server, decode
from tests.syncml.items import vtodo
from tests.syncml.raw import RawMessages, add, sync

ALICES_TASKS = [vtodo(f"alice-task-{n}", f"Alice's private task {n}") for n in (1, 2, 3)]


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hash_passwords_cheaply(monkeypatch)


USERS = [
    ("alice", "alice@example.org", "secret"),
    ("bob", "bob@example.org", "bob-secret"),
]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with database_of(tmp_path, USERS, store_md5_secret=True) as db:
        yield db


@pytest.fixture
async def client(tmp_path: Path, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(tmp_path, database) as c:  # the real SyncService
        yield c


PASSWORDS = {"alice": "secret", "bob": "bob-secret"}


def peer(client: httpx.AsyncClient | Server, user: str, device_id: str) -> Device:
    server = AppOverHttp(client) if isinstance(client, httpx.AsyncClient) else client
    return Device(server, device_id=device_id, user=user, password=PASSWORDS[user])


async def run(device: Device, mode: int = AlertCode.TWO_WAY) -> list[Exchange]:
    return await asyncio.to_thread(device.sync, mode)


def summaries(database: Database, user: str) -> list[str]:
    """The SUMMARY of every task the server stores for ``user``."""
    rows = database.query(
        "SELECT i.data FROM items i JOIN users u ON u.id = i.user_id WHERE u.name = ? "
        "ORDER BY i.id", (user,))
    return [line.split(":", 1)[1] for row in rows for line in row["data"].splitlines()
            if line.startswith("SUMMARY:")]


def mentions_alice(exchanges: list[Exchange]) -> bool:
    return any(b"alice-task" in e.reply.body or b"Alice's" in e.reply.body for e in exchanges)


@pytest.fixture
async def alice(client: httpx.AsyncClient, database: Database) -> Device:
    """Alice's phone, after it synced her three tasks up."""
    phone = peer(client, "alice", "alice-phone")
    for task in ALICES_TASKS:
        phone.create(task)
    await run(phone, AlertCode.SLOW_SYNC)
    assert len(summaries(database, "alice")) == 3
    return phone


# --- syncing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("device_id", ["bob-phone", "alice-phone"],
                         ids=["own-device-id", "alices-device-id"])
async def test_bobs_slow_sync_receives_none_of_alices_tasks(
    client: httpx.AsyncClient, database: Database, alice: Device, device_id: str
) -> None:
    bob = peer(client, "bob", device_id)

    exchanges = await run(bob, AlertCode.SLOW_SYNC)

    assert bob.items == {}
    assert not [cmd for e in exchanges for cmd in e.sync_commands()]
    assert not mentions_alice(exchanges)
    assert summaries(database, "bob") == []
    assert len(summaries(database, "alice")) == 3


@pytest.mark.parametrize("device_id", ["bob-phone", "alice-phone"],
                         ids=["own-device-id", "alices-device-id"])
async def test_bobs_refresh_from_server_receives_none_of_alices_tasks(
    client: httpx.AsyncClient, alice: Device, device_id: str
) -> None:
    bob = peer(client, "bob", device_id)

    exchanges = await run(bob, AlertCode.REFRESH_FROM_SERVER)

    assert bob.items == {}
    assert not mentions_alice(exchanges)


async def test_bobs_task_with_the_uid_of_alices_is_his_own_copy(
    client: httpx.AsyncClient, database: Database, alice: Device
) -> None:
    bob = peer(client, "bob", "alice-phone")
    bob.create(vtodo("alice-task-1", "Bob's task"))

    exchanges = await run(bob, AlertCode.SLOW_SYNC)

    assert not mentions_alice(exchanges)
    assert summaries(database, "bob") == ["Bob's task"]
    assert summaries(database, "alice") == [f"Alice's private task {n}" for n in (1, 2, 3)]
    # Alice's next sync brings her nothing of Bob's.
    alice_exchanges = await run(alice)
    assert not [cmd for e in alice_exchanges for cmd in e.sync_commands()]
    assert sorted(alice.items.values()) == sorted(ALICES_TASKS)


async def test_bobs_changes_never_reach_alices_devices(
    client: httpx.AsyncClient, database: Database, alice: Device
) -> None:
    bob = peer(client, "bob", "bob-phone")
    await run(bob, AlertCode.SLOW_SYNC)
    bob.create(vtodo("bob-1", "Bob's new task"))
    await run(bob)

    exchanges = await run(alice)

    assert not [cmd for e in exchanges for cmd in e.sync_commands()]
    assert summaries(database, "bob") == ["Bob's new task"]


# --- sessions ---------------------------------------------------------------------------------


LAPTOP_TASK = vtodo("alice-task-x", "Alice's laptop task")


async def alices_open_session(client: httpx.AsyncClient) -> Exchange:
    """Alice's laptop in the middle of a slow sync (it sent package 1, and the network
    went): the exchange that gave it its RespURI."""
    laptop = peer(client, "alice", "alice-laptop")
    laptop.create(LAPTOP_TASK)
    [init] = await asyncio.to_thread(laptop.sync, AlertCode.SLOW_SYNC, cut_after=1)
    assert init.header_status() == 212 and "sid=" in (init.message.header.resp_uri or "")
    return init


def intruder_at(init: Exchange, server: httpx.AsyncClient | Server,
                device_id: str) -> RawMessages:
    """Bob posting hand-made messages to Alice's RespURI, as the next of her session."""
    transport = AppOverHttp(server) if isinstance(server, httpx.AsyncClient) else server
    return RawMessages(transport, device_id=device_id, user="bob",
                       password=PASSWORDS["bob"], url=init.message.header.resp_uri or "",
                       msg_id=init.request.header.msg_id,
                       session_id=init.request.header.session_id)


async def test_bob_cannot_continue_alices_session_from_his_device(
    client: httpx.AsyncClient, database: Database, alice: Device
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "bob-phone")
    alice_before = summaries(database, "alice")

    # An empty Sync with Final would make the server send Alice's tasks; an Add would
    # land in her datastore.
    reply = await asyncio.to_thread(bob.send, [sync([add("B1", vtodo("bob-1", "planted by Bob"))])])

    assert reply.header_status() in (401, 407)
    assert reply.statuses("SyncHdr")[0].chal is not None
    assert not reply.sync_commands()
    assert not mentions_alice([reply])
    assert summaries(database, "alice") == alice_before
    assert summaries(database, "bob") == []


async def test_bob_cannot_replay_alices_last_message_to_read_her_reply(
    client: httpx.AsyncClient, alice: Device
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "bob-phone")
    bob.msg_id -= 1  # the MsgID Alice used last: a "resend" would get her stored reply

    reply = await asyncio.to_thread(bob.send, [Alert(0, 222)], final=True)

    assert reply.reply.body != laptop.reply.body
    assert reply.header_status() in (401, 407)
    assert not mentions_alice([reply])


async def test_bob_with_his_own_password_at_alices_resp_uri_gets_his_own_session(
    client: httpx.AsyncClient, alice: Device
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "bob-phone")

    reply = await asyncio.to_thread(bob.send, [Sync(0)], final=True, cred=bob.basic())

    assert reply.header_status() == 212
    assert reply.message.header.resp_uri
    assert reply.message.header.resp_uri != laptop.message.header.resp_uri
    assert not reply.sync_commands()
    assert not mentions_alice([reply])


async def test_bob_claiming_alices_device_id_with_his_password_gets_none_of_her_tasks(
    client: httpx.AsyncClient, database: Database, alice: Device
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "alice-laptop")  # device IDs are not secrets

    reply = await asyncio.to_thread(bob.send, [Sync(0)], final=True, cred=bob.basic())

    assert not reply.sync_commands()
    assert not mentions_alice([reply])


async def test_alices_session_goes_on_after_bobs_attempt(
    client: httpx.AsyncClient, database: Database, alice: Device
) -> None:
    app = AppOverHttp(client)
    attempts: list[Exchange] = []

    class BobMeanwhile:
        """Bob's hand-made message to Alice's RespURI between her first and second."""

        def receive(self, body: bytes, content_type: str, url: str) -> Reply:
            reply = app.receive(body, content_type, url)
            if not laptop.log:
                init = Exchange(decode(body, content_type), reply,
                                decode(reply.body, reply.content_type))
                attempts.append(intruder_at(init, app, "bob-phone").send([sync([])]))
            return reply

    laptop = peer(BobMeanwhile(), "alice", "alice-laptop")
    laptop.create(LAPTOP_TASK)
    await run(laptop, AlertCode.SLOW_SYNC)

    assert [a.header_status() for a in attempts] in ([401], [407])
    assert laptop.done is not None
    # Her laptop now has her phone's three tasks besides its own, and nothing of Bob's.
    assert sorted(laptop.items.values()) == sorted([*ALICES_TASKS, LAPTOP_TASK])
    assert len(summaries(database, "alice")) == 4
    assert summaries(database, "bob") == []
