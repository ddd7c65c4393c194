"""``sync --watch``'s loop: a sync at the start, one per push (bursts folded), a line each."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

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
from todo.push import Backoff, PushListener
from todo.watch import WatchReport, watch

TOKEN = "frank-laptop-token"
HANG_GUARD_S = 30  # only so a broken test fails instead of hanging; never a measurement


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path) as db:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        UserStore(db, store_md5_secret=False, hasher=cheap).add("frank", "frank@example.org",
                                                                "secret-pass")
        yield db


class Recorder:
    """The sync the loop runs (counted) and the lines it reports."""

    def __init__(self) -> None:
        self.syncs = 0
        self.reports: list[WatchReport] = []
        self.changed = asyncio.Condition()

    async def sync(self) -> str:
        self.syncs += 1
        return f"{self.syncs} done"

    def report(self, line: WatchReport) -> None:
        self.reports.append(line)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def until(self, predicate: object) -> None:
        async def wait() -> None:
            async with self.changed:
                await self.changed.wait_for(predicate)  # type: ignore[arg-type]
        await asyncio.wait_for(wait(), HANG_GUARD_S)


def syncs(recorder: Recorder) -> list[str]:
    return [r.text for r in recorder.reports if r.kind == "sync"]


async def test_a_push_brings_a_sync_and_a_line_with_the_notice(database: Database) -> None:
    pk = DeviceStore(database).register_or_touch(1, "frank-laptop", when=datetime.now(UTC)).id
    recorder = Recorder()
    async with LiveServer(push_app(database, pk, token=TOKEN, server_id="Traveler/Test")) as server:
        listener = PushListener(server.url + "/traveler", TOKEN,
                                backoff=Backoff(0.05, 0.2, jitter=lambda d: d))
        loop = asyncio.create_task(watch(listener, recorder.sync, recorder.report))
        await recorder.until(lambda: any(r.kind == "push" for r in recorder.reports)
                             and syncs(recorder))
        before = recorder.syncs

        PushEventStore(database).record(1, "tasks", "delegated", detail={
            "by": "Alice Example", "summary": "Latest defect count", "uid": "t-1"})
        await recorder.until(lambda: recorder.syncs > before)

        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert recorder.reports[-1].text.endswith(
        "— Alice Example delegated 'Latest defect count' to you")
    assert recorder.reports[-1].line.split(" ", 1)[1].startswith("synced: ")
    assert "push: connected to Traveler/Test" in [r.text for r in recorder.reports]


async def test_without_push_it_syncs_on_a_schedule() -> None:
    async def disabled(request: Request) -> Response:
        return JSONResponse({"code": "push-disabled", "detail": "NTS_PUSH_ENABLE=false"},
                            status_code=503, media_type="application/problem+json")

    recorder = Recorder()
    app = Starlette(routes=[Route("/traveler/api/v1/push", disabled)])
    async with LiveServer(app) as server:
        listener = PushListener(server.url + "/traveler", TOKEN)
        loop = asyncio.create_task(watch(listener, recorder.sync, recorder.report,
                                         fallback_interval=0.05))
        await recorder.until(lambda: recorder.syncs >= 3)
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert any("syncing every 0.05 s instead" in r.text for r in recorder.reports)


async def test_a_failed_sync_is_reported_and_the_loop_goes_on() -> None:
    async def disabled(request: Request) -> Response:
        return JSONResponse({"code": "push-disabled", "detail": "off"}, status_code=503,
                            media_type="application/problem+json")

    reports: list[WatchReport] = []
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("server unreachable")
        return "ok"

    app = Starlette(routes=[Route("/traveler/api/v1/push", disabled)])
    async with LiveServer(app) as server:
        listener = PushListener(server.url + "/traveler", TOKEN)
        loop = asyncio.create_task(watch(listener, flaky, reports.append,
                                         fallback_interval=0.05))

        async def two_syncs() -> None:
            while calls < 2:
                await asyncio.sleep(0.01)
        await asyncio.wait_for(two_syncs(), HANG_GUARD_S)
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    kinds = [r.kind for r in reports if r.kind != "push"]
    assert kinds[:2] == ["sync-failed", "sync"]
    assert "server unreachable" in reports[0].text or any(
        "server unreachable" in r.text for r in reports)
