"""The ASGI application: HTTP edge of the server.

Routes::

    POST /traveler, POST /servlet/traveler   SyncML messages (XML or WBXML) → the sync service
    GET  /traveler, GET  /servlet/traveler   a short page saying what this URL is (and HEAD)
    GET  /health                              {"status": "green"|"yellow"|"red", "version",
                                              "disk_free_mb"[, "reason"]}
    /traveler/api/v1/..., /servlet/traveler/api/v1/...
                                              the client API (server.api, docs/client-api.md)

Any other method gets 405 with the path's ``Allow`` list; unknown paths 404. This edge checks
only what HTTP can tell (method, media type, size, emptiness, a stalled upload, shutdown) and
answers those problems as RFC 9457 problem+json (one writer: ``server.problems``);
everything about the SyncML content is the sync service's business, which answers bad SyncML
with SyncML status codes itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from http import HTTPStatus
from importlib import metadata
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from server.api import API_PATH, create_api
from server.client_address import ClientAddress, Network, client_address
from server.config import Settings
from server.login_throttle import LoginThrottle
from server.logs import FINE, FINEST, RepeatedLines
from server.problems import PROBLEM_MEDIA_TYPE, problem
from server.push import PushHub
from server.status import Status, StatusMonitor
from server.store.database import Database

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "SYNCML_MEDIA_TYPES",
    "Shutdown",
    "SyncReplyLike",
    "SyncServiceLike",
    "create_app",
    "problem",
]

log = logging.getLogger("traveler.http")

SYNCML_PATHS = ("/traveler", "/servlet/traveler")
SYNCML_MEDIA_TYPES = ("application/vnd.syncml+xml", "application/vnd.syncml+wbxml")
SYNCML_METHODS = ("GET", "HEAD", "POST")
HEALTH_METHODS = ("GET", "HEAD")
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]


class SyncReplyLike(Protocol):
    """What the sync service answers (read-only, so frozen dataclasses fit)."""

    @property
    def body(self) -> bytes: ...
    @property
    def status(self) -> int: ...
    @property
    def content_type(self) -> str: ...


class SyncServiceLike(Protocol):
    async def handle(
        self, *, body: bytes, content_type: str, url: str, client: str, address: str
    ) -> SyncReplyLike: ...


def server_version() -> str:
    try:
        return metadata.version("traveler-desktop")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class _Refused(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        headers: dict[str, str] | None = None,
        *,
        started: bool = True,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.started = started  # some of the body was read before the refusal


# Lingering close, as nginx does it: a refused request's unread body is read and dropped (up to
# these bounds) before the answer goes out, so the client, still sending, reads the answer
# instead of a connection reset.
DRAIN_LIMIT = 32 * 1024 * 1024
DRAIN_SECONDS = 10.0
RETRY_AFTER_SECONDS = 30


class Shutdown:
    """Tells requests in flight that the server is stopping (set from the signal handler)."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.begun = False

    def bind(self) -> None:
        """Called on the server's event loop before it serves."""
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def begin(self) -> None:
        """Safe from a signal handler or another thread."""
        self.begun = True
        if self._loop is not None and self._event is not None:
            self._loop.call_soon_threadsafe(self._event.set)

    async def wait(self) -> None:
        if self._event is None:
            await asyncio.Event().wait()  # not bound (in-process tests): never
        else:
            await self._event.wait()


def _media_type(header: str | None) -> str:
    # "application/vnd.syncml+xml; charset=UTF-8" → "application/vnd.syncml+xml"
    return (header or "").split(";", 1)[0].strip().lower()


def _declared_length(request: Request) -> int | None:
    declared = request.headers.get("content-length")
    if declared is None:
        return None
    try:
        length = int(declared)
        if length < 0:
            raise ValueError
    except ValueError:
        raise _Refused(
            400, f"Content-Length {declared!r} is not a byte count", started=False
        ) from None
    return length


async def _next_chunk(
    chunks: AsyncIterator[bytes], shutdown: Shutdown, timeout: float
) -> bytes | None:
    """The next piece of the body (None at its end); a stall or a shutdown ends the wait."""
    reading = asyncio.ensure_future(anext(chunks, None))
    stopping = asyncio.ensure_future(shutdown.wait())
    try:
        done, _ = await asyncio.wait(
            {reading, stopping}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stopping.cancel()
    if reading in done:
        return reading.result()
    reading.cancel()
    with contextlib.suppress(asyncio.CancelledError, ClientDisconnect):
        await reading
    if stopping in done:
        raise _Refused(
            503,
            "The server is shutting down; send the message again in a moment.",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    raise _Refused(
        408,
        f"The client sent nothing for {timeout:g} seconds in the middle of its message "
        "(NTS_HTTP_READ_TIMEOUT); send it again.",
    )


async def _read_body(request: Request, cap: int, timeout: float) -> bytes:
    shutdown: Shutdown = request.app.state.shutdown
    declared = _declared_length(request)
    if declared is not None and declared > cap:
        raise _Refused(413, _too_large(cap, f"declares {declared} bytes"), started=False)
    body = bytearray()
    chunks = aiter(request.stream())
    # Stream, so a client that lies about (or omits) its length cannot make us buffer more.
    while (chunk := await _next_chunk(chunks, shutdown, timeout)) is not None:
        body += chunk
        if len(body) > cap:
            raise _Refused(413, _too_large(cap, f"sent more than {cap} bytes"))
    return bytes(body)


async def _drain(request: Request, started: bool) -> None:
    """Read and drop what is left of a refused request's body, within bounds."""
    if request.headers.get("expect", "").lower() == "100-continue" and not started:
        return  # the client waits for our word before sending: it will read the refusal
    try:
        declared = _declared_length(request)
    except _Refused:
        return
    if declared is not None and declared > DRAIN_LIMIT:
        return  # too much to swallow; the connection closes, as nginx would
    dropped = 0
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            async for chunk in request.stream():
                dropped += len(chunk)
                if dropped > DRAIN_LIMIT:
                    return
    except (TimeoutError, ClientDisconnect, RuntimeError):
        # RuntimeError: the stream was already consumed (nothing left to drain).
        return


def _too_large(cap: int, what: str) -> str:
    return (
        f"The SyncML message {what}; this server accepts at most {cap} bytes per message "
        "(NTS_MAX_MESSAGE_SIZE). Lower the client's MaxMsgSize."
    )


async def _refuse(
    request: Request, response: Response, *, drain: bool = True, started: bool = False
) -> Response:
    """Answer a refusal; with ``drain``, after dropping the rest of the body (``started``:
    some of it was read already)."""
    if drain:
        await _drain(request, started)
    # The rest of a refused body is not worth keeping the connection for.
    response.headers["Connection"] = "close"
    return response


async def syncml_endpoint(request: Request) -> Response:
    """The SyncML URL: POST takes a message; GET and HEAD answer a short page for people."""
    if request.method in ("GET", "HEAD"):
        return HTMLResponse(_ENDPOINT_PAGE)
    if request.method != "POST":
        return await _refuse(request, _not_allowed(request, SYNCML_METHODS))
    settings: Settings = request.app.state.settings
    shutdown: Shutdown = request.app.state.shutdown
    media_type = _media_type(request.headers.get("content-type"))
    if media_type not in SYNCML_MEDIA_TYPES:
        shown = media_type or "no Content-Type"
        return await _refuse(request, problem(
            415,
            f"{shown} is not a SyncML message type; send {' or '.join(SYNCML_MEDIA_TYPES)}.",
            accepted=list(SYNCML_MEDIA_TYPES),
        ))
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return await _refuse(request, problem(
            415, f"Content-Encoding {encoding!r} is not supported; send the message uncompressed."
        ))
    log.log(FINEST, "Receiving a SyncML message from %s (Content-Length %s)", _peer(request),
            request.headers.get("content-length", "not given"))
    try:
        body = await _read_body(request, settings.max_message_size, settings.http_read_timeout)
    except _Refused as refused:
        if refused.status == 503:
            log.info("Refused a request from %s in flight: the server is shutting down (503, "
                     "Retry-After %d s)", _peer(request), RETRY_AFTER_SECONDS)
        elif refused.status == 408:
            log.warning("Gave up on %s: it stalled while sending its message (408)",
                        _peer(request))
        # A stalled client (408) or a shutdown (503) is not waited for any longer.
        return await _refuse(
            request,
            problem(refused.status, refused.detail, headers=refused.headers),
            drain=refused.status == 413,
            started=refused.started,
        )
    except ClientDisconnect:
        log.info("Client %s disconnected while sending a SyncML message", _peer(request))
        return problem(400, "The client disconnected before the message was complete.")
    if not body:
        return problem(400, "The request body is empty; a SyncML message was expected.")
    if shutdown.begun:
        # Not started, so nothing of it is applied; a message already in the engine finishes.
        log.info("Refused a request from %s: the server is shutting down (503, Retry-After "
                 "%d s)", _peer(request), RETRY_AFTER_SECONDS)
        return problem(
            503, "The server is shutting down; send the message again in a moment.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Connection": "close"},
        )

    service: SyncServiceLike = request.app.state.sync_service
    try:
        client = _client(request)
        reply = await service.handle(
            body=body, content_type=media_type, url=str(request.url), client=client.shown,
            address=client.host,
        )
    except Exception:
        # Last-resort net: the engine maps bad input to SyncML statuses itself, so reaching this
        # is a server bug. Say so without leaking internals; the traceback goes to the log.
        log.exception("Unexpected error while handling a SyncML message from %s", _peer(request))
        return problem(500, "The server failed to process this message; see the server log.")
    return Response(
        reply.body,
        status_code=reply.status,
        media_type=reply.content_type,
        headers=dict(getattr(reply, "headers", None) or {}),
    )


def _not_allowed(request: Request, methods: tuple[str, ...]) -> Response:
    allowed = ", ".join(methods)
    return problem(
        405,
        f"{request.method} is not allowed on {request.url.path}; it answers {allowed}.",
        headers={"Allow": allowed},
    )


_ENDPOINT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Traveler</title></head>
<body><h1>Traveler</h1>
<p>This is the SyncML endpoint of a Traveler server. Point a SyncML client (such as the
Traveler ToDo app or SyncEvolution) at this URL; it accepts <code>POST</code> requests with
<code>application/vnd.syncml+xml</code> or <code>application/vnd.syncml+wbxml</code>.</p>
</body></html>
"""


async def health(request: Request) -> Response:
    """Green/Yellow/Red status; Red (HTTP 503) when the data folder's disk is nearly full."""
    if request.method not in HEALTH_METHODS:
        return await _refuse(request, _not_allowed(request, HEALTH_METHODS))
    monitor: StatusMonitor = request.app.state.status
    report = await asyncio.to_thread(monitor.check)
    content: dict[str, Any] = {
        "status": report.status.value,
        "version": server_version(),
        "disk_free_mb": report.free_mb,
    }
    if report.reason:
        content["reason"] = report.reason
    # 503 lets a load balancer in front of a pool take a Red server out of rotation.
    return JSONResponse(content, status_code=503 if report.status is Status.RED else 200)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = _DEFAULT_DETAIL.get(exc.status_code, detail)
    return problem(exc.status_code, detail, headers=exc.headers)


_DEFAULT_DETAIL = {
    404: "There is nothing at this URL; the SyncML endpoint is /traveler.",
}


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "The server failed to process this request; see the server log.")


def _peer(request: Request) -> str:
    """The client as the log shows it (behind a trusted proxy: the client it forwards for)."""
    return _client(request).shown


def _client(request: Request) -> ClientAddress:
    settings: Settings = request.app.state.settings
    return client_address(request, settings.trusted_proxies)


def _lifespan(hub: PushHub | None) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if hub is None:
            yield
            return
        watcher = asyncio.create_task(hub.run(), name="traveler-push")
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    return lifespan


class _RequestLog:
    """At FINE, one line per HTTP request: method, path, peer, status, sizes, time taken."""

    def __init__(self, app: Any, trusted: tuple[Network, ...] = ()) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(FINE):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        sizes = {"in": 0, "out": 0, "status": 0}

        async def counting_receive() -> Any:
            message = await receive()
            sizes["in"] += len(message.get("body", b""))
            return message

        async def counting_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                sizes["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sizes["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            peer = client_address(HTTPConnection(scope), self.trusted).shown
            log.log(
                FINE, "HTTP %s %s from %s: %s, %d bytes in, %d bytes out, %d ms",
                scope["method"], scope["path"], peer, sizes["status"] or "no answer",
                sizes["in"], sizes["out"], (time.monotonic() - started) * 1000,
            )


def create_app(
    settings: Settings,
    database: Database,
    sync_service: SyncServiceLike | None = None,
    shutdown: Shutdown | None = None,
) -> Starlette:
    """Build the ASGI app. Without ``sync_service``, uses the engine's
    ``server.sync_service.SyncService(settings=settings, database=database)``."""
    # Push: this process's watcher of the store's push events (see server.push).
    hub = PushHub(database) if settings.push_enable else None
    throttle = LoginThrottle.from_settings(settings, database)
    repeats = RepeatedLines(logging.getLogger("traveler.sync"), settings.log_repeat_window)
    if sync_service is None:
        from server.sync_service import SyncService

        sync_service = SyncService(settings=settings, database=database,
                                   on_events=hub.changed if hub else None, throttle=throttle,
                                   repeats=repeats)
    api = create_api(settings, database, throttle=throttle)
    api.state.push_hub = hub
    # Each route takes every method and answers the wrong ones itself, so a 405 always
    # carries the path's full Allow list.
    routes = [
        *(Mount(path + API_PATH, app=api) for path in SYNCML_PATHS),
        *(Route(path, syncml_endpoint, methods=ANY_METHOD) for path in SYNCML_PATHS),
        Route("/health", health, methods=ANY_METHOD),
    ]
    monitor = StatusMonitor(settings)

    shutdown = shutdown or Shutdown()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        shutdown.bind()
        # The status is logged at start-up, then whenever a periodic check finds it changed.
        await asyncio.to_thread(monitor.check)
        watcher = asyncio.create_task(_watch_status(monitor, settings.status_interval))
        try:
            async with _lifespan(hub)(app):
                yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            repeats.flush()  # a count still pending is written before "Server stopped."

    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_exception, Exception: _unexpected},
        lifespan=lifespan,
    )
    app.add_middleware(_RequestLog, trusted=settings.trusted_proxies)
    app.state.settings = settings
    app.state.status = monitor
    app.state.shutdown = shutdown
    app.state.database = database
    app.state.sync_service = sync_service
    app.state.push_hub = hub
    return app


async def _watch_status(monitor: StatusMonitor, interval: int) -> None:
    while True:
        await asyncio.sleep(interval)
        await asyncio.to_thread(monitor.check)
