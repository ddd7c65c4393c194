"""SyncML DS protocol details of the server session, checked message by message.

Multi-message packages (Final, Alert 222, CmdID and MsgRef/CmdRef bookkeeping), large
objects in both directions, anchors and sync modes, conflicts with the real task merge,
authentication, resends and restarts, and bad input inside well-formed messages. Every
test runs on the in-memory and on the SQLite backend.

Sessions are run by our real client (:class:`tests.syncml.device.Device`); where a test
needs what a correct client never sends (a new item before the last chunk, a chunk with a
wrong size, held-back or hand-coded statuses, another device's DevInf, odd credentials,
commands out of place) the message is built by hand (:mod:`tests.syncml.raw`) or changed on
the wire.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from syncml import auth, codec
from syncml.client import MemoryClientBackend
from syncml.codes import AlertCode
from syncml.devinf import DevInf, build_devinf
from syncml.model import (
    Alert,
    Command,
    Cred,
    Item,
    ItemCommand,
    Location,
    Map,
    MapItem,
    Message,
    Meta,
    Put,
    Status,
    Sync,
    UnsupportedCommand,
    decode_message,
    encode_message,
)
from syncml.server import ServerConfig, SyncServer
from syncml.server.outcome import AuthFailed, Reply
from tests.syncml.device import Device, Exchange, all_sync_commands
from tests.syncml.host import Host
from tests.syncml.items import big_task, vtodo
from tests.syncml.memory_backend import LineContent, MemoryBackend
from tests.syncml.raw import (
    RawMessages,
    add,
    chunked,
    codes,
    devinf_put,
    nonce_of,
    number,
    status_for,
    sync,
    sync_alert,
)
from tests.syncml.test_server_session import World

# --------------------------------------------------------------------------- fixtures


class Store(World):
    """A World whose servers may serve more datastores or use another content handler."""

    def server(self, datastores: dict[str, Any] | None = None, **config: Any) -> Host:
        cfg = ServerConfig(
            datastores=datastores or {"tasks": LineContent()},
            aliases={"todo": "tasks", "task": "tasks"},
            **config,
        )
        if self.database is None:
            backend = MemoryBackend(self.memory)
            backend.add_user("alice", "secret")
            backend.add_user("bob", "bobsecret")
            return Host(SyncServer(cfg, backend))
        engine = SyncServer(cfg, self.sql_backend())
        return Host(engine, self.database)

    def store_items(self, datastore: str, user: str = "alice") -> list[str]:
        if self.database is None:
            key = user if datastore == "tasks" else f"{user}/{datastore}"
            return sorted(i.data for i in self.memory.items.get(key, {}).values())
        rows = self.database.query(
            "SELECT data FROM items JOIN users ON users.id = items.user_id "
            "WHERE name = ? AND datastore = ?",
            (user, datastore),
        )
        return sorted(row["data"] for row in rows)


@pytest.fixture(params=["memory", "sqlite"])
def world(request: pytest.FixtureRequest, tmp_path: Any) -> Store:
    return Store(request.param, tmp_path)


@pytest.fixture
def server(world: Store) -> Host:
    return world.server()


class Wire:
    """The transport between a test client and the server: remembers every request, can
    resend one byte for byte, swap the server between messages, or rewrite requests."""

    def __init__(
        self,
        server: Any,
        *,
        fresh: Callable[[], Any] | None = None,
        rewrite: Callable[[Message], None] | None = None,
        resend_each: bool = False,
    ) -> None:
        self.server = server
        self.fresh = fresh
        self.rewrite = rewrite
        self.resend_each = resend_each
        self.requests: list[tuple[bytes, str, str]] = []
        self.replies: list[Reply] = []

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        if self.rewrite is not None:
            message = decode_message(codec.decode(body, content_type))
            self.rewrite(message)
            body = codec.encode(encode_message(message), wbxml="wbxml" in content_type)
        if self.fresh is not None:
            self.server = self.fresh()  # a restarted server process on the same store
        self.requests.append((body, content_type, url))
        reply = self.server.receive(body, content_type, url)
        if self.resend_each:
            # The reply got lost: the client sends the very same bytes again.
            again = self.server.receive(body, content_type, url)
            assert again.body == reply.body, f"resend of request {len(self.requests)} differs"
        self.replies.append(reply)
        return reply

    def resend(self, index: int = -1) -> Reply:
        body, content_type, url = self.requests[index]
        return self.server.receive(body, content_type, url)


def holding(device: Device, *data: str) -> Device:
    """``device`` with these local items, not yet synced."""
    for item in data:
        device.create(item)
    return device


def basic_init(raw: RawMessages, mode: int = 201, **alert: Any) -> Exchange:
    """A hand-made package 1 in a new session: an Alert with basic credentials."""
    raw.new_session()
    return raw.send([sync_alert(mode, **alert)], cred=raw.basic())


def end_without_items(raw: RawMessages, reply: Exchange) -> Exchange:
    """Answer a server package 4 that carries no items (only its Syncs: status 200) with the
    final package 5; the server's last reply."""
    assert reply.message.final
    assert not reply.sync_commands()
    return raw.send([status_for(reply, s, 200) for s in reply.of(Sync)], final=True)


def all_cmd_ids(message: Message) -> list[int]:
    ids: list[int] = []
    for command in message.commands:
        ids.append(command.cmd_id)
        if isinstance(command, Sync):
            ids += [sub.cmd_id for sub in command.commands]
    return ids


def assert_cmd_ids_unique(exchanges: list[Exchange]) -> None:
    for exchange in exchanges:
        for message in (exchange.message, exchange.request):
            ids = all_cmd_ids(message)
            assert len(ids) == len(set(ids)), ids
            assert 0 not in ids


def codes_all(exchanges: list[Exchange], cmd: str) -> list[int]:
    return [s.code for e in exchanges for s in e.statuses(cmd)]


def sent(exchanges: list[Exchange]) -> list[ItemCommand]:
    return [c for e in exchanges for c in e.sent_commands()]


def no_devinf(message: Message) -> None:
    message.commands = [c for c in message.commands if not isinstance(c, Put)]
    number(message.commands)


def devinf_of_another_device(put: Put) -> Callable[[int, Message], None]:
    """A wire change: package 1 carries ``put`` as its DevInf instead of our client's."""

    def change(n: int, message: Message) -> None:
        if n == 1:
            message.commands = [put if isinstance(c, Put) else c for c in message.commands]
            number(message.commands)

    return change


class Refusing(MemoryClientBackend):
    """A device that cannot store some of the server's items (our client answers 415)."""

    def __init__(self, refuse: Callable[[str], bool]) -> None:
        super().__init__()
        self.refuse = refuse

    def add(self, guid: str, data: str, content_type: str) -> str:
        if self.refuse(data):
            raise ValueError("this device cannot store it")
        return super().add(guid, data, content_type)


# =========================================================================== multi-message


def test_client_package_over_several_messages_gets_every_status_once(world, server):
    a = holding(Device(server, max_msg_size=5000),
                *[vtodo(f"u{b}-{i}", "x") for b in range(3) for i in range(40)])
    exchanges = a.sync(AlertCode.SLOW_SYNC)
    carrying = [e for e in exchanges if e.sent_commands()]
    assert len(carrying) >= 3
    for reply in carrying[:-1]:
        # A message in the middle of the client's package is never the end of ours.
        assert not reply.message.final
        assert not reply.sync_commands()
    sent_ids = {(e.request.header.msg_id, c.cmd_id) for e in exchanges for c in e.sent_commands()}
    answered = [s for e in exchanges for s in e.statuses("Replace")]
    assert sorted((s.msg_ref, s.cmd_ref) for s in answered) == sorted(sent_ids)
    assert len(sent_ids) == 120
    assert {s.code for s in answered} == {201}
    assert_cmd_ids_unique(exchanges)
    assert len(world.items()) == 120


@pytest.mark.parametrize("final_on_222", [False, True])
def test_an_initialisation_answer_that_does_not_fit_still_ends_with_final(server, final_on_222):
    """The reply to package 1 spills over; the client fetches the rest with Alert 222. The
    server must finish its package 2 with Final, not start package 4, not ping-pong 222."""
    a = RawMessages(server, max_msg_size=4096)
    alert = sync_alert(201, "tasks", "./todo", nxt="a1")
    first = a.send([alert, *[UnsupportedCommand("Exec", 0) for _ in range(60)]], cred=a.basic())
    assert first.header_status() == 212
    assert not first.message.final
    exchanges = [first]
    for _ in range(10):
        if exchanges[-1].message.final:
            break
        exchanges.append(a.send([Alert(0, 222)], final=final_on_222))
    assert exchanges[-1].message.final, "package 2 never ended"
    assert codes_all(exchanges, "Exec") == [406] * 60
    assert not any(e.of(Sync) for e in exchanges), "package 4 started before package 3"
    assert not any(alert.code == 222 for e in exchanges[1:] for alert in e.of(Alert))
    # ... and the session goes on normally.
    reply = a.send([sync([add("1", vtodo("u1", "one"))])])
    assert codes(reply, "Add") == [201]
    end_without_items(a, reply)
    assert basic_init(a, 200, last="a1", nxt="a2").statuses("Alert")[0].code == 200


def test_a_last_package_answer_that_does_not_fit_still_ends_with_final(server):
    a = RawMessages(server, max_msg_size=4096)
    basic_init(a)
    reply = a.send([sync([add("1", vtodo("u1", "one"))])])
    assert reply.message.final
    # Package 5 with more to answer than fits: the rest is fetched with Alert 222.
    done = a.send([UnsupportedCommand("Exec", 0) for _ in range(60)], final=True)
    exchanges = [done]
    for _ in range(10):
        if exchanges[-1].message.final:
            break
        exchanges.append(a.send([Alert(0, 222)], final=False))
    assert exchanges[-1].message.final
    assert codes_all(exchanges, "Exec") == [406] * 60
    assert not any(alert.code == 222 for e in exchanges for alert in e.of(Alert))
    finished = [e for x in exchanges for e in x.reply.events if hasattr(e, "datastore")]
    assert len(finished) == 1


def test_map_and_statuses_between_messages_of_the_server_package(world, server):
    a = holding(Device(server), *[vtodo(f"u{i}", f"task {i} " + "x" * 150) for i in range(60)])
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b", max_msg_size=5000)
    exchanges = b.sync(AlertCode.SLOW_SYNC)
    package4 = [e for e in exchanges if e.sync_commands()]
    assert len(package4) > 3
    assert all(not e.message.final for e in package4[:-1])
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert_cmd_ids_unique(exchanges)
    # Every Map got through: nothing is sent again, and deletes by LUID work.
    for luid in list(b.items)[:5]:
        b.remove(luid)
    again = b.sync()
    assert len(sent(again)) == 5
    assert not any(e.sync_commands() for e in again)
    assert len(world.items()) == 55


def test_statuses_for_server_commands_may_come_two_messages_later(world, server):
    a = holding(Device(server), *[vtodo(f"u{i}", f"task {i} " + "x" * 150) for i in range(60)])
    a.sync(AlertCode.SLOW_SYNC)
    held: list[Command] = []

    def hold_every_other(n: int, message: Message) -> None:
        """On the wire: the item statuses of every other message wait for the next one."""
        nonlocal held
        mine = [c for c in message.commands if isinstance(c, Status)
                and c.cmd in ("Add", "Replace", "Delete")]
        rest = [c for c in message.commands if c not in mine]
        if n % 2 == 0 and not message.final:
            message.commands, held = rest, held + mine
        else:
            message.commands, held = [*held, *mine, *rest], []
        statuses = [c for c in message.commands if isinstance(c, Status)]
        others = [c for c in message.commands if not isinstance(c, Status)]
        message.commands = [*statuses, *others]
        if not message.commands:
            message.commands = [Alert(0, 222)]
        number(message.commands)

    b = Device(server, device_id="dev-b", max_msg_size=5000)
    exchanges = b.sync(AlertCode.SLOW_SYNC, tamper=hold_every_other)
    assert len([e for e in exchanges if e.sync_commands()]) > 3
    assert any(s.msg_ref < e.request.header.msg_id - 1
               for e in exchanges for s in e.sent_statuses("Add"))
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert not any(e.sync_commands() for e in b.sync())


def test_statuses_for_commands_inside_a_sync_name_them(server):
    a = holding(Device(server), vtodo("u0", "zero"), vtodo("u3", "three"))
    a.sync(AlertCode.SLOW_SYNC)
    a.create(vtodo("u1", "one"))
    a.create(vtodo("u2", "two"))
    a.remove(next(luid for luid, data in a.items.items() if "u3" in data))
    reply = a.sync()[1]
    (our_sync,) = [c for c in reply.request.commands if isinstance(c, Sync)]
    msg = reply.request.header.msg_id
    sync_status = reply.statuses("Sync")[0]
    assert (sync_status.msg_ref, sync_status.cmd_ref) == (msg, our_sync.cmd_id)
    refs = [(s.cmd, s.msg_ref, s.cmd_ref, s.source_refs) for s in reply.message.commands
            if isinstance(s, Status) and s.cmd in ("Add", "Delete")]
    assert refs == [(c.name, msg, c.cmd_id, [c.items[0].source.uri])
                    for c in our_sync.commands]
    assert sorted(r[0] for r in refs) == ["Add", "Add", "Delete"]


# =========================================================================== large objects


def test_chunked_replace_up_is_reassembled(world, server):
    a = holding(Device(server, max_msg_size=5000), vtodo("big", "small"))
    a.sync(AlertCode.SLOW_SYNC)
    big = big_task("big", 12_000)
    a.edit(next(iter(a.items)), big)
    exchanges = a.sync()
    pieces = sent(exchanges)
    assert len(pieces) >= 3 and {p.name for p in pieces} == {"Replace"}
    assert codes_all(exchanges, "Replace") == [213] * (len(pieces) - 1) + [200]
    assert world.items() == [big]


def test_chunked_replace_down_carries_size_first_and_more_data_until_the_last(server):
    a = holding(Device(server), vtodo("big", "small"))
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b", max_msg_size=4096)
    b.sync(AlertCode.SLOW_SYNC)
    big = big_task("big", 20_000)
    a.edit(next(iter(a.items)), big)
    a.sync()
    exchanges = b.sync()
    chunks = [c for c in all_sync_commands(exchanges) if c.name == "Replace"]
    assert len(chunks) >= 5
    assert [c.items[0].more_data for c in chunks] == [True] * (len(chunks) - 1) + [False]
    assert chunks[0].items[0].meta.size == len(big.encode())
    assert all(c.items[0].meta is None or c.items[0].meta.size is None for c in chunks[1:])
    assert list(b.items.values()) == [big]


def test_size_of_a_large_object_may_sit_on_the_command_meta(world, server):
    a = RawMessages(server)
    basic_init(a)
    big = big_task("big", 9000)
    pieces = chunked("9", big, 5000)
    pieces[0].items[0].meta = None
    pieces[0].meta = Meta(type="text/calendar", size=len(big) + 10)  # wrong on purpose
    assert codes(a.send([sync([pieces[0]])], final=False), "Add") == [213]
    assert codes(a.send([sync([pieces[1]])]), "Add") == [424]
    assert world.items() == []


def two_way_raw(server: Host) -> RawMessages:
    """A hand-made device after a completed empty slow sync: the next session is two-way
    from anchor "n1"."""
    a = RawMessages(server)
    basic_init(a, nxt="n1")
    end_without_items(a, a.send([sync([])]))
    a.new_session()
    return a


def test_a_new_item_before_the_last_chunk_gets_alert_223(world, server):
    a = two_way_raw(server)
    assert a.send([sync_alert(200, last="n1", nxt="n2")], cred=a.basic()).statuses(
        "Alert")[0].code == 200
    big = big_task("big", 9000)
    first = a.send([sync([chunked("9", big, 4000)[0]])], final=False)
    assert codes(first, "Add") == [213]
    reply = a.send([sync([add("10", vtodo("u10", "ten"))])])
    assert codes(reply, "Add") == [201]
    alerts = [x for x in reply.of(Alert) if x.code == 223]
    assert len(alerts) == 1
    item = alerts[0].items[0]
    assert "9" in (item.target.uri if item.target else "", item.source.uri if item.source else "")
    # No status may point at a command that does not exist (CmdRef 0 is the header).
    assert [s.cmd for s in reply.message.commands
            if isinstance(s, Status) and s.cmd_ref == 0] == ["SyncHdr"]
    end_without_items(a, reply)
    assert world.items() == [vtodo("u10", "ten")]
    # The lost item is not silently forgotten: the next sync compares everything.
    assert basic_init(a, 200, last="n2", nxt="n3").statuses("Alert")[0].code == 508


def test_a_chunked_item_left_incomplete_at_the_end_of_the_package_is_reported(world, server):
    a = two_way_raw(server)
    a.send([sync_alert(200, last="n1", nxt="n2")], cred=a.basic())
    reply = a.send([sync([chunked("9", big_task("big", 9000), 4000)[0]])], final=True)
    assert [x.code for x in reply.of(Alert)] == [223]
    end_without_items(a, reply)
    assert world.items() == []
    assert basic_init(a, 200, last="n2", nxt="n3").statuses("Alert")[0].code == 508


def test_a_chunked_item_interrupted_by_the_session_end_is_forgotten(world, server):
    a = two_way_raw(server)
    big = big_task("big", 9000)
    a.send([sync_alert(200, last="n1", nxt="n2")], cred=a.basic())
    a.send([sync([chunked("9", big, 4000)[0]])], final=False)
    # The connection is lost; the client starts over in a new session.
    basic_init(a, 200, last="n1", nxt="n2")
    reply = a.send([sync([add("9", big)])])
    assert codes(reply, "Add") == [201]
    assert not [x for x in reply.of(Alert) if x.code == 223]
    end_without_items(a, reply)
    assert world.items() == [big]


def test_chunks_cannot_grow_beyond_max_obj_size_without_a_size(world):
    server = world.server(max_obj_size=10_000)
    a = RawMessages(server)
    basic_init(a)
    pieces = chunked("9", big_task("big", 20_000), 4000)
    for piece in pieces:
        piece.items[0].meta = None  # no Size announced
    got = [codes(a.send([sync([p])], final=False), "Add") for p in pieces[:3]]
    assert got == [[213], [213], [413]]
    assert world.items() == []


def test_a_single_item_larger_than_max_obj_size_is_refused(world):
    # Hand-made: our client does not send what the server's MaxObjSize excludes.
    server = world.server(max_obj_size=5000)
    a = RawMessages(server)
    basic_init(a)
    reply = a.send([sync([add("1", big_task("big", 8000)), add("2", vtodo("u2", "two"))])])
    assert codes(reply, "Add") == [413, 201]


@pytest.mark.parametrize("wbxml", [False, True])
def test_outgoing_chunks_fit_max_msg_size_whatever_the_escaping(server, wbxml):
    nasty = "&<>\r\n\u20ac\U0001f600\u00e9&amp;" * 2500
    big = vtodo("nasty", "large", "DESCRIPTION:" + nasty + "\r\n")
    a = holding(Device(server, wbxml=wbxml), big)
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b", max_msg_size=4096, wbxml=wbxml)
    exchanges = b.sync(AlertCode.SLOW_SYNC)  # the device asserts that every reply fits
    chunks = all_sync_commands(exchanges)
    assert len(chunks) > 10
    assert chunks[0].items[0].meta.size == len(big.encode())
    assert list(b.items.values()) == [big]


def test_an_incoming_chunk_may_end_inside_a_utf8_character(world):
    server = world.server()
    a = RawMessages(server, wbxml=True)
    basic_init(a)
    big = big_task("euro", 9000, "\u20ac").encode()
    cut = 4001  # inside a three-byte character
    assert big[cut - 1] >= 0x80 and big[cut] >= 0x80
    first = chunked("9", big[:cut], len(big), total=len(big))[0]
    last = chunked("9", big[cut:], len(big))[0]
    first.items[0].more_data = True
    last.items[0].meta = None
    assert codes(a.send([sync([first])], final=False), "Add") == [213]
    reply = a.send([sync([last])])
    assert codes(reply, "Add") == [201]
    assert world.items() == [big.decode()]


def test_an_error_for_a_chunk_stops_the_rest_of_that_object(server):
    a = holding(Device(server), big_task("big", 20_000), vtodo("u2", "two"))
    a.sync(AlertCode.SLOW_SYNC)
    refused: list[str] = []

    def device_full(n: int, message: Message) -> None:
        """On the wire: the device's 213 for the first piece becomes 420 (device full)."""
        for status in message.commands:
            if isinstance(status, Status) and status.code == 213 and not refused:
                status.code = 420
                refused.append(status.source_refs[0])

    b = Device(server, device_id="dev-b", max_msg_size=4096)
    exchanges = b.sync(AlertCode.SLOW_SYNC, tamper=device_full)
    assert refused
    at = next(i for i, e in enumerate(exchanges) if e.sent_statuses() and any(
        s.code == 420 for s in e.sent_statuses()))
    later = [c for e in exchanges[at:] for c in e.sync_commands()
             if c.items[0].source and c.items[0].source.uri == refused[0]]
    assert later == []
    assert list(b.items.values()) == [vtodo("u2", "two")]
    # The object is sent again in the next session.
    b.sync()
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_large_object_support_is_remembered_from_the_devinf_of_an_earlier_session(server):
    a = holding(Device(server), big_task("big", 30_000), vtodo("u2", "two"))
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b", max_msg_size=8000)
    exchanges = b.sync(AlertCode.SLOW_SYNC,
                       tamper=devinf_of_another_device(devinf_put(large_objects=False)))
    assert codes(exchanges[0], "Put") == [200]
    assert not any(c.items[0].more_data for c in all_sync_commands(exchanges))
    assert list(b.items.values()) == [vtodo("u2", "two")]
    # Next session without DevInf: still no chunks, and no endless empty messages.
    exchanges = b.sync(tamper=lambda n, m: no_devinf(m) if n == 1 else None)
    assert len(exchanges) < 10
    assert not any(c.items[0].more_data for c in all_sync_commands(exchanges))


def test_an_item_too_big_for_a_client_without_large_objects_does_not_loop(server):
    a = holding(Device(server), big_task("big", 30_000), vtodo("u2", "two"))
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b", max_msg_size=8000)
    exchanges = b.sync(AlertCode.SLOW_SYNC,
                       tamper=devinf_of_another_device(devinf_put(large_objects=False)))
    assert len(exchanges) <= 4
    assert list(b.items.values()) == [vtodo("u2", "two")]


def test_a_non_positive_max_obj_size_from_the_client_is_ignored(server):
    a = holding(Device(server), vtodo("u1", "one"))
    a.sync(AlertCode.SLOW_SYNC)

    def no_limit(message: Message) -> None:
        assert message.header.meta is not None
        message.header.meta.max_obj_size = -1

    b = Device(Wire(server, rewrite=no_limit), device_id="dev-b")
    b.sync(AlertCode.SLOW_SYNC)
    assert list(b.items.values()) == [vtodo("u1", "one")]


def test_the_servers_own_max_msg_size_caps_its_replies(world):
    server = world.server(max_msg_size=8192)
    a = holding(Device(server), *[vtodo(f"u{i}", "x" * 300) for i in range(80)])
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b", max_msg_size=150_000)
    exchanges = b.sync(AlertCode.SLOW_SYNC)
    assert len(exchanges) > 3
    assert all(len(e.reply.body) <= 8192 for e in exchanges)
    assert len(b.items) == 80


# =========================================================================== anchors, modes


def test_two_uris_of_one_datastore_in_one_session_are_not_two_datastores(world, server):
    a = RawMessages(server)
    init = a.send([sync_alert(201, "tasks", "./tasks"), sync_alert(201, "todo", "./todo")],
                  cred=a.basic())
    assert codes(init, "Alert") == [200, 405]
    assert [x.code for x in init.of(Alert)] == [201]
    reply = a.send([sync([add("1", vtodo("u1", "a"))], "tasks", "./tasks"),
                    sync([add("1", vtodo("u2", "b"))], "todo", "./todo")])
    assert codes(reply, "Sync") == [200, 404]
    assert codes(reply, "Add") == [201, 404]
    assert world.items() == [vtodo("u1", "a")]


TWO_STORES = {"tasks": LineContent(), "notes": LineContent()}


def acknowledge(reply: Exchange, received: dict[str, str]) -> list[Command]:
    """Hand-made answers to the server's items in ``reply`` (our client syncs one datastore
    a session): status 200 for each Sync, 201 for each Add and a Map per datastore, the LUID
    made from the server's ID; the data lands in ``received``."""
    answers: list[Command] = []
    for server_sync in reply.of(Sync):
        answers.append(status_for(reply, server_sync, 200))
        maps: list[MapItem] = []
        for command in server_sync.commands:
            guid = command.items[0].source.uri
            assert command.name == "Add" and not command.items[0].more_data
            received[f"l-{guid}"] = command.items[0].data_bytes().decode()
            answers.append(status_for(reply, command, 201, source=guid))
            maps.append(MapItem(guid, f"l-{guid}"))
        if maps:
            answers.append(Map(0, server_sync.source, server_sync.target, maps))
    return answers


def two_store_session(peer: RawMessages, mode: int, changes: dict[str, list[ItemCommand]],
                      received: dict[str, str], last: str | None = None,
                      nxt: str = "n1") -> list[Exchange]:
    peer.new_session()
    init = peer.send([sync_alert(mode, "tasks", "./todo", last, nxt),
                      sync_alert(mode, "notes", "./notes", last, nxt)], cred=peer.basic())
    reply = peer.send([sync(changes.get("tasks", []), "tasks", "./todo"),
                       sync(changes.get("notes", []), "notes", "./notes")])
    out = [init, reply]
    for _ in range(60):
        answers = acknowledge(out[-1], received)
        if out[-1].message.final:
            out.append(peer.send(answers, final=True))
            return out
        out.append(peer.send([*answers, Alert(0, 222)], final=False))
    raise AssertionError("the server never ended its package")


def test_two_datastores_in_one_session_over_several_messages(world):
    server = world.server(datastores=TWO_STORES)
    a = RawMessages(server)
    tasks = {f"t{i}": vtodo(f"t{i}", "task " + "x" * 200) for i in range(25)}
    notes = {f"n{i}": vtodo(f"n{i}", "note " + "y" * 200) for i in range(25)}
    two_store_session(a, 201, {"tasks": [add(k, v) for k, v in tasks.items()],
                               "notes": [add(k, v) for k, v in notes.items()]}, {})
    assert world.store_items("tasks") == sorted(tasks.values())
    assert world.store_items("notes") == sorted(notes.values())
    b = RawMessages(server, device_id="dev-b", max_msg_size=5000)
    received: dict[str, str] = {}
    exchanges = two_store_session(b, 201, {}, received)
    assert len(exchanges) > 4
    assert_cmd_ids_unique(exchanges)
    assert sorted(received.values()) == sorted([*tasks.values(), *notes.values()])
    # Anchors and mappings are per datastore: the next sync is two-way for both and
    # transfers nothing.
    again = two_store_session(b, 200, {}, received, last="n1", nxt="n2")
    assert codes(again[0], "Alert") == [200, 200]
    assert not any(e.sync_commands() for e in again)


def test_a_sync_alert_after_the_first_package_is_refused(world):
    server = world.server(datastores=TWO_STORES)
    a = RawMessages(server)
    basic_init(a)
    reply = a.send([sync([add("1", vtodo("u1", "one"))])])
    assert reply.message.final
    done = a.send([sync_alert(200, "notes", "./notes", "whatever")], final=True)
    assert codes(done, "Alert") == [405]
    finished = [e.datastore for x in [reply, done] for e in x.reply.events
                if hasattr(e, "datastore")]
    assert finished == ["tasks"]


def test_one_way_from_server_then_two_way_transfers_nothing(server):
    a = holding(Device(server), vtodo("u1", "one"), vtodo("u2", "two"))
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b")
    b.sync(AlertCode.SLOW_SYNC)
    a.create(vtodo("u3", "three"))
    a.sync()
    exchanges = b.sync(AlertCode.ONE_WAY_FROM_SERVER)
    assert exchanges[0].statuses("Alert")[0].code == 200
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert not any(e.sync_commands() or e.sent_commands() for e in b.sync())
    assert not any(e.sync_commands() or e.sent_commands() for e in a.sync())


def test_refresh_from_client_deletes_exactly_what_it_did_not_send(world, server):
    a = Device(server)
    one, two, three = (a.create(vtodo("u1", "one")), a.create(vtodo("u2", "two")),
                       a.create(vtodo("u3", "three")))
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b")
    b.sync(AlertCode.SLOW_SYNC)
    assert len(b.items) == 3
    # a replaces the server's data with its own: item 1 as is, item 2 unreadable (the
    # server keeps its copy), item 3 not at all.
    a.edit(two, "garbage")
    a.remove(three)
    exchanges = a.sync(AlertCode.REFRESH_FROM_CLIENT)
    assert [c.items[0].source.uri for c in sent(exchanges)] == [one, two]
    assert codes(exchanges[1], "Replace") == [200, 415]
    assert world.items() == [vtodo("u1", "one"), vtodo("u2", "two")]
    exchanges = b.sync()
    deletes = [c for c in all_sync_commands(exchanges) if c.name == "Delete"]
    assert len(deletes) == 1
    assert sorted(b.items.values()) == [vtodo("u1", "one"), vtodo("u2", "two")]


def test_slow_sync_pairs_by_luid_first_and_keeps_the_mappings(world, server):
    a = Device(server)
    luid = a.create(vtodo("u1", "one"))
    a.sync(AlertCode.SLOW_SYNC)
    # The device lost its sync state and gave the task a new UID: same LUID, same task.
    a.edit(luid, vtodo("u1-new", "one, renamed"))
    a.backend.save_anchors(None)
    assert a.sync()[0].request.commands[-1].code == AlertCode.SLOW_SYNC
    assert world.items() == [vtodo("u1-new", "one, renamed")]
    a.remove(luid)
    a.sync()
    assert world.items() == []


def test_a_refused_item_forces_one_full_compare_but_not_forever(world, server):
    a = holding(Device(server), vtodo("u1", "one"))
    a.sync(AlertCode.SLOW_SYNC)
    a.create("not a calendar item")
    two_way = a.sync()
    assert codes(two_way[1], "Add") == [415]
    slow = a.sync()
    assert slow[0].statuses("Alert")[0].code == 508
    assert sorted(codes(slow[1], "Replace")) == [200, 415]
    # The full compare changed nothing: refusing the item again must not make every
    # later sync a slow one.
    assert a.sync()[0].statuses("Alert")[0].code == 200


def test_an_interrupted_refresh_from_server_does_not_duplicate_items(server):
    a = holding(Device(server), vtodo("u1", "one"), vtodo("u2", "two"))
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b")
    b.sync(AlertCode.SLOW_SYNC)
    b.sync(AlertCode.REFRESH_FROM_SERVER, cut_after=1)  # ... and the connection is lost
    exchanges = b.sync()
    assert exchanges[0].statuses("Alert")[0].code == 508
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_a_failed_server_item_does_not_force_a_slow_sync(server):
    a = holding(Device(server), vtodo("u1", "one"), vtodo("u2", "two"))
    a.sync(AlertCode.SLOW_SYNC)
    phone = Refusing(lambda data: "UID:u1" in data)
    b = Device(server, device_id="dev-b", backend=phone)
    exchanges = b.sync(AlertCode.SLOW_SYNC)
    assert sorted(s.code for e in exchanges for s in e.sent_statuses("Add")) == [201, 415]
    assert list(b.items.values()) == [vtodo("u2", "two")]
    # Item revisions send the refused item again; no full compare is needed for that.
    phone.refuse = lambda data: False
    exchanges = b.sync()
    assert exchanges[0].statuses("Alert")[0].code == 200
    assert sorted(b.items.values()) == sorted(a.items.values())


# =========================================================================== conflicts


def task(uid: str, summary: str, modified: str, extra: str = "") -> str:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\n"
            f"UID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nLAST-MODIFIED:{modified}\r\n"
            f"SUMMARY:{summary}\r\n{extra}END:VTODO\r\nEND:VCALENDAR\r\n")


@pytest.fixture
def tasks_server(world: Store) -> Host:
    from server.task_content import TaskContent

    return world.server(datastores={"tasks": TaskContent()})


def shared_task(server: Host) -> tuple[Device, str, Device, str]:
    a = Device(server)
    a_luid = a.create(task("u1", "original", "20240101T000000Z"))
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="dev-b")
    b.sync(AlertCode.SLOW_SYNC)
    (b_luid,) = b.items
    return a, a_luid, b, b_luid


def test_conflict_on_different_fields_is_merged_207(world, tasks_server):
    a, one, b, luid = shared_task(tasks_server)
    a.edit(one, task("u1", "original", "20240102T000000Z", "PRIORITY:1\r\n"))
    a.sync()
    b.edit(luid, task("u1", "retitled", "20240103T000000Z"))
    exchanges = b.sync()
    assert codes(exchanges[1], "Replace") == [207]
    merged = b.items[luid]
    assert "SUMMARY:retitled" in merged and "PRIORITY:1" in merged
    a.sync()
    assert "SUMMARY:retitled" in a.items[one] and "PRIORITY:1" in a.items[one]
    assert world.items() == [merged]


def test_conflict_on_one_field_goes_to_the_later_change_419(world, tasks_server):
    a, one, b, luid = shared_task(tasks_server)
    a.edit(one, task("u1", "by a", "20240103T000000Z"))
    a.sync()
    b.edit(luid, task("u1", "by b", "20240102T000000Z"))
    exchanges = b.sync()
    assert codes(exchanges[1], "Replace") == [419]
    assert b.items[luid] == a.items[one]
    assert world.items() == [a.items[one]]


def test_conflict_on_one_field_goes_to_the_later_change_208(world, tasks_server):
    a, one, b, luid = shared_task(tasks_server)
    a.edit(one, task("u1", "by a", "20240102T000000Z"))
    a.sync()
    b.edit(luid, task("u1", "by b", "20240103T000000Z"))
    exchanges = b.sync()
    assert codes(exchanges[1], "Replace") == [208]
    assert not any(e.sync_commands() for e in exchanges)
    a.sync()
    assert a.items[one] == b.items[luid]


def test_client_delete_of_an_item_changed_on_the_server_brings_it_back(world, tasks_server):
    a, one, b, luid = shared_task(tasks_server)
    a.edit(one, task("u1", "still needed", "20240102T000000Z"))
    a.sync()
    b.remove(luid)
    exchanges = b.sync()
    assert codes(exchanges[1], "Delete") == [419]
    assert list(b.items.values()) == [a.items[one]]
    assert world.items() == [a.items[one]]


def test_client_replace_of_an_item_deleted_on_the_server_adds_it_again(world, tasks_server):
    """Chosen behaviour: the edit wins over the deletion, so no edit is ever lost. The
    item comes back as a new item on every device."""
    a, one, b, luid = shared_task(tasks_server)
    a.remove(one)
    a.sync()
    assert world.items() == []
    b.edit(luid, task("u1", "edited meanwhile", "20240102T000000Z"))
    exchanges = b.sync()
    assert codes(exchanges[1], "Replace") == [201]
    assert world.items() == [b.items[luid]]
    assert not any(e.sync_commands() for e in b.sync())  # no twin for b
    a.sync()
    assert list(a.items.values()) == [b.items[luid]]


# =========================================================================== authentication


def b64_nonce_cred(raw: RawMessages, nonce: bytes) -> Cred:
    """Hashes the nonce's base64 text instead of its bytes."""
    return raw.md5(base64.b64encode(nonce))


def raw_digest_cred(raw: RawMessages, nonce: bytes) -> Cred:
    """The 16 digest bytes themselves (WBXML opaque data) instead of their base64."""
    return Cred(auth.md5_digest(auth.md5_secret("alice", "secret"), nonce), auth.AUTH_MD5, "b64")


def test_md5_digest_over_the_nonce_bytes_our_client(server):
    a = Device(server, auth_type=auth.AUTH_MD5)
    a.sync(AlertCode.SLOW_SYNC)
    assert a.log[0].header_status() == 401  # the first login gets a nonce
    assert a.log[1].header_status() == 212


@pytest.mark.parametrize("cred", [b64_nonce_cred, raw_digest_cred])
def test_md5_digest_over_the_nonce_bytes_or_its_base64_text(server, cred):
    a = RawMessages(server, wbxml=cred is raw_digest_cred)
    first = a.send([sync_alert(201)], cred=a.md5(b""))
    assert first.header_status() == 401  # the first login gets a nonce
    a.new_session()
    assert a.send([sync_alert(201)], cred=cred(a, nonce_of(first))).header_status() == 212


def without_locname(server: Host) -> tuple[RawMessages, Exchange]:
    """A device that leaves Source/LocName out of its header, after its first md5 try."""
    a = RawMessages(server, user=None)
    first = a.send([sync_alert(201)], cred=a.md5(b"", user="alice"))
    chal = first.statuses("SyncHdr")[0].chal
    nonce = nonce_of(first) if chal is not None and chal.meta.next_nonce else b""
    a.new_session()
    return a, a.send([sync_alert(201)], cred=a.md5(nonce, user="alice"))


def test_md5_without_locname_is_refused_with_a_basic_challenge(server):
    a, refused = without_locname(server)
    assert refused.header_status() == 401
    assert refused.statuses("SyncHdr")[0].chal.meta.type == auth.AUTH_BASIC
    assert any(isinstance(e, AuthFailed) and "LocName" in e.reason
               for e in refused.reply.events)
    a.new_session()
    basic = Cred(auth.basic_cred_data("alice", "secret"), auth.AUTH_BASIC, "b64")
    assert a.send([sync_alert(201)], cred=basic).header_status() == 212


def test_md5_without_locname_when_only_md5_is_allowed(world):
    server = world.server(auth_types=(auth.AUTH_MD5,))
    _, refused = without_locname(server)
    assert refused.header_status() == 401
    assert refused.statuses("SyncHdr")[0].chal.meta.type == auth.AUTH_MD5


def test_credentials_on_later_messages_of_an_authenticated_session(world, server):
    a = RawMessages(server)
    first = a.send([sync_alert(201)], cred=a.md5(b""))
    a.new_session()
    nonce = nonce_of(first)
    assert a.send([sync_alert(201)], cred=a.md5(nonce)).header_status() == 212
    # The client repeats its (now stale) credentials; the session is authenticated.
    reply = a.send([sync([add("1", vtodo("u", "x"))])], cred=a.md5(nonce))
    assert reply.header_status() == 200
    assert codes(reply, "Add") == [201]
    end_without_items(a, reply)
    assert world.items() == [vtodo("u", "x")]


def test_a_message_after_401_in_the_same_session(world, server):
    a = RawMessages(server, password="wrong")
    assert a.send([sync_alert(201)], cred=a.basic()).header_status() == 401
    # Same SessionID, next MsgID, the original URL (no RespURI was given).
    a.password = "secret"
    assert a.send([sync_alert(201, nxt="n2")]).header_status() == 407
    assert a.send([sync_alert(201, nxt="n2")], cred=a.basic()).header_status() == 212
    end_without_items(a, a.send([sync([add("1", vtodo("u1", "one"))])]))
    assert world.items() == [vtodo("u1", "one")]


def test_next_nonce_rotates_every_session_and_old_digests_fail(server):
    wire = Wire(server)
    a = Device(wire, auth_type=auth.AUTH_MD5)
    nonces = []
    for _ in range(3):
        a.sync(AlertCode.SLOW_SYNC)
        nonces.append(a.nonce)
    assert len(set(nonces)) == 3
    assert [e.header_status() for e in a.log if e.request.header.msg_id == 1] == [
        401, 212, 212, 212]
    first_of_a_session = next(i for i, (body, _, url) in enumerate(wire.requests)
                              if b"<MsgID>1</MsgID>" in body and i > 0)
    again = wire.resend(first_of_a_session)
    message = decode_message(codec.decode(again.body, again.content_type))
    assert message.commands[0].code == 401  # its nonce is used up


# =========================================================================== resends, restarts


def busy_session(server: Any, world: Store, *, wbxml: bool = False,
                 auth_type: str = auth.AUTH_BASIC) -> tuple[Device, Device]:
    """Two devices exchanging many items and large objects over small messages."""
    a = Device(server, max_msg_size=5000, wbxml=wbxml, auth_type=auth_type)
    b = Device(server, device_id="dev-b", max_msg_size=5000, wbxml=wbxml, auth_type=auth_type)
    big = a.create(big_task("big", 12_000))
    luids = [a.create(vtodo(f"u{i}", "task " + "x" * 150)) for i in range(30)]
    exchanges = a.sync(AlertCode.SLOW_SYNC)
    assert any(c.items[0].more_data for c in sent(exchanges))
    assert len(world.items()) == 31
    b.create(vtodo("b1", "from b"))
    b.sync(AlertCode.SLOW_SYNC)
    assert sorted(b.items.values()) == sorted([*a.items.values(), vtodo("b1", "from b")])
    a.edit(big, big_task("big", 14_000, "z"))
    a.remove(luids[3])
    a.sync()
    b.sync()
    a.sync()
    assert sorted(b.items.values()) == sorted(a.items.values())
    return a, b


@pytest.mark.parametrize(("wbxml", "auth_type"), [(False, auth.AUTH_BASIC),
                                                  (True, auth.AUTH_MD5)])
def test_a_resend_of_any_message_is_answered_byte_for_byte(world, wbxml, auth_type):
    server = world.server()
    wire = Wire(server)
    a, b = busy_session(wire, world, wbxml=wbxml, auth_type=auth_type)
    wire.resend_each = True
    wire.requests.clear()
    a.create(vtodo("new", "new"))
    a.sync()
    b.sync()
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert len(wire.requests) >= 6


def test_every_message_of_a_session_can_be_resent(world):
    """Resends of every message, from the very first one, change nothing."""
    wire = Wire(world.server(), resend_each=True)
    busy_session(wire, world)


def test_a_restart_between_any_two_messages_changes_nothing(world):
    wire = Wire(world.server(), fresh=world.server)
    busy_session(wire, world, wbxml=True, auth_type=auth.AUTH_MD5)
    assert len(wire.requests) > 20


# =========================================================================== bad input


def _status_nowhere() -> list[Command]:
    return [Status(0, 99, 999, "Add", 200), Status(0, 1, 77, "Replace", 500),
            Status(0, 10**30, -4, "Delete", 99999)]


def _map_unknown() -> list[Command]:
    return [Map(0, Location("tasks"), Location("./todo"), [
        MapItem("no-such-guid", "1"), MapItem("99999999999999999999999", "2"),
        MapItem("-5", "3"), MapItem("0", "4")])]


def _map_other_store() -> list[Command]:
    return [Map(0, Location("contacts"), Location("./contacts"), [MapItem("1", "1")])]


def _delete_no_item() -> list[Command]:
    return [sync([ItemCommand("Delete", 0, []), ItemCommand("Add", 0, []),
                  ItemCommand("Replace", 0, [Item(data=vtodo("x", "no address"))])])]


def _sync_not_alerted() -> list[Command]:
    return [sync([add("1", vtodo("c", "contact?"))], "contacts", "./contacts")]


def _alerts_odd() -> list[Command]:
    return [Alert(0, 200, []), Alert(0, 999, []), Alert(0, -1, []), Alert(0, 225, []),
            Alert(0, 223, []), Alert(0, 222, [])]


def _nested_data() -> list[Command]:
    devinf = build_devinf(DevInf(dev_id="x"))
    return [sync([ItemCommand("Add", 0, [Item(source=Location("n"), data=devinf)],
                              meta=Meta(type="text/calendar"))])]


def _put_get_junk() -> list[Command]:
    from syncml.model import Get, Results

    return [Put(0, [Item(source=Location("./devinf12"), data="junk")]),
            Get(0, [Item(target=Location("./nothing"))]), Get(0, []),
            Results(0, 1, 42, [Item(data="junk")])]


@pytest.mark.parametrize("build", [_status_nowhere, _map_unknown, _map_other_store,
                                   _delete_no_item, _sync_not_alerted, _alerts_odd,
                                   _nested_data, _put_get_junk])
def test_bad_commands_inside_a_valid_message_are_answered(world, server, build):
    a = holding(Device(server), vtodo("u1", "one"))
    a.sync(AlertCode.SLOW_SYNC)
    # The same device, by hand: a two-way session from its anchor with odd commands.
    raw = RawMessages(server, device_id=a.device_id)
    basic_init(raw, 200, last=a.sync_anchor(), nxt="r1")
    commands = build()
    reply = raw.send([*commands, sync([])])
    assert reply.header_status() == 200
    expected = sum(1 if not isinstance(c, Sync) else 1 + len(c.commands)
                   for c in commands if not isinstance(c, Status))
    assert len(reply.statuses()) - 1 >= expected + 1  # (+1: the empty Sync of ours)
    end_without_items(raw, reply)
    assert world.items() == [vtodo("u1", "one")]


def test_an_empty_delete_gets_412(server):
    a = RawMessages(server)
    basic_init(a)
    reply = a.send([sync([ItemCommand("Delete", 0, [])])])
    assert codes(reply, "Delete") == [412]


@pytest.mark.parametrize("size", [-1, 0, 1, 10**12])
def test_any_max_msg_size_is_survived(world, size):
    def rewrite(message: Message) -> None:
        assert message.header.meta is not None
        message.header.meta.max_msg_size = size

    server = world.server()
    a = holding(Device(server), *[vtodo(f"u{i}", "x" * 100) for i in range(40)])
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(Wire(server, rewrite=rewrite), device_id="dev-b")
    b.sync(AlertCode.SLOW_SYNC)
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_a_msgid_that_jumps_ahead_continues_the_session(world, server):
    a = RawMessages(server)
    basic_init(a)
    a.msg_id += 5
    reply = a.send([sync([add("1", vtodo("u1", "one"))])])
    assert codes(reply, "Add") == [201]
    end_without_items(a, reply)
    assert world.items() == [vtodo("u1", "one")]


def test_a_stored_item_the_device_format_cannot_express_is_skipped(world):
    from server.task_content import TaskContent

    server = world.server(datastores={"tasks": TaskContent()})
    broken = "BEGIN:VTODO\r\nSUMMARY:no end\r\n"
    a = holding(Device(server), broken, task("u2", "fine", "20240101T000000Z"))
    ex = a.sync(AlertCode.SLOW_SYNC)
    assert codes(ex[1], "Replace") == [201, 201]
    phone = Device(server, device_id="vcal-phone")
    exchanges = phone.sync(AlertCode.SLOW_SYNC, tamper=devinf_of_another_device(
        devinf_put(rx_pref="text/x-vcalendar")))
    assert {c.meta.type for c in all_sync_commands(exchanges)} == {"text/x-vcalendar"}
    assert len(phone.items) == 1
    assert "SUMMARY:fine" in next(iter(phone.items.values()))
    assert exchanges[-1].message.final
