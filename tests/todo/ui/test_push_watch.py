"""The window's side of the push channel, with a listener the test feeds: a sync for every
connection and every push, the notices shown, the channel's trouble in the sync status; and
a push that comes while a sync runs gets a sync of its own, even when that sync fails. A
controller stopped because the window closes lets the running sync finish first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from PySide6.QtWidgets import QApplication

from syncml import notification as san
from tests.todo.ui.conftest import ME, close, until
from todo.push import (
    Connected,
    Disconnected,
    Notice,
    PushDisabled,
    PushEvent,
    PushListener,
    SyncRequested,
)
from todo.ui.app import build_window
from todo.ui.background import spawn
from todo.ui.push_watch import watch_push
from todo.ui.sync_status import PushPhase, SyncController, SyncPhase


class FedListener(PushListener):
    """Yields what the test puts in :attr:`queue`; an exception put there is raised."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9/traveler", "token")
        self.queue: asyncio.Queue[PushEvent | Exception] = asyncio.Queue()

    async def events(self) -> AsyncIterator[PushEvent]:
        while True:
            event = await self.queue.get()
            if isinstance(event, Exception):
                raise event
            yield event


def pushed(*notices: Notice, position: int = 1) -> SyncRequested:
    return SyncRequested(("tasks",), notices, position, san.Notification("vm"))


async def test_the_sync_status_shows_the_push_channel_down_and_back(
    qapp: QApplication, english: None, store_path: Path
) -> None:
    syncs: list[int] = []

    async def run_sync() -> str:
        syncs.append(1)
        return "ok"

    def done() -> bool:
        return app.sync.state.phase is SyncPhase.DONE

    app = build_window(store_path, me=ME, run_sync=run_sync)
    listener = FedListener()
    task = spawn(watch_push(listener, app.sync.sync_now, app.notifier.notify, app.sync.set_push))
    try:
        app.window.show()
        status = app.window.sync_status
        assert not status.push.isVisible()

        # connected: a sync for what changed before the subscription began; nothing to show
        listener.queue.put_nowait(Connected("vm", 0))
        await until(lambda: len(syncs) == 1 and done(), "the sync on connecting")
        assert app.sync.push.phase is PushPhase.CONNECTED and not status.push.isVisible()

        # dropped: the status says so, and when the listener tries again
        listener.queue.put_nowait(Disconnected("push connection lost: ConnectError", 3.6))
        await until(lambda: status.push.isVisible(), "the interruption")
        assert status.push.text() == "Live updates interrupted — reconnecting"
        assert status.push.toolTip() == "push connection lost: ConnectError — trying again in 4 s"
        assert status.label.text() == "Synced just now"  # the last sync still counts

        # back: the note goes, and a sync picks up what happened meanwhile
        listener.queue.put_nowait(Connected("vm", 0))
        await until(lambda: not status.push.isVisible(), "the reconnection")
        await until(lambda: len(syncs) == 2 and done(), "the sync on reconnecting")

        # a push: a sync, and its notice shown
        answer = Notice("answered", "Budget", "Frank Adams", partstat="ACCEPTED")
        listener.queue.put_nowait(pushed(answer))
        await until(lambda: len(syncs) == 3 and done(), "the sync for the push")
        await until(lambda: app.notifier.shown, "the notice")
        assert app.notifier.shown[-1].body == "Frank Adams answered “Budget”: accepted"

        # refused for good: the channel ends and the status says why
        listener.queue.put_nowait(PushDisabled("Push is turned off on this server."))
        await until(task.done, "the end of the channel")
        assert status.push.isVisible() and status.push.text() == "No live updates"
        assert status.push.toolTip() == (
            "Push is turned off on this server. Changes made elsewhere arrive with the next sync."
        )
    finally:
        task.cancel()
        await asyncio.wait([task])
        await close(app)


async def test_a_listener_that_fails_leaves_the_status_saying_so(
    qapp: QApplication, english: None, store_path: Path
) -> None:
    app = build_window(store_path, me=ME)
    listener = FedListener()
    task = asyncio.ensure_future(
        watch_push(listener, app.sync.sync_now, app.notifier.notify, app.sync.set_push)
    )
    try:
        app.window.show()
        listener.queue.put_nowait(Connected("vm", 0))
        await until(lambda: app.sync.push.phase is PushPhase.CONNECTED, "the channel")
        listener.queue.put_nowait(RuntimeError("no running event loop"))
        await asyncio.wait([task])
        assert isinstance(task.exception(), RuntimeError)  # not swallowed: it is logged
        status = app.window.sync_status
        assert status.push.text() == "No live updates"
        assert status.push.toolTip().startswith("no running event loop ")
    finally:
        await close(app)


async def test_a_push_during_a_sync_gets_a_sync_of_its_own_even_when_that_one_fails(
    qapp: QApplication,
) -> None:
    release = asyncio.Event()
    runs: list[int] = []

    async def run_sync() -> str:
        runs.append(1)
        if len(runs) == 1:
            await release.wait()
            raise ConnectionError("the server at http://127.0.0.1:9/traveler cannot be reached")
        return "ok"

    sync = SyncController(run_sync)
    sync.sync_now()
    await until(lambda: runs, "the first sync")
    sync.sync_now()  # a push while it runs
    assert len(runs) == 1
    release.set()
    await until(lambda: len(runs) == 2 and sync.state.phase is SyncPhase.DONE, "the second")


async def test_a_stopped_controller_lets_the_running_sync_finish_and_starts_no_more(
    qapp: QApplication,
) -> None:
    release = asyncio.Event()
    runs: list[int] = []

    async def run_sync() -> str:
        runs.append(1)
        await release.wait()
        return "ok"

    sync = SyncController(run_sync)
    sync.sync_now()
    await until(lambda: runs, "the sync")
    sync.sync_now()  # a push while it runs: would make one more run
    stopping = asyncio.ensure_future(sync.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # the window closes only once the running sync is through
    release.set()
    await stopping
    assert sync.state.phase is SyncPhase.DONE
    sync.sync_now()
    assert runs == [1] and sync.state.phase is SyncPhase.DONE
