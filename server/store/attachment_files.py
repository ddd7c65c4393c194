"""Encrypted attachments (.TEF) and the log of hand-offs to other applications.

A protected attachment is encrypted once; its payload never changes. Its header (recipient
stanzas and policy) is rebuilt when the user's devices or the policy change, so the stored
header always names the devices that may open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.store.database import Database, utc_now

__all__ = ["AttachmentFileStore", "EncryptedFile", "HandOff"]


@dataclass(frozen=True)
class EncryptedFile:
    message_pk: int
    position: int
    file_key: bytes
    header: bytes
    payload: bytes


@dataclass(frozen=True)
class HandOff:
    """One report from a device that it handed an attachment to an application."""

    id: int
    reported: str
    user_name: str
    device_id: str
    message_pk: int | None  # None: a file not from a message (``tef encrypt``)
    position: int | None
    filename: str
    app_id: str
    app_name: str | None
    app_version: str | None
    os: str | None
    approved: bool


class AttachmentFileStore:
    """Store encrypted attachments and hand-off reports."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, message_pk: int, position: int) -> EncryptedFile | None:
        rows = self._db.query(
            "SELECT message_pk, position, file_key, header, payload FROM attachment_files"
            " WHERE message_pk = ? AND position = ?",
            (message_pk, position),
        )
        if not rows:
            return None
        row = rows[0]
        return EncryptedFile(
            message_pk=int(row["message_pk"]),
            position=int(row["position"]),
            file_key=bytes(row["file_key"]),
            header=bytes(row["header"]),
            payload=bytes(row["payload"]),
        )

    def put(self, file: EncryptedFile) -> None:
        """Store a newly encrypted attachment (replacing any earlier encryption of it)."""
        now = utc_now()
        with self._db.transaction():
            self._db.conn.execute(
                "INSERT INTO attachment_files (message_pk, position, file_key, header, payload,"
                " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (message_pk, position) DO UPDATE SET file_key = excluded.file_key,"
                " header = excluded.header, payload = excluded.payload,"
                " updated = excluded.updated",
                (file.message_pk, file.position, file.file_key, file.header, file.payload, now,
                 now),
            )

    def set_header(self, message_pk: int, position: int, header: bytes) -> None:
        """Replace the header of a stored file (same payload, same file key)."""
        with self._db.transaction():
            self._db.conn.execute(
                "UPDATE attachment_files SET header = ?, updated = ?"
                " WHERE message_pk = ? AND position = ?",
                (header, utc_now(), message_pk, position),
            )

    def message_pks_of(self, user_id: int) -> list[tuple[int, int]]:
        """(message, position) of every encrypted attachment of the user's."""
        rows = self._db.query(
            "SELECT f.message_pk, f.position FROM attachment_files f"
            " JOIN mail_messages m ON m.id = f.message_pk WHERE m.user_id = ?"
            " ORDER BY f.message_pk, f.position",
            (user_id,),
        )
        return [(int(r["message_pk"]), int(r["position"])) for r in rows]

    # --- hand-offs ------------------------------------------------------------------------
    def log_hand_off(
        self,
        *,
        user_name: str,
        device_id: str,
        message_pk: int | None,
        position: int | None,
        filename: str,
        app_id: str,
        app_name: str | None,
        app_version: str | None,
        os: str | None,
        approved: bool,
    ) -> HandOff:
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "INSERT INTO attachment_handoffs (reported, user_name, device_id, message_pk,"
                " position, filename, app_id, app_name, app_version, os, approved)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (utc_now(), user_name, device_id, message_pk, position, filename, app_id,
                 app_name, app_version, os, int(approved)),
            )
            pk = int(cursor.lastrowid or 0)
        rows = self._db.query(f"SELECT {_HANDOFF} FROM attachment_handoffs WHERE id = ?", (pk,))
        return _hand_off(rows[0])

    def hand_offs(self, user_name: str | None = None) -> list[HandOff]:
        """Hand-off reports, oldest first; only one user's when ``user_name`` is given."""
        if user_name is None:
            rows = self._db.query(f"SELECT {_HANDOFF} FROM attachment_handoffs ORDER BY id")
        else:
            rows = self._db.query(
                f"SELECT {_HANDOFF} FROM attachment_handoffs WHERE user_name = ?"
                " COLLATE NOCASE ORDER BY id",
                (user_name,),
            )
        return [_hand_off(r) for r in rows]


_HANDOFF = (
    "id, reported, user_name, device_id, message_pk, position, filename, app_id, app_name,"
    " app_version, os, approved"
)


def _hand_off(row: dict[str, Any]) -> HandOff:
    return HandOff(
        id=int(row["id"]),
        reported=row["reported"],
        user_name=row["user_name"],
        device_id=row["device_id"],
        message_pk=None if row["message_pk"] is None else int(row["message_pk"]),
        position=None if row["position"] is None else int(row["position"]),
        filename=row["filename"],
        app_id=row["app_id"],
        app_name=row["app_name"],
        app_version=row["app_version"],
        os=row["os"],
        approved=bool(row["approved"]),
    )
