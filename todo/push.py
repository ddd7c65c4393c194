"""The ToDo app's push listener: one long-lived connection to the server's push channel
(server-sent events, ``GET <SyncML URL>/api/v1/push``), yielding typed events; no Qt.

Each ``san`` event carries a SyncML DS 1.2 Server Alerted Notification, checked against this
device's credentials (its digest is keyed with the device token's SHA-256 and the nonce this
listener chose for the connection), and notices saying what happened, for the user::

    async for event in PushListener(url, token).events():
        if isinstance(event, SyncRequested):
            await sync()
            for notice in event.notices:
                print(notice.text)      # Frank Adams delegated 'Latest defect count' to you

A dropped connection is retried with exponential backoff (with jitter, capped), resuming after
the last notification seen (``Last-Event-ID``), so nothing recorded meanwhile is missed. Errors
that retrying cannot fix end the listener with a :class:`PushError`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import random
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError, aconnect_sse

from syncml import notification as san
from syncml.errors import NotificationError
from todo.errors import TodoError

__all__ = [
    "Backoff",
    "Connected",
    "Disconnected",
    "Notice",
    "PushDisabled",
    "PushError",
    "PushEvent",
    "PushListener",
    "PushRefused",
    "PushUnauthorized",
    "SyncRequested",
    "push_url",
]


class PushError(TodoError):
    """The push channel cannot be used; the message says why and what to do."""


class PushUnauthorized(PushError):
    """The server does not accept this device's token (signed out, revoked, disabled user)."""


class PushDisabled(PushError):
    """The server has push turned off (NTS_PUSH_ENABLE=false)."""


class PushRefused(PushError):
    """The server answered the push request with an error that retrying will not fix."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something that happened to the user's tasks, to show them."""

    kind: str  # "delegated", "updated", "answered", "cancelled"
    summary: str
    by: str
    uid: str = ""
    partstat: str = ""

    @property
    def text(self) -> str:
        """One line for the user (English; the UI translates by ``kind``)."""
        what = f"'{self.summary}'" if self.summary else "a task"
        if self.kind == "delegated":
            return f"{self.by} delegated {what} to you"
        if self.kind == "updated":
            return f"{self.by} changed {what}, which is delegated to you"
        if self.kind == "cancelled":
            return f"{self.by} withdrew {what}"
        if self.kind == "answered":
            verb = _ANSWERS.get(self.partstat, f"answered {self.partstat or 'on'}")
            return f"{self.by} {verb} {what}"
        return f"{what} changed ({self.kind})"


_ANSWERS = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentatively accepted",
    "IN-PROCESS": "started on",
    "COMPLETED": "completed",
    "NEEDS-ACTION": "reopened",
    "DELEGATED": "delegated on",
}


@dataclass(frozen=True, slots=True)
class Connected:
    """The push channel is open; ``position`` is the last event the server has sent us."""

    server: str
    position: int


@dataclass(frozen=True, slots=True)
class SyncRequested:
    """The server asks for a sync of ``datastores`` (a verified SAN); ``notices`` say why."""

    datastores: tuple[str, ...]
    notices: tuple[Notice, ...]
    position: int
    notification: san.Notification


@dataclass(frozen=True, slots=True)
class Disconnected:
    """The connection dropped or could not be made; the listener retries in ``retry_in`` s."""

    reason: str
    retry_in: float


PushEvent = Connected | SyncRequested | Disconnected


@dataclass
class Backoff:
    """Exponential reconnect delays with full jitter, reset by a successful connection."""

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    jitter: Callable[[float], float] = field(default=lambda d: random.uniform(d / 2, d))
    _next: float = 0.0

    def reset(self) -> None:
        self._next = 0.0

    def delay(self) -> float:
        self._next = self.initial if not self._next else min(self._next * self.factor,
                                                              self.maximum)
        return self.jitter(self._next)


def push_url(syncml_url: str) -> str:
    """The push route of the server whose SyncML endpoint is ``syncml_url``."""
    return syncml_url.rstrip("/") + "/api/v1/push"


class PushListener:
    """Listens on the push channel of one account's server."""

    def __init__(self, syncml_url: str, token: str, *,
                 client: httpx.AsyncClient | None = None,
                 backoff: Backoff | None = None,
                 read_timeout: float = 60.0) -> None:
        self._url = push_url(syncml_url)
        self._token = token
        self._token_hash = hashlib.sha256(token.encode("utf-8")).hexdigest()
        self._client = client
        self._backoff = backoff or Backoff()
        # The server sends a keep-alive comment every 15 s: silence for longer is a dead link.
        self._timeout = httpx.Timeout(10.0, read=read_timeout)
        self.position: int | None = None

    async def events(self) -> AsyncIterator[PushEvent]:
        """Connected / SyncRequested / Disconnected, forever (until cancelled or a PushError)."""
        client = self._client or httpx.AsyncClient(timeout=self._timeout)
        try:
            while True:
                try:
                    async for event in self._connection(client):
                        yield event
                    reason = "the server closed the push connection"
                except (httpx.TransportError, SSEError) as exc:
                    reason = f"push connection lost: {exc or type(exc).__name__}"
                except NotificationError as exc:
                    reason = f"the server sent an unusable notification: {exc}"
                delay = self._backoff.delay()
                yield Disconnected(reason, delay)
                await asyncio.sleep(delay)
        finally:
            if self._client is None:
                await client.aclose()

    async def _connection(self, client: httpx.AsyncClient) -> AsyncIterator[PushEvent]:
        nonce = secrets.token_urlsafe(16)
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "text/event-stream"}
        if self.position is not None:
            headers["Last-Event-ID"] = str(self.position)
        async with aconnect_sse(client, "GET", self._url, params={"nonce": nonce},
                                headers=headers, timeout=self._timeout) as source:
            await _check_response(source)
            server = ""
            async for sse in source.aiter_sse():
                if sse.event == "ready":
                    ready = _json(sse.data)
                    server = str(ready.get("server", ""))
                    position = ready.get("position")
                    if self.position is None and isinstance(position, int):
                        self.position = position
                    self._backoff.reset()
                    yield Connected(server, self.position or 0)
                elif sse.event == "san":
                    event = self._sync_requested(sse.data, sse.id, server, nonce)
                    self.position = event.position
                    yield event

    def _sync_requested(self, data: str, event_id: str, server: str,
                        nonce: str) -> SyncRequested:
        payload = _json(data)
        try:
            body = base64.b64decode(str(payload.get("san", "")), validate=True)
        except (binascii.Error, ValueError):
            raise NotificationError("the SAN is not base64") from None
        secret = san.server_secret(server, self._token_hash)
        notification = san.decode(body, secret=secret, nonce=nonce.encode("ascii"))
        notices = tuple(_notice(n) for n in payload.get("notices", ()) if isinstance(n, dict))
        datastores = tuple(s.server_uri for s in notification.syncs) or ("tasks",)
        try:
            position = int(event_id)
        except ValueError:
            position = self.position or 0
        return SyncRequested(datastores, notices, position, notification)


async def _check_response(source: EventSource) -> None:
    response = source.response
    if response.status_code == 200:
        return
    await response.aread()
    try:
        problem = response.json() if response.headers.get("content-type", "").endswith(
            "json") else {}
    except ValueError:
        problem = {}
    detail = problem.get("detail") if isinstance(problem, dict) else None
    code = problem.get("code") if isinstance(problem, dict) else None
    shown = detail or f"HTTP {response.status_code}"
    if code == "account-disabled":
        # The token is good but the administrator disabled the account: signing in again
        # would not help; the server's sentence says why and whom to ask.
        raise PushUnauthorized(str(shown))
    if response.status_code == 401:
        raise PushUnauthorized(f"The server did not accept this device: {shown} "
                               "Sign in again (traveler-companion account add).")
    if code == "push-disabled":
        raise PushDisabled(f"Push is turned off on this server: {shown}")
    if response.status_code in (404, 405):
        raise PushRefused(f"This server has no push channel at {response.url} ({shown}); "
                          "it may not be a Traveler server, or an older one.")
    if response.status_code >= 500:
        # A server error or an overloaded proxy: worth retrying, like a dropped connection.
        raise httpx.TransportError(f"the push request failed: {shown}")
    raise PushRefused(f"The server refused the push connection: {shown}")


def _json(data: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        raise NotificationError("a push event is not JSON") from None
    if not isinstance(value, dict):
        raise NotificationError("a push event is not a JSON object")
    return value


def _notice(raw: dict[str, Any]) -> Notice:
    return Notice(kind=str(raw.get("kind", "")), summary=str(raw.get("summary", "")),
                  by=str(raw.get("by", "")), uid=str(raw.get("uid", "")),
                  partstat=str(raw.get("partstat", "")))
