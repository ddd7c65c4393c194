"""The HTTP driver of the SyncML client: a real server process, and each kind of failure
a user must be told about in words they can act on."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from companion.api_client import (
    NotSyncMLServerError,
    ServerFailedError,
    ServerTimeoutError,
    ServerUnreachableError,
    WrongPasswordError,
)
from syncml import auth
from syncml.client import ClientConfig, MemoryClientBackend
from syncml.codes import AlertCode
from tests.interop.traveler_server import TravelerServer
from tests.syncml.items import vtodo
from todo.store import TodoStore
from todo.sync import StoreBackend
from todo.sync_transport import sync


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TravelerServer]:
    running = TravelerServer(tmp_path_factory.mktemp("data") / "server")
    running.add_user("alice", "alice-secret-1")
    with running:
        yield running


def account(url: str, **changes: object) -> ClientConfig:
    values: dict[str, object] = {"url": url, "username": "alice", "password": "alice-secret-1",
                                 "device_id": "laptop-transport"}
    values.update(changes)
    return ClientConfig(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("wbxml", [True, False], ids=["wbxml", "xml"])
@pytest.mark.parametrize("auth_type", [auth.AUTH_MD5, auth.AUTH_BASIC])
async def test_syncs_with_a_running_server_and_back(server, wbxml, auth_type):
    device_id = f"laptop-{wbxml}-{auth_type[-3:]}"
    laptop = MemoryClientBackend()
    laptop.create(vtodo(f"uid-{device_id}", "through HTTP"))
    up = await sync(account(server.url, device_id=device_id, wbxml=wbxml, auth_type=auth_type),
                    laptop)
    assert up.sent.total == 1
    phone = MemoryClientBackend()
    down = await sync(account(server.url, device_id=device_id + "-phone", wbxml=wbxml,
                              auth_type=auth_type), phone, mode=AlertCode.REFRESH_FROM_SERVER)
    assert vtodo(f"uid-{device_id}", "through HTTP") in phone.data()
    assert down.received.added >= 1


async def test_a_wrong_password_says_so(server):
    with pytest.raises(WrongPasswordError, match="did not accept the user name 'alice'"):
        await sync(account(server.url, password="not-it"), MemoryClientBackend())


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_server_says_so():
    url = f"http://127.0.0.1:{_closed_port()}/traveler"
    with pytest.raises(ServerUnreachableError, match=r"Cannot reach the server at 127\.0\.0\.1"):
        await sync(account(url), MemoryClientBackend())


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    listener = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/traveler"
    for writer in held:
        writer.close()
    listener.close()


async def test_a_server_that_does_not_answer_times_out_after_one_resend(silent_server):
    with pytest.raises(ServerTimeoutError, match=r"did not answer within 0\.2 seconds"):
        await sync(account(silent_server), MemoryClientBackend(), timeout=0.2)


async def _html(_request: Request) -> Response:
    return HTMLResponse("<html><body>Welcome to nginx!</body></html>")


async def _json(_request: Request) -> Response:
    return JSONResponse({"hello": "world"})


async def _broken(_request: Request) -> Response:
    return Response("oops", status_code=502)


NOT_SYNCML = Starlette(routes=[
    Route("/html", _html, methods=["POST"]),
    Route("/json", _json, methods=["POST"]),
    Route("/broken", _broken, methods=["POST"]),
])


@pytest.mark.parametrize(("path", "error", "words"), [
    ("/html", NotSyncMLServerError, "answers with a web page"),
    ("/json", NotSyncMLServerError, "answers with JSON"),
    ("/nothing", NotSyncMLServerError, "nothing at this address"),
    ("/broken", ServerFailedError, "failed \\(HTTP 502"),
])
async def test_a_url_that_is_no_syncml_server_says_what_it_is(path, error, words):
    transport = httpx.ASGITransport(app=NOT_SYNCML)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(error, match=words):
            await sync(account("http://example.test" + path), MemoryClientBackend(),
                       client=client)


def test_nothing_is_lost_when_the_sync_fails():
    laptop = MemoryClientBackend()
    laptop.create(vtodo("uid-kept", "kept"))
    url = f"http://127.0.0.1:{_closed_port()}/traveler"
    with pytest.raises(ServerUnreachableError):
        asyncio.run(sync(account(url), laptop))
    assert len(laptop.local_changes()) == 1


async def test_each_message_runs_in_the_hosts_batch(server):
    import contextlib

    entered: list[int] = []
    depth = 0

    @contextlib.contextmanager
    def batch():  # type: ignore[no-untyped-def]
        nonlocal depth
        depth += 1
        entered.append(depth)
        try:
            yield
        finally:
            depth -= 1

    laptop = MemoryClientBackend()
    laptop.create(vtodo("uid-batched", "batched"))
    await sync(account(server.url, device_id="laptop-batched"), laptop, per_message=batch)
    assert len(entered) >= 4 and set(entered) == {1}  # start, then every reply, never nested
    assert not laptop.local_changes()


async def test_the_event_loop_keeps_running_while_a_big_sync_works_on_the_store(
    server: TravelerServer, tmp_path: Path
) -> None:
    """5,000 todos up: the store's work for each message runs beside the loop, not on it."""
    store = TodoStore.open(tmp_path / "todo.db")
    store.import_calendar(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(
            f"BEGIN:VTODO\r\nUID:big-{n}\r\nSUMMARY:big {n}\r\nEND:VTODO\r\n"
            for n in range(5000)) + "END:VCALENDAR\r\n")
    ticks = 0
    seen: list[list[int]] = []  # per message: the heartbeat's count at each backend call

    class Watched(StoreBackend):
        def confirm(self, luid: str, version: int) -> None:
            seen[-1].append(ticks)
            super().confirm(luid, version)

    @contextlib.contextmanager
    def per_message() -> Iterator[None]:
        seen.append([])
        with store.transaction():
            yield

    gaps: list[float] = []

    async def heartbeat() -> None:
        nonlocal ticks
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last, ticks = now, ticks + 1

    beating = asyncio.create_task(heartbeat())
    started = time.perf_counter()
    done = await sync(account(server.url, device_id="laptop-big"), Watched(store),
                      per_message=per_message)
    took = time.perf_counter() - started
    beating.cancel()
    assert done.sent.total == 5000 and store.pending_changes() == []
    busy = [calls for calls in seen if len(calls) >= 100]
    assert busy  # the server's statuses for our changes came in big messages
    # On the loop's thread the heartbeat could not run while one message's backend calls
    # ran: each message would see one count. Here it ticked in the middle of each.
    assert all(calls[0] != calls[-1] for calls in busy), [(c[0], c[-1]) for c in busy]
    print(f"sync of 5000 todos: {took:.2f} s, {ticks} heartbeats, longest gap "
          f"{max(gaps) * 1000:.1f} ms ({max(gaps) / took:.1%} of the sync)")
