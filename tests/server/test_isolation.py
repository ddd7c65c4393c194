"""Users never see each other's tasks: through the real HTTP edge, sync service and store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from server.store import Database
from syncml.model import Alert, Sync
from tests.server.api_peer import app_client, database_of, hash_passwords_cheaply
from tests.server.app_peer import AppOverHttp
from tests.syncml.peer import Exchange, Peer, add, vtodo

ALICES_TASKS = {f"L{n}": vtodo(f"alice-task-{n}", f"Alice's private task {n}") for n in (1, 2, 3)}


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


def peer(client: httpx.AsyncClient, user: str, device_id: str) -> Peer:
    password = {"alice": "secret", "bob": "bob-secret"}[user]
    return Peer(AppOverHttp(client), device_id=device_id, user=user,  # type: ignore[arg-type]
                password=password)


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
async def alice(client: httpx.AsyncClient, database: Database) -> Peer:
    """Alice's phone, after it synced her three tasks up."""
    phone = peer(client, "alice", "alice-phone")
    phone.items = dict(ALICES_TASKS)
    await asyncio.to_thread(phone.sync, 201)
    assert len(summaries(database, "alice")) == 3
    return phone


# --- syncing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("device_id", ["bob-phone", "alice-phone"],
                         ids=["own-device-id", "alices-device-id"])
async def test_bobs_slow_sync_receives_none_of_alices_tasks(
    client: httpx.AsyncClient, database: Database, alice: Peer, device_id: str
) -> None:
    bob = peer(client, "bob", device_id)

    exchanges = await asyncio.to_thread(bob.sync, 201)

    assert bob.items == {}
    assert not [cmd for e in exchanges for cmd in e.sync_commands()]
    assert not mentions_alice(exchanges)
    assert summaries(database, "bob") == []
    assert len(summaries(database, "alice")) == 3


@pytest.mark.parametrize("device_id", ["bob-phone", "alice-phone"],
                         ids=["own-device-id", "alices-device-id"])
async def test_bobs_refresh_from_server_receives_none_of_alices_tasks(
    client: httpx.AsyncClient, alice: Peer, device_id: str
) -> None:
    bob = peer(client, "bob", device_id)

    exchanges = await asyncio.to_thread(bob.sync, 205)

    assert bob.items == {}
    assert not mentions_alice(exchanges)


async def test_bobs_task_with_the_uid_of_alices_is_his_own_copy(
    client: httpx.AsyncClient, database: Database, alice: Peer
) -> None:
    bob = peer(client, "bob", "alice-phone")
    bob.items = {"B1": vtodo("alice-task-1", "Bob's task")}

    exchanges = await asyncio.to_thread(bob.sync, 201)

    assert not mentions_alice(exchanges)
    assert summaries(database, "bob") == ["Bob's task"]
    assert summaries(database, "alice") == [f"Alice's private task {n}" for n in (1, 2, 3)]
    # Alice's next sync brings her nothing of Bob's.
    alice_exchanges = await asyncio.to_thread(alice.sync, 200)
    assert not [cmd for e in alice_exchanges for cmd in e.sync_commands()]
    assert alice.items == ALICES_TASKS


async def test_bobs_changes_never_reach_alices_devices(
    client: httpx.AsyncClient, database: Database, alice: Peer
) -> None:
    bob = peer(client, "bob", "bob-phone")
    await asyncio.to_thread(bob.sync, 201)
    await asyncio.to_thread(bob.sync, 200, [add("B1", vtodo("bob-1", "Bob's new task"))])

    exchanges = await asyncio.to_thread(alice.sync, 200)

    assert not [cmd for e in exchanges for cmd in e.sync_commands()]
    assert summaries(database, "bob") == ["Bob's new task"]


# --- sessions ---------------------------------------------------------------------------------


async def alices_open_session(client: httpx.AsyncClient) -> Peer:
    """Alice's laptop in the middle of a slow sync: initialised, her RespURI known."""
    laptop = peer(client, "alice", "alice-laptop")
    laptop.items = {"X1": vtodo("alice-task-x", "Alice's laptop task")}
    init = await asyncio.to_thread(laptop.init, 201)
    assert init.header_status() == 212 and "sid=" in laptop.url
    return laptop


def intruder_at(laptop: Peer, client: httpx.AsyncClient, device_id: str) -> Peer:
    """Bob posting to Alice's RespURI, as the next message of her session."""
    bob = peer(client, "bob", device_id)
    bob.url, bob.msg_id, bob.session = laptop.url, laptop.msg_id, laptop.session
    return bob


async def test_bob_cannot_continue_alices_session_from_his_device(
    client: httpx.AsyncClient, database: Database, alice: Peer
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "bob-phone")
    alice_before = summaries(database, "alice")

    # An empty Sync with Final would make the server send Alice's tasks; an Add would
    # land in her datastore.
    reply = await asyncio.to_thread(bob.changes, [add("B1", vtodo("bob-1", "planted by Bob"))])

    assert reply.header_status() in (401, 407)
    assert reply.statuses("SyncHdr")[0].chal is not None
    assert not reply.sync_commands()
    assert not mentions_alice([reply])
    assert summaries(database, "alice") == alice_before
    assert summaries(database, "bob") == []


async def test_bob_cannot_replay_alices_last_message_to_read_her_reply(
    client: httpx.AsyncClient, alice: Peer
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "bob-phone")
    bob.msg_id -= 1  # the MsgID Alice used last: a "resend" would get her stored reply

    reply = await asyncio.to_thread(bob.send, [Alert(0, 222)], final=True)

    assert reply.reply.body != laptop.log[-1].reply.body
    assert reply.header_status() in (401, 407)
    assert not mentions_alice([reply])


async def test_bob_with_his_own_password_at_alices_resp_uri_gets_his_own_session(
    client: httpx.AsyncClient, alice: Peer
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "bob-phone")

    reply = await asyncio.to_thread(bob.send, [Sync(0)], final=True, cred=True)

    assert reply.header_status() == 212
    assert reply.message.header.resp_uri and reply.message.header.resp_uri != laptop.url
    assert not reply.sync_commands()
    assert not mentions_alice([reply])


async def test_bob_claiming_alices_device_id_with_his_password_gets_none_of_her_tasks(
    client: httpx.AsyncClient, database: Database, alice: Peer
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "alice-laptop")  # device IDs are not secrets

    reply = await asyncio.to_thread(bob.send, [Sync(0)], final=True, cred=True)

    assert not reply.sync_commands()
    assert not mentions_alice([reply])


async def test_alices_session_goes_on_after_bobs_attempt(
    client: httpx.AsyncClient, database: Database, alice: Peer
) -> None:
    laptop = await alices_open_session(client)
    bob = intruder_at(laptop, client, "bob-phone")
    await asyncio.to_thread(bob.changes, [])

    reply = await asyncio.to_thread(laptop.changes, [add("X1", laptop.items["X1"], "Replace")])
    await asyncio.to_thread(laptop.receive_server_changes, reply)

    # Her laptop now has her phone's three tasks besides its own, and nothing of Bob's.
    assert sorted(laptop.items.values()) == sorted([*ALICES_TASKS.values(),
                                                    laptop.items["X1"]])
    assert len(summaries(database, "alice")) == 4
    assert summaries(database, "bob") == []
