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
from server.store.login_counts import LoginCounts

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
        self._counts = LoginCounts(database)
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
        refusal = self._refusal("address", address, self._per_address, now,
                                f"from {address}", "NTS_LOGIN_FAILURES_PER_ADDRESS")
        if refusal or user is None:
            return refusal
        key = user.casefold()
        good = self._counts.last_success(key, address)
        if good is not None and now - good < KNOWN_GOOD_SECONDS:
            return None
        return self._refusal("user", key, self._per_user, now, f"for user {user}",
                             "NTS_LOGIN_FAILURES_PER_USER")

    def failed(self, user: str | None, address: str) -> None:
        now = self._clock()
        counted = [("address", address, self._per_address, f"from {address}")]
        if user:
            counted.append(("user", user.casefold(), self._per_user, f"for user {user}"))
        counts = self._counts.add_failures(
            [(scope, key) for scope, key, _, _ in counted], now, now - self._window,
            prune=self._prune_due(),
        )
        for (_, _, limit, what), count in zip(counted, counts, strict=True):
            if count == limit:
                log.warning(
                    "%d failed logins %s within %g s: refusing further logins %s for up to "
                    "%g s (HTTP 429)", limit, what, self._window, what, self._window,
                )

    def succeeded(self, user: str, address: str) -> None:
        now = self._clock()
        self._counts.add_success(
            user.casefold(), address, now,
            forget_before=now - KNOWN_GOOD_SECONDS if self._prune_due() else None,
        )

    def _refusal(self, scope: str, key: str, limit: int, now: float, what: str, setting: str
                 ) -> Throttled | None:
        """The refusal while ``limit`` failures are in the window: until the limit-th newest
        of them leaves it."""
        oldest = self._counts.nth_newest_failure(scope, key, now - self._window, limit)
        if oldest is None:
            return None
        return Throttled(
            max(1, int(oldest + self._window - now + 0.999)),
            f"too many failed logins {what} ({limit} within {self._window:g} s, {setting})",
        )

    def _prune_due(self) -> bool:
        """Every so many writes, rows that left the window are swept."""
        return next(self._writes) % _PRUNE_EVERY == 0
