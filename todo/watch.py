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


async def watch(listener: PushListener | None, sync: Sync, report: Report, *,
                fallback_interval: float = FALLBACK_INTERVAL_S,
                fatal: tuple[type[Exception], ...] = (),
                clock: Callable[[], datetime] = datetime.now) -> None:
    """Run until cancelled. Without a listener (a server without push) it syncs on a
    schedule. A :class:`~todo.push.PushError` other than push-disabled ends it, and so does
    a sync failing with one of the ``fatal`` errors (a wrong password: retrying will not
    help); other failed syncs are reported and the next push or tick tries again."""
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
            except fatal:
                raise
            except Exception as exc:  # a failed sync is reported; the next push retries
                report(WatchReport(clock(), "sync-failed", f"sync failed: {exc}", notices))
                continue
            text = f"synced: {summary}"
            if notices:
                text += " — " + "; ".join(n.text for n in notices)
            report(WatchReport(clock(), "sync", text, notices))

    async def on_schedule() -> None:
        while True:
            await asyncio.sleep(fallback_interval)
            wanted.set()

    async def listening() -> None:
        if listener is None:
            await on_schedule()
            return
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
            await on_schedule()

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(syncing())
            group.create_task(listening())
    except ExceptionGroup as failed:
        # One task's failure cancels the other: callers get that failure, not a group.
        raise _first(failed) from None


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    inner = group.exceptions[0]
    return _first(inner) if isinstance(inner, BaseExceptionGroup) else inner
