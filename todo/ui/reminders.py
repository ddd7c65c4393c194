"""Reminders in the window: a notification when a todo's alarm (VALARM) fires.

The store keeps the index (:mod:`todo.reminders`): every alarm of every open todo, by the
moment it fires. The scheduler asks it for what is due and when the next one comes, and sleeps
until then (at most a minute, so that a change another program made, the CLI's, is seen
soon); :meth:`ReminderScheduler.check` also runs after every change in the window and every
sync. Reminders due before the window opened (the app was not running) come as *missed*, once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from todo.ui import texts
from todo.ui.background import spawn
from todo.ui.todo_service import TodoService

if TYPE_CHECKING:
    from todo.reminders import DueReminder
    from todo.store import TodoStore

# Longest sleep between two looks (a write by another program is seen within it).
MAX_SLEEP = timedelta(minutes=1)
# A reminder due this long before the window opened was missed (shown as such).
MISSED_GRACE = timedelta(minutes=1)
SNOOZE = timedelta(minutes=10)


class ReminderScheduler(QObject):
    """Emits ``fired`` with the reminders whose time came (each once, across restarts)."""

    fired = Signal(object)  # list[DueReminder]

    def __init__(self, service: TodoService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.opened = self.clock()
        self.next_at: datetime | None = None
        self.looks = 0  # how many looks finished (tests wait for one)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_soon)

    def start(self) -> None:
        """Look now, then whenever the next reminder is due."""
        self.opened = self.clock()
        self.check_soon()

    def stop(self) -> None:
        """No more looks (the window closes)."""
        self._timer.stop()

    def check_soon(self) -> None:
        """Look in the background (after a change, a sync, or the timer)."""
        spawn(self.check())

    async def check(self) -> list[DueReminder]:
        """Bring the index up to date, fire what is due; returns what fired."""
        from todo import reminders

        now = self.clock()
        missed_before = self.opened - MISSED_GRACE

        def run(store: TodoStore) -> tuple[list[DueReminder], datetime | None]:
            def look(conn: sqlite3.Connection) -> tuple[list[DueReminder], datetime | None]:
                reminders.catch_up(conn, store.zone)
                due = reminders.take_due(conn, now, missed_before=missed_before)
                return due, reminders.next_moment(conn)

            return store.within(look)

        due, self.next_at = await self.service.run(run)
        self.looks += 1
        if due:
            self.fired.emit(due)
        self._schedule(now)
        return due

    def _schedule(self, now: datetime) -> None:
        wait = MAX_SLEEP
        if self.next_at is not None:
            wait = min(max(self.next_at - now, timedelta(0)), MAX_SLEEP)
        self._timer.start(int(wait.total_seconds() * 1000) + 50)

    async def snooze(self, todo_id: int, delay: timedelta = SNOOZE) -> None:
        """Remind of the todo again after ``delay``."""
        from todo import reminders

        until = self.clock() + delay
        await self.service.run(
            lambda store: store.within(lambda conn: reminders.snooze(conn, todo_id, until))
        )
        self.check_soon()


def reminder_body(reminder: DueReminder, today: date) -> str:
    """ "Due Today 17:00" (or nothing to say about the due date)."""
    if reminder.due is None:
        return ""
    return texts.moment_text(reminder.due, today)
