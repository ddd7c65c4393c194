"""Devices: registered on a user's first sync from them, touched on every later one.

A device is identified by the SyncML device ID it sends (``SyncHdr/Source/LocURI``) *per user*:
the same phone used by two people is two registrations.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.store.database import Database, StoreError

__all__ = ["Device", "DeviceError", "DeviceStore"]

MAX_FIELD = 256


class DeviceError(StoreError):
    """A device registration has unusable input; the message says which."""


@dataclass(frozen=True)
class Device:
    """One device of one user; times are timezone-aware UTC datetimes."""

    id: int
    device_id: str
    user_id: int
    user_name: str
    device_type: str | None
    manufacturer: str | None
    model: str | None
    software_version: str | None
    first_sync: datetime
    last_sync: datetime


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        raise DeviceError("device sync times must be timezone-aware (use datetime.now(UTC))")
    return when.astimezone(UTC).isoformat(timespec="seconds")


def _clean(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_FIELD:
        raise DeviceError(f"the device's {what} is longer than {MAX_FIELD} characters")
    return value or None


class DeviceStore:
    """Register and list devices."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def register_or_touch(
        self,
        user_id: int,
        device_id: str,
        *,
        device_type: str | None = None,
        manufacturer: str | None = None,
        model: str | None = None,
        software_version: str | None = None,
        devinf: Mapping[str, Any] | None = None,
        when: datetime,
    ) -> Device:
        """Create the device on first contact, else set ``last_sync`` to ``when``.

        Descriptive fields and ``devinf`` (the device's SyncML DevInf, as the engine decoded
        it) given as None keep their stored value (a client sends its DevInf only now and
        then). Runs inside the caller's transaction when there is one (as a savepoint), so it
        commits or rolls back with the rest of the SyncML message.
        """
        device_id = (device_id or "").strip()
        if not device_id:
            raise DeviceError("the device ID is empty")
        if len(device_id) > MAX_FIELD:
            raise DeviceError(f"the device ID is longer than {MAX_FIELD} characters")
        fields = {
            "device_type": _clean(device_type, "type"),
            "manufacturer": _clean(manufacturer, "manufacturer"),
            "model": _clean(model, "model"),
            "software_version": _clean(software_version, "software version"),
        }
        stamp = _iso(when)
        devinf_json = None if devinf is None else json.dumps(dict(devinf), separators=(",", ":"))
        with self._db.transaction():
            # One statement does both cases, so concurrent first contacts cannot collide.
            try:
                self._db.conn.execute(
                    """
                    INSERT INTO devices (device_id, user_id, device_type, manufacturer, model,
                                         software_version, devinf, first_sync, last_sync)
                    VALUES (:device_id, :user_id, :device_type, :manufacturer, :model,
                            :software_version, :devinf, :stamp, :stamp)
                    ON CONFLICT (user_id, device_id) DO UPDATE SET
                        devinf = COALESCE(excluded.devinf, devinf),
                        device_type = COALESCE(excluded.device_type, device_type),
                        manufacturer = COALESCE(excluded.manufacturer, manufacturer),
                        model = COALESCE(excluded.model, model),
                        software_version = COALESCE(excluded.software_version, software_version),
                        last_sync = MAX(last_sync, excluded.last_sync)
                    """,
                    {"device_id": device_id, "user_id": user_id, "stamp": stamp,
                     "devinf": devinf_json, **fields},
                )
            except sqlite3.IntegrityError:
                raise DeviceError(f"there is no user with id {user_id}") from None
            rows = self._db.query(
                _SELECT + " WHERE d.user_id = ? AND d.device_id = ?", (user_id, device_id)
            )
        if not rows:
            raise DeviceError(f"device {device_id!r} of user {user_id} vanished while registering")
        return _device(rows[0])

    def get(self, user_id: int, device_id: str) -> Device | None:
        rows = self._db.query(
            _SELECT + " WHERE d.user_id = ? AND d.device_id = ?", (user_id, device_id)
        )
        return _device(rows[0]) if rows else None

    def devinf(self, user_id: int, device_id: str) -> dict[str, Any] | None:
        """The DevInf the device last sent (as given to :meth:`register_or_touch`), or None."""
        rows = self._db.query(
            "SELECT devinf FROM devices WHERE user_id = ? AND device_id = ?", (user_id, device_id)
        )
        if not rows or rows[0]["devinf"] is None:
            return None
        try:
            info = json.loads(rows[0]["devinf"])
        except ValueError:
            return None  # unreadable: the engine asks the device for a fresh one
        return info if isinstance(info, dict) else None

    def remove(self, device_id: str, user: str | None = None) -> Device:
        """Forget a device (its mappings and anchors go with it; the user's items stay): its
        next sync is a first one, a slow sync. ``user`` picks the registration when several
        users sync from the same device ID."""
        with self._db.transaction():
            found = [d for d in self.list(user) if d.device_id == device_id]
            if not found:
                whose = f" of user {user!r}" if user is not None else ""
                raise DeviceError(f"there is no device {device_id!r}{whose}")
            if len(found) > 1:
                users = ", ".join(d.user_name for d in found)
                raise DeviceError(
                    f"device {device_id!r} is registered for several users ({users}); "
                    "say which with --user NAME"
                )
            self._db.conn.execute("DELETE FROM devices WHERE id = ?", (found[0].id,))
        return found[0]

    def list(self, user: str | None = None) -> list[Device]:
        """All devices, or those of the user with that name (ASCII case ignored)."""
        if user is None:
            rows = self._db.query(_SELECT + " ORDER BY u.name COLLATE NOCASE, d.device_id")
        else:
            rows = self._db.query(
                _SELECT + " WHERE u.name = ? COLLATE NOCASE ORDER BY d.device_id", (user,)
            )
        return [_device(r) for r in rows]


_SELECT = """
    SELECT d.id, d.device_id, d.user_id, u.name AS user_name, d.device_type, d.manufacturer,
           d.model, d.software_version, d.first_sync, d.last_sync
    FROM devices AS d JOIN users AS u ON u.id = d.user_id
"""


def _device(row: dict[str, Any]) -> Device:
    return Device(
        id=int(row["id"]),
        device_id=row["device_id"],
        user_id=int(row["user_id"]),
        user_name=row["user_name"],
        device_type=row["device_type"],
        manufacturer=row["manufacturer"],
        model=row["model"],
        software_version=row["software_version"],
        first_sync=datetime.fromisoformat(row["first_sync"]),
        last_sync=datetime.fromisoformat(row["last_sync"]),
    )
