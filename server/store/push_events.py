"""Push events and subscriptions: what a user's devices should be told, and what each was told.

Every change a device should hear about — the user's tasks changed through another device, or a
delegated task arrived, was answered or was withdrawn — is a row with a sequence number. Every
server process's push loop watches the highest sequence (:meth:`PushEventStore.latest_seq`), so
the process that holds a device's connection pushes no matter which process (pool member, or a
process before a restart) made the change. A subscription remembers the last event a device was
sent, so a reconnecting device hears what it missed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from server.store.database import Database

__all__ = ["PushEvent", "PushEventStore"]

# How long events are kept for devices that are offline: a device away for longer gets no
# backlog, only the sync it makes when it reconnects anyway.
EVENT_RETENTION_S = 7 * 24 * 3600


@dataclass(frozen=True)
class PushEvent:
    """One change a user's devices should hear about."""

    seq: int
    user_id: int
    datastore: str
    kind: str  # "changed", "delegated", "updated", "answered", "cancelled"
    origin_pk: int | None
    detail: dict[str, Any] = field(default_factory=dict)


class PushEventStore:
    """Record push events, list them per user, and keep each device's position."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    def record(self, user_id: int, datastore: str, kind: str, *,
               origin_pk: int | None = None, detail: dict[str, Any] | None = None) -> int:
        """Add an event (inside the caller's transaction, if any); returns its sequence."""
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "INSERT INTO push_events (user_id, datastore, origin_pk, kind, detail, created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, datastore, origin_pk, kind,
                 json.dumps(detail, ensure_ascii=False) if detail else None, self._clock()),
            )
        return int(cursor.lastrowid or 0)

    def latest_seq(self) -> int:
        """The highest sequence of any user (0 when none): what push loops watch."""
        with self._db.lock:
            row = self._db.conn.execute("SELECT MAX(seq) FROM push_events").fetchone()
        return int(row[0] or 0)

    def users_after(self, seq: int) -> set[int]:
        """The users with events above ``seq``."""
        rows = self._db.query("SELECT DISTINCT user_id FROM push_events WHERE seq > ?", (seq,))
        return {int(r["user_id"]) for r in rows}

    def events_after(self, user_id: int, seq: int, *, limit: int = 200) -> list[PushEvent]:
        """The user's events with a sequence above ``seq``, oldest first."""
        rows = self._db.query(
            "SELECT seq, user_id, datastore, kind, origin_pk, detail FROM push_events "
            "WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (user_id, seq, limit),
        )
        return [
            PushEvent(r["seq"], r["user_id"], r["datastore"], r["kind"], r["origin_pk"],
                      json.loads(r["detail"]) if r["detail"] else {})
            for r in rows
        ]

    def subscribe(self, device_pk: int, last_seen: int | None) -> int:
        """Open (or resume) a device's subscription; the sequence it has been told up to.

        ``last_seen`` is what the client says it saw last (SSE ``Last-Event-ID``); a stored
        position is used when the client has none, and a new subscription starts now.
        """
        now = self._clock()
        with self._db.transaction():
            row = self._db.conn.execute(
                "SELECT last_seq FROM push_subscriptions WHERE device_pk = ?", (device_pk,)
            ).fetchone()
            latest = self.latest_seq()
            if last_seen is not None and 0 <= last_seen <= latest:
                position = last_seen
            elif row is not None:
                position = min(int(row[0]), latest)
            else:
                position = latest
            self._db.conn.execute(
                "INSERT INTO push_subscriptions (device_pk, last_seq, connected) VALUES (?, ?, ?) "
                "ON CONFLICT (device_pk) DO UPDATE SET last_seq = excluded.last_seq, "
                "connected = excluded.connected",
                (device_pk, position, now),
            )
        return position

    def delivered(self, device_pk: int, seq: int) -> None:
        """Remember that the device was sent everything up to ``seq``."""
        with self._db.transaction():
            self._db.conn.execute(
                "UPDATE push_subscriptions SET last_seq = MAX(last_seq, ?) WHERE device_pk = ?",
                (seq, device_pk),
            )

    def position(self, device_pk: int) -> int | None:
        """The last sequence the device was sent, or None without a subscription."""
        with self._db.lock:
            row = self._db.conn.execute(
                "SELECT last_seq FROM push_subscriptions WHERE device_pk = ?", (device_pk,)
            ).fetchone()
        return int(row[0]) if row else None

    def prune(self) -> int:
        """Drop events older than the retention period; returns how many."""
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "DELETE FROM push_events WHERE created < ? AND seq < "
                "(SELECT MAX(seq) FROM push_events)",
                (self._clock() - EVENT_RETENTION_S,),
            )
        return cursor.rowcount
