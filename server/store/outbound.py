"""The outbound mail queue: messages waiting to leave through the relay (NTS_SMTP_RELAY).

A message is sent by whoever claims it first: :meth:`OutboundStore.claim` takes a lease on
due rows in one transaction, so two server processes sharing the database never send the same
row, and a process that died mid-send leaves a lease that simply runs out. Rows stay after
they are sent or given up (``sent``/``failed``), as a record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.store.database import Database, utc_now

__all__ = ["OutboundMessage", "OutboundStore"]

Clock = Callable[[], float]


@dataclass(frozen=True)
class OutboundMessage:
    id: int
    created: str
    envelope_from: str
    recipient: str
    raw: bytes
    attempts: int
    next_attempt: float
    last_error: str | None
    sent: str | None
    failed: str | None


class OutboundStore:
    """Queue, claim and settle outbound messages. ``clock`` gives seconds since the epoch."""

    def __init__(self, db: Database, *, clock: Clock = time.time) -> None:
        self._db = db
        self._clock = clock

    def enqueue(self, *, envelope_from: str, recipient: str, raw: bytes) -> int:
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "INSERT INTO mail_outbound (created, envelope_from, recipient, raw, next_attempt)"
                " VALUES (?, ?, ?, ?, ?)",
                (utc_now(), envelope_from, recipient, raw, self._clock()),
            )
        return int(cursor.lastrowid or 0)

    def claim(self, *, lease_seconds: float, limit: int = 20) -> list[OutboundMessage]:
        """Due, unsent rows, leased to the caller for ``lease_seconds``."""
        now = self._clock()
        with self._db.transaction():
            rows = self._db.query(
                f"SELECT {_COLUMNS} FROM mail_outbound WHERE sent IS NULL AND failed IS NULL"
                " AND next_attempt <= ? AND (lease_until IS NULL OR lease_until <= ?)"
                " ORDER BY next_attempt, id LIMIT ?",
                (now, now, limit),
            )
            self._db.conn.executemany(
                "UPDATE mail_outbound SET lease_until = ? WHERE id = ?",
                [(now + lease_seconds, r["id"]) for r in rows],
            )
        return [_message(r) for r in rows]

    def mark_sent(self, message_id: int) -> None:
        with self._db.transaction():
            self._db.conn.execute(
                "UPDATE mail_outbound SET sent = ?, lease_until = NULL,"
                " attempts = attempts + 1, last_error = NULL WHERE id = ?",
                (utc_now(), message_id),
            )

    def retry_later(self, message_id: int, *, error: str, delay: float) -> None:
        with self._db.transaction():
            self._db.conn.execute(
                "UPDATE mail_outbound SET attempts = attempts + 1, last_error = ?,"
                " next_attempt = ?, lease_until = NULL WHERE id = ?",
                (error, self._clock() + delay, message_id),
            )

    def give_up(self, message_id: int, *, error: str) -> None:
        with self._db.transaction():
            self._db.conn.execute(
                "UPDATE mail_outbound SET attempts = attempts + 1, last_error = ?, failed = ?,"
                " lease_until = NULL WHERE id = ?",
                (error, utc_now(), message_id),
            )

    def pending(self) -> list[OutboundMessage]:
        """Rows not yet sent nor given up, oldest first."""
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM mail_outbound WHERE sent IS NULL AND failed IS NULL"
            " ORDER BY id"
        )
        return [_message(r) for r in rows]

    def all(self) -> list[OutboundMessage]:
        rows = self._db.query(f"SELECT {_COLUMNS} FROM mail_outbound ORDER BY id")
        return [_message(r) for r in rows]

    def next_due(self) -> float | None:
        """When the earliest waiting row is due (epoch seconds), or None when none waits."""
        rows = self._db.query(
            "SELECT MIN(next_attempt) AS due FROM mail_outbound WHERE sent IS NULL"
            " AND failed IS NULL"
        )
        due = rows[0]["due"] if rows else None
        return None if due is None else float(due)


_COLUMNS = (
    "id, created, envelope_from, recipient, raw, attempts, next_attempt, last_error, sent, failed"
)


def _message(row: dict[str, Any]) -> OutboundMessage:
    return OutboundMessage(
        id=int(row["id"]),
        created=row["created"],
        envelope_from=row["envelope_from"],
        recipient=row["recipient"],
        raw=bytes(row["raw"]),
        attempts=int(row["attempts"]),
        next_attempt=float(row["next_attempt"]),
        last_error=row["last_error"],
        sent=row["sent"],
        failed=row["failed"],
    )
