"""How the window words dates, priorities, recurrences, reminders and delegation states, in
the user's language (Qt's translation system; context ``Texts``)."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QDateTime, QLocale, QTime

from todo.task import Alarm, AlarmRelated, PartStat, Priority


class DueState(enum.Enum):
    """How a due date relates to now, for its colour."""

    NONE = "none"
    OVERDUE = "overdue"
    TODAY = "today"
    LATER = "later"


def local_moment(value: date | datetime) -> date | datetime:
    """A date as it is; an aware moment in the local zone; a floating time as it is."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone()
    return value


def day_text(day: date, today: date) -> str:
    """ "Today", "Tomorrow", "Yesterday", a weekday within the week ahead, else a short date."""
    delta = (day - today).days
    if delta == 0:
        return QCoreApplication.translate("Texts", "Today")
    if delta == 1:
        return QCoreApplication.translate("Texts", "Tomorrow")
    if delta == -1:
        return QCoreApplication.translate("Texts", "Yesterday")
    locale = QLocale()
    qdate = QDate(day.year, day.month, day.day)
    if 1 < delta < 7:
        return locale.dayName(qdate.dayOfWeek(), QLocale.FormatType.LongFormat)
    if day.year == today.year:
        return locale.toString(qdate, "ddd d MMM")
    return locale.toString(qdate, QLocale.FormatType.ShortFormat)


def time_text(moment: datetime) -> str:
    """A time of day the way the locale writes it."""
    return QLocale().toString(QTime(moment.hour, moment.minute), QLocale.FormatType.ShortFormat)


def moment_text(value: date | datetime, today: date) -> str:
    """A start or due date (with its time, if it has one) in a few words."""
    value = local_moment(value)
    if isinstance(value, datetime):
        return f"{day_text(value.date(), today)} {time_text(value)}"
    return day_text(value, today)


def due_state(due: date | datetime | None, now: datetime, is_open: bool) -> DueState:
    """Whether ``due`` is past, today or later (seen from ``now``, local wall-clock time)."""
    if due is None:
        return DueState.NONE
    due = local_moment(due)
    if isinstance(due, datetime):
        due = due.replace(tzinfo=None)  # local wall-clock time, like ``now``
    day = due.date() if isinstance(due, datetime) else due
    if is_open:
        past = due < now.replace(tzinfo=None) if isinstance(due, datetime) else day < now.date()
        if past:
            return DueState.OVERDUE
    return DueState.TODAY if day == now.date() else DueState.LATER


def priority_text(priority: Priority) -> str:
    """The priority's name."""
    return {
        Priority.HIGH: QCoreApplication.translate("Texts", "High"),
        Priority.MEDIUM: QCoreApplication.translate("Texts", "Medium"),
        Priority.LOW: QCoreApplication.translate("Texts", "Low"),
        Priority.NONE: QCoreApplication.translate("Texts", "No priority"),
    }[priority]


def partstat_text(partstat: PartStat) -> str:
    """An assignee's answer, as a short phrase."""
    return {
        PartStat.NEEDS_ACTION: QCoreApplication.translate("Texts", "waiting for an answer"),
        PartStat.ACCEPTED: QCoreApplication.translate("Texts", "accepted"),
        PartStat.DECLINED: QCoreApplication.translate("Texts", "declined"),
        PartStat.TENTATIVE: QCoreApplication.translate("Texts", "tentatively accepted"),
        PartStat.DELEGATED: QCoreApplication.translate("Texts", "delegated further"),
        PartStat.COMPLETED: QCoreApplication.translate("Texts", "completed"),
        PartStat.IN_PROCESS: QCoreApplication.translate("Texts", "in progress"),
    }[partstat]


# The recurrences the editor offers by name; anything else is shown as its RRULE text.
RECURRENCES: tuple[tuple[str, object], ...] = (
    ("FREQ=DAILY", QT_TRANSLATE_NOOP("Texts", "Every day")),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", QT_TRANSLATE_NOOP("Texts", "Every weekday")),
    ("FREQ=WEEKLY", QT_TRANSLATE_NOOP("Texts", "Every week")),
    ("FREQ=WEEKLY;INTERVAL=2", QT_TRANSLATE_NOOP("Texts", "Every two weeks")),
    ("FREQ=MONTHLY", QT_TRANSLATE_NOOP("Texts", "Every month")),
    ("FREQ=YEARLY", QT_TRANSLATE_NOOP("Texts", "Every year")),
)


def recurrence_text(rule: str | None) -> str:
    """A recurrence rule in words (the named ones), else the rule itself."""
    if not rule:
        return QCoreApplication.translate("Texts", "Does not repeat")
    names = {key: QCoreApplication.translate("Texts", str(name)) for key, name in RECURRENCES}
    normal = rule.upper().removeprefix("RRULE:")
    return names.get(normal, normal)


# Reminder choices relative to the due time (minutes before it), as the editor offers them.
REMINDER_OFFSETS: tuple[int, ...] = (0, 5, 15, 30, 60, 24 * 60)


def alarm_offset_minutes(alarm: Alarm) -> int | None:
    """Minutes before the due time, for a reminder relative to the due time; else None."""
    if isinstance(alarm.trigger, datetime) or alarm.related is not AlarmRelated.END:
        return None
    minutes = -alarm.trigger / timedelta(minutes=1)
    return int(minutes) if minutes >= 0 and minutes == int(minutes) else None


def qdatetime(value: date | datetime) -> QDateTime:
    """A date or moment as a local QDateTime (a date at midnight)."""
    value = local_moment(value)
    if isinstance(value, datetime):
        return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute))
    return QDateTime(QDate(value.year, value.month, value.day), QTime(0, 0))
