"""The server session, driven by our real client (and by hand-made messages where a
correct client would not send them) over the real codecs."""

from __future__ import annotations

from typing import Any

import pytest

from syncml import auth, codec
from syncml.client import Anchors
from syncml.codes import AlertCode
from syncml.errors import AuthenticationFailed, PeerRefused, SyncMLError
from syncml.model import Alert, Get, Item, Location, Map, MapItem, Results, Sync, decode_message
from syncml.server import Reply, ServerConfig, SyncFinished, SyncServer
from tests.syncml.device import Device, all_sync_commands, resend
from tests.syncml.host import Host
from tests.syncml.items import vtodo
from tests.syncml.memory_backend import LineContent, MemoryBackend, MemoryWorld
from tests.syncml.raw import RawMessages, add, chunked, codes, status_for, sync, sync_alert


class World:
    """A store (in memory or SQLite) that several server instances can share."""

    def __init__(self, kind: str, tmp_path) -> None:
        self.kind = kind
        self.memory = MemoryWorld()
        self.database = None
        if kind == "sqlite":
            from server.store.database import Database
            from server.store.users import UserStore

            self.database = Database.open(tmp_path / "data")
            users = UserStore(self.database, store_md5_secret=True)
            users.add("alice", "alice@example.com", "secret")
            users.add("bob", "bob@example.com", "bobsecret")

    def server(self, **config: object) -> Host:
        cfg = ServerConfig(datastores={"tasks": LineContent()}, aliases={"todo": "tasks"}, **config)  # type: ignore[arg-type]
        if self.database is None:
            backend = MemoryBackend(self.memory)
            backend.add_user("alice", "secret")
            backend.add_user("bob", "bobsecret")
            return Host(SyncServer(cfg, backend))
        return Host(SyncServer(cfg, self.sql_backend()), self.database)

    def sql_backend(self) -> Any:
        """The bundled server's backend on this world's database, built as the server does."""
        from server.config import load_settings
        from server.stores import sync_backend

        assert self.database is not None
        return sync_backend(load_settings(self.database.path.parent), self.database)

    def items(self, user: str = "alice") -> list[str]:
        if self.database is None:
            return sorted(i.data for i in self.memory.items.get(user, {}).values())
        rows = self.database.query(
            "SELECT data FROM items JOIN users ON users.id = items.user_id WHERE name = ?", (user,)
        )
        return sorted(row["data"] for row in rows)


@pytest.fixture(params=["memory", "sqlite"])
def world(request, tmp_path) -> World:
    return World(request.param, tmp_path)


@pytest.fixture
def server(world) -> Host:
    return world.server()



def holding(device: Device, *data: str) -> Device:
    """``device`` with these local items, not yet synced."""
    for item in data:
        device.create(item)
    return device


def basic_init(raw: RawMessages, mode: int = 201, **alert: Any) -> Any:
    """A hand-made package 1: an Alert with basic credentials."""
    return raw.send([sync_alert(mode, **alert)], cred=raw.basic())


@pytest.mark.parametrize("wbxml", [False, True])
@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_first_slow_sync_up_then_down_to_a_second_device(world, server, wbxml, version):
    a = holding(Device(server, wbxml=wbxml, version=version),
                vtodo("u1", "one"), vtodo("u2", "two"), vtodo("u3", "three"))
    a.sync(AlertCode.SLOW_SYNC)
    assert world.items() == sorted(a.items.values())

    b = Device(server, device_id="test-device-2", wbxml=wbxml, version=version)
    b.sync(AlertCode.SLOW_SYNC)
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_two_way_add_modify_delete_flow_between_two_devices(server):
    a, b = Device(server), Device(server, device_id="dev-b")
    one, two = a.create(vtodo("u1", "one")), a.create(vtodo("u2", "two"))
    a.sync(AlertCode.SLOW_SYNC)
    b.sync(AlertCode.SLOW_SYNC)
    luid_b = {v: k for k, v in b.items.items()}

    a.create(vtodo("u3", "three"))
    a.edit(one, vtodo("u1", "one changed"))
    a.remove(two)
    sent = a.sync()
    assert sorted(c.name for c in all_sync_commands_sent(sent)) == ["Add", "Delete", "Replace"]

    b.sync()
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert b.items[luid_b[vtodo("u1", "one")]] == vtodo("u1", "one changed")

    # Nothing left to transfer either way.
    exchanges = a.sync()
    assert all(not e.sync_commands() and not e.sent_commands() for e in exchanges)


def all_sync_commands_sent(exchanges: list[Any]) -> list[Any]:
    return [c for e in exchanges for c in e.sent_commands()]


def test_sync_reports_what_moved(server):
    a = holding(Device(server), vtodo("u1", "one"))
    exchanges = a.sync(AlertCode.SLOW_SYNC)
    finished = [e for x in exchanges for e in x.reply.events if isinstance(e, SyncFinished)]
    assert [(f.username, f.device_id, f.mode, f.items_in, f.items_out) for f in finished] == [
        ("alice", "test-device-1", "slow", 1, 0)
    ]


def test_unknown_anchor_forces_slow_sync_with_508(world, server):
    a = holding(Device(server), vtodo("u1", "one"))
    a.backend.save_anchors(Anchors("something-the-server-never-saw", "nor-this"))
    exchanges = a.sync()
    init = exchanges[0]
    assert [s.code for s in init.statuses("Alert")] == [508]
    assert [alert.code for alert in init.of(Alert)] == [201]
    # The client followed: a slow sync that completed and brought its item up.
    assert a.done is not None and a.done.mode is AlertCode.SLOW_SYNC
    assert world.items() == [vtodo("u1", "one")]


def test_matching_anchor_keeps_two_way(server):
    a = Device(server)
    a.sync(AlertCode.SLOW_SYNC)
    init = a.sync()[0]
    assert [s.code for s in init.statuses("Alert")] == [200]
    assert [alert.code for alert in init.of(Alert)] == [200]


def test_same_uid_on_two_devices_is_paired_not_twinned(world, server):
    a, b = Device(server), Device(server, device_id="dev-b")
    a.create(vtodo("same", "shared"))
    luid = b.create(vtodo("same", "shared"))
    a.sync(AlertCode.SLOW_SYNC)
    b.sync(AlertCode.SLOW_SYNC)
    assert world.items() == [vtodo("same", "shared")]
    assert list(b.items) == [luid]


def test_resent_add_with_same_luid_does_not_duplicate(world, server):
    a = Device(server)
    a.sync(AlertCode.SLOW_SYNC)
    luid = a.create(vtodo("x", "first"))
    # The server stores the Add, but its reply is lost: the Add stays pending ...
    cut = a.sync(cut_after=2)
    assert [c.items[0].source.uri for c in cut[1].sent_commands()] == [luid]
    assert codes(cut[1], "Add") == [201]
    # ... and goes again, with the same LUID, in the next session.
    again = a.sync()
    assert [c.items[0].source.uri for c in all_sync_commands_sent(again)] == [luid]
    assert world.items() == [vtodo("x", "first")]


def test_resent_message_replays_the_stored_reply_and_applies_nothing_twice(world, server):
    raw = RawMessages(server)
    basic_init(raw)
    first = raw.send([sync([add("1", vtodo("u1", "one"))])])
    # The transport lost the reply: the client sends the same message (same MsgID) again.
    raw.msg_id -= 1
    again = raw.send([sync([add("1", vtodo("u1", "one"))])])
    assert again.reply.body == first.reply.body
    assert world.items() == [vtodo("u1", "one")]


class Restarting:
    """Every message goes to a new server process (no memory) on the same store."""

    def __init__(self, world: World) -> None:
        self.world = world

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        return self.world.server().receive(body, content_type, url)


def test_session_survives_a_server_restart_between_messages(world):
    a = holding(Device(Restarting(world)), vtodo("u1", "one"))
    a.sync()
    init, reply = a.log[0], a.log[1]
    assert init.header_status() == 212
    assert reply.header_status() == 200
    assert [s.code for s in reply.statuses("Replace")] == [201]  # a slow sync's item
    assert world.items() == [vtodo("u1", "one")]
    assert a.done is not None


def test_wrong_password_is_refused_with_401_and_changes_nothing(world, server):
    a = holding(Device(server, password="wrong"), vtodo("u1", "one"))
    with pytest.raises(AuthenticationFailed):
        a.sync(AlertCode.SLOW_SYNC)
    # (our client tries once more with what the challenge asks for, then gives up)
    assert 1 <= len(a.log) <= 3
    for init in a.log:
        assert init.header_status() == 401
        assert init.message.final
        assert init.statuses("SyncHdr")[0].chal is not None
    assert world.items() == []


def test_missing_credentials_get_407_with_a_challenge(server):
    reply = RawMessages(server).send([], cred=None)
    assert reply.header_status() == 407
    assert reply.statuses("SyncHdr")[0].chal.meta.type == auth.AUTH_MD5


def test_md5_needs_the_nonce_the_server_issued(server):
    a = Device(server, auth_type=auth.AUTH_MD5)
    a.sync(AlertCode.SLOW_SYNC)
    first, second = a.log[0], a.log[1]
    assert first.header_status() == 401  # no nonce issued yet to this device
    assert first.statuses("SyncHdr")[0].chal.meta.next_nonce  # ... but now one is
    assert second.header_status() == 212
    assert second.statuses("SyncHdr")[0].chal.meta.next_nonce  # for the next session
    # The next session uses that one: no failed login first.
    assert a.sync()[0].header_status() == 212


def test_another_account_on_the_device_does_not_rotate_the_users_nonce(server):
    bob = Device(server, auth_type=auth.AUTH_MD5, device_id="shared-laptop", user="bob",
                 password="bobsecret")

    class BobMeanwhile:
        """bob (or a stranger claiming the device ID) logs in on the same device between
        alice's first try, which fetched her nonce, and her retry."""

        def receive(self, body: bytes, content_type: str, url: str) -> Reply:
            reply = server.receive(body, content_type, url)
            if not bob.log:
                bob.sync(AlertCode.SLOW_SYNC)
            return reply

    alice = Device(BobMeanwhile(), auth_type=auth.AUTH_MD5, device_id="shared-laptop")
    alice.sync(AlertCode.SLOW_SYNC)
    assert [bob.log[0].header_status(), bob.log[1].header_status()] == [401, 212]
    # alice's retry with the nonce she was given still works
    assert [alice.log[0].header_status(), alice.log[1].header_status()] == [401, 212]


def test_md5_can_be_switched_off(world):
    server = world.server(auth_types=(auth.AUTH_BASIC,))
    a = Device(server, auth_type=auth.AUTH_MD5)
    a.sync(AlertCode.SLOW_SYNC)
    refused = a.log[0]
    assert refused.request.header.cred.type == auth.AUTH_MD5
    assert refused.header_status() == 401
    assert refused.statuses("SyncHdr")[0].chal.meta.type == auth.AUTH_BASIC
    # Our client follows the challenge to basic.
    assert a.log[1].request.header.cred.type == auth.AUTH_BASIC
    assert a.log[1].header_status() == 212


def test_devinf_get_is_answered_with_results(server):
    raw = RawMessages(server)
    reply = raw.send([Get(0, [Item(target=Location("./devinf12"))])], cred=raw.basic())
    results = reply.of(Results)
    assert len(results) == 1
    devinf = results[0].items[0].data
    assert devinf.tag == "DevInf"
    assert devinf.text_of("DevTyp") == "server"


def test_unknown_datastore_gets_404(server):
    a = Device(server, uri="contacts")
    with pytest.raises(PeerRefused):
        a.sync()
    assert [s.code for s in a.log[0].statuses("Alert")] == [404]


def test_unsupported_command_gets_406(server):
    from syncml.model import UnsupportedCommand

    raw = RawMessages(server)
    reply = raw.send([UnsupportedCommand("Exec", 0)], cred=raw.basic())
    assert [s.code for s in reply.statuses("Exec")] == [406]


@pytest.mark.parametrize(
    "body",
    [
        b"not xml at all",
        b"<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr>",
        b"<foo/>",
        b"\x02\xa4\x01\x6a\x00\x6d\x6c",
        b"<SyncML xmlns='SYNCML:SYNCML1.2'><SyncBody/></SyncML>",
    ],
)
def test_malformed_messages_are_refused_with_a_reason(world, server, body):
    with pytest.raises(SyncMLError) as refused:
        server.receive(body, codec.CONTENT_TYPE_XML, "http://x/traveler")
    assert str(refused.value)
    assert world.items() == []


def test_many_items_down_respect_a_small_max_msg_size(server):
    a = holding(Device(server),
                *[vtodo(f"u{i}", f"item {i} " + "x" * 200) for i in range(300)])
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="small", max_msg_size=10_240, wbxml=True)
    exchanges = b.sync(AlertCode.SLOW_SYNC)  # the device asserts every reply fits
    assert len(exchanges) > 5
    assert all(len(e.reply.body) <= 10_240 for e in exchanges)
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_large_object_down_arrives_in_chunks_and_intact(server):
    big = vtodo("big", "large", "DESCRIPTION:" + "y" * 30_000 + "\r\n")
    a = holding(Device(server), big)
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="small", max_msg_size=10_240)
    exchanges = b.sync(AlertCode.SLOW_SYNC)
    chunks = [c for c in all_sync_commands(exchanges) if c.items[0].more_data]
    assert len(chunks) >= 3
    assert list(b.items.values()) == [big]


def test_large_object_up_is_reassembled(world, server):
    big = vtodo("big", "large", "DESCRIPTION:" + "z" * 20_000 + "\r\n")
    a = Device(server, max_msg_size=8000)
    a.sync(AlertCode.SLOW_SYNC)
    a.create(big)
    exchanges = a.sync()
    pieces = all_sync_commands_sent(exchanges)
    assert len(pieces) >= 3
    assert [p.items[0].more_data for p in pieces] == [True] * (len(pieces) - 1) + [False]
    assert [s.code for e in exchanges for s in e.statuses("Add")] == (
        [213] * (len(pieces) - 1) + [201])
    assert world.items() == [big]


def test_large_object_with_wrong_size_is_refused_with_424(world, server):
    raw = RawMessages(server)
    basic_init(raw)
    first, last = chunked("9", "BEGIN:VCALENDAR\r\nUID:x\r\nEND:VCALENDAR\r\n", 17,
                          total=99_999)[:2]
    last.items[0].more_data = False
    raw.send([sync([first])], final=False)
    reply = raw.send([sync([last])])
    assert [s.code for s in reply.statuses("Add")] == [424]
    assert world.items() == []


def test_refresh_from_server_replaces_the_device_data(server):
    a = holding(Device(server), vtodo("u1", "one"))
    a.sync(AlertCode.SLOW_SYNC)
    b = holding(Device(server, device_id="dev-b"), vtodo("b-only", "gone after the refresh"))
    b.sync(AlertCode.SLOW_SYNC)
    a.sync()
    a.remove(next(luid for luid, data in a.items.items() if "b-only" in data))
    a.sync()
    b.sync(AlertCode.REFRESH_FROM_SERVER)
    assert sorted(b.items.values()) == [vtodo("u1", "one")]
    exchanges = b.sync()
    assert all(not e.sync_commands() for e in exchanges)


def test_refresh_from_client_replaces_the_server_data(world, server):
    a = Device(server)
    a.create(vtodo("u1", "one"))
    two = a.create(vtodo("u2", "two"))
    a.sync(AlertCode.SLOW_SYNC)
    a.remove(two)
    exchanges = a.sync(AlertCode.REFRESH_FROM_CLIENT)
    assert exchanges[0].of(Alert)[0].code == 203
    assert world.items() == [vtodo("u1", "one")]


def test_statuses_that_do_not_fit_spill_into_the_next_message(server):
    # Hand-made: 400 Adds in one message, more than the statuses fit into the 10 KB the
    # device accepts (our client sends at most what it accepts itself).
    raw = RawMessages(server, max_msg_size=10_240)
    basic_init(raw)
    reply = raw.send([sync([add(str(i), vtodo(f"u{i}", f"n{i}")) for i in range(400)])])
    assert not reply.message.final
    found = [s.code for s in reply.statuses("Add")]
    while not reply.message.final:
        reply = raw.send([Alert(0, 222)], final=False)
        found += [s.code for s in reply.statuses("Add")]
    assert found == [201] * 400


def test_xml_and_wbxml_replies_decode_to_the_same_commands(tmp_path):
    results = []
    for wbxml in (False, True):
        server = World("memory", tmp_path).server()
        a = holding(Device(server, wbxml=wbxml), vtodo("u1", "one"))
        exchanges = a.sync(AlertCode.SLOW_SYNC)
        results.append([[type(c).__name__ for c in e.message.commands] for e in exchanges])
        body = exchanges[-1].reply.body
        assert decode_message(codec.decode(body, exchanges[-1].reply.content_type))
    assert results[0] == results[1]


def test_resend_of_the_last_message_is_still_answered(world, server):
    a = holding(Device(server), vtodo("u1", "one"))
    exchanges = a.sync(AlertCode.SLOW_SYNC)
    # the answer to the session's last message was lost: the same message again
    again = resend(server, exchanges[-1])
    assert again.reply.body == exchanges[-1].reply.body
    assert world.items() == [vtodo("u1", "one")]


def test_another_device_cannot_continue_a_session_it_did_not_open(server):
    a = holding(Device(server), vtodo("u1", "one"))
    (init,) = a.sync(AlertCode.SLOW_SYNC, cut_after=1)
    # the RespURI leaked
    intruder = RawMessages(server, device_id="intruder", user="bob", password="bobsecret",
                           url=init.message.header.resp_uri, msg_id=1,
                           session_id=init.request.header.session_id)
    reply = intruder.send([], final=True)
    assert reply.header_status() == 407


def test_users_never_see_each_others_tasks(world, server):
    a = holding(Device(server), vtodo("alice-only", "private"))
    a.sync(AlertCode.SLOW_SYNC)
    b = Device(server, device_id="bobs-phone", user="bob", password="bobsecret")
    b.sync(AlertCode.SLOW_SYNC)
    assert b.items == {}
    same_device = Device(server, device_id=a.device_id, user="bob", password="bobsecret")
    same_device.sync(AlertCode.SLOW_SYNC)
    assert same_device.items == {}
    assert world.items("bob") == []


def test_server_asks_for_unknown_devinf_and_then_sends_the_format_the_device_prefers(server):
    from syncml.devinf import ContentType, DataStore, DevInf, build_devinf

    a = holding(Device(server), vtodo("u1", "one"))
    a.sync(AlertCode.SLOW_SYNC)
    # Hand-made: our client always puts its DevInf in package 1, this device does not.
    b = RawMessages(server, device_id="vcal-phone")
    init = basic_init(b, 201, nxt="b1")
    gets = init.of(Get)
    assert [g.items[0].target.uri for g in gets] == ["./devinf12"]
    phone = DevInf(dev_id="vcal-phone", dev_type="phone", datastores=[DataStore(
        source_ref="./todo", rx_pref=ContentType("text/x-vcalendar", "1.0"),
        tx_pref=ContentType("text/x-vcalendar", "1.0"))])
    results = Results(0, init.message.header.msg_id, gets[0].cmd_id,
                      items=[Item(source=Location("./devinf12"), data=build_devinf(phone))])
    reply = b.send([results, sync([])])
    adds = reply.sync_commands()
    assert [cmd.meta.type for cmd in adds] == ["text/x-vcalendar"]
    # The device stores the item and answers: its status and the Map.
    guid = adds[0].items[0].source.uri
    (server_sync,) = reply.of(Sync)
    b.send([status_for(reply, server_sync, 200), status_for(reply, adds[0], 201, source=guid),
            Map(0, Location("tasks"), Location("./todo"), [MapItem(guid, "1")])])
    # Known now: the next session does not ask again.
    b.new_session()
    assert not basic_init(b, 200, last="b1", nxt="b2").of(Get)
