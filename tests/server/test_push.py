"""The push channel: events in the store reach a device's listener as verified SANs over SSE,
through a real uvicorn, across a second server process's store connection and a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.store import Database, UserStore
from server.store.devices import DeviceStore
from server.store.push_events import PushEventStore
from tests.server.live_server import LiveServer
from tests.server.push_app import push_app
from todo.push import (
    Backoff,
    Connected,
    Disconnected,
    Notice,
    PushDisabled,
    PushEvent,
    PushListener,
    PushUnauthorized,
    SyncRequested,
)

TOKEN = "device-token-of-alices-laptop"
SERVER_ID = "traveler-test"
HANG_GUARD_S = 30  # only so a broken test fails instead of hanging; never a measurement


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path) as db:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        UserStore(db, store_md5_secret=False, hasher=cheap).add("alice", "alice@example.org",
                                                                "secret-pass")
        yield db


@pytest.fixture
def other_process(tmp_path: Path, database: Database) -> Iterator[PushEventStore]:
    """The store as another pool member sees it: its own connection to the same file."""
    with Database.open(tmp_path) as db:
        yield PushEventStore(db)


def device_pk(database: Database, device_id: str) -> int:
    return DeviceStore(database).register_or_touch(1, device_id, when=datetime.now(UTC)).id


def quick_backoff() -> Backoff:
    return Backoff(initial=0.05, maximum=0.2, jitter=lambda d: d)


async def next_of(events: AsyncIterator[PushEvent], kind: type[Any]) -> Any:
    async def find() -> Any:
        async for event in events:
            if isinstance(event, kind):
                return event
        raise AssertionError("the listener stopped")
    return await asyncio.wait_for(find(), HANG_GUARD_S)


@pytest.fixture
async def laptop(database: Database) -> AsyncIterator[tuple[int, LiveServer]]:
    pk = device_pk(database, "alice-laptop")
    async with LiveServer(push_app(database, pk, token=TOKEN, server_id=SERVER_ID)) as server:
        yield pk, server


async def test_an_event_recorded_by_another_server_process_is_pushed(
    laptop: tuple[int, LiveServer], other_process: PushEventStore
) -> None:
    _, server = laptop
    events = PushListener(server.url + "/traveler", TOKEN, backoff=quick_backoff()).events()
    await next_of(events, Connected)

    seq = other_process.record(1, "tasks", "delegated", detail={
        "by": "Frank Adams", "summary": "Latest defect count", "uid": "t-1"})

    pushed = await next_of(events, SyncRequested)
    assert pushed.datastores == ("tasks",)
    assert pushed.position == seq
    assert [n.text for n in pushed.notices] == [
        "Frank Adams delegated 'Latest defect count' to you"]
    assert pushed.notification.server_id == SERVER_ID
    assert pushed.notification.syncs[0].sync_type == 206
    await events.aclose()


async def test_the_device_that_made_a_change_is_not_pushed_for_it(
    database: Database, laptop: tuple[int, LiveServer], other_process: PushEventStore
) -> None:
    pk, server = laptop
    phone = device_pk(database, "alice-phone")
    events = PushListener(server.url + "/traveler", TOKEN, backoff=quick_backoff()).events()
    await next_of(events, Connected)

    other_process.record(1, "tasks", "changed", origin_pk=pk)
    from_phone = other_process.record(1, "tasks", "changed", origin_pk=phone)

    pushed = await next_of(events, SyncRequested)
    assert pushed.position == from_phone
    assert pushed.notices == ()
    await events.aclose()


async def test_a_listener_reconnects_and_hears_what_happened_while_away(
    laptop: tuple[int, LiveServer], other_process: PushEventStore
) -> None:
    _, server = laptop
    events = PushListener(server.url + "/traveler", TOKEN, backoff=quick_backoff()).events()
    await next_of(events, Connected)
    await server.stop()
    dropped = await next_of(events, Disconnected)
    assert "push connection" in dropped.reason

    missed = other_process.record(1, "tasks", "answered", detail={
        "by": "Frank Adams", "summary": "Report", "partstat": "COMPLETED"})
    await server.start()  # a restarted server, same port and store

    pushed = await next_of(events, SyncRequested)
    assert pushed.position == missed
    assert [n.text for n in pushed.notices] == ["Frank Adams completed 'Report'"]
    await events.aclose()


async def test_a_notification_keyed_for_another_device_is_not_trusted(
    laptop: tuple[int, LiveServer], other_process: PushEventStore
) -> None:
    _, server = laptop
    # The server keys its SANs with the token it was given; this listener expects another.
    listener = PushListener(server.url + "/traveler", "some-other-token",
                            backoff=quick_backoff())
    events = listener.events()
    await next_of(events, Connected)

    other_process.record(1, "tasks", "changed")

    dropped = await next_of(events, Disconnected)
    assert "digest does not match" in dropped.reason
    await events.aclose()


async def test_subscription_position_survives_in_the_store(
    database: Database, laptop: tuple[int, LiveServer], other_process: PushEventStore
) -> None:
    pk, server = laptop
    events = PushListener(server.url + "/traveler", TOKEN, backoff=quick_backoff()).events()
    await next_of(events, Connected)
    seq = other_process.record(1, "tasks", "changed")
    await next_of(events, SyncRequested)
    # The server stores the position once the notification is sent (at least once: a client
    # gone before that write hears the event again), so the write may trail the client's read.
    store = PushEventStore(database)
    async with asyncio.timeout(HANG_GUARD_S):
        while store.position(pk) != seq:
            await asyncio.sleep(0.01)
    await events.aclose()

    assert store.position(pk) == seq


async def _refusing(status: int, code: str) -> Starlette:
    async def push(request: Request) -> Response:
        return JSONResponse({"status": status, "code": code, "detail": f"refused: {code}"},
                            status_code=status, media_type="application/problem+json")
    return Starlette(routes=[Route("/traveler/api/v1/push", push)])


@pytest.mark.parametrize(("status", "code", "error"), [
    (401, "token-invalid", PushUnauthorized),
    (503, "push-disabled", PushDisabled),
])
async def test_refusals_retrying_cannot_fix_end_the_listener(
    status: int, code: str, error: type[Exception]
) -> None:
    async with LiveServer(await _refusing(status, code)) as server:
        events = PushListener(server.url + "/traveler", TOKEN, backoff=quick_backoff()).events()
        with pytest.raises(error, match=f"refused: {code}"):
            await asyncio.wait_for(events.__anext__(), HANG_GUARD_S)


@pytest.mark.parametrize(("notice", "text"), [
    (Notice("delegated", "Latest defect count", "Frank Adams"),
     "Frank Adams delegated 'Latest defect count' to you"),
    (Notice("answered", "Report", "Frank Adams", partstat="ACCEPTED"),
     "Frank Adams accepted 'Report'"),
    (Notice("answered", "Report", "Frank Adams", partstat="DECLINED"),
     "Frank Adams declined 'Report'"),
    (Notice("cancelled", "Report", "Alice Example"), "Alice Example withdrew 'Report'"),
    (Notice("updated", "Report", "Alice Example"),
     "Alice Example changed 'Report', which is delegated to you"),
])
def test_notices_read_as_a_sentence(notice: Notice, text: str) -> None:
    assert notice.text == text


def test_backoff_grows_to_its_cap_and_resets() -> None:
    backoff = Backoff(initial=1, maximum=5, jitter=lambda d: d)
    assert [backoff.delay() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.delay() == 1
