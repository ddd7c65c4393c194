"""SyncML DS protocol details of the server session, checked message by message.

Multi-message packages (Final, Alert 222, CmdID and MsgRef/CmdRef bookkeeping), large
objects in both directions, anchors and sync modes, conflicts with the real task merge,
authentication, resends and restarts, and bad input inside well-formed messages. Every
test runs on the in-memory and on the SQLite backend.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from syncml import auth, codec
from syncml.devinf import DEVINF_XML, ContentType, DataStore, DevInf, build_devinf
from syncml.model import (
    Alert,
    Anchor,
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
from tests.syncml.host import Host
from tests.syncml.memory_backend import LineContent, MemoryBackend
from tests.syncml.peer import Exchange, Peer, add, delete, vtodo
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


class Client(Peer):
    """The scripted peer, numbering the commands inside a Sync too (CmdIDs unique per message)."""

    def send(self, commands: list[Command], **kwargs: Any) -> Exchange:  # type: ignore[override]
        next_id = len(commands) + 1
        for command in commands:
            if isinstance(command, Sync):
                for sub in command.commands:
                    sub.cmd_id = next_id
                    next_id += 1
        return super().send(commands, **kwargs)


def finish(
    peer: Peer,
    exchange: Exchange,
    *,
    limit: int = 60,
    code_for: Callable[[ItemCommand], int | None] | None = None,
    hold: Callable[[int], bool] | None = None,
) -> list[Exchange]:
    """Answer the server's package 4 (statuses, one Map per datastore) until its Final,
    like ``Peer.receive_server_changes`` but bounded; ``code_for`` may choose a status
    code for a command, ``hold(round)`` keeps that round's answers for a later message."""
    out: list[Exchange] = []
    held: list[Command] = []
    for round_no in range(limit):
        answers: list[Command] = []
        for sync in exchange.of(Sync):
            maps: list[MapItem] = []
            for sub in sync.commands:
                if not isinstance(sub, ItemCommand):
                    continue
                code = code_for(sub) if code_for else None
                if code is None:
                    code = peer._apply(sub, maps)
                elif sub.items[0].more_data:
                    peer._chunk = ""
                ref = sub.items[0].source.uri if sub.items[0].source else ""
                answers.append(Status(0, exchange.message.header.msg_id, sub.cmd_id, sub.name,
                                      code, source_refs=[ref]))
            if maps:
                ours = sync.source.uri if sync.source else peer.uri
                theirs = sync.target.uri if sync.target else peer.local_uri
                answers.append(Map(0, Location(ours), Location(theirs), maps))
        if exchange.message.final:
            reply = peer.send(held + answers, final=True)
            peer.last_anchor = peer.pending_next
            out.append(reply)
            return out
        if hold is not None and hold(round_no):
            held += answers
            answers = []
        else:
            answers, held = held + answers, []
        if not answers:
            answers.append(Alert(0, 222))
        exchange = peer.send(answers, final=False)
        out.append(exchange)
    raise AssertionError("the server never ended its package")


def all_cmd_ids(message: Message) -> list[int]:
    ids: list[int] = []
    for command in message.commands:
        ids.append(command.cmd_id)
        if isinstance(command, Sync):
            ids += [sub.cmd_id for sub in command.commands]
    return ids


def assert_cmd_ids_unique(exchanges: list[Exchange]) -> None:
    for exchange in exchanges:
        ids = all_cmd_ids(exchange.message)
        assert len(ids) == len(set(ids)), ids
        assert 0 not in ids


def chunked(luid: str, data: str | bytes, size: int, name: str = "Add",
            total: int | None = None) -> list[ItemCommand]:
    """``data`` as large-object chunks of ``size`` (characters or bytes)."""
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    out = []
    for index, piece in enumerate(pieces):
        first, last = index == 0, index == len(pieces) - 1
        whole = len(data.encode()) if isinstance(data, str) else len(data)
        meta = Meta(size=total if total is not None else whole) if first else None
        item = Item(source=Location(luid), data=piece, more_data=not last, meta=meta)
        out.append(ItemCommand(name, 0, [item], meta=Meta(type="text/calendar")))
    return out


def devinf_put(*, large_objects: bool = True, rx_pref: str = "text/calendar") -> Put:
    info = DevInf(
        man="Test", mod="peer", dev_id="peer", dev_type="workstation", utc=True,
        large_objects=large_objects, number_of_changes=True,
        datastores=[DataStore(source_ref="./todo", rx_pref=ContentType(rx_pref, ""),
                              tx_pref=ContentType(rx_pref, ""), sync_types=[1, 2])],
    )
    return Put(0, [Item(source=Location("./devinf12"), data=build_devinf(info))],
               meta=Meta(type=DEVINF_XML))


def sync_alert(mode: int, target: str, source: str, last: str | None = None,
               nxt: str = "n1") -> Alert:
    return Alert(0, mode, [Item(target=Location(target), source=Location(source),
                                meta=Meta(anchor=Anchor(last=last, next=nxt)))])


def codes(exchange: Exchange, cmd: str) -> list[int]:
    return [s.code for s in exchange.statuses(cmd)]


def big_task(uid: str, size: int, filler: str = "y") -> str:
    return vtodo(uid, "large", "DESCRIPTION:" + filler * (size // len(filler)) + "\r\n")


# =========================================================================== multi-message


def test_client_package_over_several_messages_gets_every_status_once(world, server):
    a = Client(server, max_msg_size=5000)
    a.init(201)
    sent: set[tuple[int, int]] = set()
    answered: list[Status] = []
    exchanges = []
    batches = [[add(str(b * 40 + i), vtodo(f"u{b}-{i}", "x")) for i in range(40)]
               for b in range(3)]
    for index, batch in enumerate(batches):
        last = index == len(batches) - 1
        reply = a.changes(batch, final=last)
        sent |= {(a.msg_id, c.cmd_id) for c in batch}
        exchanges.append(reply)
        answered += reply.statuses("Add")
        if not last:
            # A message in the middle of the client's package is never the end of ours.
            assert not reply.message.final
            assert not reply.sync_commands()
    exchanges += finish(a, exchanges[-1])
    answered += [s for e in exchanges[3:] for s in e.statuses("Add")]
    assert sorted((s.msg_ref, s.cmd_ref) for s in answered) == sorted(sent)
    assert {s.code for s in answered} == {201}
    assert_cmd_ids_unique(exchanges)
    assert len(world.items()) == 120


@pytest.mark.parametrize("final_on_222", [False, True])
def test_an_initialisation_answer_that_does_not_fit_still_ends_with_final(server, final_on_222):
    """The reply to package 1 spills over; the client fetches the rest with Alert 222. The
    server must finish its package 2 with Final, not start package 4, not ping-pong 222."""
    a = Client(server, max_msg_size=4096)
    a.new_session()
    a.pending_next = "a1"
    alert = sync_alert(201, "tasks", "./todo", nxt="a1")
    first = a.send([alert, *[UnsupportedCommand("Exec", 0) for _ in range(60)]], cred=True)
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
    reply = a.changes([add("1", vtodo("u1", "one"))])
    assert codes(reply, "Add") == [201]
    finish(a, reply)
    assert a.init(200).statuses("Alert")[0].code == 200


def codes_all(exchanges: list[Exchange], cmd: str) -> list[int]:
    return [s.code for e in exchanges for s in e.statuses(cmd)]


def test_a_last_package_answer_that_does_not_fit_still_ends_with_final(server):
    a = Client(server, max_msg_size=4096)
    a.init(201)
    reply = a.changes([add("1", vtodo("u1", "one"))])
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
    a = Client(server)
    a.items = {str(i): vtodo(f"u{i}", f"task {i} " + "x" * 150) for i in range(60)}
    a.sync(201)
    b = Client(server, device_id="dev-b", max_msg_size=5000)
    b.init(201)
    exchanges = finish(b, b.changes([]))
    assert len(exchanges) > 3
    assert all(not e.message.final for e in exchanges[:-2])
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert_cmd_ids_unique(exchanges)
    # Every Map got through: nothing is sent again, and deletes by LUID work.
    again = b.sync(200, [delete(luid) for luid in list(b.items)[:5]])
    assert not any(e.sync_commands() for e in again)
    assert len(world.items()) == 55


def test_statuses_for_server_commands_may_come_two_messages_later(world, server):
    a = Client(server)
    a.items = {str(i): vtodo(f"u{i}", f"task {i} " + "x" * 150) for i in range(60)}
    a.sync(201)
    b = Client(server, device_id="dev-b", max_msg_size=5000)
    b.init(201)
    # The answers to every other server message are held back for the next one.
    exchanges = finish(b, b.changes([]), hold=lambda n: n % 2 == 0)
    assert len(exchanges) > 3
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert not any(e.sync_commands() for e in b.sync(200))


def test_statuses_for_commands_inside_a_sync_name_them(server):
    a = Client(server)
    a.init(201)
    reply = a.changes([add("1", vtodo("u1", "one")), add("2", vtodo("u2", "two")),
                       delete("3")])
    sync = reply.statuses("Sync")[0]
    assert (sync.msg_ref, sync.cmd_ref) == (2, 1)
    refs = [(s.cmd, s.msg_ref, s.cmd_ref, s.source_refs) for s in reply.message.commands
            if isinstance(s, Status) and s.cmd in ("Add", "Delete")]
    assert refs == [("Add", 2, 2, ["1"]), ("Add", 2, 3, ["2"]), ("Delete", 2, 4, ["3"])]


# =========================================================================== large objects


def test_chunked_replace_up_is_reassembled(world, server):
    a = Client(server)
    a.items = {"7": vtodo("big", "small")}
    a.sync(201)
    big = big_task("big", 12_000)
    a.init(200)
    replies = [a.changes([c], final=False) for c in chunked("7", big, 5000, "Replace")[:-1]]
    replies.append(a.changes([chunked("7", big, 5000, "Replace")[-1]]))
    assert [codes(r, "Replace") for r in replies] == [[213], [213], [200]]
    finish(a, replies[-1])
    assert world.items() == [big]


def test_chunked_replace_down_carries_size_first_and_more_data_until_the_last(server):
    a = Client(server)
    a.items = {"1": vtodo("big", "small")}
    a.sync(201)
    b = Client(server, device_id="dev-b", max_msg_size=4096)
    b.sync(201)
    big = big_task("big", 20_000)
    a.items["1"] = big
    a.sync(200, [add("1", big, "Replace")])
    exchanges = b.sync(200)
    chunks = [c for e in exchanges for c in e.sync_commands() if c.name == "Replace"]
    assert len(chunks) >= 5
    assert [c.items[0].more_data for c in chunks] == [True] * (len(chunks) - 1) + [False]
    assert chunks[0].items[0].meta.size == len(big.encode())
    assert all(c.items[0].meta is None or c.items[0].meta.size is None for c in chunks[1:])
    assert list(b.items.values()) == [big]


def test_size_of_a_large_object_may_sit_on_the_command_meta(world, server):
    a = Client(server)
    a.init(201)
    big = big_task("big", 9000)
    pieces = chunked("9", big, 5000)
    pieces[0].items[0].meta = None
    pieces[0].meta = Meta(type="text/calendar", size=len(big) + 10)  # wrong on purpose
    assert codes(a.changes([pieces[0]], final=False), "Add") == [213]
    assert codes(a.changes([pieces[1]]), "Add") == [424]
    assert world.items() == []


def test_a_new_item_before_the_last_chunk_gets_alert_223(world, server):
    a = Client(server)
    a.sync(201)
    a.init(200)
    big = big_task("big", 9000)
    first = a.changes([chunked("9", big, 4000)[0]], final=False)
    assert codes(first, "Add") == [213]
    reply = a.changes([add("10", vtodo("u10", "ten"))])
    assert codes(reply, "Add") == [201]
    alerts = [x for x in reply.of(Alert) if x.code == 223]
    assert len(alerts) == 1
    item = alerts[0].items[0]
    assert "9" in (item.target.uri if item.target else "", item.source.uri if item.source else "")
    # No status may point at a command that does not exist (CmdRef 0 is the header).
    assert [s.cmd for s in reply.message.commands
            if isinstance(s, Status) and s.cmd_ref == 0] == ["SyncHdr"]
    finish(a, reply)
    assert world.items() == [vtodo("u10", "ten")]
    # The lost item is not silently forgotten: the next sync compares everything.
    assert a.init(200).statuses("Alert")[0].code == 508


def test_a_chunked_item_left_incomplete_at_the_end_of_the_package_is_reported(world, server):
    a = Client(server)
    a.sync(201)
    a.init(200)
    reply = a.changes([chunked("9", big_task("big", 9000), 4000)[0]], final=True)
    assert [x.code for x in reply.of(Alert)] == [223]
    finish(a, reply)
    assert world.items() == []
    assert a.init(200).statuses("Alert")[0].code == 508


def test_a_chunked_item_interrupted_by_the_session_end_is_forgotten(world, server):
    a = Client(server)
    a.sync(201)
    big = big_task("big", 9000)
    a.init(200)
    a.changes([chunked("9", big, 4000)[0]], final=False)
    # The connection is lost; the client starts over in a new session.
    a.init(200)
    reply = a.changes([add("9", big)])
    assert codes(reply, "Add") == [201]
    assert not [x for x in reply.of(Alert) if x.code == 223]
    finish(a, reply)
    assert world.items() == [big]


def test_chunks_cannot_grow_beyond_max_obj_size_without_a_size(world):
    server = world.server(max_obj_size=10_000)
    a = Client(server)
    a.init(201)
    pieces = chunked("9", big_task("big", 20_000), 4000)
    for piece in pieces:
        piece.items[0].meta = None  # no Size announced
    got = [codes(a.changes([p], final=False), "Add") for p in pieces[:3]]
    assert got == [[213], [213], [413]]
    assert world.items() == []


def test_a_single_item_larger_than_max_obj_size_is_refused(world):
    server = world.server(max_obj_size=5000)
    a = Client(server)
    a.init(201)
    reply = a.changes([add("1", big_task("big", 8000)), add("2", vtodo("u2", "two"))])
    assert codes(reply, "Add") == [413, 201]


@pytest.mark.parametrize("wbxml", [False, True])
def test_outgoing_chunks_fit_max_msg_size_whatever_the_escaping(server, wbxml):
    nasty = "&<>\r\n\u20ac\U0001f600\u00e9&amp;" * 2500
    big = vtodo("nasty", "large", "DESCRIPTION:" + nasty + "\r\n")
    a = Client(server, wbxml=wbxml)
    a.items = {"1": big}
    a.sync(201)
    b = Client(server, device_id="dev-b", max_msg_size=4096, wbxml=wbxml)
    exchanges = b.sync(201)  # the peer asserts that every reply fits its MaxMsgSize
    chunks = [c for e in exchanges for c in e.sync_commands()]
    assert len(chunks) > 10
    assert chunks[0].items[0].meta.size == len(big.encode())
    assert list(b.items.values()) == [big]


def test_an_incoming_chunk_may_end_inside_a_utf8_character(world):
    server = world.server()
    a = Client(server, wbxml=True)
    a.init(201)
    big = big_task("euro", 9000, "\u20ac").encode()
    cut = 4001  # inside a three-byte character
    assert big[cut - 1] >= 0x80 and big[cut] >= 0x80
    first = chunked("9", big[:cut], len(big), total=len(big))[0]
    last = chunked("9", big[cut:], len(big))[0]
    first.items[0].more_data = True
    last.items[0].meta = None
    assert codes(a.changes([first], final=False), "Add") == [213]
    reply = a.changes([last])
    assert codes(reply, "Add") == [201]
    assert world.items() == [big.decode()]


def test_an_error_for_a_chunk_stops_the_rest_of_that_object(server):
    a = Client(server)
    a.items = {"1": big_task("big", 20_000), "2": vtodo("u2", "two")}
    a.sync(201)
    b = Client(server, device_id="dev-b", max_msg_size=4096)
    b.init(201)
    refused: list[str] = []

    def code_for(cmd: ItemCommand) -> int | None:
        if cmd.items[0].more_data and not refused:
            refused.append(cmd.items[0].source.uri)
            return 420  # device full
        return None

    exchanges = finish(b, b.changes([]), code_for=code_for)
    later = [c for e in exchanges[1:] for c in e.sync_commands()
             if c.items[0].source and c.items[0].source.uri == refused[0]]
    assert later == []
    assert list(b.items.values()) == [vtodo("u2", "two")]
    # The object is sent again in the next session.
    b.sync(200)
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_large_object_support_is_remembered_from_the_devinf_of_an_earlier_session(server):
    a = Client(server)
    a.items = {"1": big_task("big", 30_000), "2": vtodo("u2", "two")}
    a.sync(201)
    b = Client(server, device_id="dev-b", max_msg_size=8000)
    b.new_session()
    b.pending_next = "b1"
    init = b.send([devinf_put(large_objects=False),
                   sync_alert(201, "tasks", "./todo", nxt="b1")], cred=True)
    assert codes(init, "Put") == [200]
    exchanges = finish(b, b.changes([]))
    assert not any(c.items[0].more_data for e in exchanges for c in e.sync_commands())
    assert list(b.items.values()) == [vtodo("u2", "two")]
    # Next session without DevInf: still no chunks, and no endless empty messages.
    b.init(200)
    exchanges = finish(b, b.changes([]), limit=10)
    assert not any(c.items[0].more_data for e in exchanges for c in e.sync_commands())


def test_an_item_too_big_for_a_client_without_large_objects_does_not_loop(server):
    a = Client(server)
    a.items = {"1": big_task("big", 30_000), "2": vtodo("u2", "two")}
    a.sync(201)
    b = Client(server, device_id="dev-b", max_msg_size=8000)
    b.new_session()
    b.pending_next = "b1"
    b.send([devinf_put(large_objects=False), sync_alert(201, "tasks", "./todo", nxt="b1")],
           cred=True)
    exchanges = finish(b, b.changes([]), limit=10)
    assert len(exchanges) <= 3
    assert list(b.items.values()) == [vtodo("u2", "two")]


def test_a_non_positive_max_obj_size_from_the_client_is_ignored(server):
    a = Client(server)
    a.items = {"1": vtodo("u1", "one")}
    a.sync(201)

    def no_limit(message: Message) -> None:
        assert message.header.meta is not None
        message.header.meta.max_obj_size = -1

    b = Client(Wire(server, rewrite=no_limit), device_id="dev-b")  # type: ignore[arg-type]
    b.sync(201)
    assert list(b.items.values()) == [vtodo("u1", "one")]


def test_the_servers_own_max_msg_size_caps_its_replies(world):
    server = world.server(max_msg_size=8192)
    a = Client(server)
    a.items = {str(i): vtodo(f"u{i}", "x" * 300) for i in range(80)}
    a.sync(201)
    b = Client(server, device_id="dev-b", max_msg_size=150_000)
    exchanges = b.sync(201)
    assert len(exchanges) > 3
    assert all(len(e.reply.body) <= 8192 for e in exchanges)
    assert len(b.items) == 80


# =========================================================================== anchors, modes


def test_two_uris_of_one_datastore_in_one_session_are_not_two_datastores(world, server):
    a = Client(server)
    a.new_session()
    a.pending_next = "a1"
    init = a.send([sync_alert(201, "tasks", "./tasks"), sync_alert(201, "todo", "./todo")],
                  cred=True)
    assert codes(init, "Alert") == [200, 405]
    assert [x.code for x in init.of(Alert)] == [201]
    reply = a.send([
        Sync(0, Location("tasks"), Location("./tasks"), commands=[add("1", vtodo("u1", "a"))]),
        Sync(0, Location("todo"), Location("./todo"), commands=[add("1", vtodo("u2", "b"))]),
    ])
    assert codes(reply, "Sync") == [200, 404]
    assert codes(reply, "Add") == [201, 404]
    assert world.items() == [vtodo("u1", "a")]


TWO_STORES = {"tasks": LineContent(), "notes": LineContent()}


def two_store_session(peer: Client, mode: int, changes: dict[str, list[ItemCommand]],
                      last: str | None = None) -> list[Exchange]:
    peer.new_session()
    peer.pending_next = f"next-{peer.session}"
    init = peer.send([sync_alert(mode, "tasks", "./todo", last, peer.pending_next),
                      sync_alert(mode, "notes", "./notes", last, peer.pending_next)], cred=True)
    reply = peer.send([
        Sync(0, Location("tasks"), Location("./todo"), commands=changes.get("tasks", [])),
        Sync(0, Location("notes"), Location("./notes"), commands=changes.get("notes", [])),
    ])
    return [init, reply, *finish(peer, reply)]


def test_two_datastores_in_one_session_over_several_messages(world):
    server = world.server(datastores=TWO_STORES)
    a = Client(server)
    tasks = {f"t{i}": vtodo(f"t{i}", "task " + "x" * 200) for i in range(25)}
    notes = {f"n{i}": vtodo(f"n{i}", "note " + "y" * 200) for i in range(25)}
    two_store_session(a, 201, {"tasks": [add(k, v) for k, v in tasks.items()],
                               "notes": [add(k, v) for k, v in notes.items()]})
    assert world.store_items("tasks") == sorted(tasks.values())
    assert world.store_items("notes") == sorted(notes.values())
    b = Client(server, device_id="dev-b", max_msg_size=5000)
    exchanges = two_store_session(b, 201, {})
    assert len(exchanges) > 4
    assert_cmd_ids_unique(exchanges)
    assert sorted(b.items.values()) == sorted([*tasks.values(), *notes.values()])
    # Anchors and mappings are per datastore: the next sync is two-way for both and
    # transfers nothing.
    again = two_store_session(b, 200, {}, last=b.last_anchor)
    assert codes(again[0], "Alert") == [200, 200]
    assert not any(e.sync_commands() for e in again)


def test_a_sync_alert_after_the_first_package_is_refused(world):
    server = world.server(datastores=TWO_STORES)
    a = Client(server)
    a.init(201)
    reply = a.changes([add("1", vtodo("u1", "one"))])
    assert reply.message.final
    done = a.send([sync_alert(200, "notes", "./notes", "whatever")], final=True)
    assert codes(done, "Alert") == [405]
    finished = [e.datastore for x in [reply, done] for e in x.reply.events
                if hasattr(e, "datastore")]
    assert finished == ["tasks"]


def test_one_way_from_server_then_two_way_transfers_nothing(server):
    a = Client(server)
    a.items = {"1": vtodo("u1", "one"), "2": vtodo("u2", "two")}
    a.sync(201)
    b = Client(server, device_id="dev-b")
    b.sync(201)
    a.items["3"] = vtodo("u3", "three")
    a.sync(200, [add("3", a.items["3"])])
    exchanges = b.sync(204)
    assert exchanges[0].statuses("Alert")[0].code == 200
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert not any(e.sync_commands() for e in b.sync(200))
    assert not any(e.sync_commands() for e in a.sync(200))


def test_refresh_from_client_deletes_exactly_what_it_did_not_send(world, server):
    a = Client(server)
    a.items = {"1": vtodo("u1", "one"), "2": vtodo("u2", "two"), "3": vtodo("u3", "three")}
    a.sync(201)
    b = Client(server, device_id="dev-b")
    b.sync(201)
    assert len(b.items) == 3
    # a replaces the server's data with its own: item 1 as is, item 2 unreadable (the
    # server keeps its copy), item 3 not at all.
    a.init(203)
    reply = a.changes([add("1", a.items["1"], "Replace"), add("2", "garbage", "Replace")])
    assert codes(reply, "Replace") == [200, 415]
    finish(a, reply)
    assert world.items() == [vtodo("u1", "one"), vtodo("u2", "two")]
    exchanges = b.sync(200)
    deletes = [c for e in exchanges for c in e.sync_commands() if c.name == "Delete"]
    assert len(deletes) == 1
    assert sorted(b.items.values()) == [vtodo("u1", "one"), vtodo("u2", "two")]


def test_slow_sync_pairs_by_luid_first_and_keeps_the_mappings(world, server):
    a = Client(server)
    a.items = {"1": vtodo("u1", "one")}
    a.sync(201)
    # The device lost its sync state and gave the task a new UID: same LUID, same task.
    a.items["1"] = vtodo("u1-new", "one, renamed")
    a.last_anchor = None
    a.sync(201)
    assert world.items() == [vtodo("u1-new", "one, renamed")]
    a.sync(200, [delete("1")])
    assert world.items() == []


def test_a_refused_item_forces_one_full_compare_but_not_forever(world, server):
    a = Client(server)
    a.items = {"1": vtodo("u1", "one")}
    a.sync(201)
    a.items["2"] = "not a calendar item"
    two_way = a.sync(200, [add("2", a.items["2"])])
    assert codes(two_way[1], "Add") == [415]
    slow = a.sync(200)
    assert slow[0].statuses("Alert")[0].code == 508
    assert sorted(codes(slow[1], "Replace")) == [200, 415]
    # The full compare changed nothing: refusing the item again must not make every
    # later sync a slow one.
    assert a.init(200).statuses("Alert")[0].code == 200


def test_an_interrupted_refresh_from_server_does_not_duplicate_items(server):
    a = Client(server)
    a.items = {"1": vtodo("u1", "one"), "2": vtodo("u2", "two")}
    a.sync(201)
    b = Client(server, device_id="dev-b")
    b.sync(201)
    b.init(205)  # ... and the connection is lost
    exchanges = b.sync(200)
    assert exchanges[0].statuses("Alert")[0].code == 508
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_a_failed_server_item_does_not_force_a_slow_sync(server):
    a = Client(server)
    a.items = {"1": vtodo("u1", "one"), "2": vtodo("u2", "two")}
    a.sync(201)
    b = Client(server, device_id="dev-b")
    b.init(201)
    finish(b, b.changes([]), code_for=lambda c: 420 if "u1" in str(c.items[0].data) else None)
    assert list(b.items.values()) == [vtodo("u2", "two")]
    # Item revisions send the refused item again; no full compare is needed for that.
    exchanges = b.sync(200)
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


def shared_task(server: Host) -> tuple[Client, Client, str]:
    a = Client(server)
    a.items = {"1": task("u1", "original", "20240101T000000Z")}
    a.sync(201)
    b = Client(server, device_id="dev-b")
    b.sync(201)
    (luid,) = b.items
    return a, b, luid


def test_conflict_on_different_fields_is_merged_207(world, tasks_server):
    a, b, luid = shared_task(tasks_server)
    a.items["1"] = task("u1", "original", "20240102T000000Z", "PRIORITY:1\r\n")
    a.sync(200, [add("1", a.items["1"], "Replace")])
    b.items[luid] = task("u1", "retitled", "20240103T000000Z")
    exchanges = b.sync(200, [add(luid, b.items[luid], "Replace")])
    assert codes(exchanges[1], "Replace") == [207]
    merged = b.items[luid]
    assert "SUMMARY:retitled" in merged and "PRIORITY:1" in merged
    a.sync(200)
    assert "SUMMARY:retitled" in a.items["1"] and "PRIORITY:1" in a.items["1"]
    assert world.items() == [merged]


def test_conflict_on_one_field_goes_to_the_later_change_419(world, tasks_server):
    a, b, luid = shared_task(tasks_server)
    b_version = task("u1", "by b", "20240102T000000Z")
    a.items["1"] = task("u1", "by a", "20240103T000000Z")
    a.sync(200, [add("1", a.items["1"], "Replace")])
    b.items[luid] = b_version
    exchanges = b.sync(200, [add(luid, b_version, "Replace")])
    assert codes(exchanges[1], "Replace") == [419]
    assert b.items[luid] == a.items["1"]
    assert world.items() == [a.items["1"]]


def test_conflict_on_one_field_goes_to_the_later_change_208(world, tasks_server):
    a, b, luid = shared_task(tasks_server)
    a.items["1"] = task("u1", "by a", "20240102T000000Z")
    a.sync(200, [add("1", a.items["1"], "Replace")])
    b.items[luid] = task("u1", "by b", "20240103T000000Z")
    exchanges = b.sync(200, [add(luid, b.items[luid], "Replace")])
    assert codes(exchanges[1], "Replace") == [208]
    assert not any(e.sync_commands() for e in exchanges)
    a.sync(200)
    assert a.items["1"] == b.items[luid]


def test_client_delete_of_an_item_changed_on_the_server_brings_it_back(world, tasks_server):
    a, b, luid = shared_task(tasks_server)
    a.items["1"] = task("u1", "still needed", "20240102T000000Z")
    a.sync(200, [add("1", a.items["1"], "Replace")])
    del b.items[luid]
    exchanges = b.sync(200, [delete(luid)])
    assert codes(exchanges[1], "Delete") == [419]
    assert list(b.items.values()) == [a.items["1"]]
    assert world.items() == [a.items["1"]]


def test_client_replace_of_an_item_deleted_on_the_server_adds_it_again(world, tasks_server):
    """Chosen behaviour: the edit wins over the deletion, so no edit is ever lost. The
    item comes back as a new item on every device."""
    a, b, luid = shared_task(tasks_server)
    del a.items["1"]
    a.sync(200, [delete("1")])
    assert world.items() == []
    b.items[luid] = task("u1", "edited meanwhile", "20240102T000000Z")
    exchanges = b.sync(200, [add(luid, b.items[luid], "Replace")])
    assert codes(exchanges[1], "Replace") == [201]
    assert world.items() == [b.items[luid]]
    assert not any(e.sync_commands() for e in b.sync(200))  # no twin for b
    a.sync(200)
    assert list(a.items.values()) == [b.items[luid]]


# =========================================================================== authentication


class B64NoncePeer(Client):
    """Hashes the nonce's base64 text instead of its bytes."""

    def _cred(self) -> Cred:
        secret = auth.md5_secret(self.user, self.password)
        digest = auth.md5_digest(secret, base64.b64encode(self.nonce))
        return Cred(base64.b64encode(digest).decode(), auth.AUTH_MD5, "b64")


class RawDigestPeer(Client):
    """Sends the 16 digest bytes themselves (WBXML opaque data) instead of their base64."""

    def _cred(self) -> Cred:
        secret = auth.md5_secret(self.user, self.password)
        return Cred(auth.md5_digest(secret, self.nonce), auth.AUTH_MD5, "b64")


@pytest.mark.parametrize("peer_class", [Client, B64NoncePeer, RawDigestPeer])
def test_md5_digest_over_the_nonce_bytes_or_its_base64_text(server, peer_class):
    a = peer_class(server, auth_type=auth.AUTH_MD5, wbxml=peer_class is RawDigestPeer)
    assert a.init(201).header_status() == 401  # the first login gets a nonce
    assert a.init(201).header_status() == 212


class NoLocNamePeer(Client):
    """Leaves Source/LocName out of its header."""

    def _cred(self) -> Cred:
        user, self.user = self.user, "alice"
        try:
            return super()._cred()
        finally:
            self.user = user


def test_md5_without_locname_is_refused_with_a_basic_challenge(server):
    a = NoLocNamePeer(server, auth_type=auth.AUTH_MD5, user=None)  # type: ignore[arg-type]
    a.init(201)  # gets a nonce
    refused = a.init(201)
    assert refused.header_status() == 401
    assert refused.statuses("SyncHdr")[0].chal.meta.type == auth.AUTH_BASIC
    assert any(isinstance(e, AuthFailed) and "LocName" in e.reason
               for e in refused.reply.events)
    a.auth_type = auth.AUTH_BASIC
    assert a.init(201).header_status() == 212


def test_md5_without_locname_when_only_md5_is_allowed(world):
    server = world.server(auth_types=(auth.AUTH_MD5,))
    a = NoLocNamePeer(server, auth_type=auth.AUTH_MD5, user=None)  # type: ignore[arg-type]
    a.init(201)
    refused = a.init(201)
    assert refused.header_status() == 401
    assert refused.statuses("SyncHdr")[0].chal.meta.type == auth.AUTH_MD5


def test_credentials_on_later_messages_of_an_authenticated_session(world, server):
    a = Client(server, auth_type=auth.AUTH_MD5)
    a.init(201)
    assert a.init(201).header_status() == 212
    # The client repeats its (now stale) credentials; the session is authenticated.
    sync = Sync(0, Location("tasks"), Location("./todo"), commands=[add("1", vtodo("u", "x"))])
    reply = a.send([sync], cred=True)
    assert reply.header_status() == 200
    assert codes(reply, "Add") == [201]
    finish(a, reply)
    assert world.items() == [vtodo("u", "x")]


def test_a_message_after_401_in_the_same_session(world, server):
    a = Client(server, password="wrong")
    assert a.init(201).header_status() == 401
    # Same SessionID, next MsgID, the original URL (no RespURI was given).
    a.password = "secret"
    alert = sync_alert(201, "tasks", "./todo", nxt="n2")
    assert a.send([alert], cred=False).header_status() == 407
    reply = a.send([sync_alert(201, "tasks", "./todo", nxt="n2")], cred=True)
    assert reply.header_status() == 212
    a.pending_next = "n2"
    finish(a, a.changes([add("1", vtodo("u1", "one"))]))
    assert world.items() == [vtodo("u1", "one")]


def test_next_nonce_rotates_every_session_and_old_digests_fail(server):
    wire = Wire(server)
    a = Client(wire, auth_type=auth.AUTH_MD5)  # type: ignore[arg-type]
    a.init(201)
    nonces = []
    for _ in range(3):
        a.sync(201)
        nonces.append(a.nonce)
    assert len(set(nonces)) == 3
    first_of_a_session = next(i for i, (body, _, url) in enumerate(wire.requests)
                              if b"<MsgID>1</MsgID>" in body and i > 0)
    again = wire.resend(first_of_a_session)
    message = decode_message(codec.decode(again.body, again.content_type))
    assert message.commands[0].code == 401  # its nonce is used up


# =========================================================================== resends, restarts


def busy_session(server: Any, world: Store, *, wbxml: bool = False,
                 auth_type: str = auth.AUTH_BASIC) -> tuple[Client, Client]:
    """Two devices exchanging many items and large objects over small messages."""
    a = Client(server, max_msg_size=5000, wbxml=wbxml, auth_type=auth_type)
    b = Client(server, device_id="dev-b", max_msg_size=5000, wbxml=wbxml, auth_type=auth_type)
    if auth_type == auth.AUTH_MD5:
        a.init(201)  # the first md5 login of a device fails by design: it gets a nonce
        b.init(201)
    a.items = {str(i): vtodo(f"u{i}", "task " + "x" * 150) for i in range(30)}
    a.items["big"] = big_task("big", 12_000)
    a.init(201)
    pieces = chunked("big", a.items["big"], 3000)
    for piece in pieces[:-1]:
        a.changes([piece], final=False)
    reply = a.changes([pieces[-1], *[add(k, v) for k, v in a.items.items() if k != "big"]])
    finish(a, reply)
    assert len(world.items()) == 31
    b.items = {"b1": vtodo("b1", "from b")}
    b.sync(201)
    assert sorted(b.items.values()) == sorted([*a.items.values(), vtodo("b1", "from b")])
    a.items["big"] = big_task("big", 14_000, "z")
    a.sync(200, [add("big", a.items["big"], "Replace"), delete("3")])
    del a.items["3"]
    b.sync(200)
    a.sync(200)
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
    a.items["new"] = vtodo("new", "new")
    a.sync(200, [add("new", a.items["new"])])
    b.sync(200)
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


def _status_nowhere(a: Client) -> list[Command]:
    return [Status(0, 99, 999, "Add", 200), Status(0, 1, 77, "Replace", 500),
            Status(0, 10**30, -4, "Delete", 99999)]


def _map_unknown(a: Client) -> list[Command]:
    return [Map(0, Location("tasks"), Location("./todo"), [
        MapItem("no-such-guid", "1"), MapItem("99999999999999999999999", "2"),
        MapItem("-5", "3"), MapItem("0", "4")])]


def _map_other_store(a: Client) -> list[Command]:
    return [Map(0, Location("contacts"), Location("./contacts"), [MapItem("1", "1")])]


def _delete_no_item(a: Client) -> list[Command]:
    return [Sync(0, Location("tasks"), Location("./todo"), commands=[
        ItemCommand("Delete", 0, []), ItemCommand("Add", 0, []),
        ItemCommand("Replace", 0, [Item(data=vtodo("x", "no address"))])])]


def _sync_not_alerted(a: Client) -> list[Command]:
    return [Sync(0, Location("contacts"), Location("./contacts"),
                 commands=[add("1", vtodo("c", "contact?"))])]


def _alerts_odd(a: Client) -> list[Command]:
    return [Alert(0, 200, []), Alert(0, 999, []), Alert(0, -1, []), Alert(0, 225, []),
            Alert(0, 223, []), Alert(0, 222, [])]


def _nested_data(a: Client) -> list[Command]:
    devinf = build_devinf(DevInf(dev_id="x"))
    return [Sync(0, Location("tasks"), Location("./todo"), commands=[
        ItemCommand("Add", 0, [Item(source=Location("n"), data=devinf)],
                    meta=Meta(type="text/calendar"))])]


def _put_get_junk(a: Client) -> list[Command]:
    from syncml.model import Get, Results

    return [Put(0, [Item(source=Location("./devinf12"), data="junk")]),
            Get(0, [Item(target=Location("./nothing"))]), Get(0, []),
            Results(0, 1, 42, [Item(data="junk")])]


@pytest.mark.parametrize("build", [_status_nowhere, _map_unknown, _map_other_store,
                                   _delete_no_item, _sync_not_alerted, _alerts_odd,
                                   _nested_data, _put_get_junk])
def test_bad_commands_inside_a_valid_message_are_answered(world, server, build):
    a = Client(server)
    a.items = {"1": vtodo("u1", "one")}
    a.sync(201)
    a.init(200)
    commands = build(a)
    reply = a.changes([], statuses=commands)
    assert reply.header_status() == 200
    expected = sum(1 if not isinstance(c, Sync) else 1 + len(c.commands)
                   for c in commands if not isinstance(c, Status))
    assert len(reply.statuses()) - 1 >= expected + 1  # (+1: the peer's own empty Sync)
    finish(a, reply)
    assert world.items() == [vtodo("u1", "one")]


def test_an_empty_delete_gets_412(server):
    a = Client(server)
    a.init(201)
    reply = a.changes([ItemCommand("Delete", 0, [])])
    assert codes(reply, "Delete") == [412]


@pytest.mark.parametrize("size", [-1, 0, 1, 10**12])
def test_any_max_msg_size_is_survived(world, size):
    def rewrite(message: Message) -> None:
        assert message.header.meta is not None
        message.header.meta.max_msg_size = size

    server = world.server()
    a = Client(server)
    a.items = {str(i): vtodo(f"u{i}", "x" * 100) for i in range(40)}
    a.sync(201)
    b = Client(Wire(server, rewrite=rewrite), device_id="dev-b")  # type: ignore[arg-type]
    b.sync(201)
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_a_msgid_that_jumps_ahead_continues_the_session(world, server):
    a = Client(server)
    a.init(201)
    a.msg_id += 5
    reply = a.changes([add("1", vtodo("u1", "one"))])
    assert codes(reply, "Add") == [201]
    finish(a, reply)
    assert world.items() == [vtodo("u1", "one")]


def test_a_stored_item_the_device_format_cannot_express_is_skipped(world):
    from server.task_content import TaskContent

    server = world.server(datastores={"tasks": TaskContent()})
    a = Client(server)
    broken = "BEGIN:VTODO\r\nSUMMARY:no end\r\n"
    a.items = {"1": broken, "2": task("u2", "fine", "20240101T000000Z")}
    ex = a.sync(201)
    assert codes(ex[1], "Replace") == [201, 201]
    phone = Client(server, device_id="vcal-phone")
    phone.new_session()
    phone.pending_next = "p1"
    phone.send([devinf_put(rx_pref="text/x-vcalendar"),
                sync_alert(201, "tasks", "./todo", nxt="p1")], cred=True)
    exchanges = finish(phone, phone.changes([]))
    assert len(phone.items) == 1
    assert "SUMMARY:fine" in next(iter(phone.items.values()))
    assert exchanges[-1].message.final
