"""The server session, driven by a scripted client over the real codecs."""

from __future__ import annotations

from typing import Any

import pytest

from syncml import auth, codec
from syncml.errors import SyncMLError
from syncml.model import Alert, Item, ItemCommand, Location, Meta, Results, decode_message
from syncml.server import ServerConfig, SyncFinished, SyncServer
from tests.syncml.host import Host
from tests.syncml.memory_backend import LineContent, MemoryBackend, MemoryWorld
from tests.syncml.peer import Peer, add, delete, vtodo


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


@pytest.mark.parametrize("wbxml", [False, True])
@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_first_slow_sync_up_then_down_to_a_second_device(world, server, wbxml, version):
    a = Peer(server, wbxml=wbxml, version=version)
    a.items = {"1": vtodo("u1", "one"), "2": vtodo("u2", "two"), "3": vtodo("u3", "three")}
    a.sync(201)
    assert world.items() == sorted(a.items.values())

    b = Peer(server, device_id="test-device-2", wbxml=wbxml, version=version)
    b.sync(201)
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_two_way_add_modify_delete_flow_between_two_devices(server):
    a, b = Peer(server), Peer(server, device_id="dev-b")
    a.items = {"1": vtodo("u1", "one"), "2": vtodo("u2", "two")}
    a.sync(201)
    b.sync(201)
    luid_b = {v: k for k, v in b.items.items()}

    a.items["3"] = vtodo("u3", "three")
    a.items["1"] = vtodo("u1", "one changed")
    del a.items["2"]
    a.sync(200, [add("3", a.items["3"]), add("1", a.items["1"], "Replace"), delete("2")])

    b.sync(200)
    assert sorted(b.items.values()) == sorted(a.items.values())
    assert b.items[luid_b[vtodo("u1", "one")]] == vtodo("u1", "one changed")

    # Nothing left to transfer either way.
    exchanges = a.sync(200)
    assert all(not e.sync_commands() for e in exchanges)


def test_sync_reports_what_moved(server):
    a = Peer(server)
    a.items = {"1": vtodo("u1", "one")}
    exchanges = a.sync(201)
    finished = [e for x in exchanges for e in x.reply.events if isinstance(e, SyncFinished)]
    assert [(f.username, f.device_id, f.mode, f.items_in, f.items_out) for f in finished] == [
        ("alice", "test-device-1", "slow", 1, 0)
    ]


def test_unknown_anchor_forces_slow_sync_with_508(server):
    a = Peer(server)
    a.last_anchor = "something-the-server-never-saw"
    init = a.init(200)
    assert [s.code for s in init.statuses("Alert")] == [508]
    assert [alert.code for alert in init.of(Alert)] == [201]


def test_matching_anchor_keeps_two_way(server):
    a = Peer(server)
    a.sync(201)
    init = a.init(200)
    assert [s.code for s in init.statuses("Alert")] == [200]
    assert [alert.code for alert in init.of(Alert)] == [200]


def test_same_uid_on_two_devices_is_paired_not_twinned(world, server):
    a, b = Peer(server), Peer(server, device_id="dev-b")
    a.items = {"1": vtodo("same", "shared")}
    b.items = {"77": vtodo("same", "shared")}
    a.sync(201)
    b.sync(201)
    assert world.items() == [vtodo("same", "shared")]
    assert list(b.items) == ["77"]


def test_resent_add_with_same_luid_does_not_duplicate(world, server):
    a = Peer(server)
    a.sync(201)
    a.sync(200, [add("5", vtodo("x", "first"))])
    a.sync(200, [add("5", vtodo("x", "first"))])
    assert world.items() == [vtodo("x", "first")]


def test_resent_message_replays_the_stored_reply_and_applies_nothing_twice(world, server):
    a = Peer(server)
    a.init(201)
    first = a.changes([add("1", vtodo("u1", "one"))])
    # The transport lost the reply: the client sends the same message (same MsgID) again.
    a.msg_id -= 1
    again = a.changes([add("1", vtodo("u1", "one"))])
    assert again.reply.body == first.reply.body
    assert world.items() == [vtodo("u1", "one")]


def test_session_survives_a_server_restart_between_messages(world):
    a = Peer(world.server())
    a.init(201)
    # A new process with no memory of the session, on the same store.
    a.server = world.server()
    reply = a.changes([add("1", vtodo("u1", "one"))])
    assert reply.header_status() == 200
    assert [s.code for s in reply.statuses("Add")] == [201]
    a.receive_server_changes(reply)
    assert world.items() == [vtodo("u1", "one")]


def test_wrong_password_is_refused_with_401_and_changes_nothing(world, server):
    a = Peer(server, password="wrong")
    init = a.init(201)
    assert init.header_status() == 401
    assert init.message.final
    assert init.statuses("SyncHdr")[0].chal is not None
    assert world.items() == []


def test_missing_credentials_get_407_with_a_challenge(server):
    a = Peer(server)
    a.new_session()
    reply = a.send([], cred=False)
    assert reply.header_status() == 407
    assert reply.statuses("SyncHdr")[0].chal.meta.type == auth.AUTH_MD5


def test_md5_needs_the_nonce_the_server_issued(server):
    a = Peer(server, auth_type=auth.AUTH_MD5)
    first = a.init(201)
    assert first.header_status() == 401  # no nonce issued yet to this device
    assert a.nonce  # ... but now one is
    second = a.init(201)
    assert second.header_status() == 212
    assert second.statuses("SyncHdr")[0].chal.meta.next_nonce  # for the next session


def test_another_account_on_the_device_does_not_rotate_the_users_nonce(server):
    alice = Peer(server, auth_type=auth.AUTH_MD5, device_id="shared-laptop")
    alice.init(201)  # alice's first try fetches her nonce
    assert alice.nonce
    # bob (or a stranger claiming the device ID) logs in on the same device meanwhile
    bob = Peer(server, auth_type=auth.AUTH_MD5, device_id="shared-laptop", user="bob",
               password="bobsecret")
    bob.init(201)
    assert bob.init(201).header_status() == 212
    # alice's retry with the nonce she was given still works
    assert alice.init(201).header_status() == 212


def test_md5_can_be_switched_off(world):
    server = world.server(auth_types=(auth.AUTH_BASIC,))
    a = Peer(server, auth_type=auth.AUTH_MD5)
    a.init(201)
    refused = a.init(201)
    assert refused.header_status() == 401
    assert refused.statuses("SyncHdr")[0].chal.meta.type == auth.AUTH_BASIC


def test_devinf_get_is_answered_with_results(server):
    a = Peer(server)
    a.new_session()
    from syncml.model import Get

    reply = a.send([Get(0, [Item(target=Location("./devinf12"))])], cred=True)
    results = reply.of(Results)
    assert len(results) == 1
    devinf = results[0].items[0].data
    assert devinf.tag == "DevInf"
    assert devinf.text_of("DevTyp") == "server"


def test_unknown_datastore_gets_404(server):
    a = Peer(server, uri="contacts")
    init = a.init(200)
    assert [s.code for s in init.statuses("Alert")] == [404]


def test_unsupported_command_gets_406(server):
    from syncml.model import UnsupportedCommand

    a = Peer(server)
    a.new_session()
    reply = a.send([UnsupportedCommand("Exec", 0)], cred=True)
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
    a = Peer(server)
    a.items = {str(i): vtodo(f"u{i}", f"item {i} " + "x" * 200) for i in range(300)}
    a.sync(201)
    b = Peer(server, device_id="small", max_msg_size=10_240, wbxml=True)
    exchanges = b.sync(201)
    assert len(exchanges) > 5
    assert all(len(e.reply.body) <= 10_240 for e in exchanges)
    assert sorted(b.items.values()) == sorted(a.items.values())


def test_large_object_down_arrives_in_chunks_and_intact(server):
    big = vtodo("big", "large", "DESCRIPTION:" + "y" * 30_000 + "\r\n")
    a = Peer(server)
    a.items = {"1": big}
    a.sync(201)
    b = Peer(server, device_id="small", max_msg_size=10_240)
    exchanges = b.sync(201)
    chunks = [c for e in exchanges for c in e.sync_commands() if c.items[0].more_data]
    assert len(chunks) >= 3
    assert list(b.items.values()) == [big]


def test_large_object_up_is_reassembled(world, server):
    big = vtodo("big", "large", "DESCRIPTION:" + "z" * 20_000 + "\r\n")
    a = Peer(server)
    a.init(201)
    pieces = [big[i : i + 7000] for i in range(0, len(big), 7000)]
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        item = Item(
            source=Location("9"),
            data=piece,
            more_data=not last,
            meta=Meta(size=len(big.encode())) if index == 0 else None,
        )
        reply = a.changes(
            [ItemCommand("Add", 0, [item], meta=Meta(type="text/calendar"))], final=last
        )
        assert [s.code for s in reply.statuses("Add")] == ([201] if last else [213])
    assert world.items() == [big]


def test_large_object_with_wrong_size_is_refused_with_424(world, server):
    a = Peer(server)
    a.init(201)
    first = Item(
        source=Location("9"), data="BEGIN:VCALENDAR\r\n", more_data=True, meta=Meta(size=99_999)
    )
    a.changes([ItemCommand("Add", 0, [first], meta=Meta(type="text/calendar"))], final=False)
    last = Item(source=Location("9"), data="UID:x\r\nEND:VCALENDAR\r\n")
    reply = a.changes([ItemCommand("Add", 0, [last], meta=Meta(type="text/calendar"))])
    assert [s.code for s in reply.statuses("Add")] == [424]
    assert world.items() == []


def test_refresh_from_server_replaces_the_device_data(server):
    a = Peer(server)
    a.items = {"1": vtodo("u1", "one")}
    a.sync(201)
    b = Peer(server, device_id="dev-b")
    b.sync(201)
    b.items.clear()  # what refresh-from-server does on the device
    b.sync(205)
    assert sorted(b.items.values()) == [vtodo("u1", "one")]
    exchanges = b.sync(200)
    assert all(not e.sync_commands() for e in exchanges)


def test_refresh_from_client_replaces_the_server_data(world, server):
    a = Peer(server)
    a.items = {"1": vtodo("u1", "one"), "2": vtodo("u2", "two")}
    a.sync(201)
    a.items = {"1": vtodo("u1", "one")}
    init = a.init(203)
    reply = a.changes([add("1", a.items["1"], "Replace")])
    a.receive_server_changes(reply)
    assert init.of(Alert)[0].code == 203
    assert world.items() == [vtodo("u1", "one")]


def test_statuses_that_do_not_fit_spill_into_the_next_message(server):
    a = Peer(server, max_msg_size=10_240)
    a.init(201)
    items = [add(str(i), vtodo(f"u{i}", f"n{i}")) for i in range(400)]
    reply = a.changes(items)
    assert not reply.message.final
    codes = [s.code for s in reply.statuses("Add")]
    while not reply.message.final:
        reply = a.send([Alert(0, 222)], final=False)
        codes += [s.code for s in reply.statuses("Add")]
    assert codes == [201] * 400


def test_xml_and_wbxml_replies_decode_to_the_same_commands(tmp_path):
    results = []
    for wbxml in (False, True):
        server = World("memory", tmp_path).server()
        a = Peer(server, wbxml=wbxml)
        a.items = {"1": vtodo("u1", "one")}
        exchanges = a.sync(201)
        results.append([[type(c).__name__ for c in e.message.commands] for e in exchanges])
        body = exchanges[-1].reply.body
        assert decode_message(codec.decode(body, exchanges[-1].reply.content_type))
    assert results[0] == results[1]


def test_resend_of_the_last_message_is_still_answered(world, server):
    a = Peer(server)
    a.items = {"1": vtodo("u1", "one")}
    exchanges = a.sync(201)
    last_body = exchanges[-1].reply.body
    a.msg_id -= 1  # the answer to the session's last message was lost: send it again
    again = a.send([], final=True)
    assert again.reply.body == last_body
    assert world.items() == [vtodo("u1", "one")]


def test_another_device_cannot_continue_a_session_it_did_not_open(server):
    a = Peer(server)
    a.items = {"1": vtodo("u1", "one")}
    a.init(201)
    intruder = Peer(server, device_id="intruder", user="bob", password="bobsecret")
    intruder.url, intruder.msg_id = a.url, a.msg_id  # the RespURI leaked
    reply = intruder.send([], final=True)
    assert reply.header_status() == 407


def test_users_never_see_each_others_tasks(world, server):
    a = Peer(server)
    a.items = {"1": vtodo("alice-only", "private")}
    a.sync(201)
    b = Peer(server, device_id="bobs-phone", user="bob", password="bobsecret")
    b.sync(201)
    assert b.items == {}
    same_device = Peer(server, device_id=a.device_id, user="bob", password="bobsecret")
    same_device.sync(201)
    assert same_device.items == {}
    assert world.items("bob") == []


def test_server_asks_for_unknown_devinf_and_then_sends_the_format_the_device_prefers(server):
    from syncml.devinf import ContentType, DataStore, DevInf, build_devinf
    from syncml.model import Get

    a = Peer(server)
    a.items = {"1": vtodo("u1", "one")}
    a.sync(201)
    b = Peer(server, device_id="vcal-phone")
    init = b.init(201)
    gets = init.of(Get)
    assert [g.items[0].target.uri for g in gets] == ["./devinf12"]
    phone = DevInf(dev_id="vcal-phone", dev_type="phone", datastores=[DataStore(
        source_ref="./todo", rx_pref=ContentType("text/x-vcalendar", "1.0"),
        tx_pref=ContentType("text/x-vcalendar", "1.0"))])
    results = Results(0, init.message.header.msg_id, gets[0].cmd_id,
                      items=[Item(source=Location("./devinf12"), data=build_devinf(phone))])
    reply = b.changes([], statuses=[results])
    adds = reply.sync_commands()
    assert [cmd.meta.type for cmd in adds] == ["text/x-vcalendar"]
    # Known now: the next session does not ask again.
    b.receive_server_changes(reply)
    assert not b.init(200).of(Get)
