"""Out of office from the Companion, without Qt: read and change the profile on the server,
and keep a change made offline until the next contact.

The server is the truth: :meth:`OutOfOffice.show` and :meth:`OutOfOffice.set` first send any
change still pending for the account, then read or write the profile. When the server cannot
be reached (unreachable or timed out), ``set`` keeps the change in ``<home>/ooo.json`` as
*pending* (merged with an earlier pending one) and ``show`` answers the last profile it saw,
both saying so; the next call that reaches the server sends it. A pending change the server
refuses (say, its return time has passed meanwhile) is dropped and the refusal reported.

Validation here mirrors the server's, in the user's words, so the user learns of a mistake
also while offline.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from companion.accounts import Account, AccountError, AccountStore
from companion.api_client import (
    DEFAULT_TIMEOUT,
    ClientApi,
    ServerError,
    ServerTimeoutError,
    ServerUnreachableError,
)

__all__ = [
    "EXTERNAL",
    "OooError",
    "OooState",
    "OutOfOffice",
    "Updated",
    "check_address",
    "check_domain",
    "parse_when",
    "validate",
]

STATE_FILE = "ooo.json"
EXTERNAL = ("none", "known", "all")
# A domain as mail uses it: dot-separated labels of letters (any script), digits and inner
# hyphens, at least two labels.
_LABEL = r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_LOCAL = re.compile(r"[^\s@,;<>()\[\]\\\"]+")


class OooError(Exception):
    """A setting that does not make sense, or a change the server refused; the message says
    what to correct."""


@dataclass(frozen=True)
class Updated:
    """Who and where a change went through, for the confirmation ("Out of office settings
    were updated for user … on server …"), which each edge words in the user's language."""

    user: str
    server: str

    @classmethod
    def from_answer(cls, answer: Any, account: Account) -> Updated:
        """From the server's answer to ``PUT ooo`` (its names are the truth: the full name
        may have changed since sign-in), else from the account."""
        fields = answer if isinstance(answer, dict) else {}
        user = fields.get("user") or account.display_name or account.user
        server = fields.get("server") or account.server_name or account.server_url
        return cls(str(user), str(server))

    def sentence(self) -> str:
        """The confirmation in English (the command line's language)."""
        return f"Out of office settings were updated for user {self.user} on server {self.server}."


@dataclass(frozen=True)
class OooState:
    """What the user sees: the profile as known, and whether a change waits to be sent."""

    account: Account
    profile: dict[str, Any] | None  # as the server last answered; None when never seen
    pending: dict[str, Any] | None  # a change made offline, not yet sent
    online: bool  # whether this answer comes from the server just now
    # Set when a change reached the server in this call: the one asked for, or a pending one.
    updated: Updated | None = None
    # The server's reason when it refused a change made offline (which is then dropped).
    refused: str | None = None


def parse_when(text: str) -> datetime | None:
    """A leave/return time from the command line: ISO 8601 (``2026-12-10 08:00``, with or
    without a zone; without one it is local time); ``never``/``unlimited``/empty: None."""
    cleaned = text.strip()
    if cleaned.lower() in ("", "never", "unlimited", "none"):
        return None
    try:
        when = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        raise OooError(
            f"{text!r} is not a date and time; write it like 2026-12-10 08:00 "
            "(or 2026-12-10T08:00+01:00)"
        ) from None
    if when.tzinfo is None:
        when = when.astimezone()  # local time, as the user means it
    return when.astimezone(UTC)


def check_domain(text: str) -> str:
    """``text`` as a domain to exclude (``@example.org`` is taken as ``example.org``);
    :class:`OooError` when it is not one."""
    domain = text.strip().lstrip("@").lower()
    if not _DOMAIN.fullmatch(domain):
        raise OooError(f"{text.strip()!r} is not a domain; write it like example.org")
    return domain


def check_address(text: str) -> str:
    """``text`` as a mail address; :class:`OooError` when it is not one."""
    address = text.strip()
    local, at, domain = address.rpartition("@")
    if not at or not _LOCAL.fullmatch(local) or not _DOMAIN.fullmatch(domain):
        raise OooError(f"{address!r} is not a mail address; write it like anna@example.org")
    return address


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def validate(profile: dict[str, Any], now: datetime | None = None) -> None:
    """Raise :class:`OooError` when the profile (after a change) does not make sense."""
    now = now or datetime.now(UTC)
    leave, back = _time(profile.get("leave")), _time(profile.get("return"))
    if leave and back and back <= leave:
        raise OooError("The return time must be after the leave time.")
    if profile.get("external", "all") not in EXTERNAL:
        raise OooError("Who outside gets a reply must be none, known or all.")
    exclusions = profile.get("exclusions") or {}
    for address in [*(profile.get("known") or []), *exclusions.get("addresses", [])]:
        check_address(address)
    for domain in exclusions.get("domains", []):
        check_domain(domain)
    if profile.get("enabled"):
        if not str(profile.get("subject") or "").strip():
            raise OooError("The subject of the reply is empty.")
        if not str(profile.get("body") or "").strip():
            raise OooError("The text of the reply is empty.")
        if back is not None and back <= now:
            raise OooError("The return time is in the past.")


class OutOfOffice:
    """The out-of-office profile of the accounts in ``store``."""

    def __init__(
        self,
        store: AccountStore,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._store = store
        self._timeout = timeout
        self._transport = transport
        self._path = store.home / STATE_FILE

    async def show(self, ref: str | None = None) -> OooState:
        """The profile from the server (sending a pending change first), or the last known
        one with the pending change when the server cannot be reached."""
        account, api, client = self._connect(ref)
        async with client:
            try:
                updated, refused = await self._flush(account, api)
                profile = await api.request("GET", "ooo")
            except (ServerUnreachableError, ServerTimeoutError):
                saved = self._state(account)
                return OooState(account, saved.get("profile"), saved.get("pending"), False)
        self._remember(account, profile=profile, pending=None)
        return OooState(account, profile, None, True, updated=updated, refused=refused)

    async def set(self, changes: dict[str, Any], ref: str | None = None) -> OooState:
        """Apply ``changes`` (fields of the API's ``PUT ooo``); offline, keep them pending."""
        account, api, client = self._connect(ref)
        saved = self._state(account)
        earlier = saved.get("pending") or {}
        pending = {**earlier, **changes}
        if "exclusions" in earlier and "exclusions" in changes:
            # The server keeps the lists a change leaves out; so does a change waiting here.
            pending["exclusions"] = {**earlier["exclusions"], **changes["exclusions"]}
        validate({**(saved.get("profile") or {}), **pending})
        async with client:
            try:
                answer = await api.request("PUT", "ooo", json_body=pending)
            except (ServerUnreachableError, ServerTimeoutError):
                self._remember(account, profile=saved.get("profile"), pending=pending)
                return OooState(account, saved.get("profile"), pending, False)
            except ServerError as exc:
                # The change itself is wrong: nothing is kept, the user corrects it.
                raise OooError(str(exc)) from None
        profile = answer.get("profile") if isinstance(answer, dict) else None
        self._remember(account, profile=profile, pending=None)
        return OooState(
            account, profile, None, True, updated=Updated.from_answer(answer, account)
        )

    # --- internals --------------------------------------------------------------------------

    def _connect(self, ref: str | None) -> tuple[Account, ClientApi, httpx.AsyncClient]:
        credentials = self._store.credentials(ref)
        account = credentials.account
        if not account.traveler_api:
            raise OooError(
                f"{account.server_url} is a plain SyncML server: it has no out of office"
            )
        client = httpx.AsyncClient(transport=self._transport)
        api = ClientApi(
            account.server_url, token=credentials.token, client=client, timeout=self._timeout
        )
        return account, api, client

    async def _flush(
        self, account: Account, api: ClientApi
    ) -> tuple[Updated | None, str | None]:
        """Send the pending change: (who and where it was updated, or the server's refusal)."""
        pending = self._state(account).get("pending")
        if not pending:
            return None, None
        try:
            answer = await api.request("PUT", "ooo", json_body=pending)
        except (ServerUnreachableError, ServerTimeoutError):
            raise
        except ServerError as exc:
            self._remember(account, profile=self._state(account).get("profile"), pending=None)
            return None, str(exc)
        profile = answer.get("profile") if isinstance(answer, dict) else None
        self._remember(account, profile=profile, pending=None)
        return Updated.from_answer(answer, account), None

    def _all(self) -> dict[str, Any]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AccountError(f"{self._path} cannot be read: {exc}") from None
        return data if isinstance(data, dict) else {}

    def _state(self, account: Account) -> dict[str, Any]:
        state = self._all().get(account.id)
        return state if isinstance(state, dict) else {}

    def _remember(
        self, account: Account, *, profile: dict[str, Any] | None, pending: dict[str, Any] | None
    ) -> None:
        data = self._all()
        data[account.id] = {"profile": profile, "pending": pending}
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole and renamed, so a crash never leaves half a file (and a lost change).
        handle, temporary = tempfile.mkstemp(dir=self._path.parent, prefix=".ooo-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True)
            os.replace(temporary, self._path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
