"""The SyncML service: runs the sans-IO engine on the store, one transaction per message.

In the same transaction, the items a message changed are handed to delegation (copies in other
users' todos, answers back to organizers) and recorded as push events for the user's other
devices; ``on_events`` is then called (from the worker thread) so this process's push loop
need not wait for its next look at the store.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from urllib.parse import parse_qs, urlsplit, urlunsplit

from server.config import Settings
from server.delegation import Delegation
from server.store.database import Database
from server.store.push_events import PushEventStore
from server.stores import sync_backend, user_store
from server.task_content import TaskContent
from syncml import auth
from syncml.errors import SyncMLError
from syncml.server import (
    AuthFailed,
    PasswordCheck,
    ProtocolViolation,
    Reply,
    ServerConfig,
    SyncFinished,
    SyncServer,
)
from syncml.server.backend import Principal

log = logging.getLogger("traveler.sync")

# Datastore URIs clients use for tasks (SyncEvolution's templates and others).
TASK_ALIASES = {"todo": "tasks", "task": "tasks", "todos": "tasks", "calendar/tasks": "tasks"}
_AUTH_NAMES = {"md5": auth.AUTH_MD5, "basic": auth.AUTH_BASIC}
_PURGE_EVERY = 200  # messages between sweeps of abandoned sessions
# The query parameter of a RespURI that names the session the next message belongs to.
SESSION_PARAM = "sid"


@dataclass(frozen=True)
class SyncReply:
    """What the HTTP edge sends back."""

    body: bytes
    status: int
    content_type: str


def engine_config(settings: Settings) -> ServerConfig:
    """The engine's configuration from the server settings."""
    auth_types = tuple(
        _AUTH_NAMES.get(name.lower(), name) for name in settings.syncml_auth_types
    )
    return ServerConfig(
        datastores={"tasks": TaskContent()},
        aliases=TASK_ALIASES,
        auth_types=auth_types,
        max_msg_size=settings.max_msg_size,
        max_obj_size=settings.max_obj_size,
    )


class SyncService:
    """Handles SyncML messages for the HTTP edge."""

    def __init__(self, *, settings: Settings, database: Database,
                 on_events: Callable[[], None] | None = None) -> None:
        self._database = database
        self._delegation = Delegation(database, user_store(settings, database))
        self._events = PushEventStore(database)
        self._backend = sync_backend(settings, database, item_guard=self._delegation.check)
        self._engine = SyncServer(engine_config(settings), self._backend)
        self._messages = count(1)
        self.on_events = on_events

    async def handle(self, *, body: bytes, content_type: str, url: str) -> SyncReply:
        """Process one message in a worker thread; the event loop never waits on SQLite."""
        try:
            reply = await asyncio.to_thread(self._handle_sync, body, content_type, url)
        except SyncMLError as exc:
            # No SyncML answer is possible: say why in the same problem+json form as the
            # HTTP edge's other refusals (the transaction was rolled back: nothing stored).
            log.warning("Traveler: Rejected a SyncML message: %s", exc)
            problem = {"type": "about:blank", "title": "Bad Request", "status": 400,
                       "detail": f"Not a usable SyncML message: {exc}"}
            return SyncReply(json.dumps(problem).encode(), 400, "application/problem+json")
        for event in reply.events:
            _log_event(event)
        return SyncReply(reply.body, 200, reply.content_type)

    def _handle_sync(self, body: bytes, content_type: str, url: str) -> Reply:
        incoming = self._engine.read(body, content_type)
        # A clear-text password is verified before the write transaction: argon2 takes a
        # good part of a second, and the transaction holds the store's write lock.
        principal = self.verify_password(incoming.password_check)
        parts = urlsplit(url)
        token = parse_qs(parts.query).get(SESSION_PARAM, [""])[0] or None

        def resp_uri(new_token: str) -> str:
            query = f"{SESSION_PARAM}={new_token}"
            return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

        try:
            with self._database.transaction():
                if next(self._messages) % _PURGE_EVERY == 0:
                    self._backend.purge_sessions()
                    self._events.prune()
                reply = self._engine.receive(incoming, session=token, resp_uri=resp_uri,
                                             password=principal)
                changed = self._record_changes()
        finally:
            self._backend.discard_changes()  # rolled back, or already handed on
        if changed and self.on_events is not None:
            self.on_events()
        return reply

    def _record_changes(self) -> bool:
        changes = self._backend.take_changes()
        if not changes:
            return False
        self._delegation.apply(changes)
        origins = {(c.user_id, c.datastore): c.device_pk for c in changes}
        for (user_id, datastore), device_pk in origins.items():
            self._events.record(user_id, datastore, "changed", origin_pk=device_pk)
        return True

    def verify_password(self, check: PasswordCheck | None) -> Principal | None:
        """The user when the message's clear-text password is right; None when it is
        wrong or there is none. This is where the server learns of a failed password (the
        engine reports it again as an AuthFailed event of the reply)."""
        if check is None:
            return None
        return self._backend.check_password(check.username, check.password)


def _log_event(event: object) -> None:
    if isinstance(event, SyncFinished):
        log.info(
            "Traveler: Sync user=%s device=%s datastore=%s mode=%s items in=%d out=%d "
            "conflicts=%d failed=%d %d ms",
            event.username, event.device_id, event.datastore, event.mode, event.items_in,
            event.items_out, event.conflicts, event.failed, event.duration_ms,
        )
    elif isinstance(event, AuthFailed):
        level = logging.INFO if event.routine else logging.WARNING
        log.log(level, "Traveler: Authentication failed for user %s on device %s: %s",
                event.username or "(none)", event.device_id, event.reason)
    elif isinstance(event, ProtocolViolation):
        log.warning("Traveler: Refused a SyncML message: %s", event.reason)
