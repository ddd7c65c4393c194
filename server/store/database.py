"""The SQLite database of one server: connection, pragmas, transactions and migrations.

Threading: the server calls the store from worker threads (``asyncio.to_thread``), so the
database keeps **one connection** opened with ``check_same_thread=False`` and guards it with a
re-entrant lock. :meth:`Database.transaction` holds the lock from ``BEGIN IMMEDIATE`` to
``COMMIT``, so a transaction is never interleaved with another thread's statements, and nested
``transaction()`` blocks in the same thread become savepoints of the outer one. SQLite admits
one writer at a time anyway; one connection keeps that simple and predictable, and WAL still
lets other processes (the CLI while the server runs) read alongside. Never hold a transaction
across an ``await``: run the whole unit of work in one thread.

The connection runs in autocommit mode (``isolation_level=None``): a statement outside
``transaction()`` commits at once, and nothing opens a transaction behind our back.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from server.store.schema import MIGRATIONS, SCHEMA_VERSION_DDL, Migration

__all__ = [
    "DB_FILENAME",
    "Database",
    "Migration",
    "MigrationError",
    "SchemaTooNewError",
    "StoreError",
]

DB_FILENAME = "traveler.db"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """Base class of the store's errors.

    Tree::

        StoreError
        ├── MigrationError        a migration failed or the migration list is inconsistent
        │   └── SchemaTooNewError the database was written by a newer version of the server
        ├── UserError             (users.py) a user cannot be added/changed; message says why
        │   └── UserExistsError
        └── DeviceError           (devices.py) bad device registration input
            └── DeviceRevokedError (client_devices.py) a revoked device tried to register
    """


class MigrationError(StoreError):
    """A migration could not be applied; the database is left at the last good version."""


class SchemaTooNewError(MigrationError):
    """The database schema is newer than this code; refusing to touch it."""


def utc_now() -> str:
    """Timestamps are stored as ISO 8601 text in UTC, so they sort and read well."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """One SQLite database file, migrated and safe to share between threads.

    ``Database(path)`` opens a file (or ``":memory:"``) without migrating;
    :meth:`open` opens ``<data>/traveler.db`` and migrates it to the current schema.
    """

    def __init__(self, path: Path | str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = path if str(path) == ":memory:" else Path(path)
        self._lock = threading.RLock()
        self._savepoints = itertools.count(1)
        conn = sqlite3.connect(
            str(self.path),
            check_same_thread=False,
            isolation_level=None,
            timeout=busy_timeout_ms / 1000,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            if str(path) != ":memory:":
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StoreError(f"{path}: cannot switch to WAL journal mode (got {mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path} is not a usable SQLite database: {exc}") from exc
        self.conn: sqlite3.Connection = conn
        self.db: sqlite_utils.Database = sqlite_utils.Database(conn, execute_plugins=False)

    @classmethod
    def open(
        cls,
        data_dir: Path | str,
        *,
        migrate: bool = True,
        migrations: Sequence[Migration] | None = None,
    ) -> Database:
        """Open ``<data_dir>/traveler.db`` (creating folder and file) and bring it up to date.

        A new folder is made 0700 and a new database file 0600 whatever the umask; SQLite
        gives its WAL and SHM files the database file's mode, so they are 0600 too.
        """
        folder = Path(data_dir)
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / DB_FILENAME
        with contextlib.suppress(FileExistsError):
            # The database holds password verifiers: never let the umask make it readable.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        database = cls(path)
        if migrate:
            try:
                database.migrate(migrations)
            except BaseException:
                database.close()
                raise
        return database

    # --- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- locking and transactions ---------------------------------------------------------
    @property
    def lock(self) -> threading.RLock:
        """Hold this around several reads that must see one state (writes: use transaction)."""
        return self._lock

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` when the block raises.

        Nested use in the same thread makes a savepoint: the inner block's failure rolls back
        only the inner block (if the exception is caught), and nothing is committed before the
        outermost block ends. ``IMMEDIATE`` takes the write lock up front, so two writers wait
        on ``busy_timeout`` instead of failing half-way with SQLITE_BUSY.
        """
        with self._lock:
            if self.conn.in_transaction:
                name = f"traveler_sp_{next(self._savepoints)}"
                self.conn.execute(f"SAVEPOINT {name}")
                try:
                    yield self.db
                except BaseException:
                    # A failed statement may already have ended the whole transaction.
                    if self.conn.in_transaction:
                        self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                        self.conn.execute(f"RELEASE SAVEPOINT {name}")
                    raise
                else:
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                if not self.conn.in_transaction:
                    raise StoreError(
                        "the transaction was ended inside the block (commit() or "
                        "executescript()?); its writes are no longer atomic"
                    )
                try:
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Run a read and return all rows as dicts (materialised under the lock)."""
        with self._lock:
            cursor = self.conn.execute(sql, params)
            columns = [d[0] for d in cursor.description or ()]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    # --- schema -----------------------------------------------------------------------------
    def schema_version(self) -> int:
        """The highest applied migration, 0 for a new database."""
        with self._lock:
            if not self.db["schema_version"].exists():
                return 0
            row = self.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            return int(row[0] or 0)

    def migrate(self, migrations: Sequence[Migration] | None = None) -> list[int]:
        """Apply pending migrations in order, each in its own transaction.

        Returns the versions applied (empty when already current). Raises
        :class:`SchemaTooNewError` when the database has a version this code does not know.
        """
        if migrations is None:
            migrations = MIGRATIONS
        _check_sequence(migrations)
        latest = migrations[-1].version if migrations else 0
        applied: list[int] = []
        with self._lock:
            self.conn.execute(SCHEMA_VERSION_DDL)
            current = self.schema_version()
            if current > latest:
                raise SchemaTooNewError(
                    f"{self.path} has schema version {current}, but this server knows only up "
                    f"to {latest}: it was written by a newer Traveler server. Run that version, "
                    "or restore a backup made with this one; the database was not changed."
                )
            for migration in migrations:
                if migration.version <= current:
                    continue
                try:
                    with self.transaction() as db:
                        # Another process may have migrated since we looked.
                        if self.schema_version() >= migration.version:
                            continue
                        migration.apply(db)
                        if not self.conn.in_transaction:
                            raise MigrationError(
                                f"migration {migration.version} ({migration.description}) "
                                "ended the transaction itself (commit() or executescript()?), "
                                "so it may be partly applied and is not recorded; fix it to "
                                "leave transaction control to migrate()"
                            )
                        self.conn.execute(
                            "INSERT INTO schema_version (version, description, applied) "
                            "VALUES (?, ?, ?)",
                            (migration.version, migration.description, utc_now()),
                        )
                except MigrationError:
                    raise
                except Exception as exc:
                    raise MigrationError(
                        f"migration {migration.version} ({migration.description}) failed: {exc}; "
                        f"the database stays at version {self.schema_version()}"
                    ) from exc
                applied.append(migration.version)
        return applied


def _check_sequence(migrations: Sequence[Migration]) -> None:
    # A gap or a reordering is a programming error that would leave databases in different
    # states depending on when they were created; catch it before touching anything.
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"MIGRATIONS must be numbered 1, 2, 3, … without gaps; position {expected} has "
                f"version {migration.version} ({migration.description})"
            )
