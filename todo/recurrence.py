"""Recurring todos: the next occurrence a completed one leaves behind (RFC 5545 RRULE).

Completing a recurring todo keeps the done one (without its rule) and creates the next as a
new todo: the rule's first occurrence after the todo's due date (its start if it has no due,
the completion day if it has neither), with start, due and absolute reminders moved by the
same step. COUNT counts down (a rule with COUNT=1 has no next), UNTIL ends the series.
``dateutil.rrule`` computes the dates.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from dateutil.rrule import rrulestr

from todo._date_values import parse_moment
from todo.task import Alarm, Task

__all__ = ["next_occurrence"]


def _parts(rule: str) -> list[tuple[str, str]]:
    parts = []
    for piece in rule.strip().removeprefix("RRULE:").split(";"):
        name, _, value = piece.partition("=")
        if name.strip():
            parts.append((name.strip().upper(), value.strip()))
    return parts


def _wall(value: date | datetime) -> datetime:
    """The wall-clock time of a moment in its own zone (dates: midnight), without a zone."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)


def next_occurrence(task: Task, completed: datetime) -> Task | None:
    """The todo that follows ``task`` once it is completed at ``completed``; None if none.

    None also for a rule ``dateutil`` cannot read: the todo is then completed like any other.
    """
    if not task.recurrence:
        return None
    parts = _parts(task.recurrence)
    count = next((v for k, v in parts if k == "COUNT"), None)
    until = next((v for k, v in parts if k == "UNTIL"), None)
    if count is not None and (not count.isdigit() or int(count) <= 1):
        return None
    anchor: date | datetime = task.due or task.start or completed.astimezone(UTC).date()
    core = ";".join(f"{k}={v}" for k, v in parts if k not in ("COUNT", "UNTIL"))
    try:
        rule = rrulestr(core, dtstart=_wall(anchor))
        following = rule.after(_wall(anchor))
    except (ValueError, TypeError, OverflowError):
        return None
    if following is None:
        return None
    if until is not None:
        end = parse_moment(until)
        if end is not None and _past_until(following, anchor, end):
            return None
    step = following - _wall(anchor)
    remaining = [(k, str(int(v) - 1) if k == "COUNT" else v) for k, v in parts]
    return replace(
        task,
        uid="",
        start=_shift(task.start, step),
        due=_shift(task.due, step),
        completed=None,
        status=None,
        percent_complete=None,
        created=None,
        last_modified=None,
        sequence=0,
        recurrence=";".join(f"{k}={v}" for k, v in remaining),
        alarms=tuple(_shift_alarm(a, step) for a in task.alarms),
    )


def _past_until(following: datetime, anchor: date | datetime, end: date | datetime) -> bool:
    if not isinstance(end, datetime):
        return following.date() > end
    if end.tzinfo is not None and isinstance(anchor, datetime) and anchor.tzinfo is not None:
        return following.replace(tzinfo=anchor.tzinfo) > end
    return following > end.replace(tzinfo=None)


def _shift(value: date | datetime | None, step: timedelta) -> date | datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        # wall-clock arithmetic: 9:00 stays 9:00 across a DST change
        return value + step
    return value + timedelta(days=step.days)


def _shift_alarm(alarm: Alarm, step: timedelta) -> Alarm:
    if isinstance(alarm.trigger, datetime):
        return replace(alarm, trigger=alarm.trigger + step)
    return alarm
