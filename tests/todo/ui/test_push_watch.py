"""The window's side of the push channel: a push that comes while a sync runs gets a sync of
its own, even when that sync fails."""

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
