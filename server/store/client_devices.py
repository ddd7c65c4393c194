"""Devices registered through the client API: name, OS, X25519 public key and token hash.

These are rows of the same ``devices`` table the SyncML engine writes (keyed by user and
device ID), so a Companion installation that registers here and then syncs its todos over
SyncML with the same device ID is one device. Only a SHA-256 of each device token is kept;
the token itself exists only on the device (in its keyring).

Other server parts read :meth:`ClientDeviceStore.active_keys` to encrypt for a user's devices.
"""

from __future__ import annotations

import builtins
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.store.database import Database
from server.store.devices import MAX_FIELD, DeviceError

__all__ = ["PUBLIC_KEY_SIZE", "ClientDevice", "ClientDeviceStore", "DeviceRevokedError"]

PUBLIC_KEY_SIZE = 32  # X25519


class DeviceRevokedError(DeviceError):
    """The device was revoked; it cannot register again under the same device ID."""


@dataclass(frozen=True)
class ClientDevice:
    """A device as the client API knows it; ``public_key`` is the raw 32-byte X25519 key."""

    id: int
    device_id: str
    user_id: int
    name: str | None
    os: str | None
    public_key: bytes
    registered: datetime
    revoked: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked is None


def _text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_FIELD:
        raise DeviceError(f"the device's {what} is longer than {MAX_FIELD} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise DeviceError(f"the device's {what} contains control characters")
    return value or None


def _stamp(when: datetime) -> str:
    if when.tzinfo is None:
        raise DeviceError("device times must be timezone-aware (use datetime.now(UTC))")
    return when.astimezone(UTC).isoformat(timespec="seconds")


class ClientDeviceStore:
    """Register, look up and revoke client-API devices."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def register(
        self,
        user_id: int,
        device_id: str,
        *,
        name: str | None,
        os: str | None,
        public_key: bytes,
        token_hash: str,
        when: datetime,
    ) -> ClientDevice:
        """Register the device, or update it (new key, new token: the old token stops working).

        Raises :class:`DeviceRevokedError` for a revoked device and :class:`DeviceError` for
        unusable input.
        """
        device_id = _text(device_id, "ID") or ""
        if not device_id:
            raise DeviceError("the device ID is empty")
        fields = {"name": _text(name, "name"), "os": _text(os, "operating system")}
        if len(public_key) != PUBLIC_KEY_SIZE:
            raise DeviceError(
                f"the device's public key has {len(public_key)} bytes; an X25519 key has "
                f"{PUBLIC_KEY_SIZE}"
            )
        stamp = _stamp(when)
        with self._db.transaction():
            existing = self.get(user_id, device_id)
            if existing is not None and not existing.active:
                raise DeviceRevokedError(
                    f"device {device_id!r} was revoked; it cannot register again"
                )
            try:
                self._db.conn.execute(
                    """
                    INSERT INTO devices (device_id, user_id, name, os, public_key, token_hash,
                                         registered, first_sync, last_sync)
                    VALUES (:device_id, :user_id, :name, :os, :public_key, :token_hash,
                            :stamp, :stamp, :stamp)
                    ON CONFLICT (user_id, device_id) DO UPDATE SET
                        name = excluded.name,
                        os = excluded.os,
                        public_key = excluded.public_key,
                        token_hash = excluded.token_hash,
                        registered = COALESCE(registered, excluded.registered)
                    """,
                    {"device_id": device_id, "user_id": user_id, "public_key": public_key,
                     "token_hash": token_hash, "stamp": stamp, **fields},
                )
            except sqlite3.IntegrityError:
                raise DeviceError(f"there is no user with id {user_id}") from None
            device = self.get(user_id, device_id)
        if device is None:
            raise DeviceError(f"device {device_id!r} of user {user_id} vanished while registering")
        return device

    def get(self, user_id: int, device_id: str) -> ClientDevice | None:
        """The user's client-API device with that ID (revoked ones too), or None."""
        rows = self._db.query(
            _SELECT + " AND user_id = ? AND device_id = ?", (user_id, device_id)
        )
        return _device(rows[0]) if rows else None

    def by_token_hash(self, token_hash: str) -> ClientDevice | None:
        """The device holding the token with that hash (revoked ones too), or None."""
        rows = self._db.query(_SELECT + " AND token_hash = ?", (token_hash,))
        return _device(rows[0]) if rows else None

    def list(self, user_id: int) -> list[ClientDevice]:
        """The user's client-API devices, revoked ones included, oldest first."""
        rows = self._db.query(_SELECT + " AND user_id = ? ORDER BY registered, id", (user_id,))
        return [_device(r) for r in rows]

    def active_keys(self, user_id: int) -> builtins.list[ClientDevice]:
        """The user's devices that are not revoked: the recipients of their encrypted files."""
        return [device for device in self.list(user_id) if device.active]

    def unregister(self, user_id: int, device_id: str) -> bool:
        """Sign the device out: its token and key are dropped, it may register again later.

        Its SyncML state stays (the row is the SyncML device too). False when it is not a
        registered device of that user.
        """
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "UPDATE devices SET public_key = NULL, token_hash = NULL, registered = NULL"
                " WHERE user_id = ? AND device_id = ? AND public_key IS NOT NULL"
                " AND revoked IS NULL",
                (user_id, device_id),
            )
        return cursor.rowcount > 0

    def revoke(self, user_id: int, device_id: str, *, when: datetime) -> bool:
        """Revoke the device (an administrator's decision): its token stops working at once
        and it can never register again under that ID. False when there is none to revoke.

        The token hash is kept so that the device is told it was revoked, not just refused.
        """
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "UPDATE devices SET revoked = ?"
                " WHERE user_id = ? AND device_id = ? AND public_key IS NOT NULL"
                " AND revoked IS NULL",
                (_stamp(when), user_id, device_id),
            )
        return cursor.rowcount > 0


_SELECT = """
    SELECT id, device_id, user_id, name, os, public_key, registered, revoked
    FROM devices WHERE public_key IS NOT NULL
"""


def _device(row: dict[str, Any]) -> ClientDevice:
    revoked = row["revoked"]
    return ClientDevice(
        id=int(row["id"]),
        device_id=row["device_id"],
        user_id=int(row["user_id"]),
        name=row["name"],
        os=row["os"],
        public_key=bytes(row["public_key"]),
        registered=datetime.fromisoformat(row["registered"]),
        revoked=None if revoked is None else datetime.fromisoformat(revoked),
    )
