"""Duplicates after crashes: a slow sync of many tasks in small messages, the server killed
at every message boundary (its reply lost after the commit, the client resending the
message whose reply it never got, or the message rolled back inside its transaction),
then two-way syncs: the device, the server and a fresh second device hold exactly N."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from server.config import load_settings
from server.store.database import Database
from server.store.users import UserStore
from server.stores import sync_backend
from server.sync_service import engine_config
from syncml import codec
from syncml.client import ClientConfig, MemoryClientBackend, Send, SyncClient, SyncDone
from syncml.client.backend import ChangeKind
from syncml.codes import AlertCode, StatusCode
from syncml.model import Location, Map, MapItem, decode_message, encode_message
from syncml.server import SyncServer
from tests.syncml.host import Host
from tests.syncml.items import vtodo
from tests.syncml.raw import RawMessages, add, codes, status_for, sync, sync_alert

N = 30
URL = "http://127.0.0.1:9/traveler"


class Killed(Exception):
    """The server process died at this message."""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with alice in it (argon2 is slow: hashed once, copied per rig)."""
    folder = tmp_path_factory.mktemp("template") / "data"
    database = Database.open(folder)
    UserStore(database, store_md5_secret=True).add("alice", "alice@example.com", "secret")
    database.close()
    return folder


class Rig:
    def __init__(self, template: Path, where: Path) -> None:
        shutil.copytree(template, where / "data")
        self.database = Database.open(where / "data")
        self.settings = load_settings(where / "data")

    def host(self) -> Host:
        # A new engine and backend per session: what a restarted process has.
        return Host(SyncServer(engine_config(self.settings),
                               sync_backend(self.settings, self.database)), self.database)

    def sync(self, device_id: str, device: MemoryClientBackend,
             kill: Callable[[int], str | None] | None = None,
             mode: AlertCode = AlertCode.TWO_WAY) -> SyncDone | None:
        """A session; ``kill(n)`` says what happens to message n: "rollback" (the server
        dies inside its transaction), "reply" (dies after the commit, the reply is lost,
        the client gives up), "resend" (the reply is lost, the client resends)."""
        config = ClientConfig(url=URL, username="alice", password="secret",
                              device_id=device_id, max_msg_size=4096)
        host = self.host()
        client = SyncClient(config, device, mode)
        step: Send | SyncDone = client.start()
        count = 0
        while isinstance(step, Send):
            count += 1
            what = kill(count) if kill else None
            if what == "rollback":
                with pytest.raises(Killed), self.database.transaction():
                    host.engine.receive(host.engine.read(step.body, step.content_type),
                                        session=_sid(step.url), resp_uri=lambda t: t)
                    raise Killed
                return None
            if what == "unmapped" and _has_map(step.body, step.content_type):
                # The device confirmed the server's Adds, but the session dies before
                # its Map reaches the server.
                reply = host.receive(_without_map(step.body, step.content_type),
                                     step.content_type, step.url)
                return None
            reply = host.receive(step.body, step.content_type, step.url)
            if what == "reply":
                return None
            if what == "resend":
                host = self.host()  # restarted
                reply = host.receive(step.body, step.content_type, step.url)
            step = client.receive(reply.body, reply.content_type)
        return step

    def server_count(self) -> int:
        return int(self.database.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])


def _has_map(body: bytes, content_type: str) -> bool:
    message = decode_message(codec.decode(body, content_type))
    return any(isinstance(c, Map) for c in message.commands)


def _without_map(body: bytes, content_type: str) -> bytes:
    message = decode_message(codec.decode(body, content_type))
    message.commands = [c for c in message.commands if not isinstance(c, Map)]
    message.final = False  # the Map package never ended
    return codec.encode(encode_message(message), wbxml="wbxml" in content_type)


def _dir(base: Path, name: str) -> Path:
    folder = base / name
    folder.mkdir()
    return folder


def _sid(url: str) -> str | None:
    from urllib.parse import parse_qs, urlsplit
    return parse_qs(urlsplit(url).query).get("sid", [""])[0] or None


def _tasks() -> MemoryClientBackend:
    device = MemoryClientBackend()
    for i in range(N):
        device.create(vtodo(f"uid-{i}", f"task {i} " + "x" * 400))
    return device


def _messages_of_a_slow_sync(template: Path, where: Path) -> int:
    rig = Rig(template, where)
    seen: list[int] = []
    rig.sync("laptop", _tasks(), kill=lambda n: seen.append(n) or None)  # type: ignore[func-returns-value]
    return len(seen)


KINDS = ("rollback", "reply", "resend")


@pytest.mark.parametrize("kind", KINDS)
def test_a_slow_sync_killed_at_every_message_converges_to_exactly_n(template, tmp_path, kind):
    messages = _messages_of_a_slow_sync(template, _dir(tmp_path, "probe"))
    assert messages > 6  # the sync really spans many messages
    for at in range(1, messages + 1):
        rig = Rig(template, _dir(tmp_path, f"{kind}-{at}"))
        laptop = _tasks()
        rig.sync("laptop", laptop, kill=lambda n, at=at: kind if n == at else None)
        # Killed again later in the retried sync, then normal syncs.
        rig.sync("laptop", laptop, kill=lambda n, at=at: kind if n == max(2, at // 2) else None)
        for _ in range(2):
            rig.sync("laptop", laptop)
        phone = MemoryClientBackend()
        rig.sync("phone", phone)
        rig.sync("laptop", laptop)
        assert (len(laptop.items), rig.server_count(), len(phone.items)) == (N, N, N), at
        assert sorted(laptop.data()) == sorted(phone.data())


@pytest.mark.parametrize("forgetful", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_a_fresh_device_killed_while_receiving_n_items_ends_with_exactly_n(template, tmp_path,
                                                                          kind, forgetful):
    """``forgetful``: like libsynthesis, the device keeps no server IDs of an aborted
    session, so the server's resent Adds make second copies (same UID) on it, which it
    later sends as new items: the server pairs them and deletes the older copy."""
    probe = Rig(template, _dir(tmp_path, "probe"))
    probe.sync("laptop", _tasks())
    seen: list[int] = []
    probe.sync("phone", MemoryClientBackend(), kill=lambda n: seen.append(n) or None)  # type: ignore[func-returns-value]
    for at in range(1, len(seen) + 1):
        rig = Rig(template, _dir(tmp_path, f"{kind}-{at}"))
        laptop = _tasks()
        rig.sync("laptop", laptop)
        phone = MemoryClientBackend()
        for cut in (at, max(2, at // 2)):
            if rig.sync("phone", phone, kill=lambda n, cut=cut: kind if n == cut else None):
                continue
            if forgetful:
                phone.guids.clear()
                for luid, item in phone.items.items():
                    phone.pending.setdefault(luid, (ChangeKind.ADD, item.version))
        for _ in range(2):
            rig.sync("phone", phone)
            rig.sync("laptop", laptop)
        assert (len(phone.items), rig.server_count(), len(laptop.items)) == (N, N, N), at


def test_an_add_confirmed_but_never_mapped_is_recovered_by_the_next_two_way_sync(template,
                                                                                tmp_path):
    rig = Rig(template, _dir(tmp_path, "rig"))
    laptop, phone = _tasks(), MemoryClientBackend()
    rig.sync("laptop", laptop)
    rig.sync("phone", phone)
    phone.create(vtodo("uid-new", "new on the phone"))
    rig.sync("phone", phone)
    # The laptop's two-way sync receives the Add, confirms it, and dies before its Map.
    rig.sync("laptop", laptop, kill=lambda n: "unmapped")
    assert len(laptop.items) == N + 1
    done = rig.sync("laptop", laptop)
    assert done is not None and done.mode == AlertCode.TWO_WAY  # no slow sync
    assert len(laptop.items) == N + 1 and rig.server_count() == N + 1  # no twin
    # Mapped now: a later change on the phone reaches the laptop's copy.
    luid = next(k for k, v in phone.items.items() if "uid-new" in v.data)
    phone.edit(luid, vtodo("uid-new", "changed on the phone"))
    rig.sync("phone", phone)
    rig.sync("laptop", laptop)
    assert len(laptop.items) == N + 1
    assert sorted(laptop.data()) == sorted(phone.data())


@pytest.mark.parametrize("kind", ["rollback", "reply"])
def test_a_two_way_sync_killed_while_sending_adds_makes_no_twins_on_a_forgetful_device(
        template, tmp_path, kind):
    """The duplicate window: an established device receives the server's Adds in a two-way
    sync, the server dies before their statuses are committed, and the device (as
    libsynthesis) keeps the items but not their server IDs. Sent again as Adds, they
    became second copies on it. Now the next sync is slow, and its copies are paired."""
    probe = Rig(template, _dir(tmp_path, "probe"))
    seen: list[int] = []
    laptop, phone = _tasks(), MemoryClientBackend()
    probe.sync("laptop", laptop)
    probe.sync("phone", phone)
    _more(laptop)
    probe.sync("laptop", laptop)
    probe.sync("phone", phone, kill=lambda n: seen.append(n) or None)  # type: ignore[func-returns-value]
    for at in range(2, len(seen) + 1):
        rig = Rig(template, _dir(tmp_path, f"{kind}-{at}"))
        laptop, phone = _tasks(), MemoryClientBackend()
        rig.sync("laptop", laptop)
        rig.sync("phone", phone)
        _more(laptop)
        rig.sync("laptop", laptop)
        if rig.sync("phone", phone, kill=lambda n, at=at: kind if n == at else None) is None:
            phone.guids.clear()  # the server IDs of the aborted session are lost
        for _ in range(2):
            rig.sync("phone", phone)
            rig.sync("laptop", laptop)
        assert (len(phone.items), rig.server_count(), len(laptop.items)) == (2 * N, 2 * N,
                                                                            2 * N), at
        assert sorted(phone.data()) == sorted(laptop.data())


def _more(device: MemoryClientBackend) -> None:
    for i in range(N):
        device.create(vtodo(f"more-{i}", f"more {i} " + "y" * 400))


def test_a_resumed_slow_sync_that_sends_only_the_unconfirmed_rest_makes_no_twins(template,
                                                                                 tmp_path):
    """The three-kills twin of SyncEvolution (447 tasks instead of 300), replayed message by
    message. A slow sync is cut after the server applied a message whose reply was lost.
    The device then alerts a resume (225); the server cannot resume and asks for a slow
    sync (508, Alert 201), but libsynthesis, when that answer comes after an md5 retry,
    carries on with the resumed slow sync anyway: it sends only the items it had no status
    for. Those it had are the device's still; the server must neither drop their mappings
    nor send them back as Adds (each would be a second copy on the device)."""
    rig = Rig(template, _dir(tmp_path, "rig"))
    laptop = RawMessages(rig.host(), device_id="laptop")
    items = {f"item-{i:04d}.ics": vtodo(f"uid-{i}", f"task {i}") for i in range(N)}
    luids = list(items)
    laptop.new_session()
    assert laptop.send([sync_alert(AlertCode.SLOW_SYNC)], cred=laptop.basic()).header_status() \
        in (200, 212)
    sent = laptop.send([sync([add(x, items[x]) for x in luids[:10]])], final=False)
    assert codes(sent, "Add") == [201] * 10
    laptop.send([sync([add(x, items[x]) for x in luids[10:20]])], final=False)  # reply lost
    # The server process dies; the device alerts the resume of its slow sync.
    laptop.server = rig.host()
    laptop.new_session()
    resumed = laptop.send([sync_alert(AlertCode.RESUME, nxt="n2")], cred=laptop.basic())
    assert codes(resumed, "Alert") == [StatusCode.REFRESH_REQUIRED]
    # What libsynthesis resends: the items without a status and those never sent.
    answer = laptop.send([sync([add(x, items[x]) for x in luids[10:]])])
    assert answer.message.final and answer.sync_commands() == []  # no Add of its own items
    assert laptop.send([]).header_status() == 200  # its package 5: the sync completes
    assert rig.server_count() == N
    # Settled: a two-way sync sends the device nothing, a fresh device gets exactly N.
    laptop.new_session()
    two_way = laptop.send([sync_alert(AlertCode.TWO_WAY, last="n2", nxt="n3")],
                          cred=laptop.basic())
    assert codes(two_way, "Alert") == [200]
    assert laptop.send([sync([])]).sync_commands() == []
    phone = MemoryClientBackend()
    rig.sync("phone", phone)
    assert len(phone.items) == N


def test_a_resumed_slow_sync_still_sends_what_the_device_never_had(template, tmp_path):
    """Only the items the device sent in the suspended session are kept as the device's:
    an item another device added meanwhile still reaches it in the resumed slow sync."""
    rig = Rig(template, _dir(tmp_path, "rig"))
    phone = MemoryClientBackend()
    phone.create(vtodo("uid-phone", "added on the phone"))
    rig.sync("phone", phone)
    laptop = RawMessages(rig.host(), device_id="laptop")
    items = {f"l{i}": vtodo(f"uid-{i}", f"task {i}") for i in range(4)}
    laptop.new_session()
    laptop.send([sync_alert(AlertCode.SLOW_SYNC)], cred=laptop.basic())
    laptop.send([sync([add(x, items[x]) for x in ("l0", "l1")])], final=False)
    laptop.server = rig.host()
    laptop.new_session()
    laptop.send([sync_alert(AlertCode.RESUME, nxt="n2")], cred=laptop.basic())
    answer = laptop.send([sync([add(x, items[x]) for x in ("l2", "l3")])])
    [server_add] = answer.sync_commands()
    assert server_add.name == "Add" and "uid-phone" in server_add.items[0].data_bytes().decode()
    guid = server_add.items[0].source.uri
    laptop.send([status_for(answer, server_add, 201, source=guid),
                 Map(0, Location("tasks"), Location("./todo"), [MapItem(guid, "l4")])])
    assert rig.server_count() == 5
    rig.sync("phone", phone)
    assert len(phone.items) == 5
