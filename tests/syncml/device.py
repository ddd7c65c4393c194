"""A device for tests of the server: our real client (:class:`syncml.client.SyncClient`
on a :class:`~syncml.client.MemoryClientBackend`), with every message of its sessions
recorded and decoded, so tests can check the protocol flow message by message.

The server is anything with ``receive(body, content_type, url) -> Reply``: a
:class:`~tests.syncml.host.Host` around the engine, a wire that rewrites, resends or restarts
(tests/syncml/test_server_protocol.py), the ASGI app (tests/server/app_peer.py) or a server
process (tests/server/server_process.py). What a correct client never sends is built by hand
with :mod:`tests.syncml.raw` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from syncml import auth, codec
from syncml.client import ClientConfig, MemoryClientBackend, Send, SyncClient, SyncDone
from syncml.codes import AlertCode
from syncml.model import ItemCommand, Message, Status, Sync, decode_message, encode_message
from syncml.server import Reply

SERVER_URL = "http://127.0.0.1:9/traveler"


class Server(Protocol):
    def receive(self, body: bytes, content_type: str, url: str) -> Reply: ...


def decode(body: bytes, content_type: str) -> Message:
    return decode_message(codec.decode(body, content_type))


@dataclass
class Exchange:
    """One request and its reply, both decoded."""

    request: Message
    reply: Reply
    message: Message  # the reply's
    # the request as sent, to send it again
    body: bytes = b""
    content_type: str = ""
    url: str = ""

    def statuses(self, cmd: str | None = None) -> list[Status]:
        return [c for c in self.message.commands
                if isinstance(c, Status) and (cmd is None or c.cmd == cmd)]

    def header_status(self) -> int:
        return self.statuses("SyncHdr")[0].code

    def of(self, kind: type) -> list[Any]:
        return [c for c in self.message.commands if isinstance(c, kind)]

    def sync_commands(self) -> list[ItemCommand]:
        """The item commands inside the reply's Syncs."""
        return [sub for sync in self.of(Sync) for sub in sync.commands
                if isinstance(sub, ItemCommand)]

    def sent_commands(self) -> list[ItemCommand]:
        """The item commands inside the request's Syncs."""
        return [sub for c in self.request.commands if isinstance(c, Sync)
                for sub in c.commands if isinstance(sub, ItemCommand)]

    def sent_statuses(self, cmd: str | None = None) -> list[Status]:
        return [c for c in self.request.commands
                if isinstance(c, Status) and (cmd is None or c.cmd == cmd)]


@dataclass
class Device:
    """One device of one user: its local todos and the real client that syncs them."""

    server: Server
    device_id: str = "test-device-1"
    user: str = "alice"
    password: str = "secret"
    auth_type: str = auth.AUTH_BASIC
    wbxml: bool = False
    version: str = "1.2"
    max_msg_size: int = 150_000
    max_obj_size: int = 4_000_000
    uri: str = "tasks"
    local_uri: str = "./todo"
    url: str = SERVER_URL
    backend: MemoryClientBackend = field(default_factory=MemoryClientBackend)
    log: list[Exchange] = field(default_factory=list)
    done: SyncDone | None = None

    @property
    def nonce(self) -> bytes | None:
        """The server's NextNonce for the next session (the client backend keeps it)."""
        return self.backend.next_nonce

    # -- the user's side ---------------------------------------------------------------
    @property
    def items(self) -> dict[str, str]:
        """LUID → data of every local item."""
        return {luid: item.data for luid, item in self.backend.items.items()}

    def create(self, data: str) -> str:
        return self.backend.create(data)

    def edit(self, luid: str, data: str) -> None:
        self.backend.edit(luid, data)

    def remove(self, luid: str) -> None:
        self.backend.remove(luid)

    def config(self) -> ClientConfig:
        return ClientConfig(
            url=self.url, username=self.user, password=self.password,
            device_id=self.device_id, remote_uri=self.uri, local_uri=self.local_uri,
            auth_type=self.auth_type, wbxml=self.wbxml, version=self.version,
            max_msg_size=self.max_msg_size, max_obj_size=self.max_obj_size,
        )

    # -- a session ---------------------------------------------------------------------
    def sync(self, mode: int = AlertCode.TWO_WAY, *, cut_after: int | None = None,
             tamper: Callable[[int, Message], None] | None = None) -> list[Exchange]:
        """One whole session of the real client; its exchanges.

        ``cut_after=n``: the reply to the n-th message is lost (the server handled it, the
        client never sees it) and the session ends there, as with a dead network.
        ``tamper(n, message)`` changes the n-th message on the wire (a hand-made status
        where a real client would not send one); the client does not know.
        """
        client = SyncClient(self.config(), self.backend, AlertCode(mode))
        start = len(self.log)
        step: Send | SyncDone = client.start()
        while isinstance(step, Send):
            count = len(self.log) - start + 1
            assert len(step.body) <= self.max_msg_size
            body = step.body
            if tamper is not None:
                message = decode(body, step.content_type)
                tamper(count, message)
                body = codec.encode(encode_message(message), wbxml=self.wbxml)
            reply = self.server.receive(body, step.content_type, step.url)
            assert len(reply.body) <= self.max_msg_size
            self.log.append(Exchange(decode(body, step.content_type), reply,
                                     decode(reply.body, reply.content_type),
                                     body, step.content_type, step.url))
            if count == cut_after:
                return self.log[start:]
            step = client.receive(reply.body, reply.content_type)
        self.done = step
        return self.log[start:]

    def first_login(self) -> int:
        """A whole slow sync; the header status its first message got (212 when the
        credentials were taken at once)."""
        first = self.sync(AlertCode.SLOW_SYNC)[0]
        assert self.done is not None
        return first.header_status()

    def sync_anchor(self) -> str | None:
        """Our anchor of the last completed sync (what the next Alert sends as Last)."""
        saved = self.backend.anchors()
        return saved.local if saved else None


def resend(server: Server, exchange: Exchange) -> Exchange:
    """The request of ``exchange`` again, byte for byte (its reply was lost)."""
    reply = server.receive(exchange.body, exchange.content_type, exchange.url)
    return Exchange(exchange.request, reply, decode(reply.body, reply.content_type),
                    exchange.body, exchange.content_type, exchange.url)


def all_sync_commands(exchanges: list[Exchange]) -> list[ItemCommand]:
    return [c for e in exchanges for c in e.sync_commands()]
