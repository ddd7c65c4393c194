"""The HTTP driver of the SyncML client: runs a :class:`~syncml.client.SyncClient` session
over httpx (async), posting to exactly the configured SyncML URL, then to the RespURI the
server gives.

Failures come as the Companion's typed errors (:mod:`companion.api_client`), one class per
thing a user can act on, each with a message that says what is wrong and what to do::

    ServerError
    ├── ServerUnreachableError    no connection (refused, unknown host, TLS failure)
    ├── ServerTimeoutError        no answer in time (after one resend of the same message)
    ├── NotSyncMLServerError      the URL answers, but not as a SyncML server (HTML, JSON, 404)
    ├── WrongPasswordError        the server refused the user name or password
    ├── TooManyAttemptsError      the server throttles sign-ins after failed ones (HTTP 429)
    └── ServerFailedError         the server failed (5xx, a SyncML error status) or refused

A failure in the middle of a session loses nothing: what the server did not confirm stays
pending in the backend and goes again with the next sync.

The engine's work on each message (decoding, the backend's store work, encoding) runs on a
worker thread of the session's own, one message at a time, never on the event loop: a big
sync leaves the loop free for the push listener, a window's redraws and other tasks. The
backend is called from that one thread only, between two messages. ``per_message`` (e.g. a
store's transaction) wraps the backend calls of each message, so a store commits (and syncs
to disk) once per message instead of once per item; a session cut between two messages loses
nothing either way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

import httpx

from companion.api_client import (
    NotSyncMLServerError,
    ServerError,
    ServerFailedError,
    ServerTimeoutError,
    ServerUnreachableError,
    TooManyAttemptsError,
    WrongPasswordError,
)
from syncml import codec
from syncml.client import ClientBackend, ClientConfig, Send, SyncClient, SyncDone
from syncml.codes import AlertCode
from syncml.errors import AuthenticationFailed, PeerRefused, SyncMLError

__all__ = ["DEFAULT_TIMEOUT", "ServerError", "sync"]

DEFAULT_TIMEOUT = 60.0
_SYNCML_TYPES = (codec.CONTENT_TYPE_XML, codec.CONTENT_TYPE_WBXML)


PerMessage = Callable[[], AbstractContextManager[Any]]


async def sync(config: ClientConfig, backend: ClientBackend, *,
               mode: AlertCode = AlertCode.TWO_WAY, client: httpx.AsyncClient | None = None,
               timeout: float = DEFAULT_TIMEOUT,
               per_message: PerMessage | None = None) -> SyncDone:
    """One whole sync of ``backend`` with the server of ``config``; raises a ServerError."""
    if client is None:
        async with httpx.AsyncClient(timeout=timeout) as own:
            return await _run(config, backend, mode, own, timeout, per_message)
    return await _run(config, backend, mode, client, timeout, per_message)


async def _run(config: ClientConfig, backend: ClientBackend, mode: AlertCode,
               client: httpx.AsyncClient, timeout: float,
               per_message: PerMessage | None) -> SyncDone:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncml-client") as worker:
        return await _session(config, backend, mode, client, timeout, per_message, worker)


async def _session(config: ClientConfig, backend: ClientBackend, mode: AlertCode,
                   client: httpx.AsyncClient, timeout: float, per_message: PerMessage | None,
                   worker: ThreadPoolExecutor) -> SyncDone:
    batch = per_message or contextlib.nullcontext
    loop = asyncio.get_running_loop()
    session = SyncClient(config, backend, mode)

    def start() -> Send:
        with batch():
            return session.start()

    def receive(body: bytes, media_type: str) -> Send | SyncDone:
        with batch():
            return session.receive(body, media_type)

    step: Send | SyncDone = await loop.run_in_executor(worker, start)
    while isinstance(step, Send):
        response = await _post(client, step, timeout)
        _check_http(config, step.url, response)
        media_type = _media_type(response)
        try:
            step = await loop.run_in_executor(worker, receive, response.content, media_type)
        except AuthenticationFailed as exc:
            raise WrongPasswordError(
                f"The server at {_where(config.url)} did not accept the user name "
                f"{config.username!r} with this password. Check both and try again."
            ) from exc
        except PeerRefused as exc:
            raise ServerFailedError(
                f"The SyncML server at {_where(config.url)} refused the sync: {exc}. If it "
                "lasts, tell your administrator.",
                detail=str(exc),
            ) from exc
        except SyncMLError as exc:
            raise NotSyncMLServerError(
                f"{config.url} answered with an unreadable SyncML message ({exc}). The server "
                "may be broken or not a SyncML server.",
                detail=str(exc),
            ) from exc
    return step


async def _post(client: httpx.AsyncClient, step: Send, timeout: float) -> httpx.Response:
    """POST one message; a timeout or a dropped connection gets one resend of the same
    bytes (the server answers a resend as before and applies nothing twice)."""
    headers = {"Content-Type": step.content_type, "Accept": step.content_type}
    try:
        return await client.post(step.url, content=step.body, headers=headers, timeout=timeout)
    except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError):
        pass
    except httpx.TransportError as exc:
        raise _transport_error(step.url, exc, timeout) from exc
    try:
        return await client.post(step.url, content=step.body, headers=headers, timeout=timeout)
    except httpx.TransportError as exc:
        raise _transport_error(step.url, exc, timeout) from exc


def _media_type(response: httpx.Response) -> str:
    content_type: str = response.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower()


def _where(url: str) -> str:
    return urlsplit(url).netloc or url


def _check_http(config: ClientConfig, url: str, response: httpx.Response) -> None:
    """Refuse an HTTP answer that carries no SyncML message, naming why."""
    media_type = _media_type(response)
    status = response.status_code
    where = _where(config.url)
    if status == 429:
        wait = response.headers.get("retry-after", "")
        raise TooManyAttemptsError(
            f"The server at {where} refuses sign-ins for now after too many failed ones; try "
            f"again {'in ' + wait + ' seconds' if wait.isdigit() else 'later'}, and check the "
            "password.", int(wait) if wait.isdigit() else None)
    if status == 401 and media_type not in _SYNCML_TYPES:
        raise WrongPasswordError(
            f"The server at {where} did not accept the user name {config.username!r} with this "
            "password. Check both and try again.")
    if status >= 500:
        raise ServerFailedError(
            f"The server at {where} failed (HTTP {status} {response.reason_phrase}); try again "
            "later, or tell your administrator if it lasts.",
            detail=f"HTTP {status} {response.reason_phrase}")
    if status == 200 and media_type in _SYNCML_TYPES:
        return
    if media_type == "application/problem+json":
        try:
            detail = str(response.json().get("detail", ""))
        except ValueError:
            detail = ""
        raise ServerFailedError(
            f"The server at {where} could not process the sync (HTTP {status}"
            f"{': ' + detail if detail else ''}); tell your administrator if it lasts.",
            detail=f"HTTP {status}{': ' + detail if detail else ''}")
    if status == 404:
        what = "there is nothing at this address (HTTP 404)"
    elif media_type == "text/html":
        what = "it answers with a web page, not SyncML"
    elif media_type.endswith("json"):
        what = "it answers with JSON (a web API), not SyncML"
    elif status >= 400:
        what = f"it answers with HTTP {status} {response.reason_phrase}"
    else:
        what = f"it answers with {media_type or 'no content type'}, not SyncML"
    raise NotSyncMLServerError(
        f"{url} is not a SyncML server: {what}. Check the server URL: it must be the full "
        "SyncML URL, for a Traveler server http(s)://HOST:PORT/traveler.",
        detail=what)


def _transport_error(url: str, exc: httpx.TransportError, timeout: float) -> ServerError:
    where = _where(url)
    if isinstance(exc, httpx.TimeoutException):
        return ServerTimeoutError(
            f"The server at {where} did not answer within {timeout:g} seconds. It may be "
            "overloaded or a firewall may be dropping the connection; try again later.")
    reason = str(exc) or type(exc).__name__
    return ServerUnreachableError(
        f"Cannot reach the server at {where} ({reason}). Check the "
        "server URL, that the server is running, and your network connection.",
        detail=reason)
