"""Mailboxes: each user's delivered messages and their attachments, and the quarantine.

A message is stored once per recipient user (each user's mailbox is theirs alone to list and
read), as the raw RFC 5322 bytes plus the few fields listings show. Every read that serves a
user takes that user's id, so one user's id can never reach another user's message.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.store.database import Database, StoreError, utc_now
from server.store.users import User

__all__ = [
    "MailStore",
    "NewAttachment",
    "NewMessage",
    "QuarantinedMessage",
    "StoredAttachment",
    "StoredMessage",
]


@dataclass(frozen=True)
class NewAttachment:
    position: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class NewMessage:
    """A message to store in one or more mailboxes."""

    envelope_from: str
    raw: bytes
    message_id: str | None
    subject: str | None
    sender: str | None
    sent: str | None
    attachments: tuple[NewAttachment, ...] = ()


@dataclass(frozen=True)
class StoredAttachment:
    message_pk: int
    position: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class StoredMessage:
    id: int
    user_id: int
    received: str
    envelope_from: str
    message_id: str | None
    subject: str | None
    sender: str | None
    sent: str | None
    size: int
    attachments: tuple[StoredAttachment, ...]


@dataclass(frozen=True)
class QuarantinedMessage:
    id: int
    received: str
    source: str
    envelope_from: str
    recipients: tuple[str, ...]
    reason: str
    size: int


class MailStore:
    """Store and read mailboxes and the quarantine."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- recipients -----------------------------------------------------------------------
    def owners_of(self, address: str) -> list[User]:
        """The users whose e-mail address is ``address`` (ignoring case), by id.

        Disabled users are included: like Domino, the server keeps receiving their mail, so
        nothing is lost while an administrator has them switched off.
        """
        rows = self._db.query(
            "SELECT id, name, email, full_name, is_admin, created, disabled FROM users"
            " WHERE lower(email) = lower(?) ORDER BY id",
            (address.strip(),),
        )
        return [
            User(
                id=int(r["id"]),
                name=r["name"],
                email=r["email"],
                full_name=r["full_name"],
                is_admin=bool(r["is_admin"]),
                md5_secret=None,
                created=r["created"],
                disabled=bool(r["disabled"]),
            )
            for r in rows
        ]

    def local_domains(self) -> set[str]:
        """The domains of the users' addresses: mail from them is from inside."""
        rows = self._db.query(
            "SELECT DISTINCT lower(substr(email, instr(email, '@') + 1)) AS domain FROM users"
        )
        return {str(r["domain"]) for r in rows if r["domain"]}

    # --- mailboxes ------------------------------------------------------------------------
    def add(self, user_ids: Sequence[int], message: NewMessage) -> list[StoredMessage]:
        """Store ``message`` in each user's mailbox, all or none."""
        if not user_ids:
            raise StoreError("a message needs at least one mailbox to go into")
        received = utc_now()
        ids: list[tuple[int, int]] = []
        with self._db.transaction():
            for user_id in user_ids:
                cursor = self._db.conn.execute(
                    "INSERT INTO mail_messages (user_id, received, envelope_from, message_id,"
                    " subject, sender, sent, size, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user_id,
                        received,
                        message.envelope_from,
                        message.message_id,
                        message.subject,
                        message.sender,
                        message.sent,
                        len(message.raw),
                        message.raw,
                    ),
                )
                pk = int(cursor.lastrowid or 0)
                self._db.conn.executemany(
                    "INSERT INTO mail_attachments (message_pk, position, filename,"
                    " content_type, size) VALUES (?, ?, ?, ?, ?)",
                    [
                        (pk, a.position, a.filename, a.content_type, a.size)
                        for a in message.attachments
                    ],
                )
                ids.append((user_id, pk))
        stored = [self.get(user_id, pk) for user_id, pk in ids]
        return [m for m in stored if m is not None]

    def messages(self, user_id: int, *, with_attachments: bool = False) -> list[StoredMessage]:
        """The user's messages, newest first; only those with attachments when asked."""
        where = "m.user_id = ?"
        if with_attachments:
            where += " AND EXISTS (SELECT 1 FROM mail_attachments a WHERE a.message_pk = m.id)"
        rows = self._db.query(
            f"SELECT {_MESSAGE_COLUMNS} FROM mail_messages m WHERE {where} ORDER BY m.id DESC",
            (user_id,),
        )
        return self._with_attachments(rows)

    def get(self, user_id: int, message_pk: int) -> StoredMessage | None:
        """One message of the user's, or None (also when it is another user's)."""
        rows = self._db.query(
            f"SELECT {_MESSAGE_COLUMNS} FROM mail_messages m WHERE m.user_id = ? AND m.id = ?",
            (user_id, message_pk),
        )
        found = self._with_attachments(rows)
        return found[0] if found else None

    def raw(self, user_id: int, message_pk: int) -> bytes | None:
        """The message's raw bytes as stored, or None (also when it is another user's)."""
        rows = self._db.query(
            "SELECT raw FROM mail_messages WHERE user_id = ? AND id = ?", (user_id, message_pk)
        )
        return bytes(rows[0]["raw"]) if rows else None

    def _with_attachments(self, rows: list[dict[str, Any]]) -> list[StoredMessage]:
        if not rows:
            return []
        pks = [int(r["id"]) for r in rows]
        marks = ",".join("?" * len(pks))
        by_message: dict[int, list[StoredAttachment]] = {pk: [] for pk in pks}
        for a in self._db.query(
            "SELECT message_pk, position, filename, content_type, size FROM mail_attachments"
            f" WHERE message_pk IN ({marks}) ORDER BY message_pk, position",
            pks,
        ):
            by_message[int(a["message_pk"])].append(
                StoredAttachment(
                    message_pk=int(a["message_pk"]),
                    position=int(a["position"]),
                    filename=a["filename"],
                    content_type=a["content_type"],
                    size=int(a["size"]),
                )
            )
        return [
            StoredMessage(
                id=int(r["id"]),
                user_id=int(r["user_id"]),
                received=r["received"],
                envelope_from=r["envelope_from"],
                message_id=r["message_id"],
                subject=r["subject"],
                sender=r["sender"],
                sent=r["sent"],
                size=int(r["size"]),
                attachments=tuple(by_message[int(r["id"])]),
            )
            for r in rows
        ]

    # --- quarantine -----------------------------------------------------------------------
    def quarantine(
        self,
        raw: bytes,
        *,
        source: str,
        envelope_from: str,
        recipients: Sequence[str],
        reason: str,
    ) -> QuarantinedMessage:
        """Keep a message that could not be delivered, for the administrator."""
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "INSERT INTO mail_quarantine (received, source, envelope_from, recipients,"
                " reason, size, raw) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    utc_now(),
                    source,
                    envelope_from,
                    json.dumps(list(recipients)),
                    reason,
                    len(raw),
                    raw,
                ),
            )
            pk = int(cursor.lastrowid or 0)
        found = self.quarantined(pk)
        assert found is not None
        return found

    def quarantine_list(self) -> list[QuarantinedMessage]:
        """Every quarantined message, oldest first."""
        rows = self._db.query(f"SELECT {_QUARANTINE_COLUMNS} FROM mail_quarantine ORDER BY id")
        return [_quarantined(r) for r in rows]

    def quarantined(self, pk: int) -> QuarantinedMessage | None:
        rows = self._db.query(
            f"SELECT {_QUARANTINE_COLUMNS} FROM mail_quarantine WHERE id = ?", (pk,)
        )
        return _quarantined(rows[0]) if rows else None

    def quarantined_raw(self, pk: int) -> bytes | None:
        rows = self._db.query("SELECT raw FROM mail_quarantine WHERE id = ?", (pk,))
        return bytes(rows[0]["raw"]) if rows else None

    def quarantine_delete(self, pk: int) -> bool:
        """Remove a quarantined message; False when there was none with that id."""
        with self._db.transaction():
            cursor = self._db.conn.execute("DELETE FROM mail_quarantine WHERE id = ?", (pk,))
        return cursor.rowcount > 0


_MESSAGE_COLUMNS = (
    "m.id, m.user_id, m.received, m.envelope_from, m.message_id, m.subject, m.sender, m.sent,"
    " m.size"
)
_QUARANTINE_COLUMNS = "id, received, source, envelope_from, recipients, reason, size"


def _quarantined(row: dict[str, Any]) -> QuarantinedMessage:
    return QuarantinedMessage(
        id=int(row["id"]),
        received=row["received"],
        source=row["source"],
        envelope_from=row["envelope_from"],
        recipients=tuple(json.loads(row["recipients"])),
        reason=row["reason"],
        size=int(row["size"]),
    )
