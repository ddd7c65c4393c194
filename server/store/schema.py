"""The schema of the server's database: every table, index and migration, in one place.

To change the schema, append a :class:`Migration` with the next version number; never edit one
that has shipped (databases out there already ran it). Each ``apply`` runs in a transaction
opened by :meth:`server.store.database.Database.migrate`, so it must neither commit nor call
``executescript`` (which commits first).

This module holds DDL only and imports nothing from the store, so every store module can
import it and none of them has to import another to know the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

__all__ = ["MIGRATIONS", "SCHEMA_VERSION_DDL", "Migration"]


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``apply`` runs inside a transaction the migrator opened.

    ``apply`` must not commit, and must not use ``executescript`` (which commits first).
    """

    version: int
    description: str
    apply: Callable[[sqlite_utils.Database], None]


# The bookkeeping table of applied migrations; created before the first migration runs.
SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " description TEXT NOT NULL,"
    " applied TEXT NOT NULL)"
)


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


def _sync_tables(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE devices ADD COLUMN devinf TEXT")
    db.execute(
        """
        CREATE TABLE items (
            -- AUTOINCREMENT: a deleted item's GUID must never name another item, or a
            -- device still mapping the old one would get the new one as a Replace.
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            datastore TEXT NOT NULL,
            uid       TEXT,
            data      TEXT NOT NULL,
            rev       INTEGER NOT NULL,
            modified  REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX items_by_store ON items (user_id, datastore)")
    db.execute("CREATE INDEX items_by_uid ON items (user_id, datastore, uid)")
    # Old versions still needed as the common base of a three-way merge.
    db.execute(
        """
        CREATE TABLE item_history (
            item_id INTEGER NOT NULL,
            rev     INTEGER NOT NULL,
            data    TEXT NOT NULL,
            PRIMARY KEY (item_id, rev)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE mappings (
            device_pk  INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
            datastore  TEXT NOT NULL,
            guid       INTEGER NOT NULL,
            luid       TEXT,
            synced_rev INTEGER NOT NULL,
            PRIMARY KEY (device_pk, datastore, guid)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE UNIQUE INDEX mappings_by_luid ON mappings (device_pk, datastore, luid)")
    db.execute(
        """
        CREATE TABLE anchors (
            device_pk   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
            datastore   TEXT NOT NULL,
            client_next TEXT NOT NULL,
            server_next TEXT NOT NULL,
            PRIMARY KEY (device_pk, datastore)
        )
        """
    )
    db.execute("CREATE TABLE nonces (device_id TEXT PRIMARY KEY, nonce BLOB NOT NULL)")
    db.execute(
        """
        CREATE TABLE syncml_sessions (
            key        TEXT PRIMARY KEY,
            state      TEXT NOT NULL,
            reply      BLOB NOT NULL,
            reply_type TEXT NOT NULL,
            updated    REAL NOT NULL
        )
        """
    )
    db.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute("INSERT INTO counters (name, value) VALUES ('rev', 0)")


def _client_api(db: sqlite_utils.Database) -> None:
    # A device that registers through the client API (the Companion) is the same row as the
    # one its SyncML client syncs from, so an administrator sees one device, not two.
    db.execute("ALTER TABLE devices ADD COLUMN name TEXT")
    db.execute("ALTER TABLE devices ADD COLUMN os TEXT")
    # Raw 32-byte X25519 public key: attachments are encrypted to every active device's key.
    db.execute("ALTER TABLE devices ADD COLUMN public_key BLOB")
    # SHA-256 of the device token, never the token: a copy of the database signs nobody in.
    db.execute("ALTER TABLE devices ADD COLUMN token_hash TEXT")
    db.execute("ALTER TABLE devices ADD COLUMN registered TEXT")
    db.execute("ALTER TABLE devices ADD COLUMN revoked TEXT")
    db.execute("CREATE UNIQUE INDEX devices_by_token_hash ON devices (token_hash)")
    db.execute(
        "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0"
        " CHECK (disabled IN (0, 1))"
    )


def _nonces_per_user(db: sqlite_utils.Database) -> None:
    # A nonce keyed by the device ID alone let a second account on the device, or anyone
    # posting under that device ID, replace the nonce of the first. Old nonces only serve
    # a retry in progress; dropping them costs a device one more challenge.
    db.execute("DROP TABLE nonces")
    db.execute(
        """
        CREATE TABLE nonces (
            username  TEXT NOT NULL,
            device_id TEXT NOT NULL,
            nonce     BLOB NOT NULL,
            PRIMARY KEY (username, device_id)
        )
        """
    )


def _mail_tables(db: sqlite_utils.Database) -> None:
    # raw holds the message exactly as delivered (trace headers prepended), so nothing the
    # sender wrote is lost; the other columns are what listings show without re-parsing it.
    db.execute(
        """
        CREATE TABLE mail_messages (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            received      TEXT NOT NULL,
            envelope_from TEXT NOT NULL,
            message_id    TEXT,
            subject       TEXT,
            sender        TEXT,
            sent          TEXT,
            size          INTEGER NOT NULL,
            raw           BLOB NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX mail_messages_by_user ON mail_messages (user_id, id)")
    # position: the attachment's index among the message's attachments, in MIME tree order,
    # which re-parsing the same raw bytes always reproduces.
    db.execute(
        """
        CREATE TABLE mail_attachments (
            message_pk   INTEGER NOT NULL REFERENCES mail_messages (id) ON DELETE CASCADE,
            position     INTEGER NOT NULL,
            filename     TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size         INTEGER NOT NULL,
            PRIMARY KEY (message_pk, position)
        ) WITHOUT ROWID
        """
    )
    # Messages the server could not parse: kept for the administrator instead of dropped.
    db.execute(
        """
        CREATE TABLE mail_quarantine (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            received      TEXT NOT NULL,
            source        TEXT NOT NULL,
            envelope_from TEXT NOT NULL,
            recipients    TEXT NOT NULL,
            reason        TEXT NOT NULL,
            size          INTEGER NOT NULL,
            raw           BLOB NOT NULL
        )
        """
    )


def _attachment_protection(db: sqlite_utils.Database) -> None:
    # One row: the seed's "Sicherheitseinstellungen" for attachments, changed without restart.
    db.execute(
        """
        CREATE TABLE attachment_policy (
            id                  INTEGER PRIMARY KEY CHECK (id = 1),
            protect_attachments INTEGER NOT NULL CHECK (protect_attachments IN (0, 1)),
            approved_apps_only  INTEGER NOT NULL CHECK (approved_apps_only IN (0, 1)),
            prevent_download    INTEGER NOT NULL CHECK (prevent_download IN (0, 1)),
            view_only           INTEGER NOT NULL CHECK (view_only IN (0, 1)),
            changed             TEXT,
            changed_by          TEXT
        )
        """
    )
    db.execute("INSERT INTO attachment_policy VALUES (1, 1, 0, 0, 0, NULL, NULL)")
    db.execute(
        """
        CREATE TABLE approved_apps (
            id               INTEGER PRIMARY KEY,
            name             TEXT NOT NULL,
            app_id           TEXT NOT NULL,
            os               TEXT NOT NULL CHECK (os IN ('linux', 'windows', 'macos')),
            required_version TEXT,
            added            TEXT NOT NULL,
            UNIQUE (os, app_id)
        )
        """
    )
    # An attachment encrypted once: the payload never changes; the header is rebuilt when the
    # user's devices or the policy change. The file key is kept so that a device registered
    # later gets the file key wrapped for it without re-encrypting the file; it protects
    # nothing the server does not hold anyway (the message itself is in mail_messages).
    db.execute(
        """
        CREATE TABLE attachment_files (
            message_pk INTEGER NOT NULL,
            position   INTEGER NOT NULL,
            file_key   BLOB NOT NULL,
            header     BLOB NOT NULL,
            payload    BLOB NOT NULL,
            created    TEXT NOT NULL,
            updated    TEXT NOT NULL,
            PRIMARY KEY (message_pk, position),
            FOREIGN KEY (message_pk, position)
                REFERENCES mail_attachments (message_pk, position) ON DELETE CASCADE
        ) WITHOUT ROWID
        """
    )
    # The audit trail of hand-offs: names are copied, so it outlives the message and device.
    db.execute(
        """
        CREATE TABLE attachment_handoffs (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            reported    TEXT NOT NULL,
            user_name   TEXT NOT NULL,
            device_id   TEXT NOT NULL,
            message_pk  INTEGER,
            position    INTEGER,
            filename    TEXT NOT NULL,
            app_id      TEXT NOT NULL,
            app_name    TEXT,
            app_version TEXT,
            os          TEXT,
            approved    INTEGER NOT NULL CHECK (approved IN (0, 1))
        )
        """
    )
    db.execute("CREATE INDEX attachment_handoffs_by_user ON attachment_handoffs (user_name, id)")


def _out_of_office(db: sqlite_utils.Database) -> None:
    # absence counts the times out of office was switched on: "one reply per sender" is per
    # absence, so the history starts anew with each one (as in Exchange and Domino).
    db.execute(
        """
        CREATE TABLE ooo_profiles (
            user_id       INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
            enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
            absence       INTEGER NOT NULL,
            leave_at      TEXT,
            return_at     TEXT,
            subject       TEXT NOT NULL,
            body          TEXT NOT NULL,
            internal_body TEXT,
            external      TEXT NOT NULL CHECK (external IN ('none', 'known', 'all')),
            known         TEXT NOT NULL,
            exclusions    TEXT NOT NULL,
            updated       TEXT NOT NULL,
            updated_by    TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE ooo_replies (
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            absence INTEGER NOT NULL,
            address TEXT NOT NULL COLLATE NOCASE,
            replied TEXT NOT NULL,
            PRIMARY KEY (user_id, absence, address)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE ooo_changes (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            changed    TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            summary    TEXT NOT NULL
        )
        """
    )
    # Mail leaving through NTS_SMTP_RELAY. A row is claimed with a lease before it is sent, so
    # two server processes on one database never send it twice; it survives restarts.
    db.execute(
        """
        CREATE TABLE mail_outbound (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            created       TEXT NOT NULL,
            envelope_from TEXT NOT NULL,
            recipient     TEXT NOT NULL,
            raw           BLOB NOT NULL,
            attempts      INTEGER NOT NULL DEFAULT 0,
            next_attempt  REAL NOT NULL,
            lease_until   REAL,
            last_error    TEXT,
            sent          TEXT,
            failed        TEXT
        )
        """
    )
    db.execute("CREATE INDEX mail_outbound_due ON mail_outbound (next_attempt) WHERE sent IS NULL"
               " AND failed IS NULL")


def _delegation_and_push(db: sqlite_utils.Database) -> None:
    # Which of an organizer's tasks (by iCalendar UID) were placed in which assignee's todos:
    # an assignee may only answer (PARTSTAT, completion) for a task that was delegated to them.
    db.execute(
        """
        CREATE TABLE delegations (
            organizer_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            assignee_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            datastore    TEXT NOT NULL,
            uid          TEXT NOT NULL,
            PRIMARY KEY (organizer_id, datastore, uid, assignee_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX delegations_by_assignee ON delegations (assignee_id, datastore, uid)")
    # One row per change a user's other devices should hear about. The sequence is what every
    # server process's push loop watches, so any pool member (or a restarted server) can push.
    db.execute(
        """
        CREATE TABLE push_events (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            datastore  TEXT NOT NULL,
            -- the device whose sync made the change: it has the change already
            origin_pk  INTEGER,
            kind       TEXT NOT NULL,
            detail     TEXT,
            created    REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX push_events_by_user ON push_events (user_id, seq)")
    # A device's push subscription: the last event it was sent, so a reconnect (to any server
    # process) resumes where the last connection stopped.
    db.execute(
        """
        CREATE TABLE push_subscriptions (
            device_pk INTEGER PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
            last_seq  INTEGER NOT NULL,
            connected REAL NOT NULL
        )
        """
    )


def _disabled_reasons(db: sqlite_utils.Database) -> None:
    # Why an administrator disabled a user (`user disable --reason`), for the log lines of
    # the refused logins and `user list`.
    db.execute("ALTER TABLE users ADD COLUMN disabled_reason TEXT")


def _settled_mappings(db: sqlite_utils.Database) -> None:
    # Whether a device's sync completed since its mapping of an item was made: a device that
    # resumes a suspended slow sync sends only what it had no status for, and the items of
    # its unsettled mappings are the ones it still holds without sending them again.
    db.execute("ALTER TABLE mappings ADD COLUMN settled INTEGER NOT NULL DEFAULT 1")


def _login_failures(db: sqlite_utils.Database) -> None:
    # The failed-login throttle's counts, in the store so that every server process on one
    # database counts together (a guesser cannot spread tries over a pool's members). Times
    # are Unix seconds (REAL): processes share the wall clock, not a monotonic one.
    db.execute(
        """
        CREATE TABLE login_failures (
            scope TEXT NOT NULL,   -- 'address' or 'user'
            key   TEXT NOT NULL,   -- the client address, or the case-folded user name
            at    REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX login_failures_by_key ON login_failures (scope, key, at)")
    db.execute("CREATE INDEX login_failures_by_time ON login_failures (at)")
    # A successful login keeps its (user, address) exempt from the user's lockout a while.
    db.execute(
        """
        CREATE TABLE login_successes (
            user_key TEXT NOT NULL,
            address  TEXT NOT NULL,
            at       REAL NOT NULL,
            PRIMARY KEY (user_key, address)
        ) WITHOUT ROWID
        """
    )


MIGRATIONS: list[Migration] = [
    Migration(1, "users and devices", _users_and_devices),
    Migration(2, "SyncML items, mappings, anchors, sessions", _sync_tables),
    Migration(3, "client API: device keys and tokens, disabled users", _client_api),
    Migration(4, "md5 nonces per user and device", _nonces_per_user),
    Migration(5, "mail: messages, attachments, quarantine", _mail_tables),
    Migration(6, "attachment policy, approved apps, encrypted files, hand-offs",
              _attachment_protection),
    Migration(7, "out of office: profiles, replies, changes; outbound mail queue",
              _out_of_office),
    Migration(8, "delegated tasks, push events and subscriptions", _delegation_and_push),
    Migration(9, "why a user is disabled", _disabled_reasons),
    Migration(10, "mappings settled by a completed sync", _settled_mappings),
    Migration(11, "failed logins counted in the store (shared by server processes)",
              _login_failures),
]
