"""Reminders: when each open todo's alarms (VALARM) fire, kept in an index the app can ask
"what is due now?" and "when is the next one?" without reading the todos.

Part of the store (its SQL is here, run through :meth:`todo.store.TodoStore.within`):

- ``alarm_times`` holds every alarm still to fire: (todo, key, moment). :func:`catch_up` keeps
  it current from the store's revisions (``todos.rev``, advanced by every write, whoever
  writes: the window, a sync, the CLI), reading only the todos changed since its cursor (meta
  ``reminders.rev``). Every trigger counts: relative to the start or the due date, or at a
  fixed date-time, for a todo with or without a due date. A deleted todo's rows go with it
  (foreign key); a completed or cancelled todo has none.
- A key names the moment (``1767261600``; a snooze ``snooze:1767262200``), so an edit that
  keeps the moment keeps the key, and one that moves it makes a new reminder.
- :func:`take_due` hands out the reminders whose moment has come and records them in
  ``notified`` (by UID and key) in the same transaction: each is given out once, across
  restarts, and a todo's reminders that were given out are not indexed again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from todo import task_format
from todo.errors import TaskFormatError
from todo.task import Task

__all__ = [
    "DueReminder",
    "alarm_moments",
    "catch_up",
    "next_moment",
    "snooze",
    "take_due",
]

CURSOR_KEY = "reminders.rev"
KIND = "alarm"
_BATCH = 2000


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder whose time came: the todo, when it was due to fire, and whether the app
    was not running then (``missed``: it is shown as such)."""

    todo_id: int
    uid: str
    subject: str
    due: date | datetime | None
    fires_at: datetime  # aware, UTC
    missed: bool


def _epoch(moment: date | datetime, zone: tzinfo) -> float:
    """A trigger's moment in epoch seconds; a floating time or a date is local wall-clock."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


def alarm_moments(task: Task, zone: tzinfo) -> dict[str, float]:
    """Each alarm of an open ``task`` by key, with its moment (two alarms at one moment are
    one reminder); a relative trigger without its anchor (no start, no due) never fires."""
    if not task.is_open:
        return {}
    moments: dict[str, float] = {}
    for alarm in task.alarms:
        moment = alarm.fires_at(task)
        if moment is not None:
            epoch = _epoch(moment, zone)
            moments[str(int(epoch))] = epoch
    return moments


def catch_up(conn: sqlite3.Connection, zone: tzinfo) -> int:
    """Index the alarms of every todo changed since the last call; how many todos it read."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CURSOR_KEY,)).fetchone()
    cursor = int(row[0]) if row else 0
    read = 0
    while True:
        rows = conn.execute(
            "SELECT id, uid, done, data, rev FROM todos WHERE rev > ? ORDER BY rev LIMIT ?",
            (cursor, _BATCH),
        ).fetchall()
        for todo_id, uid, done, data, rev in rows:
            _index(conn, todo_id, uid, bool(done), data, zone)
            cursor = rev
        read += len(rows)
        if len(rows) < _BATCH:
            break
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (CURSOR_KEY, str(cursor)),
    )
    return read


def _index(
    conn: sqlite3.Connection, todo_id: int, uid: str, done: bool, data: str, zone: tzinfo
) -> None:
    # A snooze stays while the todo is open; the alarms are computed afresh.
    if done:
        conn.execute("DELETE FROM alarm_times WHERE todo_id = ?", (todo_id,))
        return
    conn.execute(
        "DELETE FROM alarm_times WHERE todo_id = ? AND key NOT LIKE 'snooze:%'", (todo_id,)
    )
    if "VALARM" not in data.upper():  # cheap: most todos have no alarm, and need no parse
        return
    try:
        task = task_format.parse_task(data)
    except TaskFormatError:
        return  # the store holds only what it could parse; nothing to remind of otherwise
    fired = {
        key
        for (key,) in conn.execute(
            "SELECT key FROM notified WHERE kind = ? AND uid = ?", (KIND, uid)
        ).fetchall()
    }
    conn.executemany(
        "INSERT OR REPLACE INTO alarm_times (todo_id, key, fires_at) VALUES (?, ?, ?)",
        [(todo_id, key, at) for key, at in alarm_moments(task, zone).items() if key not in fired],
    )


def take_due(
    conn: sqlite3.Connection, now: datetime, *, missed_before: datetime, limit: int = 100
) -> list[DueReminder]:
    """The reminders due at ``now`` (those due before ``missed_before`` are ``missed``), the
    earliest first, recorded as given out so that no later call returns them again."""
    rows = conn.execute(
        "SELECT a.todo_id, a.key, a.fires_at, t.uid, t.data FROM alarm_times a"
        " JOIN todos t ON t.id = a.todo_id WHERE a.fires_at <= ? ORDER BY a.fires_at LIMIT ?",
        (now.timestamp(), limit),
    ).fetchall()
    due: list[DueReminder] = []
    for todo_id, key, fires_at, uid, data in rows:
        conn.execute("DELETE FROM alarm_times WHERE todo_id = ? AND key = ?", (todo_id, key))
        conn.execute(
            "INSERT OR IGNORE INTO notified (kind, uid, key, at) VALUES (?, ?, ?, ?)",
            (KIND, uid, key, now.timestamp()),
        )
        task = task_format.parse_task(data)
        when = datetime.fromtimestamp(fires_at, UTC)
        due.append(DueReminder(todo_id, uid, task.summary, task.due, when, when < missed_before))
    return due


def next_moment(conn: sqlite3.Connection) -> datetime | None:
    """When the next reminder fires (None: no reminder is waiting)."""
    row = conn.execute("SELECT MIN(fires_at) FROM alarm_times").fetchone()
    return datetime.fromtimestamp(row[0], UTC) if row and row[0] is not None else None


def snooze(conn: sqlite3.Connection, todo_id: int, until: datetime) -> None:
    """Remind of the todo again at ``until`` (if it still exists and is open then)."""
    epoch = until.timestamp()
    conn.execute(
        "INSERT OR REPLACE INTO alarm_times (todo_id, key, fires_at)"
        " SELECT id, ?, ? FROM todos WHERE id = ? AND done = 0",
        (f"snooze:{int(epoch)}", epoch, todo_id),
    )
