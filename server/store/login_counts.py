"""Failed and successful logins, by time: the rows :mod:`server.login_throttle` decides from.

Failures are kept per scope ("address" or "user") and key; a success remembers when a user last
logged in from an address. Reads take no write lock (WAL); each write is one short transaction.
"""

from __future__ import annotations

from server.store.database import Database

__all__ = ["LoginCounts"]


class LoginCounts:
    """The ``login_failures`` and ``login_successes`` tables."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def last_success(self, user_key: str, address: str) -> float | None:
        """When ``user_key`` last logged in from ``address`` (epoch seconds), if ever kept."""
        rows = self._database.query(
            "SELECT at FROM login_successes WHERE user_key = ? AND address = ?",
            (user_key, address),
        )
        return float(rows[0]["at"]) if rows else None

    def nth_newest_failure(self, scope: str, key: str, since: float, n: int) -> float | None:
        """The time of the ``n``-th newest failure after ``since`` (1: the newest), if any."""
        rows = self._database.query(
            "SELECT at FROM login_failures WHERE scope = ? AND key = ? AND at > ? "
            "ORDER BY at DESC LIMIT 1 OFFSET ?",
            (scope, key, since, n - 1),
        )
        return float(rows[0]["at"]) if rows else None

    def add_failures(
        self, keys: list[tuple[str, str]], at: float, since: float, *, prune: bool
    ) -> list[int]:
        """Record one failure for each (scope, key) at ``at``; the count of each after ``since``,
        the new one included. ``prune`` first drops failures at or before ``since``."""
        counts = []
        with self._database.transaction() as db:
            if prune:
                db.execute("DELETE FROM login_failures WHERE at <= ?", (since,))
            for scope, key in keys:
                db.execute(
                    "INSERT INTO login_failures (scope, key, at) VALUES (?, ?, ?)",
                    (scope, key, at),
                )
                rows = self._database.query(
                    "SELECT COUNT(*) AS n FROM login_failures "
                    "WHERE scope = ? AND key = ? AND at > ?",
                    (scope, key, since),
                )
                counts.append(int(rows[0]["n"]))
        return counts

    def add_success(
        self, user_key: str, address: str, at: float, *, forget_before: float | None
    ) -> None:
        """Remember a login of ``user_key`` from ``address`` at ``at``; with ``forget_before``,
        first drop successes at or before it."""
        with self._database.transaction() as db:
            if forget_before is not None:
                db.execute("DELETE FROM login_successes WHERE at <= ?", (forget_before,))
            db.execute(
                "INSERT INTO login_successes (user_key, address, at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_key, address) DO UPDATE SET at = excluded.at",
                (user_key, address, at),
            )
