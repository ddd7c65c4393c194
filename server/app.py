"""The ASGI application: HTTP edge of the server.

Routes::

    POST /traveler, POST /servlet/traveler   SyncML messages (XML or WBXML) → the sync service
    GET  /traveler, GET  /servlet/traveler   a short page saying what this URL is
    GET  /health                              {"status": "green"|"red", "version", "disk_free_mb"}
    /traveler/api/v1/..., /servlet/traveler/api/v1/...
                                              the client API (server.api, docs/client-api.md)

This edge checks only what HTTP can tell (media type, size, emptiness) and answers those
problems as RFC 9457 problem+json; everything about the SyncML content is the sync service's
business, which answers bad SyncML with SyncML status codes itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from http import HTTPStatus
from importlib import metadata
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from server.api import API_PATH, create_api
from server.config import Settings
from server.problems import problem
from server.push import PushHub
from server.store.database import Database

__all__ = ["SYNCML_MEDIA_TYPES", "SyncReplyLike", "SyncServiceLike", "create_app", "problem"]

log = logging.getLogger("traveler.http")

SYNCML_PATHS = ("/traveler", "/servlet/traveler")
SYNCML_MEDIA_TYPES = ("application/vnd.syncml+xml", "application/vnd.syncml+wbxml")


class SyncReplyLike(Protocol):
    """What the sync service answers (read-only, so frozen dataclasses fit)."""

    @property
    def body(self) -> bytes: ...
    @property
    def status(self) -> int: ...
    @property
    def content_type(self) -> str: ...


class SyncServiceLike(Protocol):
    async def handle(self, *, body: bytes, content_type: str, url: str) -> SyncReplyLike: ...


def server_version() -> str:
    try:
        return metadata.version("traveler-desktop")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _media_type(header: str | None) -> str:
    # "application/vnd.syncml+xml; charset=UTF-8" → "application/vnd.syncml+xml"
    return (header or "").split(";", 1)[0].strip().lower()


async def _read_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
            if length < 0:
                raise ValueError
        except ValueError:
            raise _Refused(400, f"Content-Length {declared!r} is not a byte count") from None
        if length > cap:
            raise _Refused(413, _too_large(cap, f"declares {length} bytes"))
    body = bytearray()
    # Stream, so a client that lies about (or omits) its length cannot make us buffer more.
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise _Refused(413, _too_large(cap, f"sent more than {cap} bytes"))
    return bytes(body)


def _too_large(cap: int, what: str) -> str:
    return (
        f"The SyncML message {what}; this server accepts at most {cap} bytes per message "
        "(NTS_MAX_MESSAGE_SIZE). Lower the client's MaxMsgSize."
    )


async def syncml_endpoint(request: Request) -> Response:
    """POST: hand one SyncML message to the sync service and return its reply."""
    settings: Settings = request.app.state.settings
    media_type = _media_type(request.headers.get("content-type"))
    if media_type not in SYNCML_MEDIA_TYPES:
        shown = media_type or "no Content-Type"
        return problem(
            415,
            f"{shown} is not a SyncML message type; send {' or '.join(SYNCML_MEDIA_TYPES)}.",
            accepted=list(SYNCML_MEDIA_TYPES),
        )
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return problem(
            415, f"Content-Encoding {encoding!r} is not supported; send the message uncompressed."
        )
    try:
        body = await _read_body(request, settings.max_message_size)
    except _Refused as refused:
        return problem(refused.status, refused.detail)
    except ClientDisconnect:
        log.info("Client disconnected while sending a SyncML message")
        return problem(400, "The client disconnected before the message was complete.")
    if not body:
        return problem(400, "The request body is empty; a SyncML message was expected.")

    service: SyncServiceLike = request.app.state.sync_service
    try:
        reply = await service.handle(body=body, content_type=media_type, url=str(request.url))
    except Exception:
        # Last-resort net: the engine maps bad input to SyncML statuses itself, so reaching this
        # is a server bug. Say so without leaking internals; the traceback goes to the log.
        log.exception("Unexpected error while handling a SyncML message from %s", _peer(request))
        return problem(500, "The server failed to process this message; see the server log.")
    return Response(reply.body, status_code=reply.status, media_type=reply.content_type)


_ENDPOINT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Traveler</title></head>
<body><h1>Traveler</h1>
<p>This is the SyncML endpoint of a Traveler server. Point a SyncML client (such as the
Traveler ToDo app or SyncEvolution) at this URL; it accepts <code>POST</code> requests with
<code>application/vnd.syncml+xml</code> or <code>application/vnd.syncml+wbxml</code>.</p>
</body></html>
"""


async def endpoint_page(request: Request) -> Response:
    """GET: tell a person with a browser what this URL is for."""
    return HTMLResponse(_ENDPOINT_PAGE)


async def health(request: Request) -> Response:
    """Green/Red status; Red (HTTP 503) when the data folder's disk is nearly full."""
    settings: Settings = request.app.state.settings
    try:
        free_mb = shutil.disk_usage(settings.data_dir).free // (1024 * 1024)
    except OSError as exc:
        log.warning("Cannot read free disk space of %s: %s", settings.data_dir, exc)
        free_mb = 0
    threshold = settings.disk_space_threshold_mb
    green = free_mb >= threshold
    content: dict[str, Any] = {
        "status": "green" if green else "red",
        "version": server_version(),
        "disk_free_mb": free_mb,
    }
    if not green:
        content["reason"] = (
            f"{free_mb} MB free on the data folder's disk, below NTS_DISK_SPACE_THRESHOLD "
            f"({threshold} MB)"
        )
    # 503 lets a load balancer in front of a pool take a Red server out of rotation.
    return JSONResponse(content, status_code=200 if green else 503)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = _DEFAULT_DETAIL.get(exc.status_code, detail)
    return problem(exc.status_code, detail, headers=exc.headers)


_DEFAULT_DETAIL = {
    404: "There is nothing at this URL; the SyncML endpoint is /traveler.",
    405: "This method is not allowed here; SyncML messages are sent with POST.",
}


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "The server failed to process this request; see the server log.")


def _peer(request: Request) -> str:
    return f"{request.client.host}:{request.client.port}" if request.client else "unknown peer"


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


def create_app(
    settings: Settings,
    database: Database,
    sync_service: SyncServiceLike | None = None,
) -> Starlette:
    """Build the ASGI app. Without ``sync_service``, uses the engine's
    ``server.sync_service.SyncService(settings=settings, database=database)``."""
    # Push: this process's watcher of the store's push events (see server.push).
    hub = PushHub(database) if settings.push_enable else None
    if sync_service is None:
        from server.sync_service import SyncService

        sync_service = SyncService(settings=settings, database=database,
                                   on_events=hub.changed if hub else None)
    api = create_api(settings, database)
    api.state.push_hub = hub
    routes = [
        *(Mount(path + API_PATH, app=api) for path in SYNCML_PATHS),
        *(Route(path, syncml_endpoint, methods=["POST"]) for path in SYNCML_PATHS),
        *(Route(path, endpoint_page, methods=["GET"]) for path in SYNCML_PATHS),
        Route("/health", health, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_exception, Exception: _unexpected},
        lifespan=_lifespan(hub),
    )
    app.state.settings = settings
    app.state.database = database
    app.state.sync_service = sync_service
    app.state.push_hub = hub
    return app
