"""The ToDo store synced with our server through the real client engine, in process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from companion.api_client import ServerUnreachableError
from server.app import create_app
from server.config import load_settings
from server.store import Database
from server.stores import user_store
from syncml.client import ClientConfig
from syncml.codes import AlertCode
from todo.store import TodoStore
from todo.sync import StoreBackend, SyncReport, sync_store
from todo.task import Priority, Task
from todo.views import View, ViewSpec

URL = "http://testserver/traveler"


class CuttingTransport(httpx.AsyncBaseTransport):
    """The ASGI app, with the network dying after ``cut_after`` requests when that is set:
    before the next request reaches the server, or (``lose_reply``) after, so that the
    server has acted on a message whose answer never arrives."""

    def __init__(self, app: object) -> None:
        self.inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.requests = 0
        self.cut_after: int | None = None
        self.lose_reply = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        cut = self.cut_after is not None and self.requests > self.cut_after
        if cut and not self.lose_reply:
            raise httpx.ConnectError("the network is down", request=request)
        response = await self.inner.handle_async_request(request)
        if cut:
            await response.aread()
            raise httpx.ConnectError("the network went down", request=request)
        return response


@dataclass
class Server:
    http: httpx.AsyncClient
    transport: CuttingTransport

    async def sync(self, store: TodoStore, config: ClientConfig) -> SyncReport:
        return await sync_store(store, config, client=self.http)

    def cut_after(self, requests: int | None, *, lose_reply: bool = False) -> None:
        self.transport.requests = 0
        self.transport.cut_after = requests
        self.transport.lose_reply = lose_reply


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path / "server") as db:
        yield db


@pytest.fixture
async def server(tmp_path: Path, database: Database) -> AsyncIterator[Server]:
    settings = load_settings(tmp_path / "server")
    user_store(settings, database).add("alice", "alice@example.com", "alice-secret-1")
    transport = CuttingTransport(create_app(settings, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Server(http, transport)


def device(tmp_path: Path, name: str) -> tuple[TodoStore, ClientConfig]:
    store = TodoStore.open(tmp_path / name / "todo.db")
    config = ClientConfig(URL, "alice", "alice-secret-1", device_id=f"traveler-{name}")
    return store, config


def subjects(store: TodoStore) -> list[str]:
    return sorted(t.subject for t in store.query(ViewSpec(View.ALL))) + sorted(
        t.subject for t in store.query(ViewSpec(View.COMPLETED))
    )


async def test_two_devices_of_one_user_converge(tmp_path: Path, server: Server) -> None:
    laptop, laptop_config = device(tmp_path, "laptop")
    desktop, desktop_config = device(tmp_path, "desktop")
    call = laptop.add(Task("", summary="Call Frank", priority=Priority.HIGH, categories=["Work"]))
    laptop.add(Task("", summary="Buy tiles"))
    first = await server.sync(laptop, laptop_config)
    assert first.done.sent.total == 2 and laptop.pending_changes() == []
    await server.sync(desktop, desktop_config)
    assert subjects(desktop) == ["Buy tiles", "Call Frank"]

    uid = laptop.get(call).task.uid
    on_desktop = desktop.find(uid)
    assert on_desktop is not None
    desktop.complete(on_desktop)
    laptop.update(call, description="about the tiles")  # a different field: both kept
    await server.sync(desktop, desktop_config)
    report = await server.sync(laptop, laptop_config)
    assert report.overridden == ()
    task = laptop.get(call).task
    assert task.is_completed and task.description == "about the tiles"
    await server.sync(desktop, desktop_config)
    assert desktop.get(on_desktop).task.description == "about the tiles"
    assert len(laptop) == len(desktop) == 2


async def test_an_overridden_edit_is_kept_and_restored(tmp_path: Path, server: Server) -> None:
    laptop, laptop_config = device(tmp_path, "laptop")
    desktop, desktop_config = device(tmp_path, "desktop")
    todo = laptop.add(Task("", summary="Paint the hall"))
    await server.sync(laptop, laptop_config)
    await server.sync(desktop, desktop_config)
    other = desktop.find(laptop.get(todo).task.uid) or 0
    desktop.update(other, summary="Paint the hall blue")
    await server.sync(desktop, desktop_config)
    laptop.update(todo, summary="Paint the hall white")
    report = await server.sync(laptop, laptop_config)
    # whichever version the server kept, no edit is lost
    record = laptop.get(todo)
    if record.task.summary == "Paint the hall blue":
        assert report.overridden == (todo,)
        assert record.overridden is not None
        assert record.overridden.summary == "Paint the hall white"
        assert laptop.query()[0].conflict
        laptop.restore(todo)
        await server.sync(laptop, laptop_config)
        await server.sync(desktop, desktop_config)
        assert desktop.get(other).task.summary == "Paint the hall white"
    else:
        assert record.task.summary == "Paint the hall white"
        await server.sync(desktop, desktop_config)
        assert desktop.get(other).task.summary == "Paint the hall white"


async def test_unknown_properties_survive_the_server(tmp_path: Path, server: Server) -> None:
    laptop, laptop_config = device(tmp_path, "laptop")
    desktop, desktop_config = device(tmp_path, "desktop")
    laptop.import_calendar(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tasks.org//EN\r\nBEGIN:VTODO\r\n"
        "UID:keep-1\r\nSUMMARY:Keep me\r\nX-TASKS-ORG-ORDER;X-P=1:42\r\nGEO:48.1;11.5\r\n"
        "END:VTODO\r\nEND:VCALENDAR\r\n"
    )
    await server.sync(laptop, laptop_config)
    await server.sync(desktop, desktop_config)
    data = desktop.get(desktop.find("keep-1") or 0).data
    assert "X-TASKS-ORG-ORDER;X-P=1:42" in data and "GEO:48.1;11.5" in data
    desktop.update(desktop.find("keep-1") or 0, priority=Priority.LOW)
    await server.sync(desktop, desktop_config)
    await server.sync(laptop, laptop_config)
    record = laptop.get(laptop.find("keep-1") or 0)
    assert record.task.priority is Priority.LOW
    assert "X-TASKS-ORG-ORDER;X-P=1:42" in record.data


@pytest.mark.parametrize("lose_reply", [False, True], ids=["request-lost", "reply-lost"])
@pytest.mark.parametrize("cut_after", [0, 1, 2])
async def test_a_cut_sync_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, server: Server, cut_after: int, lose_reply: bool
) -> None:
    laptop, laptop_config = device(tmp_path, "laptop")
    desktop, desktop_config = device(tmp_path, "desktop")
    for n in range(5):
        desktop.add(Task("", summary=f"from desktop {n}"))
    await server.sync(desktop, desktop_config)
    for n in range(5):
        laptop.add(Task("", summary=f"from laptop {n}"))
    server.cut_after(cut_after, lose_reply=lose_reply)
    with pytest.raises(ServerUnreachableError):
        await server.sync(laptop, laptop_config)
    laptop.add(Task("", summary="while offline"))
    server.cut_after(None)
    await server.sync(laptop, laptop_config)
    await server.sync(desktop, desktop_config)
    expected = sorted(
        [f"from desktop {n}" for n in range(5)]
        + [f"from laptop {n}" for n in range(5)]
        + ["while offline"]
    )
    assert subjects(laptop) == expected
    assert subjects(desktop) == expected
    assert laptop.pending_changes() == [] and desktop.pending_changes() == []


async def test_a_delete_on_one_device_reaches_the_other(tmp_path: Path, server: Server) -> None:
    laptop, laptop_config = device(tmp_path, "laptop")
    desktop, desktop_config = device(tmp_path, "desktop")
    todo = laptop.add(Task("", summary="Gone soon"))
    keep = laptop.add(Task("", summary="Edited offline"))
    await server.sync(laptop, laptop_config)
    await server.sync(desktop, desktop_config)
    laptop.delete(todo)
    desktop.delete(desktop.find(laptop.get(keep).task.uid) or 0)
    laptop.update(keep, summary="Edited offline, still wanted")
    await server.sync(desktop, desktop_config)
    report = await server.sync(laptop, laptop_config)
    await server.sync(desktop, desktop_config)
    # the delete of an edited todo does not lose the edit
    assert subjects(laptop) == subjects(desktop) == ["Edited offline, still wanted"]
    assert report.kept in ((), (keep,))


@pytest.mark.parametrize("lose_reply", [False, True], ids=["request-lost", "reply-lost"])
@pytest.mark.parametrize("cut_after", [0, 1, 2, 3])
async def test_a_cut_two_way_sync_is_resumed(
    tmp_path: Path, server: Server, cut_after: int, lose_reply: bool
) -> None:
    laptop, laptop_config = device(tmp_path, "laptop")
    desktop, desktop_config = device(tmp_path, "desktop")
    edit, gone = laptop.add(Task("", summary="edit me")), laptop.add(Task("", summary="drop me"))
    await server.sync(laptop, laptop_config)
    await server.sync(desktop, desktop_config)
    desktop.add(Task("", summary="new on desktop"))
    await server.sync(desktop, desktop_config)
    laptop.update(edit, summary="edited")
    laptop.delete(gone)
    laptop.add(Task("", summary="new on laptop"))
    server.cut_after(cut_after, lose_reply=lose_reply)
    with contextlib.suppress(ServerUnreachableError):
        await server.sync(laptop, laptop_config)
    server.cut_after(None)
    await server.sync(laptop, laptop_config)
    await server.sync(desktop, desktop_config)
    expected = ["edited", "new on desktop", "new on laptop"]
    assert subjects(laptop) == subjects(desktop) == expected
    assert laptop.pending_changes() == [] and desktop.pending_changes() == []


async def test_the_next_sync_signs_in_at_once_also_after_a_restart(
    tmp_path: Path, server: Server
) -> None:
    laptop, config = device(tmp_path, "laptop")
    laptop.add(Task("", summary="first"))
    server.cut_after(None)
    await server.sync(laptop, config)
    first = server.transport.requests
    laptop.close()  # the app quits; the nonce is in the store, not in the host's memory
    again = TodoStore.open(tmp_path / "laptop" / "todo.db")
    again.add(Task("", summary="second"))
    server.cut_after(None)
    await server.sync(again, config)
    # two-way, so no fewer messages than the first sync's, minus the refused first try
    assert server.transport.requests == first - 1
    assert subjects(again) == ["first", "second"]


@pytest.mark.parametrize("how", ["anchors-lost", "server-508"])
async def test_a_delete_made_offline_survives_a_slow_sync(
    tmp_path: Path, server: Server, database: Database, how: str
) -> None:
    laptop, laptop_config = device(tmp_path, "laptop")
    desktop, desktop_config = device(tmp_path, "desktop")
    gone = laptop.add(Task("", summary="deleted offline"))
    laptop.add(Task("", summary="kept"))
    await server.sync(laptop, laptop_config)
    await server.sync(desktop, desktop_config)
    desktop.add(Task("", summary="from desktop"))
    await server.sync(desktop, desktop_config)
    laptop.delete(gone)
    if how == "anchors-lost":
        StoreBackend(laptop).save_anchors(None)  # the client asks for a slow sync itself
    else:
        laptop.set_meta("sync.anchor.local", "not-what-the-server-has")  # the server: 508
    report = await server.sync(laptop, laptop_config)
    assert report.done.mode == AlertCode.SLOW_SYNC
    # answered, not brought back, and deleted on the server in the session right after
    assert report.deletes_sent_after is not None
    assert report.deletes_sent_after.sent.deleted == 1
    assert subjects(laptop) == ["from desktop", "kept"]
    assert laptop.pending_changes() == []
    await server.sync(desktop, desktop_config)
    assert subjects(desktop) == ["from desktop", "kept"]
    rows = database.query("SELECT data FROM items")
    assert sorted(str(r["data"]).split("SUMMARY:")[1].split("\r")[0] for r in rows) == [
        "from desktop", "kept"]
    second = await server.sync(laptop, laptop_config)
    assert second.done.mode == AlertCode.TWO_WAY and second.done.received.total == 0
