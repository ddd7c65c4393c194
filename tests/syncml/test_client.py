"""Our SyncML client against our server, in process: every mode, MaxMsgSize, large
objects, authentication, and syncs cut at every message (nothing lost, nothing twice)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable

import pytest

from syncml import auth
from syncml.client import ClientConfig, MemoryClientBackend, Send, SyncClient, SyncDone
from syncml.codes import AlertCode
from syncml.errors import AuthenticationFailed, PeerRefused
from syncml.server import ServerConfig, SyncServer
from tests.syncml.host import Host
from tests.syncml.items import vtodo
from tests.syncml.memory_backend import LineContent, MemoryBackend, MemoryWorld

URL = "http://127.0.0.1:9/traveler"


class Cut(Exception):
    """The network died (or the process was killed) at this message."""


@dataclasses.dataclass
class Rig:
    """One server world and the devices syncing with it."""

    world: MemoryWorld = dataclasses.field(default_factory=MemoryWorld)
    max_msg_size: int = 150_000
    requests: int = 0

    def __post_init__(self) -> None:
        self.backend = MemoryBackend(self.world)
        self.backend.add_user("alice", "secret")
        self.backend.add_user("bob", "bobsecret")

    def host(self) -> Host:
        config = ServerConfig(datastores={"tasks": LineContent()}, aliases={"todo": "tasks"},
                              max_msg_size=self.max_msg_size, max_obj_size=100_000)
        return Host(SyncServer(config, MemoryBackend(self.world)))

    def sync(self, config: ClientConfig, device: MemoryClientBackend,
             mode: AlertCode = AlertCode.TWO_WAY,
             cut: Callable[[int, str], bool] | None = None) -> SyncDone:
        """A whole session; ``cut(n, where)`` may drop request n ("request") or its reply
        ("reply")."""
        host = self.host()
        client = SyncClient(config, device, mode)
        step: Send | SyncDone = client.start()
        count = 0
        while isinstance(step, Send):
            count += 1
            self.requests += 1
            assert len(step.body) <= min(config.max_msg_size, self.max_msg_size)
            if cut is not None and cut(count, "request"):
                raise Cut
            reply = host.receive(step.body, step.content_type, step.url)
            if cut is not None and cut(count, "reply"):
                raise Cut
            step = client.receive(reply.body, reply.content_type)
        return step

    def server_items(self, user: str = "alice") -> list[str]:
        return sorted(item.data for item in self.world.items.get(user, {}).values())


def config(device_id: str = "laptop", **changes: object) -> ClientConfig:
    base = ClientConfig(url=URL, username="alice", password="secret", device_id=device_id)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def device_with(*summaries: str) -> MemoryClientBackend:
    device = MemoryClientBackend()
    for summary in summaries:
        device.create(vtodo(f"uid-{summary}", summary))
    return device


FORMATS = [pytest.param(True, id="wbxml"), pytest.param(False, id="xml")]


@pytest.mark.parametrize("wbxml", FORMATS)
@pytest.mark.parametrize("auth_type", [auth.AUTH_MD5, auth.AUTH_BASIC])
def test_first_sync_is_slow_and_brings_both_sides_together(wbxml, auth_type):
    rig = Rig()
    laptop = device_with("one", "two")
    phone = device_with("three")
    first = rig.sync(config(wbxml=wbxml, auth_type=auth_type), laptop)
    assert first.mode == AlertCode.SLOW_SYNC and first.sent.total == 2
    done = rig.sync(config("phone", wbxml=wbxml, auth_type=auth_type), phone)
    assert done.mode == AlertCode.SLOW_SYNC and done.received.added == 2
    rig.sync(config(wbxml=wbxml, auth_type=auth_type), laptop)
    assert laptop.data() == phone.data() == rig.server_items()
    assert len(rig.server_items()) == 3
    assert not laptop.pending and not phone.pending


@pytest.mark.parametrize("wbxml", FORMATS)
def test_two_way_sends_adds_replaces_and_deletes_both_ways(wbxml):
    rig = Rig()
    laptop, phone = device_with("a", "b", "c"), MemoryClientBackend()
    rig.sync(config(wbxml=wbxml), laptop)
    rig.sync(config("phone", wbxml=wbxml), phone)
    laptop.edit("1", vtodo("uid-a", "a, edited"))
    laptop.remove("2")
    laptop.create(vtodo("uid-d", "d"))
    phone_luid = next(luid for luid, item in phone.items.items() if "SUMMARY:c" in item.data)
    phone.edit(phone_luid, vtodo("uid-c", "c, edited on the phone"))
    up = rig.sync(config(wbxml=wbxml), laptop)
    assert up.mode == AlertCode.TWO_WAY
    assert (up.sent.added, up.sent.replaced, up.sent.deleted) == (1, 1, 1)
    rig.sync(config("phone", wbxml=wbxml), phone)
    rig.sync(config(wbxml=wbxml), laptop)
    assert laptop.data() == phone.data() == rig.server_items()
    assert [d.split("SUMMARY:")[1].split("\r")[0] for d in rig.server_items()] == [
        "a, edited", "c, edited on the phone", "d"]


def test_md5_retries_with_the_servers_nonce_and_the_backend_keeps_the_next_one():
    rig = Rig()
    laptop = device_with("one")
    before = rig.requests
    rig.sync(config(), laptop)
    first = rig.requests - before
    assert laptop.next_nonce  # kept by the backend, not handed to the host
    before = rig.requests
    rig.sync(config(), laptop)
    with_nonce = rig.requests - before
    assert with_nonce == first - 1  # the first try is accepted: no refused round trip
    laptop.next_nonce = None
    before = rig.requests
    rig.sync(config(), laptop)
    assert rig.requests - before == with_nonce + 1  # no nonce: one refused try first


def test_the_nonce_of_a_cut_session_is_kept_too():
    rig = Rig()
    laptop = device_with("one")
    with pytest.raises(Cut):  # the challenge came, then the network died
        rig.sync(config(), laptop, cut=lambda n, where: where == "request" and n == 2)
    assert laptop.next_nonce
    before = rig.requests
    assert rig.sync(config(), laptop).sent.total == 1
    ours = rig.requests - before
    before = rig.requests
    rig.sync(config("phone"), device_with("two"))  # the same first sync, with no nonce
    assert ours == rig.requests - before - 1


@pytest.mark.parametrize("auth_type", [auth.AUTH_MD5, auth.AUTH_BASIC])
def test_a_wrong_password_is_an_authentication_failure(auth_type):
    rig = Rig()
    with pytest.raises(AuthenticationFailed) as failed:
        rig.sync(config(password="wrong", auth_type=auth_type), device_with("x"))
    assert failed.value.code == 401
    assert rig.requests <= 3


def test_a_basic_only_server_switches_an_md5_client_to_basic():
    rig = Rig()
    host_config = ServerConfig(datastores={"tasks": LineContent()},
                               auth_types=(auth.AUTH_BASIC,))
    rig.host = lambda: Host(SyncServer(host_config, MemoryBackend(rig.world)))  # type: ignore[method-assign]
    done = rig.sync(config(auth_type=auth.AUTH_MD5), device_with("x"))
    assert done.sent.total == 1


def test_an_unknown_datastore_is_refused_with_its_status():
    rig = Rig()
    with pytest.raises(PeerRefused) as refused:
        rig.sync(config(remote_uri="calendar"), device_with("x"))
    assert refused.value.code == 404 and refused.value.command == "Alert"


def test_lost_server_anchors_make_the_sync_slow_without_duplicates():
    rig = Rig()
    laptop = device_with("a", "b")
    rig.sync(config(), laptop)
    rig.world.anchors.clear()  # the server lost its sync state (508 on the next Alert)
    laptop.create(vtodo("uid-c", "c"))
    done = rig.sync(config(), laptop)
    assert done.mode == AlertCode.SLOW_SYNC
    assert len(rig.server_items()) == 3 and laptop.data() == rig.server_items()


def test_one_way_modes_move_changes_in_one_direction_only():
    rig = Rig()
    laptop, phone = device_with("a"), MemoryClientBackend()
    rig.sync(config(), laptop)
    rig.sync(config("phone"), phone)
    laptop.create(vtodo("uid-b", "b"))
    phone.create(vtodo("uid-p", "p"))
    up = rig.sync(config(), laptop, AlertCode.ONE_WAY_FROM_CLIENT)
    assert up.mode == AlertCode.ONE_WAY_FROM_CLIENT and up.sent.added == 1
    down = rig.sync(config("phone"), phone, AlertCode.ONE_WAY_FROM_SERVER)
    assert down.mode == AlertCode.ONE_WAY_FROM_SERVER and down.received.added == 1
    assert down.sent.total == 0 and len(phone.pending) == 1  # its own change waits
    assert len(rig.server_items()) == 2
    rig.sync(config("phone"), phone)
    rig.sync(config(), laptop)
    assert laptop.data() == phone.data() == rig.server_items()


def test_refresh_from_server_replaces_the_local_data():
    rig = Rig()
    laptop, phone = device_with("a", "b"), device_with("stale")
    rig.sync(config(), laptop)
    done = rig.sync(config("phone"), phone, AlertCode.REFRESH_FROM_SERVER)
    assert done.mode == AlertCode.REFRESH_FROM_SERVER
    assert phone.data() == laptop.data() == rig.server_items()
    assert rig.sync(config("phone"), phone).mode == AlertCode.TWO_WAY


def test_refresh_from_client_makes_the_server_hold_exactly_the_local_data():
    rig = Rig()
    rig.sync(config("phone"), device_with("x", "y"))
    laptop = device_with("a")
    done = rig.sync(config(), laptop, AlertCode.REFRESH_FROM_CLIENT)
    assert done.mode == AlertCode.REFRESH_FROM_CLIENT
    assert rig.server_items() == laptop.data()


@pytest.mark.parametrize("wbxml", FORMATS)
def test_small_messages_split_every_package_both_ways(wbxml):
    rig = Rig(max_msg_size=4096)
    laptop = device_with(*[f"task {i:03} " + "x" * 80 for i in range(60)])
    up = rig.sync(config(wbxml=wbxml, max_msg_size=4096), laptop)
    assert up.sent.total == 60
    messages = rig.requests
    assert messages > 6  # package 3 went in several messages (Alert 222 from the server)
    phone = MemoryClientBackend()
    down = rig.sync(config("phone", wbxml=wbxml, max_msg_size=4096), phone)
    assert down.received.added == 60  # package 4 in several (Alert 222 from us), Map too
    assert phone.data() == laptop.data() == rig.server_items()
    again = rig.sync(config("phone", wbxml=wbxml, max_msg_size=4096), phone)
    assert again.received.total == 0 and len(phone.items) == 60  # mapped: nothing resent


@pytest.mark.parametrize("wbxml", FORMATS)
def test_large_objects_travel_in_pieces_both_ways(wbxml):
    rig = Rig(max_msg_size=5000)
    big = vtodo("uid-big", "big", "DESCRIPTION:" + "long text & more " * 1200 + "\r\n")
    laptop = MemoryClientBackend()
    laptop.create(big)
    up = rig.sync(config(wbxml=wbxml, max_msg_size=5000), laptop)
    assert up.sent.total == 1 and up.failed == 0
    assert rig.server_items() == [big]
    phone = MemoryClientBackend()
    down = rig.sync(config("phone", wbxml=wbxml, max_msg_size=5000), phone)
    assert down.received.added == 1 and phone.data() == [big]


def test_an_item_over_the_servers_max_obj_size_stays_pending_and_is_reported():
    rig = Rig()
    laptop = device_with("fits")
    laptop.create(vtodo("uid-huge", "huge", "DESCRIPTION:" + "x" * 150_000 + "\r\n"))
    done = rig.sync(config(), laptop)
    assert done.failed == 1 and len(rig.server_items()) == 1
    assert len(laptop.pending) == 1


def _cut_points(max_messages: int) -> list[tuple[int, str]]:
    return [(n, where) for n in range(1, max_messages + 1) for where in ("request", "reply")]


@pytest.mark.parametrize(("at", "where"), _cut_points(12))
def test_a_sync_cut_at_any_message_is_recovered_by_the_next(at, where):
    rig = Rig(max_msg_size=4096)
    small = {"max_msg_size": 4096}
    laptop = device_with(*[f"laptop {i} " + "x" * 60 for i in range(25)])
    phone = device_with(*[f"phone {i} " + "y" * 60 for i in range(25)])
    rig.sync(config("phone", **small), phone)
    with contextlib.suppress(Cut):
        rig.sync(config(**small), laptop, cut=lambda n, w: (n, w) == (at, where))
    # The device edits meanwhile; the next syncs converge with nothing lost or twice.
    laptop.create(vtodo("uid-late", "added after the cut"))
    rig.sync(config(**small), laptop)
    rig.sync(config("phone", **small), phone)
    rig.sync(config(**small), laptop)
    assert len(rig.server_items()) == 51
    assert laptop.data() == phone.data() == rig.server_items()
    assert not laptop.pending and not phone.pending


def test_a_server_add_resent_after_a_lost_map_updates_instead_of_duplicating():
    rig = Rig()
    rig.sync(config("phone"), device_with("a", "b"))
    laptop = MemoryClientBackend()
    # The session dies after the server's Adds were applied, before the Map went out.
    with pytest.raises(Cut):
        rig.sync(config(), laptop, cut=lambda n, w: (n, w) == (4, "request"))  # 401, init, 3, 5
    assert len(laptop.items) == 2
    rig.sync(config(), laptop)
    assert len(laptop.items) == 2 and laptop.data() == rig.server_items()


def test_the_servers_get_of_our_devinf_is_answered_with_results():
    from syncml import codec
    from syncml.model import Get, Item, Location, Results, decode_message, encode_message

    rig = Rig()
    plain = rig.host()
    asked: list[Results] = []

    class AskingHost:
        """Our server, plus a Get for the device's DevInf in its first answer."""

        def receive(self, body: bytes, content_type: str, url: str):  # type: ignore[no-untyped-def]
            request = decode_message(codec.decode(body, content_type))
            asked.extend(c for c in request.commands if isinstance(c, Results))
            reply = plain.receive(body, content_type, url)
            message = decode_message(codec.decode(reply.body, reply.content_type))
            if message.header.msg_id == 1 and message.header.resp_uri:
                message.commands.append(Get(90, [Item(target=Location("./devinf12"))]))
                body = codec.encode(encode_message(message), wbxml="wbxml" in content_type)
                return type(reply)(body, reply.content_type)
            return reply

    rig.host = lambda: AskingHost()  # type: ignore[assignment,method-assign,return-value]
    done = rig.sync(config(auth_type=auth.AUTH_BASIC), device_with("x"))
    assert done.sent.total == 1
    assert len(asked) == 1 and asked[0].cmd_ref == 90
    devinf = asked[0].items[0].data
    assert devinf is not None and devinf.find("DevID").text == "laptop"  # type: ignore[union-attr]


def test_every_mode_against_the_bundled_servers_store(tmp_path):
    """The same client against the server's real store (SQLite, the task content handler),
    in process: each mode, then both devices hold the same todos."""
    from server.config import load_settings
    from server.store.database import Database
    from server.store.users import UserStore
    from server.stores import sync_backend
    from server.sync_service import engine_config

    database = Database.open(tmp_path / "data")
    UserStore(database, store_md5_secret=True).add("alice", "alice@example.com", "secret")
    settings = load_settings(tmp_path / "data")
    host = Host(SyncServer(engine_config(settings), sync_backend(settings, database)), database)
    from tests.syncml.host import run_client

    def run(device_id: str, device: MemoryClientBackend, mode: AlertCode) -> SyncDone:
        return run_client(SyncClient(config(device_id, max_msg_size=8192), device, mode), host)

    laptop = device_with(*[f"todo {i}" for i in range(40)])
    phone = MemoryClientBackend()
    assert run("laptop", laptop, AlertCode.TWO_WAY).mode == AlertCode.SLOW_SYNC
    assert run("phone", phone, AlertCode.REFRESH_FROM_SERVER).received.added == 40
    phone.create(vtodo("uid-from-phone", "from the phone"))
    assert run("phone", phone, AlertCode.ONE_WAY_FROM_CLIENT).sent.added == 1
    assert run("laptop", laptop, AlertCode.ONE_WAY_FROM_SERVER).received.added == 1
    laptop.remove(next(iter(laptop.items)))
    assert run("laptop", laptop, AlertCode.TWO_WAY).sent.deleted == 1
    assert run("phone", phone, AlertCode.TWO_WAY).received.deleted == 1
    assert run("laptop", laptop, AlertCode.REFRESH_FROM_CLIENT).sent.total == 40
    assert run("phone", phone, AlertCode.SLOW_SYNC).mode == AlertCode.SLOW_SYNC
    assert len(laptop.items) == len(phone.items) == 40
    assert summaries_of(laptop) == summaries_of(phone)


def summaries_of(device: MemoryClientBackend) -> set[str]:
    return {line for data in device.data() for line in data.splitlines()
            if line.startswith("SUMMARY:")}


def test_a_refresh_the_user_did_not_ask_for_never_drops_unsent_local_changes():
    from syncml import codec
    from syncml.model import Alert, decode_message, encode_message

    rig = Rig()
    laptop = device_with("synced")
    rig.sync(config(), laptop)
    laptop.create(vtodo("uid-unsent", "not on the server yet"))
    plain = rig.host()

    class RefreshingHost:
        """Our server, but its Alert says 205 (refresh from server)."""

        def receive(self, body: bytes, content_type: str, url: str):  # type: ignore[no-untyped-def]
            reply = plain.receive(body, content_type, url)
            message = decode_message(codec.decode(reply.body, reply.content_type))
            for command in message.commands:
                if isinstance(command, Alert) and command.code == AlertCode.TWO_WAY:
                    command.code = int(AlertCode.REFRESH_FROM_SERVER)
            body = codec.encode(encode_message(message), wbxml="wbxml" in content_type)
            return type(reply)(body, reply.content_type)

    rig.host = lambda: RefreshingHost()  # type: ignore[assignment,method-assign,return-value]
    with pytest.raises(PeerRefused, match="local changes"):
        rig.sync(config(), laptop)
    assert len(laptop.items) == 2 and len(laptop.pending) == 1


def test_a_lost_last_answer_continues_two_way_with_the_anchors_the_server_committed():
    rig = Rig()
    laptop = device_with("one")
    rig.sync(config(), laptop)
    laptop.create(vtodo("uid-two", "two"))
    # Messages 1 (package 1; the kept nonce is accepted), 2 (package 3), 3 (package 5): the
    # answer to 3 is lost, after the server committed the session.
    with pytest.raises(Cut):
        rig.sync(config(), laptop, cut=lambda n, where: where == "reply" and n == 3)
    assert laptop.unconfirmed is not None and laptop.saved != laptop.unconfirmed
    laptop.create(vtodo("uid-three", "three"))
    done = rig.sync(config(), laptop)
    # the server's Alert showed it had the cut session's anchors: a new session with them,
    # two-way, instead of a slow sync comparing everything
    assert done.mode == AlertCode.TWO_WAY and done.sent.added == 1
    assert laptop.unconfirmed is None
    assert laptop.data() == rig.server_items() and len(rig.server_items()) == 3


def test_a_last_message_the_server_never_got_keeps_the_saved_anchors():
    rig = Rig()
    laptop = device_with("one")
    rig.sync(config(), laptop)
    laptop.create(vtodo("uid-two", "two"))
    with pytest.raises(Cut):
        rig.sync(config(), laptop, cut=lambda n, where: where == "request" and n == 3)
    done = rig.sync(config(), laptop)
    assert done.mode == AlertCode.TWO_WAY
    assert laptop.data() == rig.server_items() and len(rig.server_items()) == 2
