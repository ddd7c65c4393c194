"""The task domain model: priorities, states and the due-date questions the ToDo views ask."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from todo.task import (
    Alarm,
    AlarmRelated,
    Attendee,
    Priority,
    Status,
    Task,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ical", "priority"),
    [
        (0, Priority.NONE),
        (1, Priority.HIGH),
        (2, Priority.HIGH),
        (3, Priority.HIGH),
        (4, Priority.HIGH),
        (5, Priority.MEDIUM),
        (6, Priority.LOW),
        (9, Priority.LOW),
        (10, Priority.LOW),
    ],
)
def test_priority_from_ical_follows_rfc5545_bands(ical: int, priority: Priority) -> None:
    assert Priority.from_ical(ical) is priority


def test_priority_is_written_as_1_5_9_or_0() -> None:
    assert [p.ical_value for p in Priority] == [1, 5, 9, 0]
    assert all(Priority.from_ical(p.ical_value) is p for p in Priority)


def test_priority_rank_sorts_high_first_and_none_last() -> None:
    ordered = sorted(
        [Priority.NONE, Priority.LOW, Priority.HIGH, Priority.MEDIUM], key=lambda p: p.rank
    )
    assert ordered == [Priority.HIGH, Priority.MEDIUM, Priority.LOW, Priority.NONE]


def test_task_is_immutable_and_turns_lists_into_tuples() -> None:
    task = Task("t1", categories=["a", "b"], assignees=[Attendee("x@example.com")])  # type: ignore[arg-type]
    assert task.categories == ("a", "b")
    assert isinstance(task.assignees, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.summary = "changed"  # type: ignore[misc]
    assert hash(task) == hash(
        Task("t1", categories=("a", "b"), assignees=(Attendee("x@example.com"),))
    )


@pytest.mark.parametrize("percent", [-1, 101])
def test_percent_complete_outside_0_100_is_refused(percent: int) -> None:
    with pytest.raises(ValueError, match="percent_complete"):
        Task("t1", percent_complete=percent)


def test_negative_sequence_is_refused() -> None:
    with pytest.raises(ValueError, match="sequence"):
        Task("t1", sequence=-1)


def test_status_decides_completion_when_present() -> None:
    assert Task("t", status=Status.COMPLETED).is_completed
    assert not Task("t", status=Status.NEEDS_ACTION, completed=NOW).is_completed  # reopened
    assert Task("t", completed=NOW).is_completed  # no STATUS: the COMPLETED time says it
    assert not Task("t").is_completed


def test_cancelled_task_is_neither_completed_nor_open() -> None:
    task = Task("t", status=Status.CANCELLED)
    assert task.is_cancelled and not task.is_completed and not task.is_open


def test_all_day_task_is_overdue_from_the_day_after() -> None:
    today = NOW.date()
    assert Task("t", due=today - timedelta(days=1)).is_overdue(NOW)
    assert not Task("t", due=today).is_overdue(NOW)
    assert not Task("t", due=today + timedelta(days=1)).is_overdue(NOW)


def test_timed_task_is_overdue_once_the_moment_passed() -> None:
    assert Task("t", due=NOW - timedelta(minutes=1)).is_overdue(NOW)
    assert not Task("t", due=NOW + timedelta(minutes=1)).is_overdue(NOW)
    # same instant expressed in another zone
    assert not Task("t", due=NOW.astimezone(BERLIN) + timedelta(seconds=1)).is_overdue(NOW)


def test_floating_due_time_compares_with_the_wall_clock_of_now() -> None:
    now_in_berlin = datetime(2026, 11, 25, 13, 0, tzinfo=BERLIN)
    assert Task("t", due=datetime(2026, 11, 25, 12, 30)).is_overdue(now_in_berlin)
    assert not Task("t", due=datetime(2026, 11, 25, 13, 30)).is_overdue(now_in_berlin)


def test_done_cancelled_or_undated_tasks_are_never_overdue() -> None:
    past = NOW - timedelta(days=3)
    assert not Task("t", due=past, status=Status.COMPLETED).is_overdue(NOW)
    assert not Task("t", due=past, status=Status.CANCELLED).is_overdue(NOW)
    assert not Task("t").is_overdue(NOW)


def test_due_today_for_dates_moments_and_floating_times() -> None:
    today = date(2026, 11, 25)
    assert Task("t", due=today).is_due_today(today)
    assert not Task("t", due=today + timedelta(days=1)).is_due_today(today)
    assert Task("t", due=datetime(2026, 11, 25, 23, 30)).is_due_today(today)
    # 23:30 UTC is already the 26th in Berlin
    late = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    assert Task("t", due=late).is_due_today(today, tz=UTC)
    assert not Task("t", due=late).is_due_today(today, tz=BERLIN)
    assert Task("t", due=late).is_due_today(date(2026, 11, 26), tz=timezone(timedelta(hours=2)))
    assert not Task("t").is_due_today(today)


def test_completed_at_and_reopened() -> None:
    done = Task("t", summary="x").completed_at(NOW)
    assert done.is_completed and done.completed == NOW and done.percent_complete == 100
    again = done.reopened()
    assert again.is_open and again.completed is None and again.status is Status.NEEDS_ACTION


def test_alarm_fires_relative_to_due_or_start() -> None:
    task = Task("t", start=datetime(2026, 11, 28, 9, 0, tzinfo=UTC), due=date(2026, 11, 30))
    before_due = Alarm(timedelta(hours=-1), related=AlarmRelated.END)
    after_start = Alarm(timedelta(minutes=30))
    assert before_due.fires_at(task) == datetime(2026, 11, 29, 23, 0)
    assert after_start.fires_at(task) == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert Alarm(NOW).fires_at(task) == NOW
    assert after_start.fires_at(Task("t")) is None
