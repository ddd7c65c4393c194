"""Reminders: a desktop notification when a todo's alarm (VALARM) fires.

Every half minute the scheduler looks at the open todos due from a few minutes ago to two days
ahead (the store's By Due Date order, so it stops reading at the first one beyond) and fires
the alarms whose time has come since the last look. An alarm relative to the start or due date
or at a fixed time of such a todo is seen; a fixed-time alarm of a todo with no due date is
not (the store has no index of alarm times).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from todo.ui import texts
from todo.ui.background import spawn
from todo.ui.todo_service import ListQuery, TodoService
from todo.views import View, ViewSpec

LOOK_AHEAD = timedelta(days=2)
LOOK_BACK = timedelta(minutes=10)
_PAGE = 500


@dataclass(frozen=True, slots=True)
class Reminder:
    """An alarm that fired: which todo, its subject and due date, and when it fired."""

    todo_id: int
    uid: str
    subject: str
    due: date | datetime | None
    fires_at: datetime


def _local(value: date | datetime) -> datetime:
    """A date or moment as a naive local wall-clock time (floating times as they are)."""
    if isinstance(value, datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    return datetime(value.year, value.month, value.day)


class ReminderScheduler(QObject):
    """Emits ``fired`` for each alarm whose time came (each alarm once per run of the app)."""

    fired = Signal(object)  # Reminder

    def __init__(self, service: TodoService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.clock: Callable[[], datetime] = datetime.now
        self._last = self.clock() - timedelta(minutes=1)
        self._seen: set[tuple[str, datetime]] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(lambda: spawn(self.check()))

    def start(self) -> None:
        """Look now and then every half minute."""
        self._timer.start()
        spawn(self.check())

    async def check(self) -> list[Reminder]:
        """Fire the alarms due since the last look; returns them."""
        now = self.clock()
        since, self._last = self._last, now
        page = await self.service.page(ListQuery(ViewSpec(View.BY_DUE)), 0, _PAGE)
        fired: list[Reminder] = []
        for summary in page.rows:
            if summary.due is None:
                break  # the todos without a due date come last
            due = _local(summary.due)
            if due > now + LOOK_AHEAD:
                break
            if due < since - LOOK_BACK - LOOK_AHEAD:
                continue
            record = await self.service.record(summary.id)
            for alarm in record.task.alarms:
                moment = alarm.fires_at(record.task)
                if moment is None:
                    continue
                when = _local(moment)
                key = (summary.uid, when)
                if since < when <= now and key not in self._seen:
                    self._seen.add(key)
                    reminder = Reminder(summary.id, summary.uid, summary.subject, summary.due, when)
                    fired.append(reminder)
                    self.fired.emit(reminder)
        return fired


def reminder_body(reminder: Reminder, today: date) -> str:
    """ "Due Today 17:00" (or nothing to say about the due date)."""
    if reminder.due is None:
        return ""
    return texts.moment_text(reminder.due, today)
