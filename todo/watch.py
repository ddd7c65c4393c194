"""Stay connected and sync on every push: what ``traveler-todo sync --watch`` runs (no Qt).

:func:`watch` syncs once at the start (whatever happened while the app was closed), then once
for every Server Alerted Notification the push listener delivers, and reports one line per
sync with the notices that came with it ("Frank Adams delegated 'Latest defect count' to
you"). Pushes that arrive during a sync are folded into one more sync afterwards, so a burst
of changes costs two syncs, not one per change. When the server has push turned off, it falls
back to syncing on a schedule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from todo.push import (
    Connected,
    Disconnected,
    Notice,
    PushDisabled,
    PushListener,
    SyncRequested,
)

__all__ = ["WatchReport", "watch"]

# Without push, how often to sync (the server answered push-disabled).
FALLBACK_INTERVAL_S = 300.0


@dataclass(frozen=True, slots=True)
class WatchReport:
    """One line of ``sync --watch`` output, and what it is about."""

    when: datetime
    kind: str  # "sync", "sync-failed", "push"
    text: str
    notices: tuple[Notice, ...] = ()

    @property
    def line(self) -> str:
        return f"{self.when:%H:%M:%S} {self.text}"


Sync = Callable[[], Awaitable[str]]  # runs one sync, returns its one-line summary
Report = Callable[[WatchReport], None]


async def watch(listener: PushListener, sync: Sync, report: Report, *,
                fallback_interval: float = FALLBACK_INTERVAL_S,
                clock: Callable[[], datetime] = datetime.now) -> None:
    """Run until cancelled; a :class:`~todo.push.PushError` other than push-disabled ends it."""
    wanted = asyncio.Event()
    pending: list[Notice] = []
    wanted.set()  # the first sync: catch up with what happened while we were away

    async def syncing() -> None:
        while True:
            await wanted.wait()
            wanted.clear()
            notices = tuple(pending)
            pending.clear()
            try:
                summary = await sync()
            except Exception as exc:  # a failed sync is reported; the next push retries
                report(WatchReport(clock(), "sync-failed", f"sync failed: {exc}", notices))
                continue
            text = f"synced: {summary}"
            if notices:
                text += " — " + "; ".join(n.text for n in notices)
            report(WatchReport(clock(), "sync", text, notices))

    async def listening() -> None:
        try:
            async for event in listener.events():
                if isinstance(event, SyncRequested):
                    pending.extend(event.notices)
                    wanted.set()
                elif isinstance(event, Connected):
                    report(WatchReport(clock(), "push", f"push: connected to {event.server}"))
                    # Anything between the last sync and this connection is not pushed again.
                    wanted.set()
                elif isinstance(event, Disconnected):
                    report(WatchReport(clock(), "push",
                                       f"push: {event.reason}; retrying in "
                                       f"{event.retry_in:.1f} s"))
        except PushDisabled as exc:
            report(WatchReport(clock(), "push", f"push: {exc}; syncing every "
                                                f"{fallback_interval:g} s instead"))
            while True:
                await asyncio.sleep(fallback_interval)
                wanted.set()

    async with asyncio.TaskGroup() as group:
        group.create_task(syncing())
        group.create_task(listening())
