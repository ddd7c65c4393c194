"""The SyncML service: runs the sans-IO engine on the store, one transaction per message.

In the same transaction, the items a message changed are handed to delegation (copies in other
users' todos, answers back to organizers) and recorded as push events for the user's other
devices; ``on_events`` is then called (from the worker thread) so this process's push loop
need not wait for its next look at the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import count
from urllib.parse import parse_qs, urlsplit, urlunsplit

from server.config import Settings
from server.delegation import Delegation
from server.login_throttle import LoginThrottle, Throttled
from server.logs import FINE, FINEST, RepeatedLines
from server.message_log import describe_message
from server.problems import PROBLEM_MEDIA_TYPE, problem_document
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
    headers: Mapping[str, str] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, throttled: Throttled) -> None:
        super().__init__(throttled.reason)
        self.throttled = throttled


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
                 on_events: Callable[[], None] | None = None,
                 throttle: LoginThrottle | None = None,
                 repeats: RepeatedLines | None = None) -> None:
        self._database = database
        self._users = user_store(settings, database)
        self._delegation = Delegation(database, self._users)
        self._events = PushEventStore(database)
        self._backend = sync_backend(settings, database, item_guard=self._delegation.check)
        self._engine = SyncServer(engine_config(settings), self._backend)
        self._messages = count(1)
        self.on_events = on_events
        self._external = urlsplit(settings.external_url) if settings.external_url else None
        self._throttle = throttle or LoginThrottle.from_settings(settings, database)
        # SyncEvolution retries a wrong password four times a sync: one WARNING and a count.
        self.repeats = repeats or RepeatedLines(log, settings.log_repeat_window)

    async def handle(
        self, *, body: bytes, content_type: str, url: str, client: str = "unknown address",
        address: str | None = None,
    ) -> SyncReply:
        """Process one message in a worker thread; the event loop never waits on SQLite.

        ``client`` (the peer's ``host:port``, or the client a trusted proxy names) goes into
        log lines; ``address`` (default: the host of ``client``) is what failed logins are
        counted against and what a session is tied to."""
        _log_message("in from " + client, body, content_type)
        if address is None:
            address = client.rsplit(":", 1)[0] if ":" in client else client
        try:
            reply, had_cred, user = await asyncio.to_thread(
                self._handle_sync, body, content_type, url, address
            )
        except _Refused as refused:
            throttled = refused.throttled
            # FINE: a guesser sends many; the WARNING when the limit was reached said it all.
            log.log(FINE, "Refused a login from %s: %s (HTTP 429, retry after %d s)", client,
                    throttled.reason, throttled.retry_after)
            document = problem_document(
                429, f"Refused: {throttled.reason}. Try again in {throttled.retry_after} s."
            )
            return SyncReply(document, 429, PROBLEM_MEDIA_TYPE,
                             {"Retry-After": str(throttled.retry_after)})
        except SyncMLError as exc:
            # No SyncML answer is possible: say why in the same problem+json form as the
            # HTTP edge's other refusals (the transaction was rolled back: nothing stored).
            log.warning("Rejected a SyncML message from %s: %s", client, exc)
            document = problem_document(400, f"Not a usable SyncML message: {exc}")
            return SyncReply(document, 400, PROBLEM_MEDIA_TYPE)
        for event in reply.events:
            if (isinstance(event, AuthFailed) and not event.routine and not event.refused
                    and had_cred):
                # Only wrong credentials count: a first message without any is answered
                # with a challenge, as the protocol has it, and a disabled account's right
                # password is no guess.
                await asyncio.to_thread(self._throttle.failed, event.username or user, address)
            elif isinstance(event, SyncFinished):
                await asyncio.to_thread(self._throttle.succeeded, event.username, address)
            if isinstance(event, AuthFailed) and not event.routine:
                # The same failure again (a client's retries) only adds to a count; the
                # port is left out of the key: each retry may come on a new connection.
                key = ((event.username or "").casefold(), event.device_id, address,
                       event.reason)
                self.repeats.log(key, logging.WARNING,
                                 "Login failed for user %s on device %s from %s: %s",
                                 event.username or "(none)", event.device_id, client,
                                 event.reason)
            else:
                _log_event(event, client)
        _log_message("out to " + client, reply.body, reply.content_type)
        return SyncReply(reply.body, 200, reply.content_type)

    def _handle_sync(
        self, body: bytes, content_type: str, url: str, address: str
    ) -> tuple[Reply, bool, str | None]:
        incoming = self._engine.read(body, content_type)
        header = incoming.message.header
        user = incoming.password_check.username if incoming.password_check else None
        if header.cred is not None:
            user = user or header.source.name
            # A guesser is refused before argon2 runs and before the write lock is taken.
            throttled = self._throttle.check(user, address)
            if throttled is not None:
                raise _Refused(throttled)
        # A clear-text password is verified before the write transaction: argon2 takes a
        # good part of a second, and the transaction holds the store's write lock.
        principal = self.verify_password(incoming.password_check)
        parts = urlsplit(url)
        token = parse_qs(parts.query).get(SESSION_PARAM, [""])[0] or None
        # Behind a reverse proxy the request's own URL is not the one devices can reach.
        base = self._external or parts

        def resp_uri(new_token: str) -> str:
            query = f"{SESSION_PARAM}={new_token}"
            return urlunsplit((base.scheme, base.netloc, base.path or parts.path, query, ""))

        try:
            with self._database.transaction():
                if next(self._messages) % _PURGE_EVERY == 0:
                    self._backend.purge_sessions()
                    self._events.prune()
                reply = self._engine.receive(incoming, session=token, resp_uri=resp_uri,
                                             password=principal, peer=address)
                changed = self._record_changes()
        finally:
            self._backend.discard_changes()  # rolled back, or already handed on
        if changed and self.on_events is not None:
            self.on_events()
        return reply, header.cred is not None, user

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


def _log_message(direction: str, body: bytes, content_type: str) -> None:
    if not log.isEnabledFor(FINE):
        return
    lines = describe_message(body, content_type, detail=log.isEnabledFor(FINEST))
    log.log(FINE, "SyncML %s: %s", direction, lines[0])
    for line in lines[1:]:
        log.log(FINEST, "SyncML %s: %s", direction, line)


def _log_event(event: object, client: str) -> None:
    if isinstance(event, SyncFinished):
        log.info(
            "Sync user=%s device=%s datastore=%s mode=%s items in=%d out=%d "
            "conflicts=%d failed=%d %d ms",
            event.username, event.device_id, event.datastore, event.mode, event.items_in,
            event.items_out, event.conflicts, event.failed, event.duration_ms,
        )
    elif isinstance(event, AuthFailed) and event.routine:
        # Every new md5 device goes through this once: it has no nonce of ours yet.
        log.info("Login of user %s on device %s from %s: %s (normal md5 handshake)",
                 event.username or "(none)", event.device_id, client, event.reason)
    elif isinstance(event, ProtocolViolation):
        log.warning("Refused a SyncML message from %s: %s", client, event.reason)
