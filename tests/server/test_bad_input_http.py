"""Bad input through the real HTTP edge and sync service: a clear answer, never a 500, and
nothing stored is touched.

"Nothing stored is touched" is checked on a snapshot of every table of the database.
Messages refused before the engine runs (HTTP 4xx) and the header-only 505 answer leave
every table identical. A message that authenticates (the 406 case) is a device contact and
the start of a session, so ``devices`` (registration, ``last_sync``), ``syncml_sessions`` and
``nonces`` may change; items, history, mappings, anchors, users and counters may not. A
failed login stores a fresh nonce for its challenge, and nothing else. (A completed sync's
session row stays stored, for resends, until the session times out.)
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from server.app import create_app
from server.config import load_settings
from server.store import Database, UserStore
from syncml import auth, codec
from syncml.model import (
    Alert,
    Command,
    Header,
    Item,
    ItemCommand,
    Location,
    Message,
    Meta,
    Status,
    Sync,
    decode_message,
    encode_message,
)
from tests.server.app_peer import AppOverHttp
from tests.syncml.codec_samples import capture
from tests.syncml.device import Device
from tests.syncml.items import vtodo
from tests.syncml.raw import RawMessages, add, nonce_of, sync_alert

XML = codec.CONTENT_TYPE_XML
WBXML = codec.CONTENT_TYPE_WBXML
MAX_MESSAGE = 8192
WBXML_CAPTURE = "1-wbxml-md5-slow-sync-up/01-request.wbxml"
# Changes a successful login or a challenge makes by design (see the module docstring).
CONTACT_TABLES = ("devices", "nonces", "syncml_sessions")


# --- the server under test --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's UserStore hashes with cheap argon2 parameters: behaviour, not cost."""
    monkeypatch.setattr(
        "server.store.users.PasswordHasher",
        lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    (tmp_path / "notes.ini").write_text(f"[Notes]\nNTS_MAX_MESSAGE_SIZE={MAX_MESSAGE}\n")
    with Database.open(tmp_path) as db:
        UserStore(db, store_md5_secret=True).add("alice", "alice@example.org", "secret")
        yield db


@pytest.fixture
async def client(tmp_path: Path, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(tmp_path)
    assert settings.max_message_size == MAX_MESSAGE
    app = create_app(settings, database)  # the real SyncService
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def sync_three_tasks(client: httpx.AsyncClient) -> Device:
    """A complete, valid two-way (turned slow) sync of our client that stores three tasks."""
    peer = Device(AppOverHttp(client), device_id="alice-phone")
    for n in (1, 2, 3):
        peer.create(vtodo(f"task-{n}", f"Task {n}"))
    await asyncio.to_thread(peer.sync)
    assert peer.done is not None
    return peer


async def next_session(client: httpx.AsyncClient, peer: Device) -> RawMessages:
    """The same device's next session, by hand: package 1 (two-way from its anchor) sent
    and answered, so the test can write message 2 itself."""
    raw = RawMessages(AppOverHttp(client), device_id=peer.device_id)
    init = await asyncio.to_thread(raw.send, [sync_alert(200, last=peer.sync_anchor(),
                                                         nxt="next-1")], cred=raw.basic())
    assert init.header_status() == 212
    assert "sid=" in raw.url
    return raw


def wrong_password(client: httpx.AsyncClient) -> RawMessages:
    """Hand-made logins of alice's phone with a wrong password (one try each)."""
    return RawMessages(AppOverHttp(client), device_id="alice-phone", password="wrong")


# --- looking at the database ------------------------------------------------------------------

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(database: Database) -> Snapshot:
    """Every row of every table, in a stable order."""
    with database.lock:
        names = [row[0] for row in database.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(database.conn.execute(f'SELECT * FROM "{name}"').fetchall(),
                             key=repr)
                for name in names}


def without(tables: Snapshot, *names: str) -> Snapshot:
    return {name: rows for name, rows in tables.items() if name not in names}


def task_rows(database: Database) -> list[tuple[Any, ...]]:
    return snapshot(database)["items"]


# --- building messages ------------------------------------------------------------------------


def syncml_xml(*, namespace: str = "SYNCML:SYNCML1.2", version: str = "1.2", msg_id: int = 1,
               body: str = "<Final/>", cred: bool = True, device: str = "alice-phone") -> bytes:
    """A SyncML message written by hand, for what the model refuses to encode."""
    credentials = (
        "<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format>"
        "<Type xmlns='syncml:metinf'>syncml:auth-basic</Type></Meta>"
        f"<Data>{auth.basic_cred_data('alice', 'secret')}</Data></Cred>"
        if cred else ""
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><SyncML xmlns='{namespace}'><SyncHdr>"
        f"<VerDTD>{version}</VerDTD><VerProto>SyncML/{version}</VerProto>"
        f"<SessionID>7</SessionID><MsgID>{msg_id}</MsgID>"
        "<Target><LocURI>http://testserver/traveler</LocURI></Target>"
        f"<Source><LocURI>{device}</LocURI><LocName>alice</LocName></Source>"
        f"{credentials}</SyncHdr><SyncBody>{body}</SyncBody></SyncML>"
    ).encode()


def wbxml_with_public_id(public_id: bytes) -> bytes:
    """A real WBXML message whose public ID (bytes 1-2 of the capture) is replaced."""
    real = capture(WBXML_CAPTURE)
    assert real[1:3] == b"\xa4\x01"  # 0x1201: SyncML 1.2
    return real[:1] + public_id + real[3:]


def wbxml_with_public_id_string(text: str) -> bytes:
    """A real WBXML message whose public ID is given as a string-table entry."""
    real = capture(WBXML_CAPTURE)
    assert real[3:5] == b"\x6a\x00"  # UTF-8, empty string table
    table = text.encode() + b"\x00"
    return real[:1] + b"\x00\x00\x6a" + bytes([len(table)]) + table + real[5:]


def message_for(peer: RawMessages, commands: list[Command], *, msg_id: int = 2,
                final: bool = True, wbxml: bool = False) -> bytes:
    """The bytes of message ``msg_id`` of the hand-made session ``peer``."""
    header = Header(
        version="1.2", session_id=peer.session_id, msg_id=msg_id,
        target=Location(peer.url), source=Location(peer.device_id, peer.user),
        meta=Meta(max_msg_size=peer.max_msg_size),
    )
    for index, command in enumerate(commands, start=1):
        command.cmd_id = index
    return codec.encode(encode_message(Message(header, commands, final)), wbxml=wbxml)


def sync_of(*commands: ItemCommand, target: str = "tasks", source: str = "./todo") -> Sync:
    return Sync(0, target=Location(target), source=Location(source), commands=list(commands))


def decoded(response: httpx.Response) -> Message:
    return decode_message(codec.decode(response.content, response.headers["content-type"]))


def statuses(message: Message, cmd: str) -> list[int]:
    return [c.code for c in message.commands if isinstance(c, Status) and c.cmd == cmd]


def assert_problem(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    for word in words:
        assert word.lower() in problem["detail"].lower(), problem["detail"]


# --- bad messages on their own ----------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    body: bytes
    content_type: str = XML
    status: int = 400  # HTTP status; 200 means a SyncML answer
    words: tuple[str, ...] = ()  # what the problem's detail names
    header_status: int | None = None  # SyncHdr status of a SyncML answer
    command_statuses: dict[str, int] = field(default_factory=dict)


_RANDOM = random.Random(20240501)
UNSUPPORTED_COMMANDS = syncml_xml(body=(
    "<Exec><CmdID>1</CmdID><Item><Target><LocURI>./bin/app</LocURI></Target></Item></Exec>"
    "<Search><CmdID>2</CmdID><Meta><Type xmlns='syncml:metinf'>text/plain</Type></Meta>"
    "<Target><LocURI>tasks</LocURI></Target><Data>x</Data></Search><Final/>"
))

BAD_INPUTS: dict[str, BadInput] = {
    "not-xml": BadInput(b"this is not a SyncML message", words=("XML",)),
    "xml-that-is-not-syncml": BadInput(b"<foo/>", words=("foo",)),
    "wrong-namespace": BadInput(syncml_xml(namespace="SYNCML:SYNCML9.9"), words=("SYNCML9.9",)),
    "no-synchdr": BadInput(b"<SyncML xmlns='SYNCML:SYNCML1.2'><SyncBody/></SyncML>",
                           words=("SyncHdr",)),
    "truncated-wbxml": BadInput(capture(WBXML_CAPTURE)[:1000], WBXML, words=("truncated",)),
    "wbxml-unknown-public-id": BadInput(wbxml_with_public_id(b"\x9f\x7f"), WBXML,
                                        words=("public ID",)),
    "wbxml-unknown-public-id-string": BadInput(
        wbxml_with_public_id_string("-//ACME//DTD Widgets 1.0//EN"), WBXML,
        words=("public identifier",)),
    "random-bytes-as-wbxml": BadInput(_RANDOM.randbytes(3000), WBXML),
    "random-bytes-as-xml": BadInput(_RANDOM.randbytes(3000), XML),
    "body-over-nts-max-message-size": BadInput(
        syncml_xml() + b" " * MAX_MESSAGE, status=413, words=("NTS_MAX_MESSAGE_SIZE",)),
    "empty-body": BadInput(b"", words=("empty",)),
    "wrong-content-type": BadInput(syncml_xml(), "text/xml", status=415, words=("text/xml",)),
    "no-content-type": BadInput(syncml_xml(), "", status=415),
    "verdtd-1.0": BadInput(syncml_xml(version="1.0"), status=200, header_status=505),
    "unknown-commands": BadInput(UNSUPPORTED_COMMANDS, status=200, header_status=212,
                                 command_statuses={"Exec": 406, "Search": 406}),
}


async def post_bad(client: httpx.AsyncClient, case: BadInput) -> httpx.Response:
    headers = {"content-type": case.content_type} if case.content_type else {}
    return await client.post("/traveler", content=case.body, headers=headers)


def check_answer(response: httpx.Response, case: BadInput) -> None:
    assert response.status_code != 500, response.text[:300]
    if case.status != 200:
        assert_problem(response, case.status, *case.words)
        return
    assert response.status_code == 200
    message = decoded(response)
    assert statuses(message, "SyncHdr") == [case.header_status]
    for cmd, code in case.command_statuses.items():
        assert statuses(message, cmd) == [code], cmd


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
async def test_bad_input_before_any_sync_is_answered_and_stores_nothing(
    client: httpx.AsyncClient, database: Database, case: BadInput
) -> None:
    before = snapshot(database)

    check_answer(await post_bad(client, case), case)

    after = snapshot(database)
    if case.header_status in (200, 212):  # it logged in: a device contact (see docstring)
        assert without(after, *CONTACT_TABLES) == without(before, *CONTACT_TABLES)
    else:
        assert after == before


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
async def test_bad_input_after_a_valid_sync_is_answered_and_stores_nothing(
    client: httpx.AsyncClient, database: Database, case: BadInput
) -> None:
    await sync_three_tasks(client)
    before = snapshot(database)
    assert len(before["items"]) == 3 and before["mappings"] and before["anchors"]

    check_answer(await post_bad(client, case), case)

    after = snapshot(database)
    if case.header_status in (200, 212):
        assert without(after, *CONTACT_TABLES) == without(before, *CONTACT_TABLES)
    else:
        assert after == before


async def test_all_bad_inputs_in_a_row_leave_every_table_as_it_was(
    client: httpx.AsyncClient, database: Database
) -> None:
    await sync_three_tasks(client)
    before = snapshot(database)

    for name, case in BAD_INPUTS.items():
        if case.header_status in (200, 212):
            continue  # logs in; covered above
        response = await post_bad(client, case)
        assert response.status_code != 500, name

    assert snapshot(database) == before


async def test_a_refused_message_does_not_disturb_the_next_valid_sync(
    client: httpx.AsyncClient, database: Database
) -> None:
    peer = await sync_three_tasks(client)
    for case in BAD_INPUTS.values():
        await post_bad(client, case)

    peer.create(vtodo("task-4", "Task 4"))
    await asyncio.to_thread(peer.sync)
    assert peer.done is not None

    assert len(task_rows(database)) == 4


def devinf_put(manufacturer: str) -> str:
    return (
        "<Put><CmdID>1</CmdID><Meta><Type xmlns='syncml:metinf'>"
        "application/vnd.syncml-devinf+xml</Type></Meta><Item><Source><LocURI>./devinf12"
        "</LocURI></Source><Data><DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD>"
        f"<Man>{manufacturer}</Man><Mod>m</Mod><DevID>alice-phone</DevID><DevTyp>phone</DevTyp>"
        "</DevInf></Data></Item></Put><Final/>"
    )


DEVICE_DATA_THE_STORE_REFUSES = {
    "device-id-over-256-chars": syncml_xml(device="d" * 300),
    "blank-device-id": syncml_xml(device="   "),
    "devinf-manufacturer-over-256-chars": syncml_xml(body=devinf_put("m" * 300)),
}


@pytest.mark.parametrize("body", DEVICE_DATA_THE_STORE_REFUSES.values(),
                         ids=DEVICE_DATA_THE_STORE_REFUSES.keys())
async def test_device_data_the_device_store_refuses_gets_no_500(
    client: httpx.AsyncClient, database: Database, body: bytes
) -> None:
    before = snapshot(database)

    response = await client.post("/traveler", content=body, headers={"content-type": XML})

    assert response.status_code != 500, response.text[:300]
    if response.status_code == 200:
        decoded(response)
    else:
        assert_problem(response, response.status_code)
    assert without(snapshot(database), *CONTACT_TABLES) == without(before, *CONTACT_TABLES)


# --- a mutated second message in a valid session ----------------------------------------------


def _truncated(peer: RawMessages) -> tuple[bytes, str]:
    whole = message_for(peer, [sync_of(add("N1", vtodo("new-1", "New")))])
    return whole[: len(whole) // 2], XML


def _not_a_task(peer: RawMessages) -> tuple[bytes, str]:
    commands: list[Command] = [sync_of(add("N1", "this is not a calendar item"))]
    return message_for(peer, commands), XML


def _unknown_datastore(peer: RawMessages) -> tuple[bytes, str]:
    sync = sync_of(add("N1", vtodo("new-1", "New")), target="notes", source="./notes")
    return message_for(peer, [sync]), XML


def _add_outside_sync(peer: RawMessages) -> tuple[bytes, str]:
    return message_for(peer, [add("N1", vtodo("new-1", "New"))]), XML


def _replace_of_an_unknown_luid_without_data(peer: RawMessages) -> tuple[bytes, str]:
    empty = ItemCommand("Replace", 0, [Item(source=Location("nobody-knows"))],
                        meta=Meta(type="text/calendar"))
    return message_for(peer, [sync_of(empty)]), XML


def _delete_of_an_unknown_luid(peer: RawMessages) -> tuple[bytes, str]:
    gone = ItemCommand("Delete", 0, [Item(source=Location("nobody-knows"))])
    return message_for(peer, [sync_of(gone)]), XML


def _wbxml_as_xml(peer: RawMessages) -> tuple[bytes, str]:
    return message_for(peer, [sync_of()], wbxml=True), XML


def _verdtd_1_0(peer: RawMessages) -> tuple[bytes, str]:
    return syncml_xml(version="1.0", msg_id=2, cred=False), XML


def _wrong_namespace(peer: RawMessages) -> tuple[bytes, str]:
    return syncml_xml(namespace="SYNCML:SYNCML1.0", msg_id=2, cred=False), XML


def _status_for_nothing_sent(peer: RawMessages) -> tuple[bytes, str]:
    bogus = Status(0, 99, 42, "Add", 200, source_refs=["L1"])
    return message_for(peer, [bogus, Alert(0, 222)], final=False), XML


def _flipped(seed: int) -> Callable[[RawMessages], tuple[bytes, str]]:
    def mutate(peer: RawMessages) -> tuple[bytes, str]:
        # An empty Sync: no flip of it can turn into a legitimate new task.
        body = bytearray(message_for(peer, [sync_of()], wbxml=True))
        rng = random.Random(seed)
        for _ in range(rng.randint(1, 6)):
            body[rng.randrange(len(body))] = rng.randrange(256)
        return bytes(body), WBXML

    return mutate


MUTATIONS: dict[str, Callable[[RawMessages], tuple[bytes, str]]] = {
    "truncated": _truncated,
    "not-a-task": _not_a_task,
    "unknown-datastore": _unknown_datastore,
    "add-outside-sync": _add_outside_sync,
    "replace-without-data": _replace_of_an_unknown_luid_without_data,
    "delete-of-unknown-luid": _delete_of_an_unknown_luid,
    "wbxml-sent-as-xml": _wbxml_as_xml,
    "verdtd-1.0": _verdtd_1_0,
    "wrong-namespace": _wrong_namespace,
    "status-for-nothing-sent": _status_for_nothing_sent,
    **{f"flipped-bytes-{seed}": _flipped(seed) for seed in range(8)},
}


@pytest.mark.parametrize("mutation", MUTATIONS.values(), ids=MUTATIONS.keys())
async def test_a_mutated_second_message_gets_no_500_and_leaves_the_items(
    client: httpx.AsyncClient, database: Database,
    mutation: Callable[[RawMessages], tuple[bytes, str]],
) -> None:
    peer = await next_session(client, await sync_three_tasks(client))
    items_before = task_rows(database)
    body, content_type = mutation(peer)

    response = await client.post(peer.url, content=body, headers={"content-type": content_type})

    assert response.status_code != 500, response.text[:300]
    if response.status_code == 200:
        decoded(response)  # a well-formed SyncML answer
    else:
        assert_problem(response, response.status_code)
        assert 400 <= response.status_code < 500
    assert task_rows(database) == items_before


async def test_a_mutated_second_message_is_answered_with_the_documented_statuses(
    client: httpx.AsyncClient,
) -> None:
    peer = await next_session(client, await sync_three_tasks(client))

    body, _ = _not_a_task(peer)
    response = await client.post(peer.url, content=body, headers={"content-type": XML})

    assert response.status_code == 200
    assert statuses(decoded(response), "Add") == [415]


async def test_an_item_command_outside_a_sync_gets_405(client: httpx.AsyncClient) -> None:
    peer = await next_session(client, await sync_three_tasks(client))

    body, _ = _add_outside_sync(peer)
    response = await client.post(peer.url, content=body, headers={"content-type": XML})

    assert statuses(decoded(response), "Add") == [405]


async def test_a_sync_for_an_unknown_datastore_gets_404(client: httpx.AsyncClient) -> None:
    peer = await next_session(client, await sync_three_tasks(client))

    body, _ = _unknown_datastore(peer)
    response = await client.post(peer.url, content=body, headers={"content-type": XML})

    message = decoded(response)
    assert statuses(message, "Sync") == [404]
    assert statuses(message, "Add") == [404]


async def test_a_sync_targeting_an_unknown_datastore_from_a_known_source_gets_404(
    client: httpx.AsyncClient, database: Database
) -> None:
    peer = await next_session(client, await sync_three_tasks(client))
    items_before = task_rows(database)

    sync = sync_of(add("N1", vtodo("new-1", "New")), target="notes", source="./todo")
    response = await client.post(peer.url, content=message_for(peer, [sync]),
                                 headers={"content-type": XML})

    assert statuses(decoded(response), "Sync") == [404]
    assert task_rows(database) == items_before


# --- wrong passwords --------------------------------------------------------------------------


@pytest.mark.parametrize("auth_type", [auth.AUTH_BASIC, auth.AUTH_MD5])
async def test_a_wrong_password_gets_401_with_a_challenge_and_is_logged(
    client: httpx.AsyncClient, database: Database, caplog: pytest.LogCaptureFixture,
    auth_type: str,
) -> None:
    await sync_three_tasks(client)
    before = snapshot(database)
    peer = wrong_password(client)
    if auth_type == auth.AUTH_MD5:
        # The first md5 try only fetches a nonce; the second is a real wrong-password try.
        first = await asyncio.to_thread(peer.send, [sync_alert(200)], cred=peer.md5(b""))
        assert first.header_status() == 401
        cred = peer.md5(nonce_of(first))
        peer.new_session()
    else:
        cred = peer.basic()

    with caplog.at_level(logging.INFO, logger="traveler"):
        exchange = await asyncio.to_thread(peer.send, [sync_alert(200)], cred=cred)

    assert exchange.header_status() == 401
    [header_status] = exchange.statuses("SyncHdr")
    assert header_status.chal is not None
    assert header_status.chal.meta.type == auth.AUTH_MD5  # md5 is the preferred type
    nonce = header_status.chal.meta.next_nonce
    assert nonce and base64.b64decode(nonce)
    assert not exchange.sync_commands()
    assert any("Login failed for user alice" in r.getMessage() for r in caplog.records), [
        r.getMessage() for r in caplog.records
    ]
    # Only the new nonce and the throttle's count of the failure are stored; the failed
    # session is not kept.
    after = snapshot(database)
    assert [(scope, key) for scope, key, _ in after["login_failures"]] == [
        ("address", "127.0.0.1"), ("user", "alice")
    ]
    assert without(after, "nonces", "login_failures") == without(before, "nonces",
                                                                 "login_failures")


async def test_after_a_wrong_password_the_right_one_works_in_a_new_session(
    client: httpx.AsyncClient,
) -> None:
    peer = wrong_password(client)
    first = await asyncio.to_thread(peer.send, [sync_alert(200)], cred=peer.md5(b""))
    peer.new_session()
    second = await asyncio.to_thread(peer.send, [sync_alert(200)],
                                     cred=peer.md5(nonce_of(first)))
    assert second.header_status() == 401

    peer.password = "secret"
    peer.new_session()
    exchange = await asyncio.to_thread(peer.send, [sync_alert(200)],
                                       cred=peer.md5(nonce_of(second)))

    assert exchange.header_status() == 212
