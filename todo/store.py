"""The ToDo app's local store: one SQLite database per account, usable fully offline.

Public surface (what the window, the CLI and the sync adapter use)::

    store = TodoStore.for_account("alice@example.com")   # or TodoStore.open(path)
    todo_id = store.add(Task(uid="", summary="Call Frank", due=...))
    store.query(ViewSpec(View.TODAY), search="frank")     # -> list[TodoSummary], fast
    store.count(ViewSpec(View.OVERDUE))                   # -> int
    store.get(todo_id)                                    # -> TodoRecord (full Task + conflict)
    store.save(todo_id, changed_task)                     # or store.update(todo_id, summary=...)
    store.complete(todo_id)                               # -> Completion (next occurrence id)
    store.delete(todo_id); store.undo(); store.restore(todo_id)
    store.lists()                                         # -> list[ListInfo]

Guarantees:

- **Lossless.** Each todo is kept as the iCalendar text it came as; a local edit rewrites only
  the properties that changed (:func:`todo.task_format.format_task` with a template), so
  unknown and X- properties the server sent survive.
- **Crash-safe.** WAL with ``synchronous=FULL``; every public write is one transaction, so a
  killed process leaves either the whole change (with its change-log entry and undo step) or
  none of it.
- **Change log.** Every local change (add, edit, complete, delete, undo, restore, import) adds
  a row to ``changes``; :meth:`pending_changes` collapses them per todo for the next sync, and
  :meth:`confirm` removes what the server has taken. Changes made while a sync runs stay.
- **Conflicts.** :meth:`apply_remote` applies what the server decided. When that overrides a
  local edit the server did not take, the user's version is kept (``TodoSummary.conflict``,
  ``TodoRecord.overridden``) and :meth:`restore` makes it current again (a new local change).
  A todo the server deletes while it has a local edit is kept and sent again as new.
- **Undo.** Each user action is one undo step (:meth:`undo`, :meth:`can_undo`,
  :meth:`undo_label`); the last :data:`UNDO_DEPTH` steps are kept. Sync writes are not undo
  steps.

Threading: one connection guarded by a lock, so the window may call the store from a worker
thread while the sync adapter uses it from another; each call is short.

Errors: :class:`StoreError` and its subclasses (tree in its docstring);
:class:`todo.errors.TaskFormatError` for an item or file that is not a usable VTODO.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import itertools
import json
import os
import re
import sqlite3
import threading
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from todo import calendar_files, recurrence, task_format
from todo.errors import TodoError
from todo.line_scan import same_content
from todo.local_time import local_zone
from todo.store_schema import MIGRATIONS, SCHEMA_VERSION_DDL
from todo.task import Attendee, PartStat, Priority, Status, Task
from todo.views import ViewSpec, compile_query

__all__ = [
    "LOCAL_ACCOUNT",
    "UNDO_DEPTH",
    "Change",
    "ChangeKind",
    "Completion",
    "ListInfo",
    "NoSuchTodoError",
    "NothingToRestoreError",
    "RemoteDelete",
    "RemoteResult",
    "SchemaTooNewError",
    "StoreError",
    "TodoRecord",
    "TodoStore",
    "TodoSummary",
    "adopt_local_store",
    "data_home",
    "store_path",
]

UNDO_DEPTH = 100
DB_FILENAME = "todo.db"
_NO_DUE = 1e18  # due_key of a todo without a due date: after every real one
_T = TypeVar("_T")


class StoreError(TodoError):
    """Base class of the store's errors.

    Tree::

        StoreError
        ├── NoSuchTodoError        no todo with that id (message names it)
        ├── NothingToRestoreError  restore of a todo whose version was not overridden
        └── SchemaTooNewError      the database was written by a newer ToDo app
    """


class NoSuchTodoError(StoreError, LookupError):
    """There is no todo with that id."""


class NothingToRestoreError(StoreError):
    """The todo has no overridden version to bring back."""


class SchemaTooNewError(StoreError):
    """The database schema is newer than this code knows; it is left untouched."""


def data_home() -> Path:
    """The desktop apps' data folder: ``$TRAVELER_HOME``, else ``$XDG_DATA_HOME/traveler``."""
    env = os.environ.get("TRAVELER_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "traveler"


_UNSAFE = re.compile(r"[^A-Za-z0-9@._+-]")


def store_path(account_id: str, home: Path | None = None) -> Path:
    """Where the store of ``account_id`` lives: ``<home>/todo/<account id>/todo.db``.

    Characters that are not safe in a file name are replaced, so any account id maps to one
    folder inside ``<home>/todo``.
    """
    if not account_id.strip():
        raise ValueError("an account id must not be empty")
    safe = _UNSAFE.sub("_", account_id.strip())
    if safe in (".", ".."):
        safe = safe.replace(".", "_")
    return (home or data_home()) / "todo" / safe / DB_FILENAME


LOCAL_ACCOUNT = "local"
"""The store of todos made before any account exists (see :func:`adopt_local_store`)."""


def adopt_local_store(account_id: str, home: Path | None = None) -> bool:
    """Make the todos kept without an account the first account's: move the ``local`` store.

    Only when the account has no store yet, so nothing is overwritten; the todos were never
    synced, so they all go to the server with the account's first sync. Returns whether the
    store was moved.
    """
    source = store_path(LOCAL_ACCOUNT, home).parent
    target = store_path(account_id, home).parent
    if account_id == LOCAL_ACCOUNT or target.exists() or not source.exists():
        return False
    source.rename(target)
    return True


class ChangeKind(enum.StrEnum):
    """What the server must be told about a todo."""

    ADD = "add"
    REPLACE = "replace"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class TodoSummary:
    """One row of a view: what a list shows, read from indexed columns (no parsing)."""

    id: int
    uid: str
    subject: str
    due: date | datetime | None
    priority: Priority
    completed: bool
    completed_at: datetime | None
    status: Status | None
    categories: tuple[str, ...]
    assignees: tuple[Attendee, ...]
    organizer: str | None
    recurring: bool
    conflict: bool
    """The server overrode a local edit; :meth:`TodoStore.restore` brings it back."""
    created: datetime
    modified: datetime

    def as_json(self) -> dict[str, Any]:
        """The JSON object ``traveler-todo list --json`` prints for this todo."""
        return {
            "id": self.id,
            "uid": self.uid,
            "subject": self.subject,
            "due": _json_moment(self.due),
            "priority": self.priority.value,
            "completed": self.completed,
            "completed_at": _json_moment(self.completed_at),
            "status": self.status.value if self.status else None,
            "categories": list(self.categories),
            "assignees": [
                {"email": a.email, "name": a.name, "partstat": a.partstat.value}
                for a in self.assignees
            ],
            "organizer": self.organizer,
            "recurring": self.recurring,
            "conflict": self.conflict,
        }


@dataclass(frozen=True, slots=True)
class TodoRecord:
    """A todo in full: its task, its stored iCalendar text, and any overridden version."""

    id: int
    task: Task
    data: str
    overridden: Task | None = None
    """The user's version the server's answer replaced, if any."""
    overridden_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Completion:
    """What :meth:`TodoStore.complete` did: the todo done, and a recurring one's next todo."""

    done_id: int
    next_id: int | None = None


@dataclass(frozen=True, slots=True)
class ListInfo:
    """A user-defined list (an iCalendar CATEGORY) and how many open todos it holds."""

    name: str
    open_count: int
    total_count: int


@dataclass(frozen=True, slots=True)
class Change:
    """A todo's unconfirmed local changes, collapsed: what to send in the next sync.

    ``seq`` is the change-log position this covers; pass the change to :meth:`TodoStore.confirm`
    once the server has taken it. ``data`` is the iCalendar text to send (None for a delete).
    """

    todo_id: int
    uid: str
    kind: ChangeKind
    seq: int
    data: str | None


class RemoteDelete(enum.Enum):
    """What :meth:`TodoStore.apply_remote_delete` did."""

    DELETED = "deleted"
    KEPT = "kept"
    """The todo had unsent local changes: it stays and goes to the server again as new."""
    MISSING = "missing"
    """There was no such todo."""


@dataclass(frozen=True, slots=True)
class RemoteResult:
    """What :meth:`TodoStore.apply_remote` did."""

    todo_id: int
    created: bool
    overridden: bool
    """A local edit was replaced; it is kept for :meth:`TodoStore.restore`."""
    deleted_here: bool = False
    """The todo was deleted here and the server not told yet (a slow sync sent it back): it
    stays deleted, and its Delete goes in the next sync (``todo_id`` is its old id)."""


def _zone_name(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    return str(key) if key else str(datetime(2000, 1, 1, tzinfo=zone).utcoffset())


class TodoStore:
    """One account's todos in ``todo.db``; see the module docstring for the guarantees.

    ``clock`` (aware ``datetime`` now) and ``zone`` (the local zone for "today") are there for
    tests; the defaults are the system's.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], datetime] | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        self.path = path if str(path) == ":memory:" else Path(path)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.zone = zone or local_zone()
        self._lock = threading.RLock()
        self._undo_step: tuple[int, str] | None = None
        self._savepoints = itertools.count(1)
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=10
        )
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            if isinstance(self.path, Path):
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StoreError(f"{path}: cannot switch to WAL journal mode (got {mode})")
            # FULL: a commit is on disk before the call returns, so a crash loses nothing
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._conn = conn
            self._migrate()
            self._check_zone()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path} is not a usable ToDo database: {exc}") from exc
        except BaseException:
            conn.close()
            raise

    @classmethod
    def open(cls, path: Path | str, **kwargs: Any) -> TodoStore:
        """Open (creating and migrating) the store at ``path``."""
        return cls(path, **kwargs)

    @classmethod
    def for_account(cls, account_id: str, home: Path | None = None, **kwargs: Any) -> TodoStore:
        """Open the store of ``account_id`` in the data folder (see :func:`store_path`)."""
        return cls(store_path(account_id, home), **kwargs)

    def close(self) -> None:
        """Close the database; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> TodoStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions and schema --------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold one transaction over several calls: they commit together, or not at all.

        The sync adapter wraps the calls of each SyncML message in one (one commit, and one
        wait for the disk, per message rather than per todo). Every store call inside joins
        it, each as a savepoint, so a call that fails leaves nothing half-written and the
        others stand. Other threads wait until it ends: keep it short.
        """
        with self._transaction():
            yield

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn.in_transaction:  # nested: a savepoint of the outer transaction
                name = f"nested_{next(self._savepoints)}"
                self._conn.execute(f"SAVEPOINT {name}")
                try:
                    yield self._conn
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                        self._conn.execute(f"RELEASE SAVEPOINT {name}")
                    raise
                else:
                    self._conn.execute(f"RELEASE SAVEPOINT {name}")
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    def schema_version(self) -> int:
        """The highest migration applied to this database."""
        with self._lock:
            row = self._conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            return int(row[0] or 0)

    def _migrate(self) -> None:
        with self._lock:
            self._conn.execute(SCHEMA_VERSION_DDL)
            current = self.schema_version()
            latest = MIGRATIONS[-1].version
            if current > latest:
                raise SchemaTooNewError(
                    f"{self.path} has schema version {current}, but this ToDo app knows only "
                    f"up to {latest}: it was written by a newer version. Run that version; "
                    "the database was not changed."
                )
            pending = [m for m in MIGRATIONS if m.version > current]
            if not pending:
                return
            # Imported only now: an up-to-date store, as on every start but the first, does
            # not need it, and it costs the first window about 0.1 s.
            import sqlite_utils

            db = sqlite_utils.Database(self._conn, execute_plugins=False)
            for migration in pending:
                with self._transaction() as conn:
                    # Another connection (the window's worker and its sync thread open the
                    # same new file at once) may have applied it since ``current`` was read:
                    # BEGIN IMMEDIATE serialises them, so look again inside the transaction.
                    if conn.execute("SELECT 1 FROM schema_version WHERE version = ?",
                                    (migration.version,)).fetchone():
                        continue
                    migration.apply(db)
                    conn.execute(
                        "INSERT INTO schema_version VALUES (?, ?, ?)",
                        (migration.version, migration.description, self._now().isoformat()),
                    )

    def _check_zone(self) -> None:
        """Recompute the local-date columns if the machine's zone changed since the last run."""
        name = _zone_name(self.zone)
        if self.meta("zone") == name:
            return
        with self._transaction() as conn:
            rows = conn.execute("SELECT id, due, due_tz FROM todos WHERE due IS NOT NULL")
            for todo_id, due, due_tz in rows.fetchall():
                moment = _moment_from_columns(due, due_tz)
                key, day = self._due_columns(moment)
                conn.execute(
                    "UPDATE todos SET due_key = ?, due_day = ? WHERE id = ?", (key, day, todo_id)
                )
            self._set_meta(conn, "zone", name)

    def meta(self, key: str) -> str | None:
        """A stored fact (the sync adapter keeps its anchors here)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return str(row[0]) if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Store (or with None remove) a fact."""
        with self._transaction() as conn:
            self._set_meta(conn, key, value)

    @staticmethod
    def _set_meta(conn: sqlite3.Connection, key: str, value: str | None) -> None:
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC).replace(microsecond=0)

    def within(self, call: Callable[[sqlite3.Connection], _T]) -> _T:
        """``call(connection)`` inside one transaction of the store (a savepoint within an
        outer one): for the store's own companion modules, :mod:`todo.reminders` and
        :mod:`todo.delegated`, which keep their SQL to themselves as :mod:`todo.views` does."""
        with self._transaction() as conn:
            return call(conn)

    # --- reading ------------------------------------------------------------------------

    def query(
        self,
        spec: ViewSpec | None = None,
        *,
        search: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TodoSummary]:
        """The todos of a view, in its order (see :mod:`todo.views`); page with limit/offset."""
        where, order, params = self._compile(spec or ViewSpec(), search)
        sql = f"SELECT {_SUMMARY_COLUMNS} FROM todos WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT :limit OFFSET :offset"
            params.update(limit=max(limit, 0), offset=max(offset, 0))
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_summary(r) for r in rows]

    def ids(self, spec: ViewSpec | None = None, *, search: str = "") -> list[int]:
        """Only the ids of a view's todos, in order (cheap, for a window's lazy model)."""
        where, order, params = self._compile(spec or ViewSpec(), search)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id FROM todos WHERE {where} ORDER BY {order}", params
            ).fetchall()
        return [r[0] for r in rows]

    def summaries(self, ids: Iterable[int]) -> dict[int, TodoSummary]:
        """The list rows of ``ids`` (those that exist), by id."""
        wanted = list(ids)
        found: dict[int, TodoSummary] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT {_SUMMARY_COLUMNS} FROM todos WHERE id IN ({marks})", chunk
                ).fetchall()
                found.update((r[0], _summary(r)) for r in rows)
        return found

    def count(self, spec: ViewSpec | None = None, *, search: str = "") -> int:
        """How many todos a view has."""
        where, _, params = self._compile(spec or ViewSpec(), search)
        with self._lock:
            row = self._conn.execute(f"SELECT COUNT(*) FROM todos WHERE {where}", params)
            return int(row.fetchone()[0])

    def _compile(self, spec: ViewSpec, search: str) -> tuple[str, str, dict[str, Any]]:
        now = self._now()
        today = now.astimezone(self.zone).date().isoformat()
        return compile_query(spec, today=today, now=now.timestamp(), search=search)

    def get(self, todo_id: int) -> TodoRecord:
        """The todo in full; :class:`NoSuchTodoError` if there is none with that id."""
        with self._lock:
            row = self._conn.execute(
                "SELECT t.data, o.data, o.at FROM todos t LEFT JOIN overridden o"
                " ON o.todo_id = t.id WHERE t.id = ?",
                (todo_id,),
            ).fetchone()
        if row is None:
            raise NoSuchTodoError(f"there is no todo {todo_id}")
        data, old, at = row
        return TodoRecord(
            id=todo_id,
            task=task_format.parse_task(data),
            data=data,
            overridden=task_format.parse_task(old) if old is not None else None,
            overridden_at=datetime.fromtimestamp(at, UTC) if at is not None else None,
        )

    def exists(self, todo_id: int) -> bool:
        """Whether there is a todo with id ``todo_id``."""
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM todos WHERE id = ?", (todo_id,)).fetchone()
        return row is not None

    def find(self, uid: str) -> int | None:
        """The id of the todo with iCalendar UID ``uid``, if there is one."""
        with self._lock:
            row = self._conn.execute("SELECT id FROM todos WHERE uid = ?", (uid,)).fetchone()
        return int(row[0]) if row else None

    def lists(self) -> list[ListInfo]:
        """The user's lists (every CATEGORY a todo has), by name."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT l.name, SUM(t.done = 0), COUNT(*) FROM todo_lists l"
                " JOIN todos t ON t.id = l.todo_id GROUP BY l.name COLLATE NOCASE"
                " ORDER BY l.name COLLATE NOCASE"
            ).fetchall()
        return [ListInfo(name, int(open_), int(total)) for name, open_, total in rows]

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM todos").fetchone()[0])

    # --- local changes (each one undo step and one change-log entry) ---------------------

    def add(self, task: Task) -> int:
        """Store a new todo; returns its id. An empty ``uid`` gets a fresh one."""
        return self._step("add", lambda conn: self._add(conn, task))

    def save(self, todo_id: int, task: Task) -> TodoRecord:
        """Replace a todo's fields with ``task``'s (the stored properties it lacks are kept)."""
        self._step("edit", lambda conn: self._save(conn, todo_id, task))
        return self.get(todo_id)

    def update(self, todo_id: int, **fields: Any) -> TodoRecord:
        """Change some fields: ``store.update(7, summary="New", priority=Priority.HIGH)``."""
        return self.save(todo_id, replace(self.get(todo_id).task, **fields))

    def complete(self, todo_id: int, when: datetime | None = None) -> Completion:
        """Mark a todo done; a recurring one gets its next occurrence as a new todo."""

        def run(conn: sqlite3.Connection) -> Completion:
            task = self._task(conn, todo_id)
            at = when or self._now()
            following = recurrence.next_occurrence(task, at)
            if following is None:
                self._save(conn, todo_id, task.completed_at(at))
                return Completion(todo_id)
            # the done one no longer repeats: the series goes on in the new todo
            self._save(conn, todo_id, replace(task.completed_at(at), recurrence=None))
            return Completion(todo_id, self._add(conn, following))

        return self._step("complete", run)

    def reopen(self, todo_id: int) -> TodoRecord:
        """Mark a done todo as needing action again."""
        self._step(
            "reopen", lambda conn: self._save(conn, todo_id, self._task(conn, todo_id).reopened())
        )
        return self.get(todo_id)

    def delete(self, todo_id: int) -> None:
        """Delete a todo (undo brings it back)."""
        self._step("delete", lambda conn: self._delete(conn, todo_id))

    def restore(self, todo_id: int) -> TodoRecord:
        """Make the overridden local version current again; it is sent in the next sync."""

        def run(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "SELECT data FROM overridden WHERE todo_id = ?", (todo_id,)
            ).fetchone()
            if row is None:
                self._task(conn, todo_id)  # NoSuchTodoError first, if that is the problem
                raise NothingToRestoreError(f"todo {todo_id} has no overridden version to restore")
            self._put(conn, todo_id, row[0], local=True)
            conn.execute("DELETE FROM overridden WHERE todo_id = ?", (todo_id,))

        self._step("restore", run)
        return self.get(todo_id)

    def import_calendar(self, data: str | bytes) -> list[int]:
        """Add (or, for a known UID, update) every VTODO of an .ics file; one undo step.

        Raises :class:`~todo.errors.TaskFormatError` before changing anything if an item is
        unreadable.
        """
        tasks = calendar_files.split_calendar(data)

        def run(conn: sqlite3.Connection) -> list[int]:
            ids = []
            for item, task in tasks:
                if not task.uid:  # every todo needs one to be synced
                    task = replace(task, uid=f"{uuid.uuid4()}@traveler-todo")
                    item = task_format.format_task(task, template=item, now=self._now())
                row = conn.execute("SELECT id FROM todos WHERE uid = ?", (task.uid,)).fetchone()
                if row is None:
                    ids.append(self._insert(conn, item, local=True, task=task))
                else:
                    self._remember(conn, row[0])
                    self._put(conn, row[0], item, local=True, task=task)
                    ids.append(row[0])
            return ids

        return self._step("import", run)

    def export_calendar(self, ids: Iterable[int] | None = None) -> str:
        """One iCalendar file (VTODOs with their VTIMEZONEs) of all todos, or of ``ids``."""
        with self._lock:
            if ids is None:
                rows = self._conn.execute("SELECT data FROM todos ORDER BY id").fetchall()
            else:
                found = self.summaries(ids)
                rows = [
                    self._conn.execute("SELECT data FROM todos WHERE id = ?", (i,)).fetchone()
                    for i in found
                ]
        return calendar_files.join_calendars([r[0] for r in rows])

    # --- undo -----------------------------------------------------------------------------

    def can_undo(self) -> bool:
        """Whether there is a user action to undo."""
        return self.undo_label() is not None

    def undo_label(self) -> str | None:
        """What :meth:`undo` would undo (``add``, ``edit``, ``complete``, …), or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT label FROM undo_steps ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        return str(row[0]) if row else None

    def undo(self) -> list[int]:
        """Undo the last user action; returns the ids of the todos it touched ([] if none).

        The undone state is a local change like any other and goes to the server in the next
        sync.
        """
        with self._transaction() as conn:
            row = conn.execute("SELECT MAX(step) FROM undo_steps").fetchone()
            if row is None or row[0] is None:
                return []
            step = row[0]
            images = conn.execute(
                "SELECT todo_id, data FROM undo_steps WHERE step = ? ORDER BY seq DESC", (step,)
            ).fetchall()
            conn.execute("DELETE FROM undo_steps WHERE step = ?", (step,))
            touched = []
            for todo_id, data in images:
                exists = conn.execute("SELECT 1 FROM todos WHERE id = ?", (todo_id,)).fetchone()
                if data is None:
                    if exists:
                        self._delete(conn, todo_id)
                elif exists:
                    self._put(conn, todo_id, data, local=True)
                else:
                    self._insert(conn, data, local=True, todo_id=todo_id)
                touched.append(todo_id)
            return touched

    # --- sync side (used by todo.sync; none of it is an undo step) -------------------------

    def pending_changes(self) -> list[Change]:
        """Every todo with local changes the server has not confirmed, oldest change first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT c.todo_id, MAX(c.seq), t.data, t.known, t.uid, s.uid"
                " FROM changes c LEFT JOIN todos t ON t.id = c.todo_id"
                " LEFT JOIN tombstones s ON s.todo_id = c.todo_id AND s.known"
                " GROUP BY c.todo_id ORDER BY MIN(c.seq)"
            ).fetchall()
        result = []
        for todo_id, seq, data, known, uid, tomb_uid in rows:
            if data is not None:
                kind = ChangeKind.REPLACE if known else ChangeKind.ADD
                result.append(Change(todo_id, uid, kind, seq, data))
            elif tomb_uid is not None:
                result.append(Change(todo_id, tomb_uid, ChangeKind.DELETE, seq, None))
        return result

    def all_items(self) -> list[Change]:
        """Every todo as a REPLACE with its data (for a slow sync), ``seq`` its last change."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT t.id, t.uid, t.data, (SELECT MAX(seq) FROM changes c"
                " WHERE c.todo_id = t.id) FROM todos t ORDER BY t.id"
            ).fetchall()
        return [Change(i, uid, ChangeKind.REPLACE, seq or 0, data) for i, uid, data, seq in rows]

    def confirm(self, todo_id: int, seq: int) -> None:
        """The server has the todo as of change ``seq``: drop those changes from the log.

        Later local changes of the same todo (made while the sync ran) stay pending.
        """
        with self._transaction() as conn:
            later = conn.execute(
                "SELECT 1 FROM changes WHERE todo_id = ? AND seq > ?", (todo_id, seq)
            ).fetchone()
            conn.execute("DELETE FROM changes WHERE todo_id = ? AND seq <= ?", (todo_id, seq))
            row = conn.execute("SELECT uid FROM todos WHERE id = ?", (todo_id,)).fetchone()
            if row is not None:
                # A first version the server took is what both sides agree on; after that,
                # only what the server sends counts as agreed (its answer may not be ours).
                conn.execute(
                    "UPDATE todos SET known = 1,"
                    " base = CASE WHEN base IS NULL AND ? THEN data ELSE base END WHERE id = ?",
                    (later is None, todo_id),
                )
                return
            tomb = conn.execute(
                "SELECT uid, known FROM tombstones WHERE todo_id = ?", (todo_id,)
            ).fetchone()
            if tomb is None:
                return
            if tomb[1]:
                if later is None:  # the server deleted it too
                    conn.execute("DELETE FROM tombstones WHERE todo_id = ?", (todo_id,))
                return
            # deleted while its add was on the way: the server has it now, so tell it
            self._tombstone(conn, todo_id, tomb[0], known=True)

    def server_id_todo(self, guid: str) -> int | None:
        """The todo an earlier server Add with server ID ``guid`` became, if it still exists."""
        with self._lock:
            row = self._conn.execute(
                "SELECT s.todo_id FROM server_ids s JOIN todos t ON t.id = s.todo_id"
                " WHERE s.guid = ?",
                (guid,),
            ).fetchone()
        return int(row[0]) if row else None

    def apply_remote(
        self, data: str, todo_id: int | None = None, *, guid: str | None = None
    ) -> RemoteResult:
        """Apply the server's version of a todo (an Add or Replace it sent).

        ``todo_id`` is the local id the server named, if any; otherwise the UID finds the
        todo (so an Add of a todo we have updates it instead of making a twin). ``guid`` is
        the server's ID of an Add, remembered for :meth:`server_id_todo`. If the todo has a
        local edit the server's version does not contain, that edit is kept as the
        overridden version (see :meth:`restore`). Raises TaskFormatError for bad data.
        """
        task = task_format.parse_task(data)
        with self._transaction() as conn:
            row = None
            if todo_id is not None:
                row = conn.execute(
                    "SELECT id, data, base FROM todos WHERE id = ?", (todo_id,)
                ).fetchone()
            if row is None and task.uid:
                row = conn.execute(
                    "SELECT id, data, base FROM todos WHERE uid = ?", (task.uid,)
                ).fetchone()
            if row is None:
                tomb = conn.execute(
                    "SELECT todo_id FROM tombstones WHERE (guid = ? AND guid IS NOT NULL)"
                    " OR uid = ? ORDER BY known DESC LIMIT 1", (guid, task.uid)
                ).fetchone()
                if tomb is not None:
                    return self._keep_deleted(conn, tomb[0], task.uid, guid)
                new_id = self._insert(conn, data, local=False, task=task)
                result = RemoteResult(new_id, created=True, overridden=False)
            else:
                local_id, local, base = row
                overridden = _overrides_edit(base, local, task)
                if overridden:
                    conn.execute(
                        "INSERT INTO overridden (todo_id, data, at) VALUES (?, ?, ?) ON CONFLICT"
                        "(todo_id) DO UPDATE SET data = excluded.data, at = excluded.at",
                        (local_id, local, self._now().timestamp()),
                    )
                self._put(conn, local_id, data, local=False, task=task)
                # the server's version is what it has now; nothing of ours is left to send
                conn.execute("DELETE FROM changes WHERE todo_id = ?", (local_id,))
                result = RemoteResult(local_id, created=False, overridden=overridden)
            conn.execute(
                "UPDATE todos SET base = data, known = 1 WHERE id = ?", (result.todo_id,)
            )
            if guid is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO server_ids (guid, todo_id) VALUES (?, ?)",
                    (guid, result.todo_id),
                )
            return result

    def _keep_deleted(self, conn: sqlite3.Connection, todo_id: int, uid: str,
                      guid: str | None) -> RemoteResult:
        """The server sent a todo deleted here: the server has it, so it is to be told."""
        pending = conn.execute(
            "SELECT 1 FROM changes WHERE todo_id = ? AND kind = ?",
            (todo_id, ChangeKind.DELETE.value),
        ).fetchone()
        if not pending:
            self._tombstone(conn, todo_id, uid, known=True)
        if guid is not None:
            conn.execute("UPDATE tombstones SET guid = ? WHERE todo_id = ?", (guid, todo_id))
        return RemoteResult(todo_id, created=False, overridden=False, deleted_here=True)

    def apply_remote_delete(self, todo_id: int) -> RemoteDelete:
        """The server deleted a todo.

        A todo with local changes the server has not confirmed is kept and sent again as
        new (:attr:`RemoteDelete.KEPT`), so the user's edit is not lost.
        """
        with self._transaction() as conn:
            row = conn.execute("SELECT 1 FROM todos WHERE id = ?", (todo_id,)).fetchone()
            had_tombstone = conn.execute(
                "DELETE FROM tombstones WHERE todo_id = ?", (todo_id,)
            ).rowcount
            if row is None:
                conn.execute("DELETE FROM changes WHERE todo_id = ?", (todo_id,))
                return RemoteDelete.DELETED if had_tombstone else RemoteDelete.MISSING
            conn.execute("DELETE FROM server_ids WHERE todo_id = ?", (todo_id,))
            edited = conn.execute(
                "SELECT 1 FROM changes WHERE todo_id = ?", (todo_id,)
            ).fetchone()
            if edited:
                conn.execute("UPDATE todos SET known = 0, base = NULL WHERE id = ?", (todo_id,))
                return RemoteDelete.KEPT
            self._remove(conn, todo_id)
            return RemoteDelete.DELETED

    def clear(self) -> None:
        """Delete every todo and all sync state (before a refresh from the server)."""
        with self._transaction() as conn:
            for table in ("todo_search", "todos", "changes", "tombstones", "server_ids"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM undo_steps")

    # --- internals ------------------------------------------------------------------------

    def _step(self, label: str, action: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run a user action in one transaction as one undo step."""
        with self._transaction() as conn:
            row = conn.execute("SELECT COALESCE(MAX(step), 0) + 1 FROM undo_steps").fetchone()
            step = int(row[0])
            self._undo_step = (step, label)
            try:
                result = action(conn)
            finally:
                self._undo_step = None
            conn.execute("DELETE FROM undo_steps WHERE step <= ?", (step - UNDO_DEPTH,))
            return result

    def _remember(self, conn: sqlite3.Connection, todo_id: int, *, created: bool = False) -> None:
        """Record the before-image of ``todo_id`` in the running undo step (once per step)."""
        if self._undo_step is None:
            return  # a sync write: not an undo step
        step, label = self._undo_step
        seen = conn.execute(
            "SELECT 1 FROM undo_steps WHERE step = ? AND todo_id = ?", (step, todo_id)
        ).fetchone()
        if seen:
            return
        row = None
        if not created:
            row = conn.execute("SELECT uid, data FROM todos WHERE id = ?", (todo_id,)).fetchone()
        uid, data = (row[0], row[1]) if row else ("", None)
        conn.execute(
            "INSERT INTO undo_steps (step, label, todo_id, uid, data) VALUES (?, ?, ?, ?, ?)",
            (step, label, todo_id, uid, data),
        )

    def _task(self, conn: sqlite3.Connection, todo_id: int) -> Task:
        row = conn.execute("SELECT data FROM todos WHERE id = ?", (todo_id,)).fetchone()
        if row is None:
            raise NoSuchTodoError(f"there is no todo {todo_id}")
        return task_format.parse_task(row[0])

    def _add(self, conn: sqlite3.Connection, task: Task) -> int:
        now = self._now()
        uid = task.uid or f"{uuid.uuid4()}@traveler-todo"
        task = replace(task, uid=uid, created=task.created or now, last_modified=now)
        if conn.execute("SELECT 1 FROM todos WHERE uid = ?", (uid,)).fetchone():
            raise StoreError(f"a todo with UID {uid!r} exists already")
        data = task_format.format_task(task, now=now)
        todo_id = self._insert(conn, data, local=True, task=task)
        return todo_id

    def _save(self, conn: sqlite3.Connection, todo_id: int, task: Task) -> None:
        row = conn.execute("SELECT data, uid FROM todos WHERE id = ?", (todo_id,)).fetchone()
        if row is None:
            raise NoSuchTodoError(f"there is no todo {todo_id}")
        old, uid = row
        now = self._now()
        if task.uid != uid:
            task = replace(task, uid=uid)  # the UID is the todo's identity on every device
        before = task_format.parse_task(old)
        if replace(task, last_modified=before.last_modified) == before:
            return  # nothing changed: no change to sync, nothing to undo
        data = task_format.format_task(replace(task, last_modified=now), template=old, now=now)
        self._remember(conn, todo_id)
        self._put(conn, todo_id, data, local=True)

    def _delete(self, conn: sqlite3.Connection, todo_id: int) -> None:
        row = conn.execute("SELECT uid, known FROM todos WHERE id = ?", (todo_id,)).fetchone()
        if row is None:
            raise NoSuchTodoError(f"there is no todo {todo_id}")
        uid, known = row
        self._remember(conn, todo_id)
        guid = conn.execute(
            "SELECT guid FROM server_ids WHERE todo_id = ? LIMIT 1", (todo_id,)).fetchone()
        self._remove(conn, todo_id)
        if not known:
            # the server never had it: nothing to tell it, unless an add of it is on the way
            # (then confirm() turns the tombstone into a delete)
            conn.execute("DELETE FROM changes WHERE todo_id = ?", (todo_id,))
        self._tombstone(conn, todo_id, uid, known=bool(known))
        if guid is not None:
            conn.execute("UPDATE tombstones SET guid = ? WHERE todo_id = ?", (guid[0], todo_id))

    def _tombstone(self, conn: sqlite3.Connection, todo_id: int, uid: str, *, known: bool) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO tombstones (todo_id, uid, known, at) VALUES (?, ?, ?, ?)",
            (todo_id, uid, int(known), self._now().timestamp()),
        )
        if known:
            self._log(conn, todo_id, ChangeKind.DELETE, uid)

    def _remove(self, conn: sqlite3.Connection, todo_id: int) -> None:
        conn.execute("DELETE FROM todo_search WHERE rowid = ?", (todo_id,))
        conn.execute("DELETE FROM todos WHERE id = ?", (todo_id,))

    def _insert(
        self,
        conn: sqlite3.Connection,
        data: str,
        *,
        local: bool,
        task: Task | None = None,
        todo_id: int | None = None,
    ) -> int:
        task = task or task_format.parse_task(data)
        now = self._now().timestamp()
        columns = self._columns(task, data)
        columns["created_at"] = task.created.timestamp() if task.created else now
        columns["modified_at"] = now
        if todo_id is not None:  # undo of a delete: the todo comes back as it was
            columns["id"] = todo_id
            tomb = conn.execute(
                "SELECT known FROM tombstones WHERE todo_id = ?", (todo_id,)
            ).fetchone()
            columns["known"] = tomb[0] if tomb else 0
            conn.execute("DELETE FROM tombstones WHERE todo_id = ?", (todo_id,))
        names = ", ".join(columns)
        marks = ", ".join(f":{k}" for k in columns)
        cursor = conn.execute(f"INSERT INTO todos ({names}) VALUES ({marks})", columns)
        new_id = int(todo_id if todo_id is not None else cursor.lastrowid or 0)
        self._index(conn, new_id, task)
        if local:
            self._remember(conn, new_id, created=True)
            self._log(conn, new_id, ChangeKind.ADD, task.uid)
        return new_id

    def _put(
        self,
        conn: sqlite3.Connection,
        todo_id: int,
        data: str,
        *,
        local: bool,
        task: Task | None = None,
    ) -> None:
        task = task or task_format.parse_task(data)
        columns = self._columns(task, data)
        columns["modified_at"] = self._now().timestamp()
        sets = ", ".join(f"{k} = :{k}" for k in columns)
        conn.execute(
            f"UPDATE todos SET {sets} WHERE id = :todo_id", {**columns, "todo_id": todo_id}
        )
        self._index(conn, todo_id, task)
        if local:
            self._log(conn, todo_id, ChangeKind.REPLACE, task.uid)

    def _log(self, conn: sqlite3.Connection, todo_id: int, kind: ChangeKind, uid: str = "") -> None:
        conn.execute(
            "INSERT INTO changes (todo_id, uid, kind, at) VALUES (?, ?, ?, ?)",
            (todo_id, uid, kind.value, self._now().timestamp()),
        )

    def _index(self, conn: sqlite3.Connection, todo_id: int, task: Task) -> None:
        conn.execute("DELETE FROM todo_lists WHERE todo_id = ?", (todo_id,))
        conn.executemany(
            "INSERT OR IGNORE INTO todo_lists (todo_id, name) VALUES (?, ?)",
            [(todo_id, c) for c in task.categories],
        )
        conn.execute("DELETE FROM todo_search WHERE rowid = ?", (todo_id,))
        conn.execute(
            "INSERT INTO todo_search (rowid, summary, notes, lists) VALUES (?, ?, ?, ?)",
            (todo_id, task.summary, task.description, " ".join(task.categories)),
        )

    def _columns(self, task: Task, data: str) -> dict[str, Any]:
        due_key, due_day = self._due_columns(task.due)
        due, due_tz = _moment_columns(task.due)
        return {
            "uid": task.uid,
            "data": data,
            "summary": task.summary,
            "due": due,
            "due_tz": due_tz,
            "due_key": due_key,
            "due_day": due_day,
            "priority": task.priority.value,
            "priority_rank": task.priority.rank,
            "done": int(not task.is_open),
            "completed_at": task.completed.isoformat() if task.completed else None,
            "status": task.status.value if task.status else None,
            "categories": json.dumps(list(task.categories), ensure_ascii=False),
            "assignees": json.dumps(
                [[a.email, a.name, a.partstat.value] for a in task.assignees], ensure_ascii=False
            ),
            "organizer": task.organizer.email if task.organizer else None,
            "recurring": int(task.recurrence is not None),
        }

    def _due_columns(self, due: date | datetime | None) -> tuple[float, str | None]:
        """(due_key, due_day): when the todo becomes overdue, and its local due date."""
        if due is None:
            return _NO_DUE, None
        if not isinstance(due, datetime):
            # an all-day todo is overdue from the next local midnight on
            midnight = datetime(due.year, due.month, due.day, tzinfo=self.zone) + timedelta(days=1)
            return midnight.timestamp(), due.isoformat()
        if due.tzinfo is None:  # floating: that wall-clock time wherever the user is
            due = due.replace(tzinfo=self.zone)
        return due.timestamp(), due.astimezone(self.zone).date().isoformat()


def _overrides_edit(base: str | None, local: str, remote: Task) -> bool:
    """Whether applying ``remote`` loses a field the user changed locally since ``base``."""
    if base is not None and same_content(base, local):
        return False  # no local edit
    mine = task_format.parse_task(local)
    if base is None:
        # the server has never confirmed a version of ours: every differing field is an edit
        return _fields(mine) != _fields(remote)
    before = task_format.parse_task(base)
    theirs, ours, old = _fields(remote), _fields(mine), _fields(before)
    return any(ours[name] != old[name] and theirs[name] != ours[name] for name in ours)


_COMPARED = (
    "summary",
    "description",
    "start",
    "due",
    "completed",
    "priority",
    "status",
    "percent_complete",
    "categories",
    "organizer",
    "assignees",
    "recurrence",
    "alarms",
    "classification",
)


def _fields(task: Task) -> dict[str, object]:
    return {name: getattr(task, name) for name in _COMPARED}


def _moment_columns(value: date | datetime | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, datetime) and value.tzinfo is not None:
        key = getattr(value.tzinfo, "key", None)
        if key is None or (value.utcoffset() == timedelta(0) and key in ("UTC", "Etc/UTC")):
            return value.astimezone(UTC).isoformat(), "UTC"
        return value.isoformat(), str(key)
    return value.isoformat(), None


def _moment_from_columns(text: str | None, zone: str | None) -> date | datetime | None:
    if text is None:
        return None
    if "T" not in text:
        return date.fromisoformat(text)
    value = datetime.fromisoformat(text)
    if zone == "UTC":
        return value.astimezone(UTC)
    if zone:
        try:
            return value.astimezone(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return value
    return value


def _json_moment(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


_SUMMARY_COLUMNS = (
    "id, uid, summary, due, due_tz, priority, done, completed_at, status, categories,"
    " assignees, organizer, recurring,"
    " EXISTS (SELECT 1 FROM overridden o WHERE o.todo_id = todos.id), created_at, modified_at"
)


_PRIORITIES = {p.value: p for p in Priority}


# A list of 100,000 rows repeats the same few list and assignee columns; reading each text
# once saves most of the time it takes to turn rows into summaries.
@functools.lru_cache(maxsize=4096)
def _categories(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(json.loads(text))


@functools.lru_cache(maxsize=4096)
def _assignees(text: str) -> tuple[Attendee, ...]:
    if text == "[]":
        return ()
    return tuple(Attendee(email, name, PartStat(stat)) for email, name, stat in json.loads(text))


def _summary(row: Any) -> TodoSummary:
    (
        todo_id,
        uid,
        summary,
        due,
        due_tz,
        priority,
        done,
        completed_at,
        status,
        categories,
        assignees,
        organizer,
        recurring,
        conflict,
        created,
        modified,
    ) = row
    return TodoSummary(
        id=todo_id,
        uid=uid,
        subject=summary,
        due=_moment_from_columns(due, due_tz),
        priority=_PRIORITIES[priority],
        completed=bool(done),
        completed_at=datetime.fromisoformat(completed_at) if completed_at else None,
        status=Status(status) if status else None,
        categories=_categories(categories),
        assignees=_assignees(assignees),
        organizer=organizer,
        recurring=bool(recurring),
        conflict=bool(conflict),
        created=datetime.fromtimestamp(created, UTC),
        modified=datetime.fromtimestamp(modified, UTC),
    )
