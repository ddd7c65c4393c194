"""Todos delegated to the user that they have not been told about yet.

Part of the store (its SQL runs through :meth:`todo.store.TodoStore.within`): a cursor over
the store's revisions (``todos.rev``, meta ``delegated.rev``) reads only the todos written
since the last look, however many a sync brought, and ``notified`` (kind ``delegated``, by
UID) remembers who was told, across restarts. :func:`take_new` records and returns them in
one transaction, so each delegation is announced once and none is skipped.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from todo import task_format
from todo.task import PartStat

__all__ = ["NewDelegation", "delegators", "take_new"]

CURSOR_KEY = "delegated.rev"
KIND = "delegated"
_BATCH = 2000


@dataclass(frozen=True, slots=True)
class NewDelegation:
    """A todo someone delegated to the user, still waiting for their answer."""

    todo_id: int
    uid: str
    subject: str
    organizer: str  # the organizer's address, as the list knows it
    by: str  # their name (else the address)


def _mine(assignees: str, me: str) -> list[tuple[str, str, str]]:
    return [a for a in json.loads(assignees) if str(a[0]).casefold() == me]


def take_new(conn: sqlite3.Connection, me: str) -> list[NewDelegation]:
    """The todos delegated to ``me`` (an address) since the last call that wait for an answer
    and were not announced before; they count as announced from now on."""
    me = me.casefold()
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CURSOR_KEY,)).fetchone()
    cursor = int(row[0]) if row else 0
    found: list[NewDelegation] = []
    while True:
        rows = conn.execute(
            "SELECT id, uid, summary, organizer, assignees, data, rev FROM todos"
            " WHERE rev > ? ORDER BY rev LIMIT ?",
            (cursor, _BATCH),
        ).fetchall()
        for todo_id, uid, summary, organizer, assignees, data, rev in rows:
            cursor = rev
            if not organizer or organizer.casefold() == me:
                continue
            mine = _mine(assignees, me)
            if not mine or mine[0][2] != PartStat.NEEDS_ACTION.value:
                continue
            told = conn.execute(
                "INSERT OR IGNORE INTO notified (kind, uid, key, at)"
                " VALUES (?, ?, '', strftime('%s', 'now'))",
                (KIND, uid),
            )
            if told.rowcount == 0:
                continue  # announced before (a later change of the same todo)
            found.append(NewDelegation(todo_id, uid, summary, organizer, _name(data, organizer)))
        if len(rows) < _BATCH:
            break
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (CURSOR_KEY, str(cursor)),
    )
    return found


def _name(data: str, organizer: str) -> str:
    task = task_format.parse_task(data)
    return (task.organizer.name if task.organizer else "") or organizer


def delegators(conn: sqlite3.Connection, me: str) -> dict[str, str]:
    """Everyone who delegated a todo to ``me``: address (case-folded) → name, for the list."""
    rows = conn.execute(
        "SELECT organizer, MAX(id) FROM todos WHERE organizer IS NOT NULL"
        " GROUP BY organizer COLLATE NOCASE"
    ).fetchall()
    names: dict[str, str] = {}
    for organizer, todo_id in rows:
        if organizer.casefold() == me.casefold():
            continue
        (data,) = conn.execute("SELECT data FROM todos WHERE id = ?", (todo_id,)).fetchone()
        names[organizer.casefold()] = _name(data, organizer)
    return names
