"""Faults between our sync client and a `traveler-server` process, for the kill and cut proofs.

- :class:`KillingProxy` forwards the client's HTTP requests one by one and SIGKILLs the server
  (then restarts it on the same data folder) at a chosen message of a chosen package: before the
  message reaches the server, while the server works on it, or after the server answered (it
  committed; the answer never reaches the client).
- :class:`CuttingProxy` is a plain TCP forwarder that cuts the connection after K bytes of
  requests or of responses, counted over the whole session.

After a fault the network either stays down until :meth:`up` (the client's sync fails and a
later one must recover) or comes back at once (the client's resend of the same message goes to
the restarted server, which continues the session from its store).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from dataclasses import dataclass, field

import httpx

from syncml import codec
from syncml.codes import AlertCode
from syncml.model import Alert, Map, Message, Sync, decode_message
from tests.interop.traveler_server import TravelerServer


class Package(enum.Enum):
    """Where in the session a client message is."""

    UPLOAD = "upload"      # package 3: a Sync carrying our changes
    DOWNLOAD = "download"  # inside the server's package 4: we answer and ask for more (222)
    MAP = "map"            # package 5: the Map of the server's Adds
    OTHER = "other"


class When(enum.Enum):
    """When the server dies relative to the chosen message."""

    BEFORE = "before"  # the message never reaches it
    DURING = "during"  # it arrived; the server is killed while it works on it
    AFTER = "after"    # the server answered (and committed); the answer is lost


def _decoded(body: bytes, content_type: str) -> Message | None:
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        return decode_message(codec.decode(body, media))
    except Exception:  # a fault test must not fail on what it only classifies
        return None


def _has_server_changes(message: Message | None) -> bool:
    return message is not None and any(
        isinstance(c, Sync) and c.commands for c in message.commands)


def classify(request: Message | None, previous_reply: Message | None) -> Package:
    """Which package a client message belongs to (the previous reply tells a 222 in package 4
    from one in package 3)."""
    if request is None:
        return Package.OTHER
    if any(isinstance(c, Map) for c in request.commands):
        return Package.MAP
    if any(isinstance(c, Sync) and c.commands for c in request.commands):
        return Package.UPLOAD
    if _has_server_changes(previous_reply) and any(
            isinstance(c, Alert) and c.code == AlertCode.NEXT_MESSAGE for c in request.commands):
        return Package.DOWNLOAD
    return Package.OTHER


@dataclass(frozen=True)
class Fault:
    """Kill the server at the ``nth`` message of ``package`` (counted from 1), ``when``.

    ``outage``: the network stays down afterwards until :meth:`KillingProxy.up`; otherwise
    the client's resend goes through to the restarted server."""

    package: Package
    nth: int
    when: When
    outage: bool = True


@dataclass
class Exchange:
    k: int
    package: Package
    request_bytes: int
    outcome: str  # "answered", or what the fault did
    seconds: float = 0.0


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    request_line = lines[0]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return request_line, headers, body


def _abort(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()


@dataclass
class KillingProxy:
    """HTTP forwarder in front of ``server`` that applies one :class:`Fault`."""

    server: TravelerServer
    fault: Fault | None = None
    log: list[Exchange] = field(default_factory=list)
    kills: int = 0
    down: bool = False
    _counts: dict[Package, int] = field(default_factory=dict)
    _latency: dict[Package, float] = field(default_factory=dict)
    _previous_reply: Message | None = None
    _listener: asyncio.Server | None = None
    _http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> KillingProxy:
        self._http = httpx.AsyncClient(timeout=120)
        self._listener = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._listener is not None and self._http is not None
        self._listener.close()
        await self._http.aclose()

    @property
    def url(self) -> str:
        assert self._listener is not None
        port = self._listener.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/traveler"

    def up(self) -> None:
        """The network is back."""
        self.down = False

    def arm(self, fault: Fault | None) -> None:
        self.fault = fault
        self._counts.clear()
        self._previous_reply = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                if self.down:
                    _abort(writer)
                    return
                if not await self._forward(writer, *request):
                    return
        finally:
            _abort(writer)

    async def _forward(self, writer: asyncio.StreamWriter, request_line: str,
                       headers: dict[str, str], body: bytes) -> bool:
        assert self._http is not None
        method, path, _ = request_line.split(" ", 2)
        content_type = headers.get("content-type", "")
        package = classify(_decoded(body, content_type), self._previous_reply)
        self._counts[package] = self._counts.get(package, 0) + 1
        fault = self.fault
        hit = fault is not None and fault.package is package and (
            self._counts[package] == fault.nth)
        exchange = Exchange(len(self.log) + 1, package, len(body), "answered")
        self.log.append(exchange)
        if hit and fault is not None and fault.when is When.BEFORE:
            return await self._kill(writer, exchange, fault, "killed before it arrived")
        upstream = f"http://{self.server.host}:{self.server.port}{path}"
        # The client's Host, as a reverse proxy keeps it: the RespURI then points back here.
        forwarded = {k: v for k, v in headers.items()
                     if k not in ("content-length", "connection", "transfer-encoding")}
        started = time.monotonic()
        call = asyncio.ensure_future(
            self._http.request(method, upstream, content=body, headers=forwarded))
        if hit and fault is not None and fault.when is When.DURING:
            # Half of what the server took for the previous message of this package: it is
            # most likely in the middle of that work.
            await asyncio.wait({call}, timeout=self._latency.get(package, 0.05) / 2)
            outcome = "killed while working on it" + (" (it had answered)" if call.done()
                                                       else "")
            result = await self._kill(writer, exchange, fault, outcome)
            with contextlib.suppress(Exception):
                await call
            return result
        try:
            response = await call
        except httpx.TransportError:
            exchange.outcome = "server unreachable"
            return False
        self._latency[package] = exchange.seconds = time.monotonic() - started
        if hit and fault is not None and fault.when is When.AFTER:
            return await self._kill(writer, exchange, fault, "killed after it answered")
        self._previous_reply = _decoded(response.content,
                                        response.headers.get("content-type", ""))
        head = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
        head += [f"{k}: {v}" for k, v in response.headers.items()
                 if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                      "content-encoding")]
        head.append(f"Content-Length: {len(response.content)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.content)
        await writer.drain()
        return True

    async def _kill(self, writer: asyncio.StreamWriter, exchange: Exchange, fault: Fault,
                    outcome: str) -> bool:
        exchange.outcome = outcome
        self.kills += 1
        self.down = fault.outage
        await asyncio.to_thread(self.server.restart, hard=True)
        _abort(writer)  # the client's connection dies with no answer
        return False


Direction = str  # "request" (client to server) or "response"


@dataclass
class CuttingProxy:
    """TCP forwarder to ``port`` that cuts the connection after K bytes of one direction."""

    port: int
    totals: dict[Direction, int] = field(default_factory=lambda: {"request": 0, "response": 0})
    down: bool = False
    cuts: int = 0
    _armed: tuple[Direction, int, bool] | None = None
    _listener: asyncio.Server | None = None
    _open: set[asyncio.StreamWriter] = field(default_factory=set)

    async def __aenter__(self) -> CuttingProxy:
        self._listener = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._listener is not None
        self._listener.close()
        for writer in list(self._open):
            _abort(writer)

    @property
    def url(self) -> str:
        assert self._listener is not None
        return f"http://127.0.0.1:{self._listener.sockets[0].getsockname()[1]}/traveler"

    def cut_after(self, direction: Direction, k: int, *, outage: bool = True) -> None:
        """Cut once the session's ``direction`` bytes (counted from now) reach ``k``; with
        ``outage`` no connection gets through afterwards until :meth:`up`."""
        self.totals = {"request": 0, "response": 0}
        self._armed = (direction, k, outage)

    def count_only(self) -> None:
        self.totals = {"request": 0, "response": 0}
        self._armed = None

    def up(self) -> None:
        self.down = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            _abort(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            _abort(writer)
            return
        self._open |= {writer, up_writer}
        pair = (writer, up_writer)
        try:
            await asyncio.gather(self._pump(reader, up_writer, "request", pair),
                                 self._pump(up_reader, writer, "response", pair))
        finally:
            self._open -= {writer, up_writer}
            for w in pair:
                _abort(w)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                    direction: Direction,
                    pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter]) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await source.read(4096):
                armed = self._armed
                if armed is not None and armed[0] == direction:
                    room = armed[1] - self.totals[direction]
                    if room <= len(chunk):
                        sink.write(chunk[:max(room, 0)])
                        with contextlib.suppress(ConnectionError, OSError):
                            await sink.drain()
                        self.totals[direction] += max(room, 0)
                        self._armed = None
                        self.cuts += 1
                        self.down = armed[2]
                        for w in pair:
                            _abort(w)
                        return
                self.totals[direction] += len(chunk)
                sink.write(chunk)
                await sink.drain()
        with contextlib.suppress(Exception):
            sink.write_eof()
