"""Who ``@name`` in quick add is: the server's user lookup (client API ``users/lookup``), asked
on the UI's event loop without blocking it (httpx is asynchronous; the keyring, which may
block, is read on the accounts' worker thread).

A todo can only be delegated to a user of the same server, so the preview says plainly when
there is no such user. When the server cannot be asked (offline, no client API, signed out)
the name is kept as typed and the server checks it when the todo syncs.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# How long a "cannot be reached" answer is kept before the server is asked again.
_RETRY_AFTER_S = 20.0
_TIMEOUT_S = 5.0


class Found(enum.Enum):
    """What the lookup said about a name."""

    USER = "user"  # one user of the server: ``name`` and ``email`` are theirs
    UNKNOWN = "unknown"  # nobody (or several users sharing the address): cannot delegate
    UNCHECKED = "unchecked"  # the server could not be asked: ``reason`` says why


@dataclass(frozen=True, slots=True)
class Person:
    """The answer for one ``@name``."""

    typed: str
    found: Found
    name: str = ""
    email: str = ""
    reason: str = ""


class UserLookup:
    """Looks names up on the account's server; answers are remembered for the session."""

    def __init__(self, server_url: str, token: Callable[[], Awaitable[str | None]]) -> None:
        self.server_url = server_url
        self._token = token
        self._known: dict[str, tuple[float, Person]] = {}

    async def find(self, typed: str) -> Person:
        """Who ``typed`` (a user name or e-mail address) is on the server."""
        key = typed.casefold()
        cached = self._known.get(key)
        if cached is not None and (
            cached[1].found is not Found.UNCHECKED or time.monotonic() - cached[0] < _RETRY_AFTER_S
        ):
            return cached[1]
        person = await self._ask(typed)
        self._known[key] = (time.monotonic(), person)
        return person

    async def _ask(self, typed: str) -> Person:
        # Imported here, not with the module: httpx and the account modules cost about 0.2 s,
        # which the first window of an app without an account should not wait for.
        import httpx

        from companion.accounts import AccountError
        from companion.api_client import ClientApi, ServerError, UnknownUserError
        from companion.secret_store import KeyringUnavailableError

        try:
            token = await self._token()
        except (AccountError, KeyringUnavailableError) as error:
            return Person(typed, Found.UNCHECKED, reason=str(error))
        if token is None:
            return Person(typed, Found.UNCHECKED, reason="")
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT_S) as client:
                api = ClientApi(self.server_url, token=token, client=client, timeout=_TIMEOUT_S)
                user = await api.lookup_user(typed)
        except UnknownUserError as error:
            return Person(typed, Found.UNKNOWN, reason=str(error))
        except ServerError as error:
            return Person(typed, Found.UNCHECKED, reason=str(error))
        return Person(typed, Found.USER, name=user.display_name, email=user.email)
