"""Our SyncML client (syncml.client over todo/sync_transport.py) against SyncEvolution's own
server (syncevo-http-server): another implementation's server, WBXML and XML, md5 and basic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncml import auth
from syncml.client import ClientConfig, MemoryClientBackend
from syncml.codes import AlertCode
from tests.interop.syncevo_server import SyncEvolutionServer
from tests.syncml.items import vtodo
from todo.store import TodoStore
from todo.sync import StoreBackend, sync_store
from todo.sync_transport import sync
from todo.views import View, ViewSpec

USER, PASSWORD = "alice", "alice-secret-1"


@pytest.fixture
def syncevo(tmp_path: Path) -> Iterator[SyncEvolutionServer]:
    # A fresh server per scenario: on one that earlier scenarios used, SyncEvolution's server
    # (file backend) once sent a Replace for a LUID of another item.
    with SyncEvolutionServer(tmp_path / "syncevo") as server:
        yield server


def device(server: SyncEvolutionServer, name: str, **changes: object) -> ClientConfig:
    server.add_peer(name, USER, PASSWORD)
    values: dict[str, object] = {"url": server.url, "username": USER, "password": PASSWORD,
                                 "device_id": name, "remote_uri": server.datastore_uri}
    values.update(changes)
    return ClientConfig(**values)  # type: ignore[arg-type]


def unfolded(backend: MemoryClientBackend) -> list[str]:
    """The items' text with folded lines joined (SyncEvolution's server folds at 75)."""
    return [data.replace("\r\n ", "").replace("\n ", "") for data in backend.data()]


def summaries(backend: MemoryClientBackend) -> set[str]:
    return {line.split(":", 1)[1] for data in unfolded(backend) for line in data.splitlines()
            if line.startswith("SUMMARY:")}


@pytest.mark.parametrize("wbxml", [True, False], ids=["wbxml", "xml"])
@pytest.mark.parametrize("auth_type", [auth.AUTH_MD5, auth.AUTH_BASIC], ids=["md5", "basic"])
async def test_up_down_and_two_way_with_syncevolutions_server(syncevo, wbxml, auth_type):
    tag = f"{'wbxml' if wbxml else 'xml'}-{auth_type[-3:]}"
    laptop = MemoryClientBackend()
    laptop.create(vtodo(f"uid-{tag}-1", f"{tag} one"))
    laptop.create(vtodo(f"uid-{tag}-2", f"{tag} two"))
    laptop_cfg = device(syncevo, f"ours-laptop-{tag}", wbxml=wbxml, auth_type=auth_type)
    up = await sync(laptop_cfg, laptop)
    assert up.mode == AlertCode.SLOW_SYNC and up.sent.total == 2
    stored = syncevo.store.uids()
    assert f"uid-{tag}-1" in stored and f"uid-{tag}-2" in stored

    phone = MemoryClientBackend()
    phone_cfg = device(syncevo, f"ours-phone-{tag}", wbxml=wbxml, auth_type=auth_type)
    down = await sync(phone_cfg, phone)
    assert {f"{tag} one", f"{tag} two"} <= summaries(phone)
    assert down.received.added == len(syncevo.store.uids())

    # two-way: an edit on the phone, an add and a delete on the laptop
    luid = next(luid for luid, item in phone.items.items() if f"{tag} one" in item.data)
    phone.edit(luid, vtodo(f"uid-{tag}-1", f"{tag} one edited"))
    edited = await sync(phone_cfg, phone)
    assert edited.mode == AlertCode.TWO_WAY and edited.sent.replaced == 1
    laptop.create(vtodo(f"uid-{tag}-3", f"{tag} three"))
    laptop.remove(next(luid for luid, item in laptop.items.items() if f"{tag} two" in item.data))
    both = await sync(laptop_cfg, laptop)
    assert both.mode == AlertCode.TWO_WAY
    assert (both.sent.added, both.sent.deleted, both.received.replaced) == (1, 1, 1)
    await sync(phone_cfg, phone)
    mine = {s for s in summaries(laptop) if s.startswith(tag)}
    assert mine == {f"{tag} one edited", f"{tag} three"}
    assert {s for s in summaries(phone) if s.startswith(tag)} == mine
    assert sorted(u for u in syncevo.store.uids() if u.startswith(f"uid-{tag}")) == [
        f"uid-{tag}-1", f"uid-{tag}-3"]


async def test_small_messages_and_a_large_object_with_syncevolutions_server(syncevo):
    big = vtodo("uid-big", "big", "DESCRIPTION:" + "long text & more " * 2000 + "\r\n")
    laptop = MemoryClientBackend()
    laptop.create(big)
    for i in range(30):
        laptop.create(vtodo(f"uid-small-{i}", f"small {i} " + "x" * 100))
    cfg = device(syncevo, "ours-small-laptop", max_msg_size=10240)
    up = await sync(cfg, laptop)
    assert up.sent.total == 31 and up.failed == 0
    phone = MemoryClientBackend()
    down = await sync(device(syncevo, "ours-small-phone", max_msg_size=10240), phone)
    assert down.failed == 0
    assert any("uid-big" in data and data.count("long text & more") == 2000
               for data in unfolded(phone))
    assert {f"small {i} " + "x" * 100 for i in range(30)} <= summaries(phone)


async def test_a_delete_made_offline_survives_a_slow_sync_with_syncevolutions_server(
    syncevo, tmp_path
):
    """The todo store's tombstone against another implementation's server: the slow sync
    sends the deleted todo back, it stays deleted, and the Delete reaches that server."""
    laptop = TodoStore.open(tmp_path / "laptop.db")
    gone = laptop.import_calendar(vtodo("uid-gone", "deleted offline"))[0]
    laptop.import_calendar(vtodo("uid-kept", "kept"))
    cfg = device(syncevo, "ours-tombstone-laptop")
    await sync_store(laptop, cfg)
    assert {"uid-gone", "uid-kept"} <= set(syncevo.store.uids())
    laptop.delete(gone)
    StoreBackend(laptop).save_anchors(None)  # anchors lost: the next sync is slow
    report = await sync_store(laptop, cfg)
    assert report.done.mode == AlertCode.SLOW_SYNC
    assert report.deletes_sent_after is not None
    assert report.deletes_sent_after.sent.deleted == 1
    assert [t.subject for t in laptop.query(ViewSpec(View.ALL))] == ["kept"]
    assert "uid-gone" not in syncevo.store.uids() and "uid-kept" in syncevo.store.uids()
    assert laptop.pending_changes() == []
