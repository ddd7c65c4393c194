"""What a host does around the sans-IO server engine, for tests without HTTP: find the
session token in the URL, build the RespURI, verify a clear-text password before the
message's transaction (as server/sync_service.py does), then run the message."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from syncml.client import Send, SyncClient, SyncDone
from syncml.server import Reply, SyncServer

SESSION_PARAM = "sid"


class Host:
    """``receive(body, content_type, url)`` on the engine; with ``database``, each message
    runs in one store transaction, the password check before it."""

    def __init__(self, engine: SyncServer, database: Any = None) -> None:
        self.engine = engine
        self.database = database
        self.backend: Any = engine.backend
        self.config = engine.config

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        incoming = self.engine.read(body, content_type)
        check = incoming.password_check
        principal = self.backend.check_password(check.username, check.password) if check else None
        parts = urlsplit(url)
        token = parse_qs(parts.query).get(SESSION_PARAM, [""])[0] or None

        def resp_uri(new_token: str) -> str:
            return urlunsplit((parts.scheme, parts.netloc, parts.path,
                               f"{SESSION_PARAM}={new_token}", ""))

        transaction = self.database.transaction() if self.database is not None else (
            contextlib.nullcontext())
        with transaction:
            return self.engine.receive(incoming, session=token, resp_uri=resp_uri,
                                       password=principal)


def run_client(client: SyncClient, host: Host) -> SyncDone:
    """A whole session of our client against the server engine behind ``host``."""
    step: Send | SyncDone = client.start()
    while isinstance(step, Send):
        reply = host.receive(step.body, step.content_type, step.url)
        step = client.receive(reply.body, reply.content_type)
    return step
