"""The SyncML engine's storage on the SQL store: items, revisions, mappings, sessions.

Implements :class:`syncml.server.backend.ServerBackend` and
:class:`syncml.server.backend.Datastore`.
The caller (``server.sync_service``) wraps each SyncML message in one transaction, so
everything a message changes is committed together or not at all.

Change tracking: every write of an item takes a new value of one global revision
counter. A device's mapping remembers the revision it last confirmed; whatever is newer
(or unmapped, or mapped but gone) is what the device still has to receive.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.store.database import Database
from server.store.devices import MAX_FIELD, Device, DeviceStore
from server.store.users import UserStore
from syncml.server.backend import Change, ChangeKind, Mapping, Principal, StoredItem

__all__ = ["ItemChange", "ItemGuard", "SqlDatastore", "SqlItems", "SqlSyncBackend"]


@dataclass(frozen=True)
class ItemChange:
    """An item a device's sync added, changed or deleted (what delegation and push act on)."""

    user_id: int
    datastore: str
    guid: str
    uid: str | None
    deleted: bool
    device_pk: int | None
    data: str | None = None  # the stored text; None for a deletion


# Called before an item is stored: (user id, datastore, data, uid); raises
# syncml.errors.ItemRefused to refuse it.
ItemGuard = Callable[[int, str, str, "str | None"], None]


class SqlItems:
    """One user's items in one datastore: what every device of the user shares.

    With a ``journal``, every write is appended to it as an :class:`ItemChange`; with a
    ``guard``, every new or changed item is shown to it first, and it may refuse the item.
    """

    def __init__(self, db: Database, user_id: int, name: str, clock: Any = time.time, *,
                 journal: list[ItemChange] | None = None, guard: ItemGuard | None = None,
                 device_pk: int | None = None) -> None:
        self._conn = db.conn
        self._user = user_id
        self._name = name
        self._clock = clock
        self._journal = journal
        self._guard = guard
        self._device = device_pk

    def _note(self, guid: str, uid: str | None, data: str | None) -> None:
        if self._journal is not None:
            self._journal.append(ItemChange(self._user, self._name, guid, uid, data is None,
                                            self._device, data))

    def get(self, guid: str) -> StoredItem | None:
        row = self._conn.execute(
            "SELECT id, data, rev, modified FROM items WHERE id = ? AND user_id = ? "
            "AND datastore = ?",
            (_guid(guid), self._user, self._name),
        ).fetchone()
        return _item(row) if row else None

    def base(self, guid: str, rev: int) -> str | None:
        row = self._conn.execute(
            "SELECT data FROM items WHERE id = ? AND rev = ? AND user_id = ?",
            (_guid(guid), rev, self._user),
        ).fetchone() or self._conn.execute(
            "SELECT h.data FROM item_history h JOIN items i ON i.id = h.item_id "
            "WHERE h.item_id = ? AND h.rev = ? AND i.user_id = ?",
            (_guid(guid), rev, self._user),
        ).fetchone()
        return row[0] if row else None

    def find_uid(self, uid: str) -> StoredItem | None:
        row = self._conn.execute(
            "SELECT id, data, rev, modified FROM items WHERE user_id = ? AND datastore = ? "
            "AND uid = ? ORDER BY id LIMIT 1",
            (self._user, self._name, uid),
        ).fetchone()
        return _item(row) if row else None

    def _next_rev(self) -> int:
        row = self._conn.execute(
            "UPDATE counters SET value = value + 1 WHERE name = 'rev' RETURNING value"
        ).fetchone()
        return int(row[0])

    def add(self, data: str, uid: str | None) -> StoredItem:
        if self._guard is not None:
            self._guard(self._user, self._name, data, uid)
        rev = self._next_rev()
        now = self._clock()
        cursor = self._conn.execute(
            "INSERT INTO items (user_id, datastore, uid, data, rev, modified) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (self._user, self._name, uid, data, rev, now),
        )
        guid = str(cursor.lastrowid)
        self._note(guid, uid, data)
        return StoredItem(guid, data, "text/calendar", rev, now)

    def update(self, guid: str, data: str, uid: str | None) -> StoredItem:
        key = _guid(guid)
        old = self._conn.execute("SELECT data, rev FROM items WHERE id = ? AND user_id = ?",
                                 (key, self._user)).fetchone()
        if old is None:
            raise LookupError(f"item {guid} is not in this datastore")
        if self._guard is not None:
            self._guard(self._user, self._name, data, uid)
        rev = self._next_rev()
        now = self._clock()
        # Keep the old version while some device's mapping still refers to it.
        self._conn.execute(
            "INSERT OR IGNORE INTO item_history (item_id, rev, data) "
            "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM mappings WHERE guid = ? "
            "AND synced_rev = ?)",
            (key, old[1], old[0], key, old[1]),
        )
        self._conn.execute(
            # With no device mapping the item, no old version is needed any more.
            "DELETE FROM item_history WHERE item_id = ? AND rev < COALESCE("
            "(SELECT MIN(synced_rev) FROM mappings WHERE guid = ?), rev + 1)",
            (key, key),
        )
        self._conn.execute(
            "UPDATE items SET data = ?, uid = ?, rev = ?, modified = ? "
            "WHERE id = ? AND user_id = ?",
            (data, uid, rev, now, key, self._user),
        )
        self._note(guid, uid, data)
        return StoredItem(guid, data, "text/calendar", rev, now)

    def delete(self, guid: str) -> None:
        key = _guid(guid)
        deleted = self._conn.execute("DELETE FROM items WHERE id = ? AND user_id = ? "
                                     "RETURNING uid", (key, self._user)).fetchall()
        if deleted:
            self._conn.execute("DELETE FROM item_history WHERE item_id = ?", (key,))
            self._note(guid, deleted[0][0], None)

    def all_guids(self) -> list[str]:
        rows = self._conn.execute(
            "SELECT id FROM items WHERE user_id = ? AND datastore = ? ORDER BY id",
            (self._user, self._name),
        )
        return [str(row[0]) for row in rows]


class SqlDatastore(SqlItems):
    """One user's datastore as one device sees it: the items, plus the device's mappings
    and anchors."""

    def __init__(self, db: Database, user_id: int, device_pk: int, name: str,
                 clock: Any = time.time, *, journal: list[ItemChange] | None = None,
                 guard: ItemGuard | None = None) -> None:
        super().__init__(db, user_id, name, clock, journal=journal, guard=guard,
                         device_pk=device_pk)
        self._device: int = device_pk

    # -- anchors --------------------------------------------------------------------------
    def saved_anchor(self) -> tuple[str, str] | None:
        row = self._conn.execute(
            "SELECT client_next, server_next FROM anchors WHERE device_pk = ? AND datastore = ?",
            (self._device, self._name),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def save_anchor(self, client_next: str, server_next: str) -> None:
        self._conn.execute(
            "INSERT INTO anchors (device_pk, datastore, client_next, server_next) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (device_pk, datastore) DO UPDATE SET "
            "client_next = excluded.client_next, server_next = excluded.server_next",
            (self._device, self._name, client_next, server_next),
        )

    def forget_anchor(self) -> None:
        self._conn.execute("DELETE FROM anchors WHERE device_pk = ? AND datastore = ?",
                           (self._device, self._name))

    # -- mappings -------------------------------------------------------------------------
    def mapping(self, luid: str) -> Mapping | None:
        row = self._conn.execute(
            "SELECT guid, luid, synced_rev FROM mappings "
            "WHERE device_pk = ? AND datastore = ? AND luid = ?",
            (self._device, self._name, luid),
        ).fetchone()
        return Mapping(str(row[0]), row[1], row[2]) if row else None

    def mapping_for_guid(self, guid: str) -> Mapping | None:
        row = self._conn.execute(
            "SELECT guid, luid, synced_rev FROM mappings "
            "WHERE device_pk = ? AND datastore = ? AND guid = ?",
            (self._device, self._name, _guid(guid)),
        ).fetchone()
        return Mapping(str(row[0]), row[1], row[2]) if row else None

    def set_mapping(self, guid: str, luid: str | None, synced_rev: int) -> None:
        if luid is not None:
            # A LUID names one item: a stale pairing of it with another item goes.
            self._conn.execute(
                "DELETE FROM mappings WHERE device_pk = ? AND datastore = ? AND luid = ? "
                "AND guid != ?",
                (self._device, self._name, luid, _guid(guid)),
            )
        self._conn.execute(
            "INSERT INTO mappings (device_pk, datastore, guid, luid, synced_rev, settled) "
            "VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (device_pk, datastore, guid) DO UPDATE SET "
            "luid = COALESCE(excluded.luid, luid), synced_rev = excluded.synced_rev, "
            "settled = 0",
            (self._device, self._name, _guid(guid), luid, synced_rev),
        )

    def remove_mapping(self, guid: str) -> None:
        self._conn.execute(
            "DELETE FROM mappings WHERE device_pk = ? AND datastore = ? AND guid = ?",
            (self._device, self._name, _guid(guid)),
        )

    def clear_mappings(self) -> None:
        self._conn.execute("DELETE FROM mappings WHERE device_pk = ? AND datastore = ?",
                           (self._device, self._name))

    def mapped_guids(self) -> set[str]:
        rows = self._conn.execute(
            "SELECT guid FROM mappings WHERE device_pk = ? AND datastore = ?",
            (self._device, self._name),
        )
        return {str(row[0]) for row in rows}

    def unsettled_guids(self) -> set[str]:
        rows = self._conn.execute(
            "SELECT guid FROM mappings WHERE device_pk = ? AND datastore = ? AND settled = 0 "
            "AND luid IS NOT NULL",
            (self._device, self._name),
        )
        return {str(row[0]) for row in rows}

    def settle_mappings(self) -> None:
        self._conn.execute(
            "UPDATE mappings SET settled = 1 WHERE device_pk = ? AND datastore = ? "
            "AND settled = 0",
            (self._device, self._name),
        )

    def pending_changes(self) -> list[Change]:
        changes: list[Change] = []
        rows = self._conn.execute(
            """
            SELECT i.id, m.guid, m.luid FROM items i
            LEFT JOIN mappings m
              ON m.device_pk = ? AND m.datastore = ? AND m.guid = i.id
            WHERE i.user_id = ? AND i.datastore = ?
              AND (m.guid IS NULL OR m.luid IS NULL OR i.rev > m.synced_rev)
            ORDER BY i.id
            """,
            (self._device, self._name, self._user, self._name),
        )
        for item_id, mapped, luid in rows:
            if mapped is None or luid is None:
                # Unmapped, or an Add the device confirmed in an earlier session whose
                # Map never came: sent (again) as an Add, which the device recognises by
                # our ID and applies to the copy it has, so it maps it without a twin.
                changes.append(Change(ChangeKind.ADD, str(item_id)))
            else:
                changes.append(Change(ChangeKind.REPLACE, str(item_id), luid))
        gone = self._conn.execute(
            """
            SELECT m.guid, m.luid FROM mappings m
            LEFT JOIN items i ON i.id = m.guid
            WHERE m.device_pk = ? AND m.datastore = ? AND i.id IS NULL
            """,
            (self._device, self._name),
        ).fetchall()
        for guid, luid in gone:
            if luid is None:
                # The device never told us its name for it; nothing to address.
                self.remove_mapping(str(guid))
            else:
                changes.append(Change(ChangeKind.DELETE, str(guid), luid))
        return changes


def _field(value: object) -> str | None:
    """A descriptive DevInf value as the device store keeps it (a device's own words,
    cut to the store's limit rather than refused: they only label the device)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:MAX_FIELD]


def _guid(guid: str) -> int:
    """A GUID as an item id; -1 (matches nothing) for anything that is not one of ours,
    including numbers beyond SQLite's 64-bit integers (which it would refuse to bind)."""
    try:
        value = int(guid)
    except ValueError:
        return -1
    return value if 0 < value < 2**63 else -1


def _item(row: Any) -> StoredItem:
    return StoredItem(str(row[0]), row[1], "text/calendar", row[2], row[3])


class SqlSyncBackend:
    """ServerBackend on the SQL store; use it inside one transaction per message."""

    def __init__(self, db: Database, *, users: UserStore, devices: DeviceStore,
                 session_timeout: float, clock: Any = time.time,
                 item_guard: ItemGuard | None = None) -> None:
        # The collaborators come from the server's settings (e.g. whether md5 secrets are
        # kept); building defaults here once stored secrets a basic-only server must not keep.
        self._db = db
        self._conn = db.conn
        self._users = users
        self._devices = devices
        self._timeout = session_timeout
        self._clock = clock
        self._user_ids: dict[str, int] = {}
        self._guard = item_guard
        # What the devices' syncs changed since the last take_changes().
        self._changes: list[ItemChange] = []

    def take_changes(self) -> list[ItemChange]:
        """The item changes made since the last call (the caller's transaction's)."""
        # In place: the datastores opened during the message hold this very list.
        changes = list(self._changes)
        self._changes.clear()
        return changes

    def discard_changes(self) -> None:
        """Forget recorded changes (their transaction was rolled back)."""
        self._changes.clear()

    # -- users ----------------------------------------------------------------------------
    def check_password(self, username: str, password: str) -> Principal | None:
        """Verify a clear-text password (syncml:auth-basic). Slow by design (argon2): the
        host calls it outside the message's transaction; it takes the store's lock only
        for its reads."""
        user = self._users.get(username)
        # A disabled user's password is checked like any other: only with the right one is
        # the login refused as disabled (refusal), so a guesser learns nothing.
        if user is None or not self._users.verify_password(user, password):
            return None
        self._user_ids[user.name] = user.id
        return Principal(user.name)

    def md5_secret(self, username: str) -> tuple[Principal, bytes] | None:
        user = self._users.get(username)
        if user is None or user.md5_secret is None:
            return None
        self._user_ids[user.name] = user.id
        return Principal(user.name), user.md5_secret.encode("ascii")

    def refusal(self, principal: Principal) -> str | None:
        """A disabled user keeps their data but syncs no more; the reason goes to the log."""
        user = self._users.get(principal.username)
        if user is None:
            return "the account no longer exists"
        if not user.disabled:
            return None
        because = f": {user.disabled_reason}" if user.disabled_reason else ""
        return f"the account is disabled{because} (traveler-server user enable {user.name})"

    def _user_id(self, principal: Principal) -> int:
        user_id = self._user_ids.get(principal.username)
        if user_id is None:
            user = self._users.get(principal.username)
            if user is None:
                raise LookupError(f"user {principal.username!r} no longer exists")
            user_id = self._user_ids[principal.username] = user.id
        return user_id

    # -- devices --------------------------------------------------------------------------
    def nonce(self, username: str, device_id: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT nonce FROM nonces WHERE username = ? AND device_id = ?",
            (username, device_id),
        ).fetchone()
        return bytes(row[0]) if row else None

    def set_nonce(self, username: str, device_id: str, nonce: bytes) -> None:
        self._conn.execute(
            "INSERT INTO nonces (username, device_id, nonce) VALUES (?, ?, ?) "
            "ON CONFLICT (username, device_id) DO UPDATE SET nonce = excluded.nonce",
            (username, device_id, nonce),
        )

    def device_contact(self, principal: Principal, device_id: str,
                       devinf: dict[str, Any] | None) -> None:
        self._contact(principal, device_id, devinf)

    def _contact(self, principal: Principal, device_id: str,
                 devinf: dict[str, Any] | None) -> Device:
        info = devinf or {}
        return self._devices.register_or_touch(
            self._user_id(principal), device_id,
            device_type=_field(info.get("dev_type")),
            manufacturer=_field(info.get("man")),
            model=_field(info.get("mod")),
            software_version=_field(info.get("sw_v")),
            devinf=devinf,
            when=datetime.now(UTC),
        )

    def _device_pk(self, principal: Principal, device_id: str) -> int:
        device = self._devices.get(self._user_id(principal), device_id)
        if device is None:
            device = self._contact(principal, device_id, None)
        return device.id

    def device_info(self, principal: Principal, device_id: str) -> dict[str, Any] | None:
        return self._devices.devinf(self._user_id(principal), device_id)

    def open_datastore(self, principal: Principal, device_id: str, name: str) -> SqlDatastore:
        return SqlDatastore(self._db, self._user_id(principal),
                            self._device_pk(principal, device_id), name, self._clock,
                            journal=self._changes, guard=self._guard)

    # -- sessions -------------------------------------------------------------------------
    def load_session(self, key: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT state, updated FROM syncml_sessions WHERE key = ?",
                                 (key,)).fetchone()
        if row is None:
            return None
        if self._clock() - row[1] > self._timeout:
            self.delete_session(key)
            return None
        state: dict[str, Any] = json.loads(row[0])
        return state

    def save_session(self, key: str, state: dict[str, Any], reply: bytes,
                     content_type: str) -> None:
        self._conn.execute(
            "INSERT INTO syncml_sessions (key, state, reply, reply_type, updated) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
            "reply = excluded.reply, reply_type = excluded.reply_type, "
            "updated = excluded.updated",
            (key, json.dumps(state, separators=(",", ":")), reply, content_type, self._clock()),
        )

    def load_reply(self, key: str) -> tuple[bytes, str] | None:
        row = self._conn.execute("SELECT reply, reply_type FROM syncml_sessions WHERE key = ?",
                                 (key,)).fetchone()
        return (bytes(row[0]), row[1]) if row else None

    def delete_session(self, key: str) -> None:
        self._conn.execute("DELETE FROM syncml_sessions WHERE key = ?", (key,))

    def purge_sessions(self) -> int:
        """Drop sessions idle for longer than the timeout; returns how many."""
        cursor = self._conn.execute("DELETE FROM syncml_sessions WHERE updated < ?",
                                    (self._clock() - self._timeout,))
        return cursor.rowcount
