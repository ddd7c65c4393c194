"""The schema of the ToDo app's local database: every table, index and migration.

To change the schema, append a :class:`Migration` with the next version number; never edit one
that has shipped (the databases on users' machines already ran it). Each ``apply`` runs inside
the transaction :meth:`todo.store.TodoStore.open` opened, so it must not commit.

Tables:

- ``todos``: one row per todo. ``data`` is the iCalendar 2.0 text as received or last written
  (the lossless copy: unknown properties survive); the other columns are derived from it for
  the views and are rewritten with it. ``base`` is the version last agreed with the server
  (None: none yet), which tells a local edit from what the server has; ``known`` says whether
  the server has the todo at all (a local change of it is then a Replace, not an Add).
- ``todo_lists``: (todo, list name) for ``list:NAME``; ``todo_search``: FTS5 over subject, notes
  and lists.
- ``changes``: the change log, one row per local change not yet confirmed by the server.
- ``tombstones``: todos deleted locally; ``known`` ones the server still has to be told about;
  ``guid`` is the server's ID the todo had (a slow sync that sends it back is answered, not
  applied).
- ``server_ids``: the server's ID of each todo it added, so a resent Add finds its todo.
- ``overridden``: a local version the server's answer replaced (``restore`` brings it back).
- ``undo_steps``: before-images of the last user actions, for undo.
- ``meta``: key/value facts (the local zone the derived columns were computed in, sync anchors).
- ``todos.rev``: the store's revision of each todo, from one counter (``revision``) that every
  insert and every write of ``data`` advances, whoever writes (the window, a sync, the CLI):
  readers keep a cursor and read only what changed since (``todos_rev``).
- ``alarm_times``: the reminders still to fire, each (todo, key) with its moment (epoch
  seconds), indexed by moment; kept by :mod:`todo.reminders` from the revisions.
- ``notified``: what the user was already told (a reminder's key, a delegation), by UID, so a
  restart neither repeats nor loses one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded by the store only when a migration is to run
    import sqlite_utils

__all__ = ["MIGRATIONS", "SCHEMA_VERSION_DDL", "Migration"]


@dataclass(frozen=True)
class Migration:
    """One step of the schema; ``apply`` runs inside a transaction and must not commit."""

    version: int
    description: str
    apply: Callable[[sqlite_utils.Database], None]


SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied TEXT NOT NULL)"
)


def _initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE todos (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL,
            base TEXT,
            known INTEGER NOT NULL DEFAULT 0,
            summary TEXT NOT NULL DEFAULT '',
            due TEXT,
            due_tz TEXT,
            due_key REAL NOT NULL,
            due_day TEXT,
            priority TEXT NOT NULL,
            priority_rank INTEGER NOT NULL,
            done INTEGER NOT NULL,
            completed_at TEXT,
            status TEXT,
            categories TEXT NOT NULL DEFAULT '[]',
            assignees TEXT NOT NULL DEFAULT '[]',
            organizer TEXT,
            recurring INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            modified_at REAL NOT NULL
        )"""
    )
    # One index per view order, each led by ``done`` (every view filters on it).
    for name, columns in {
        "todos_due": "done, due_key, priority_rank, id",
        "todos_priority": "done, priority_rank, due_key, id",
        "todos_title": "done, summary COLLATE NOCASE, id",
        "todos_created": "done, created_at, id",
        "todos_modified": "done, modified_at, id",
        "todos_completed": "done, completed_at, id",
        "todos_day": "done, due_day, due_key, priority_rank, id",
    }.items():
        db.execute(f"CREATE INDEX {name} ON todos ({columns})")
    db.execute(
        "CREATE TABLE todo_lists (todo_id INTEGER NOT NULL REFERENCES todos(id) ON DELETE CASCADE,"
        " name TEXT NOT NULL, PRIMARY KEY (todo_id, name))"
    )
    db.execute("CREATE INDEX todo_lists_name ON todo_lists (name COLLATE NOCASE, todo_id)")
    db.execute(
        "CREATE VIRTUAL TABLE todo_search USING fts5("
        "summary, notes, lists, tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " todo_id INTEGER NOT NULL, uid TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL)"
    )
    db.execute("CREATE INDEX changes_todo ON changes (todo_id, seq)")
    db.execute(
        "CREATE TABLE tombstones (todo_id INTEGER PRIMARY KEY, uid TEXT NOT NULL,"
        " known INTEGER NOT NULL, at REAL NOT NULL)"
    )
    db.execute(
        "CREATE TABLE server_ids (guid TEXT PRIMARY KEY,"
        " todo_id INTEGER NOT NULL REFERENCES todos(id) ON DELETE CASCADE)"
    )
    db.execute("CREATE INDEX server_ids_todo ON server_ids (todo_id)")
    db.execute(
        "CREATE TABLE overridden (todo_id INTEGER PRIMARY KEY REFERENCES todos(id)"
        " ON DELETE CASCADE, data TEXT NOT NULL, at REAL NOT NULL)"
    )
    db.execute(
        "CREATE TABLE undo_steps (seq INTEGER PRIMARY KEY AUTOINCREMENT, step INTEGER NOT NULL,"
        " label TEXT NOT NULL, todo_id INTEGER NOT NULL, uid TEXT NOT NULL, data TEXT)"
    )
    db.execute("CREATE INDEX undo_steps_step ON undo_steps (step)")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _undo_index(db: sqlite_utils.Database) -> None:
    # Each write of an undo step asks whether the todo is in it already: with an index on the
    # step alone, an import of 100,000 todos (one step) asked 100,000 times over a growing step.
    db.execute("DROP INDEX undo_steps_step")
    db.execute("CREATE INDEX undo_steps_step_todo ON undo_steps (step, todo_id)")


def _revisions_and_reminders(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER"
               " NOT NULL)")
    db.execute("ALTER TABLE todos ADD COLUMN rev INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE todos SET rev = id")
    db.execute("INSERT INTO revision VALUES (1, (SELECT COALESCE(MAX(id), 0) FROM todos))")
    db.execute("CREATE INDEX todos_rev ON todos (rev)")
    # Triggers, so that no writer of the store can forget it (the update of rev itself is
    # not a write of data, so it does not fire the second trigger again).
    for name, event in (("todos_rev_insert", "INSERT"), ("todos_rev_update", "UPDATE OF data")):
        db.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON todos BEGIN"
            " UPDATE revision SET value = value + 1 WHERE id = 1;"
            " UPDATE todos SET rev = (SELECT value FROM revision WHERE id = 1)"
            " WHERE id = NEW.id; END"
        )
    db.execute(
        "CREATE TABLE alarm_times (todo_id INTEGER NOT NULL REFERENCES todos(id)"
        " ON DELETE CASCADE, key TEXT NOT NULL, fires_at REAL NOT NULL,"
        " PRIMARY KEY (todo_id, key))"
    )
    db.execute("CREATE INDEX alarm_times_at ON alarm_times (fires_at)")
    db.execute(
        "CREATE TABLE notified (kind TEXT NOT NULL, uid TEXT NOT NULL, key TEXT NOT NULL,"
        " at REAL NOT NULL, PRIMARY KEY (kind, uid, key))"
    )


def _tombstone_ids(db: sqlite_utils.Database) -> None:
    # A slow sync brings back what the server still has, a todo deleted here and not yet
    # deleted there included: its tombstone must be found by the server's ID or the UID.
    db.execute("ALTER TABLE tombstones ADD COLUMN guid TEXT")
    db.execute("CREATE INDEX tombstones_guid ON tombstones (guid)")
    db.execute("CREATE INDEX tombstones_uid ON tombstones (uid)")


MIGRATIONS: list[Migration] = [
    Migration(1, "todos, lists, search, change log, conflicts, undo", _initial),
    Migration(2, "undo steps indexed by step and todo", _undo_index),
    Migration(3, "todo revisions, reminder times, what the user was told",
              _revisions_and_reminders),
    Migration(4, "tombstones found by server ID and UID", _tombstone_ids),
]
