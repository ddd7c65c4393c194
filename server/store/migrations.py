"""The schema, as an ordered list of migrations.

To change the schema, append a :class:`Migration` with the next version number; never edit one
that has shipped (databases out there already ran it). Each ``apply`` runs in a transaction
opened by :meth:`Database.migrate`, so it must not commit nor call ``executescript``.
"""

from __future__ import annotations

import sqlite_utils

from server.store.database import Migration

__all__ = ["MIGRATIONS"]


def _users_and_devices(db: sqlite_utils.Database) -> None:
    # NOCASE: "Alice" and "alice" are one account, as in Domino's directory; it folds ASCII only.
    db.execute(
        """
        CREATE TABLE users (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
            email         TEXT NOT NULL,
            full_name     TEXT,
            is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
            password_hash TEXT NOT NULL,
            md5_secret    TEXT,
            created       TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE devices (
            id               INTEGER PRIMARY KEY,
            device_id        TEXT NOT NULL,
            user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            device_type      TEXT,
            manufacturer     TEXT,
            model            TEXT,
            software_version TEXT,
            first_sync       TEXT NOT NULL,
            last_sync        TEXT NOT NULL,
            UNIQUE (user_id, device_id)
        )
        """
    )
    # Administrators look a device up by its ID alone (wipe, block) across users.
    db.execute("CREATE INDEX devices_by_device_id ON devices (device_id)")


MIGRATIONS: list[Migration] = [
    Migration(1, "users and devices", _users_and_devices),
]

# The SyncML engine's tables live beside the code that uses them.
from server.store.sync_store import SYNC_MIGRATIONS  # noqa: E402

MIGRATIONS.extend(SYNC_MIGRATIONS)
