"""Push: tell a user's connected devices that their tasks changed, with a SyncML DS 1.2 Server
Alerted Notification (SAN) over one long-lived server-sent-events connection per device.

The events come from the store (``server.store.push_events``), never from memory alone: the
sync service records one whenever a user's tasks change through a device or a delegation, and
:class:`PushHub` in every server process watches the store's latest sequence. So a change made
by any pool member — or before a restart — reaches the process that holds the device's
connection. Changes made in this process also nudge its hub at once (:meth:`PushHub.changed`),
so they are pushed without waiting for the next look at the store.

On the wire (``GET <SyncML path>/api/v1/push``, ``text/event-stream``)::

    event: ready     data: {"server": ID, "nonce": N, "position": SEQ}
    event: san       id: SEQ
                     data: {"san": base64 SAN, "datastores": ["tasks"], "notices": [...]}

The SAN's digest is keyed with ``server_secret(server ID, SHA-256 hex of the device token)``
and the nonce the client chose when connecting (``?nonce=``), so the device can tell that the
notification came from the server it signed in to, on this connection. ``notices`` say what
happened for the user to read ("Frank Adams delegated 'Latest defect count' to you"); SSE
``id`` lets a reconnecting client resume (``Last-Event-ID``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from sse_starlette import EventSourceResponse
from starlette.requests import Request

from server.store.database import Database
from server.store.push_events import PushEvent, PushEventStore
from syncml import notification as san

__all__ = ["PushHub", "PushRequestError", "notification_secret", "push_response"]

log = logging.getLogger("traveler.push")

# How often every process looks at the store for events other processes recorded.
POLL_INTERVAL_S = 0.2
_BATCH = 200


def notification_secret(server_id: str, token_hash: str) -> bytes:
    """The SAN digest key of one device: its token's SHA-256 (hex) as the password."""
    return san.server_secret(server_id, token_hash)


def san_event(events: list[PushEvent], *, position: int, server_id: str, secret: bytes,
              nonce: bytes) -> dict[str, Any]:
    """The SSE event carrying a SAN for ``events`` (one user's, all for the same device)."""
    datastores = sorted({e.datastore for e in events})
    notification = san.Notification(
        server_id=server_id,
        session_id=position & 0xFFFF,
        syncs=tuple(san.SyncAlert(d, 206, san.WSP_TEXT_CALENDAR) for d in datastores),
        ui_mode=san.UIMode.BACKGROUND,
        initiator=san.Initiator.SERVER,
    )
    body = san.encode(notification, secret=secret, nonce=nonce)
    notices = [{"kind": e.kind, **e.detail} for e in events if e.kind != "changed"]
    return {
        "event": "san",
        "id": str(position),
        "data": json.dumps({"san": base64.b64encode(body).decode("ascii"),
                            "datastores": datastores, "notices": notices},
                           ensure_ascii=False),
    }


class PushHub:
    """This process's watcher of push events, and the streams of its connected devices."""

    def __init__(self, database: Database, *, poll_interval: float = POLL_INTERVAL_S) -> None:
        self._store = PushEventStore(database)
        self._poll = poll_interval
        self._listeners: dict[int, set[asyncio.Event]] = {}
        self._nudge: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def store(self) -> PushEventStore:
        return self._store

    async def run(self) -> None:
        """Watch the store until cancelled; wakes the streams of users with new events."""
        self._loop = asyncio.get_running_loop()
        self._nudge = asyncio.Event()
        seen = await asyncio.to_thread(self._store.latest_seq)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudge.wait(), self._poll)
            self._nudge.clear()
            if not self._listeners:
                seen = await asyncio.to_thread(self._store.latest_seq)
                continue
            try:
                latest = await asyncio.to_thread(self._store.latest_seq)
                if latest <= seen:
                    continue
                users = await asyncio.to_thread(self._store.users_after, seen)
            except Exception:
                # The store may be busy or briefly unavailable; the next round tries again.
                log.exception("Traveler: Push could not read the store; retrying")
                continue
            seen = latest
            for user_id in users:
                for wake in self._listeners.get(user_id, ()):
                    wake.set()

    def changed(self) -> None:
        """Nudge the watcher now; safe to call from any thread (the sync service's workers)."""
        loop, nudge = self._loop, self._nudge
        if loop is not None and nudge is not None and not loop.is_closed():
            loop.call_soon_threadsafe(nudge.set)

    @contextlib.contextmanager
    def _listen(self, user_id: int) -> Iterator[asyncio.Event]:
        wake = asyncio.Event()
        self._listeners.setdefault(user_id, set()).add(wake)
        try:
            yield wake
        finally:
            listeners = self._listeners.get(user_id)
            if listeners is not None:
                listeners.discard(wake)
                if not listeners:
                    del self._listeners[user_id]

    @property
    def connections(self) -> int:
        """How many device streams this process holds."""
        return sum(len(v) for v in self._listeners.values())

    async def stream(self, *, user_id: int, device_pk: int, server_id: str, secret: bytes,
                     nonce: bytes, last_event_id: int | None,
                     allowed: Callable[[], bool] | None = None) -> AsyncIterator[dict[str, Any]]:
        """The SSE events of one device's connection, until the client goes away, or until
        ``allowed`` (asked before each notification) says the device may no longer hear them:
        a device signed out or revoked, or a user disabled, while connected."""
        position = await asyncio.to_thread(self._store.subscribe, device_pk, last_event_id)
        yield {"event": "ready", "data": json.dumps({
            "server": server_id, "nonce": nonce.decode("ascii"), "position": position})}
        with self._listen(user_id) as wake:
            while True:
                wake.clear()  # before reading, so an event recorded meanwhile wakes us again
                events = await asyncio.to_thread(self._store.events_after, user_id, position,
                                                 limit=_BATCH)
                if events:
                    position = events[-1].seq
                    # The device whose sync made a change has it already.
                    news = [e for e in events if e.origin_pk != device_pk]
                    if news and allowed is not None and not await asyncio.to_thread(allowed):
                        log.info("Traveler: Push stream of device %d ended: no longer "
                                 "allowed", device_pk)
                        return
                    if news:
                        yield san_event(news, position=position, server_id=server_id,
                                        secret=secret, nonce=nonce)
                    await asyncio.to_thread(self._store.delivered, device_pk, position)
                    if len(events) == _BATCH:
                        continue
                await wake.wait()


_NONCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class PushRequestError(ValueError):
    """A push request's parameters are unusable; the message says which."""


def request_nonce(text: str | None) -> bytes:
    """The client's nonce for SAN digests (``?nonce=``), or a fresh one when it sent none."""
    if not text:
        return base64.urlsafe_b64encode(os.urandom(12))
    if len(text) > 128 or not set(text) <= _NONCE_CHARS:
        raise PushRequestError("nonce must be 1-128 characters of A-Z a-z 0-9 - _")
    return text.encode("ascii")


def last_event_id(text: str | None) -> int | None:
    """The SSE ``Last-Event-ID`` a reconnecting client sends, as a sequence number."""
    if text is None or not text.strip():
        return None
    try:
        value = int(text.strip())
    except ValueError:
        raise PushRequestError(f"Last-Event-ID {text!r} is not an event id of this "
                               "server") from None
    if value < 0:
        raise PushRequestError(f"Last-Event-ID {value} is negative")
    return value


def push_response(request: Request, hub: PushHub, *, user_id: int, device_pk: int,
                  token: str, server_id: str,
                  allowed: Callable[[], bool] | None = None) -> EventSourceResponse:
    """The SSE response of an authenticated push request (raises PushRequestError);
    ``allowed`` re-checks the caller before each notification (see :meth:`PushHub.stream`)."""
    nonce = request_nonce(request.query_params.get("nonce"))
    resume = last_event_id(request.headers.get("last-event-id"))
    secret = notification_secret(server_id, hashlib.sha256(token.encode("utf-8")).hexdigest())
    stream = hub.stream(user_id=user_id, device_pk=device_pk, server_id=server_id,
                        secret=secret, nonce=nonce, last_event_id=resume, allowed=allowed)
    # ping: a comment every 15 s keeps proxies from closing an idle connection and lets the
    # client tell a dead link from a quiet one.
    return EventSourceResponse(stream, ping=15, headers={"Cache-Control": "no-store"})
