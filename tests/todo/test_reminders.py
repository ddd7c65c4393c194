"""The store's reminder index and delegation cursor (todo.reminders, todo.delegated): every
trigger kind, kept current from the store's revisions, served by indexes (no scan per look)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from todo import delegated, reminders
from todo.store import TodoStore
from todo.task import Alarm, AlarmRelated, Attendee, Organizer, Task
from todo.task_format import format_task

BERLIN = ZoneInfo("Europe/Berlin")


def plan(conn: sqlite3.Connection, sql: str, *params: object) -> str:
    return " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_alarm_moments_cover_every_trigger_kind() -> None:
    due = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    task = Task(
        "u",
        due=due,
        start=date(2026, 12, 20),  # an all-day start: local midnight
        alarms=[
            Alarm(-timedelta(hours=1), related=AlarmRelated.END),
            Alarm(timedelta(hours=9)),  # 09:00 local on the start day
            Alarm(datetime(2026, 12, 1, 8, 0)),  # a floating fixed time: local wall clock
            Alarm(datetime(2026, 12, 1, 7, 0, tzinfo=UTC)),  # the same moment, once
        ],
    )
    moments = sorted(reminders.alarm_moments(task, BERLIN).values())
    assert moments == [
        datetime(2026, 12, 1, 7, 0, tzinfo=UTC).timestamp(),
        datetime(2026, 12, 20, 8, 0, tzinfo=UTC).timestamp(),
        datetime(2026, 12, 24, 17, 0, tzinfo=UTC).timestamp(),
    ]
    assert reminders.alarm_moments(task.completed_at(due), BERLIN) == {}


def test_the_index_follows_every_write_and_a_look_uses_indexes(tmp_path: Path) -> None:
    at = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
    with TodoStore.open(tmp_path / "todo.db", zone=BERLIN) as store:
        first = store.add(Task("", "One", alarms=[Alarm(at)]))
        store.add(Task("", "No alarm"))
        assert store.within(lambda c: reminders.catch_up(c, BERLIN)) == 2
        assert store.within(lambda c: reminders.catch_up(c, BERLIN)) == 0  # nothing new
        assert store.within(reminders.next_moment) == at
        # a write through another connection (a sync, the CLI) is seen by the next look
        with TodoStore.open(tmp_path / "todo.db", zone=BERLIN) as other:
            other.apply_remote(format_task(Task("r", "Two", alarms=[Alarm(at - timedelta(1))])))
            other.delete(first)
        assert store.within(lambda c: reminders.catch_up(c, BERLIN)) == 1
        assert store.within(reminders.next_moment) == at - timedelta(1)
        due = store.within(
            lambda c: reminders.take_due(c, at + timedelta(1), missed_before=at - timedelta(2))
        )
        assert [(r.subject, r.missed) for r in due] == [("Two", False)]  # the deleted one went
        # an unrelated edit of a todo does not bring a given-out reminder back
        todo_id = store.find("r")
        assert todo_id is not None
        store.update(todo_id, summary="Two (edited)")
        store.within(lambda c: reminders.catch_up(c, BERLIN))
        assert store.within(reminders.next_moment) is None

        def plans(c: sqlite3.Connection) -> tuple[str, str, str]:
            return (
                plan(c, "SELECT id FROM todos WHERE rev > ? ORDER BY rev LIMIT 10", 5),
                plan(
                    c,
                    "SELECT a.todo_id FROM alarm_times a JOIN todos t ON t.id = a.todo_id"
                    " WHERE a.fires_at <= ? ORDER BY a.fires_at LIMIT 100",
                    1.0,
                ),
                plan(c, "SELECT MIN(fires_at) FROM alarm_times"),
            )

        by_rev, due_plan, next_plan = store.within(plans)
        assert "todos_rev" in by_rev and "SCAN todos" not in by_rev
        assert "alarm_times_at" in due_plan and "SCAN a" not in due_plan
        assert "alarm_times_at" in next_plan


def test_delegations_are_taken_once_in_revision_order(tmp_path: Path) -> None:
    me = "alice@example.org"
    frank = Organizer("frank@example.org", "Frank Adams")
    with TodoStore.open(tmp_path / "todo.db") as store:
        store.apply_remote(
            format_task(Task("a", "For me", organizer=frank, assignees=[Attendee(me)]))
        )
        store.add(Task("", "Mine"))
        [new] = store.within(lambda c: delegated.take_new(c, me))
        assert (new.subject, new.by, new.organizer) == ("For me", "Frank Adams", frank.email)
        store.apply_remote(
            format_task(Task("a", "For me (v2)", organizer=frank, assignees=[Attendee(me)]))
        )
        assert store.within(lambda c: delegated.take_new(c, me)) == []
        assert store.within(lambda c: delegated.delegators(c, me)) == {
            "frank@example.org": "Frank Adams"
        }
