"""Which tasks an organizer delegated to which users of this server (by iCalendar UID).

The link is what entitles an assignee to answer for a task in the organizer's todos: an
assignee's copy names the organizer, but only a recorded delegation lets its PARTSTAT and
completion flow back.
"""

from __future__ import annotations

from server.store.database import Database

__all__ = ["DelegationStore"]


class DelegationStore:
    """Links between an organizer's task and the assignees' copies (same UID)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def link(self, organizer_id: int, assignee_id: int, datastore: str, uid: str) -> bool:
        """Record a delegation; True when it is new."""
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "INSERT OR IGNORE INTO delegations (organizer_id, assignee_id, datastore, uid) "
                "VALUES (?, ?, ?, ?)",
                (organizer_id, assignee_id, datastore, uid),
            )
        return cursor.rowcount > 0

    def unlink(self, organizer_id: int, assignee_id: int, datastore: str, uid: str) -> None:
        with self._db.transaction():
            self._db.conn.execute(
                "DELETE FROM delegations WHERE organizer_id = ? AND assignee_id = ? "
                "AND datastore = ? AND uid = ?",
                (organizer_id, assignee_id, datastore, uid),
            )

    def assignees(self, organizer_id: int, datastore: str, uid: str) -> set[int]:
        """The users the organizer's task ``uid`` was delegated to."""
        rows = self._db.query(
            "SELECT assignee_id FROM delegations WHERE organizer_id = ? AND datastore = ? "
            "AND uid = ?",
            (organizer_id, datastore, uid),
        )
        return {int(r["assignee_id"]) for r in rows}

    def is_linked(self, organizer_id: int, assignee_id: int, datastore: str, uid: str) -> bool:
        rows = self._db.query(
            "SELECT 1 FROM delegations WHERE organizer_id = ? AND assignee_id = ? "
            "AND datastore = ? AND uid = ?",
            (organizer_id, assignee_id, datastore, uid),
        )
        return bool(rows)

    def delegated_uids(self, organizer_id: int, datastore: str) -> set[str]:
        """Every UID the user delegated in ``datastore`` (one query for a whole message)."""
        rows = self._db.query(
            "SELECT DISTINCT uid FROM delegations WHERE organizer_id = ? AND datastore = ?",
            (organizer_id, datastore),
        )
        return {r["uid"] for r in rows}

    def received_uids(self, assignee_id: int, datastore: str) -> set[str]:
        """Every UID delegated to the user in ``datastore``."""
        rows = self._db.query(
            "SELECT DISTINCT uid FROM delegations WHERE assignee_id = ? AND datastore = ?",
            (assignee_id, datastore),
        )
        return {r["uid"] for r in rows}

    def organizer_of(self, assignee_id: int, datastore: str, uid: str) -> int | None:
        rows = self._db.query(
            "SELECT organizer_id FROM delegations WHERE assignee_id = ? AND datastore = ? "
            "AND uid = ? LIMIT 1",
            (assignee_id, datastore, uid),
        )
        return int(rows[0]["organizer_id"]) if rows else None
