"""The window's side of the push channel: a push that comes while a sync runs gets a sync of
its own, even when that sync fails. A controller stopped because the window closes lets the
running sync finish first."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication

from tests.todo.ui.conftest import until
from todo.ui.sync_status import SyncController, SyncPhase


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
