"""The task domain model shared by the server and the ToDo app (pure: no Qt, no I/O).

Dates follow iCalendar: ``start`` and ``due`` are a :class:`~datetime.date` (an all-day task),
an aware :class:`~datetime.datetime` (a moment; its tzinfo is kept, e.g. a ``ZoneInfo``) or a
naive one (a *floating* wall-clock time that means the same clock time in every zone).
``completed``, ``created`` and ``last_modified`` are moments, normally in UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo


class Priority(enum.Enum):
    """How urgent a task is; iCalendar spells it as PRIORITY 0-9."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"

    @classmethod
    def from_ical(cls, value: int) -> Priority:
        """Map an iCalendar PRIORITY (1-4 high, 5 medium, 6-9 low, 0 undefined) to a priority."""
        if 1 <= value <= 4:
            return cls.HIGH
        if value == 5:
            return cls.MEDIUM
        if value >= 6:
            return cls.LOW
        return cls.NONE

    @property
    def ical_value(self) -> int:
        """The iCalendar PRIORITY this priority is written as (1, 5, 9 or 0)."""
        return _PRIORITY_TO_ICAL[self]

    @property
    def rank(self) -> int:
        """Sort key for "By Priority": high first, tasks without a priority last."""
        return _PRIORITY_RANK[self]


_PRIORITY_TO_ICAL = {Priority.HIGH: 1, Priority.MEDIUM: 5, Priority.LOW: 9, Priority.NONE: 0}
_PRIORITY_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2, Priority.NONE: 3}


class Status(enum.StrEnum):
    """The iCalendar STATUS of a VTODO."""

    NEEDS_ACTION = "NEEDS-ACTION"
    IN_PROCESS = "IN-PROCESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class Classification(enum.StrEnum):
    """The iCalendar CLASS: who may see the task."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"
    CONFIDENTIAL = "CONFIDENTIAL"


class PartStat(enum.StrEnum):
    """An assignee's participation status (iCalendar PARTSTAT for a VTODO)."""

    NEEDS_ACTION = "NEEDS-ACTION"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    TENTATIVE = "TENTATIVE"
    DELEGATED = "DELEGATED"
    COMPLETED = "COMPLETED"
    IN_PROCESS = "IN-PROCESS"


class Role(enum.StrEnum):
    """An assignee's role (iCalendar ROLE)."""

    CHAIR = "CHAIR"
    REQ_PARTICIPANT = "REQ-PARTICIPANT"
    OPT_PARTICIPANT = "OPT-PARTICIPANT"
    NON_PARTICIPANT = "NON-PARTICIPANT"


class AlarmAction(enum.StrEnum):
    """What an alarm does when it fires (iCalendar ACTION)."""

    DISPLAY = "DISPLAY"
    AUDIO = "AUDIO"
    EMAIL = "EMAIL"


class AlarmRelated(enum.StrEnum):
    """Which end of the task a relative alarm trigger counts from (START = DTSTART, END = DUE)."""

    START = "START"
    END = "END"


@dataclass(frozen=True, slots=True)
class Organizer:
    """The person who owns (and may have delegated) the task."""

    email: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Attendee:
    """A person the task is assigned to (an iCalendar ATTENDEE)."""

    email: str
    name: str = ""
    partstat: PartStat = PartStat.NEEDS_ACTION
    role: Role = Role.REQ_PARTICIPANT


@dataclass(frozen=True, slots=True)
class Alarm:
    """A reminder: ``trigger`` is an offset from start/due (timedelta) or a moment (datetime)."""

    trigger: timedelta | datetime
    action: AlarmAction = AlarmAction.DISPLAY
    description: str = ""
    related: AlarmRelated = AlarmRelated.START

    def fires_at(self, task: Task) -> datetime | date | None:
        """When the alarm fires for ``task``; None if a relative trigger has no anchor."""
        if isinstance(self.trigger, datetime):
            return self.trigger
        anchor = task.due if self.related is AlarmRelated.END else task.start
        if anchor is None:
            return None
        if not isinstance(anchor, datetime):
            anchor = datetime(anchor.year, anchor.month, anchor.day)
        return anchor + self.trigger


@dataclass(frozen=True, slots=True)
class Task:
    """One VTODO, with the fields the ToDo app and the server work with.

    Collections are tuples so that a task is immutable; pass lists if you like, they are
    converted. Use :func:`dataclasses.replace` (or :meth:`completed_at` / :meth:`reopened`) to
    derive a changed task.
    """

    uid: str
    summary: str = ""
    description: str = ""
    start: date | datetime | None = None
    due: date | datetime | None = None
    completed: datetime | None = None
    priority: Priority = Priority.NONE
    status: Status | None = None
    percent_complete: int | None = None
    categories: tuple[str, ...] = ()
    organizer: Organizer | None = None
    assignees: tuple[Attendee, ...] = ()
    recurrence: str | None = None
    alarms: tuple[Alarm, ...] = ()
    created: datetime | None = None
    last_modified: datetime | None = None
    sequence: int = 0
    classification: Classification | None = None

    def __post_init__(self) -> None:
        for name in ("categories", "assignees", "alarms"):
            value: Iterable[object] = getattr(self, name)
            if not isinstance(value, tuple):
                # frozen dataclass: assignment has to go around __setattr__
                object.__setattr__(self, name, tuple(value))
        if self.percent_complete is not None and not 0 <= self.percent_complete <= 100:
            raise ValueError(f"percent_complete must be 0-100, got {self.percent_complete}")
        if self.sequence < 0:
            raise ValueError(f"sequence must not be negative, got {self.sequence}")

    @property
    def is_completed(self) -> bool:
        """Whether the task is done (STATUS:COMPLETED, or a COMPLETED time without a STATUS)."""
        if self.status is not None:
            return self.status is Status.COMPLETED
        return self.completed is not None

    @property
    def is_cancelled(self) -> bool:
        """Whether the task was cancelled."""
        return self.status is Status.CANCELLED

    @property
    def is_open(self) -> bool:
        """Whether the task still needs doing (neither completed nor cancelled)."""
        return not self.is_completed and not self.is_cancelled

    def is_overdue(self, now: datetime) -> bool:
        """Whether an open task's due date or time has passed at ``now``.

        An all-day task is overdue from the day after its due date. A floating due time is
        compared with ``now``'s wall clock; a naive ``now`` is taken as local wall-clock time.
        """
        due = self.due
        if due is None or not self.is_open:
            return False
        if not isinstance(due, datetime):
            return due < now.date()
        if due.tzinfo is None:
            return due < (now.replace(tzinfo=None) if now.tzinfo is not None else now)
        return due < (now if now.tzinfo is not None else now.astimezone())

    def is_due_today(self, today: date, tz: tzinfo | None = None) -> bool:
        """Whether the task is due on ``today`` (any state; combine with :attr:`is_open`).

        A due moment is converted to ``tz`` first (default: the system's local zone).
        """
        due = self.due
        if due is None:
            return False
        if not isinstance(due, datetime):
            return due == today
        if due.tzinfo is not None:
            due = due.astimezone(tz)
        return due.date() == today

    def completed_at(self, when: datetime) -> Task:
        """This task marked done at ``when``."""
        return replace(self, status=Status.COMPLETED, completed=when, percent_complete=100)

    def reopened(self) -> Task:
        """This task marked as needing action again."""
        return replace(self, status=Status.NEEDS_ACTION, completed=None, percent_complete=None)
