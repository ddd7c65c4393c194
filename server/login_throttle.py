"""Failed SyncML logins, counted per user and per client address, to refuse guessers cheaply.

After ``NTS_LOGIN_FAILURES_PER_ADDRESS`` failures from one address, or
``NTS_LOGIN_FAILURES_PER_USER`` failures for one user, within ``NTS_LOGIN_FAILURE_WINDOW``
seconds, further logins from that address (or for that user) are refused with HTTP 429 and a
``Retry-After`` until the oldest failure leaves the window: before any password hash is
computed and before the write transaction, so a guesser costs the server almost nothing.

A guesser must not lock the owner out: a device that logged in as the user from an address
recently keeps its access while the user's count is full (only the per-address limit applies
to it). The counts live in the process; a pool's members count separately.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.config import Settings

__all__ = ["LoginThrottle", "Throttled"]

log = logging.getLogger("traveler.sync")

# A successful login keeps its (user, address) exempt from the user's lockout this long.
KNOWN_GOOD_SECONDS = 24 * 3600
# Bounds the memory a flood of distinct names or addresses can take.
MAX_KEYS = 10_000


@dataclass(frozen=True)
class Throttled:
    """Why a login is refused and when to try again."""

    retry_after: int
    reason: str


class LoginThrottle:
    """Thread-safe counters of recent failures; ``check`` before, ``failed``/``succeeded`` after."""

    def __init__(
        self,
        *,
        per_user: int,
        per_address: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_user = per_user
        self._per_address = per_address
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._users: dict[str, deque[float]] = {}
        self._addresses: dict[str, deque[float]] = {}
        self._good: dict[tuple[str, str], float] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        """The throttle the settings describe (one per process, shared by SyncML and the
        client API, so a guesser cannot double its tries by switching doors)."""
        return cls(
            per_user=settings.login_failures_per_user,
            per_address=settings.login_failures_per_address,
            window=settings.login_failure_window,
        )

    def check(self, user: str | None, address: str) -> Throttled | None:
        """None when the login may go ahead; else the refusal."""
        now = self._clock()
        with self._lock:
            wait = self._wait(self._addresses, address, self._per_address, now)
            if wait:
                return Throttled(
                    wait,
                    f"too many failed logins from {address} ({self._per_address} within "
                    f"{self._window:g} s, NTS_LOGIN_FAILURES_PER_ADDRESS)",
                )
            if user is None:
                return None
            key = user.casefold()
            good = self._good.get((key, address))
            if good is not None and now - good < KNOWN_GOOD_SECONDS:
                return None
            wait = self._wait(self._users, key, self._per_user, now)
            if wait:
                return Throttled(
                    wait,
                    f"too many failed logins for user {user} ({self._per_user} within "
                    f"{self._window:g} s, NTS_LOGIN_FAILURES_PER_USER)",
                )
        return None

    def failed(self, user: str | None, address: str) -> None:
        now = self._clock()
        with self._lock:
            for table, key, limit, what in (
                (self._addresses, address, self._per_address, f"from {address}"),
                (self._users, user.casefold() if user else None, self._per_user,
                 f"for user {user}"),
            ):
                if key is None:
                    continue
                stamps = self._recent(table, key, now)
                stamps.append(now)
                if len(stamps) == limit:
                    log.warning(
                        "%d failed logins %s within %g s: refusing further logins %s for up "
                        "to %g s (HTTP 429)", limit, what, self._window, what, self._window,
                    )

    def succeeded(self, user: str, address: str) -> None:
        with self._lock:
            if len(self._good) >= MAX_KEYS:
                self._good.clear()
            self._good[(user.casefold(), address)] = self._clock()

    def _recent(self, table: dict[str, deque[float]], key: str, now: float) -> deque[float]:
        stamps = table.get(key)
        if stamps is None:
            if len(table) >= MAX_KEYS:
                self._prune(table, now)
            stamps = table[key] = deque()
        while stamps and now - stamps[0] >= self._window:
            stamps.popleft()
        return stamps

    def _wait(self, table: dict[str, deque[float]], key: str, limit: int, now: float) -> int:
        stamps = table.get(key)
        if not stamps:
            return 0
        while stamps and now - stamps[0] >= self._window:
            stamps.popleft()
        if len(stamps) < limit:
            return 0
        return max(1, int(stamps[-limit] + self._window - now + 0.999))

    def _prune(self, table: dict[str, deque[float]], now: float) -> None:
        for key in [k for k, v in table.items() if not v or now - v[-1] >= self._window]:
            del table[key]
        if len(table) >= MAX_KEYS:
            table.clear()  # a flood of distinct keys: forget rather than grow without bound
