"""Failed logins, counted per user and per client address, to refuse guessers cheaply.

After ``NTS_LOGIN_FAILURES_PER_ADDRESS`` failures from one address, or
``NTS_LOGIN_FAILURES_PER_USER`` failures for one user, within ``NTS_LOGIN_FAILURE_WINDOW``
seconds, further logins from that address (or for that user) are refused with HTTP 429 and a
``Retry-After`` until the oldest failure leaves the window: before any password hash is
computed and before the write transaction, so a guesser costs the server almost nothing.

A guesser must not lock the owner out: a device that logged in as the user from an address
recently keeps its access while the user's count is full (only the per-address limit applies
to it).

The counts live in the store (tables ``login_failures`` and ``login_successes``), so every
server process on one database counts together. :meth:`LoginThrottle.check` only reads (in
WAL mode a read takes no write lock, and other processes' writers do not block it); a failure
or success is one short write transaction of its own. Call them from a worker thread.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.store.database import Database

if TYPE_CHECKING:
    from server.config import Settings

__all__ = ["LoginThrottle", "Throttled"]

log = logging.getLogger("traveler.sync")

# A successful login keeps its (user, address) exempt from the user's lockout this long.
KNOWN_GOOD_SECONDS = 24 * 3600
# Writes between sweeps of failures that left the window (and of stale successes).
_PRUNE_EVERY = 100


@dataclass(frozen=True)
class Throttled:
    """Why a login is refused and when to try again."""

    retry_after: int
    reason: str


class LoginThrottle:
    """Counts of recent failures in the store; ``check`` before, ``failed``/``succeeded``
    after a login."""

    def __init__(
        self,
        database: Database,
        *,
        per_user: int,
        per_address: int,
        window: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._database = database
        self._per_user = per_user
        self._per_address = per_address
        self._window = window
        self._clock = clock
        self._writes = itertools.count(1)

    @classmethod
    def from_settings(cls, settings: Settings, database: Database) -> LoginThrottle:
        """The throttle the settings describe (one per process, shared by SyncML and the
        client API, so a guesser cannot double its tries by switching doors)."""
        return cls(
            database,
            per_user=settings.login_failures_per_user,
            per_address=settings.login_failures_per_address,
            window=settings.login_failure_window,
        )

    def check(self, user: str | None, address: str) -> Throttled | None:
        """None when the login may go ahead; else the refusal. Reads only."""
        now = self._clock()
        wait = self._wait("address", address, self._per_address, now)
        if wait:
            return Throttled(
                wait,
                f"too many failed logins from {address} ({self._per_address} within "
                f"{self._window:g} s, NTS_LOGIN_FAILURES_PER_ADDRESS)",
            )
        if user is None:
            return None
        key = user.casefold()
        good = self._database.query(
            "SELECT at FROM login_successes WHERE user_key = ? AND address = ?", (key, address)
        )
        if good and now - float(good[0]["at"]) < KNOWN_GOOD_SECONDS:
            return None
        wait = self._wait("user", key, self._per_user, now)
        if wait:
            return Throttled(
                wait,
                f"too many failed logins for user {user} ({self._per_user} within "
                f"{self._window:g} s, NTS_LOGIN_FAILURES_PER_USER)",
            )
        return None

    def failed(self, user: str | None, address: str) -> None:
        now = self._clock()
        counted = [("address", address, self._per_address, f"from {address}")]
        if user:
            counted.append(("user", user.casefold(), self._per_user, f"for user {user}"))
        reached = []
        with self._database.transaction() as db:
            self._prune(now)
            for scope, key, limit, what in counted:
                db.execute("INSERT INTO login_failures (scope, key, at) VALUES (?, ?, ?)",
                           (scope, key, now))
                if self._count(scope, key, now) == limit:
                    reached.append((limit, what))
        for limit, what in reached:
            log.warning(
                "%d failed logins %s within %g s: refusing further logins %s for up to %g s "
                "(HTTP 429)", limit, what, self._window, what, self._window,
            )

    def succeeded(self, user: str, address: str) -> None:
        now = self._clock()
        with self._database.transaction() as db:
            self._prune(now)
            db.execute(
                "INSERT INTO login_successes (user_key, address, at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_key, address) DO UPDATE SET at = excluded.at",
                (user.casefold(), address, now),
            )

    def _count(self, scope: str, key: str, now: float) -> int:
        rows = self._database.query(
            "SELECT COUNT(*) AS n FROM login_failures WHERE scope = ? AND key = ? AND at > ?",
            (scope, key, now - self._window),
        )
        return int(rows[0]["n"])

    def _wait(self, scope: str, key: str, limit: int, now: float) -> int:
        """Seconds until fewer than ``limit`` failures are in the window (0: now)."""
        # The limit-th newest failure in the window: once it leaves, there is room again.
        rows = self._database.query(
            "SELECT at FROM login_failures WHERE scope = ? AND key = ? AND at > ? "
            "ORDER BY at DESC LIMIT 1 OFFSET ?",
            (scope, key, now - self._window, limit - 1),
        )
        if not rows:
            return 0
        return max(1, int(float(rows[0]["at"]) + self._window - now + 0.999))

    def _prune(self, now: float) -> None:
        if next(self._writes) % _PRUNE_EVERY:
            return
        self._database.db.execute("DELETE FROM login_failures WHERE at <= ?",
                                  (now - self._window,))
        self._database.db.execute("DELETE FROM login_successes WHERE at <= ?",
                                  (now - KNOWN_GOOD_SECONDS,))
