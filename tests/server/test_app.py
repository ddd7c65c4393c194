"""The HTTP edge: what reaches the sync service, and what is refused before it."""

from __future__ import annotations

import logging
import sys
import types
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Mount

from server.app import create_app
from server.config import Settings, load_settings
from server.logs import RepeatedLines
from server.store import Database

XML = "application/vnd.syncml+xml"
WBXML = "application/vnd.syncml+wbxml"
MESSAGE = b'<?xml version="1.0"?><SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr/></SyncML>'


@dataclass
class Reply:
    body: bytes
    status: int
    content_type: str


@dataclass
class FakeSyncService:
    """Records what the route hands over; answers with a fixed reply (or raises)."""

    reply: Reply = field(default_factory=lambda: Reply(b"<SyncML/>", 200, XML))
    error: Exception | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    async def handle(
        self, *, body: bytes, content_type: str, url: str, client: str = "", address: str = ""
    ) -> Reply:
        self.calls.append({"body": body, "content_type": content_type, "url": url})
        if self.error is not None:
            raise self.error
        return self.reply


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path) as db:
        yield db


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path, {"NTS_MAX_MESSAGE_SIZE": 2048})


@pytest.fixture
def service() -> FakeSyncService:
    return FakeSyncService()


@pytest.fixture
async def client(
    settings: Settings, database: Database, service: FakeSyncService
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database, sync_service=service)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] and problem["title"] and problem["detail"]
    return problem


# --- forwarding -----------------------------------------------------------------------------


async def test_syncml_post_is_forwarded_and_the_reply_returned(
    client: httpx.AsyncClient, service: FakeSyncService
) -> None:
    service.reply = Reply(b"\x02\xa4\x01\x6a", 200, WBXML)
    response = await client.post(
        "/traveler?sessionid=42", content=MESSAGE, headers={"content-type": XML}
    )
    assert response.status_code == 200
    assert response.content == b"\x02\xa4\x01\x6a"
    assert response.headers["content-type"] == WBXML
    assert service.calls == [
        {"body": MESSAGE, "content_type": XML, "url": "http://testserver/traveler?sessionid=42"}
    ]


@pytest.mark.parametrize("path", ["/traveler", "/servlet/traveler"])
@pytest.mark.parametrize(
    "header",
    [XML, WBXML, "application/vnd.syncml+xml; charset=UTF-8", "Application/VND.SyncML+WBXML"],
)
async def test_both_urls_accept_both_syncml_types(
    client: httpx.AsyncClient, service: FakeSyncService, path: str, header: str
) -> None:
    response = await client.post(path, content=MESSAGE, headers={"content-type": header})
    assert response.status_code == 200
    assert service.calls[-1]["content_type"] == header.split(";")[0].lower()


async def test_the_engines_status_code_passes_through(
    client: httpx.AsyncClient, service: FakeSyncService
) -> None:
    service.reply = Reply(b"not allowed", 401, "text/plain")
    response = await client.post("/traveler", content=MESSAGE, headers={"content-type": XML})
    assert response.status_code == 401
    assert response.text == "not allowed"


# --- refused at the edge --------------------------------------------------------------------


@pytest.mark.parametrize("header", ["text/xml", "application/json", None])
async def test_other_media_types_get_415_naming_the_accepted_ones(
    client: httpx.AsyncClient, service: FakeSyncService, header: str | None
) -> None:
    headers = {"content-type": header} if header else {}
    response = await client.post("/traveler", content=MESSAGE, headers=headers)
    problem = assert_problem(response, 415)
    assert XML in problem["detail"] and WBXML in problem["detail"]
    assert problem["accepted"] == [XML, WBXML]
    assert service.calls == []


async def test_compressed_bodies_get_415(
    client: httpx.AsyncClient, service: FakeSyncService
) -> None:
    response = await client.post(
        "/traveler", content=MESSAGE, headers={"content-type": XML, "content-encoding": "gzip"}
    )
    assert "gzip" in assert_problem(response, 415)["detail"]
    assert service.calls == []


async def test_empty_body_gets_400(client: httpx.AsyncClient, service: FakeSyncService) -> None:
    response = await client.post("/traveler", content=b"", headers={"content-type": XML})
    assert "empty" in assert_problem(response, 400)["detail"]
    assert service.calls == []


async def test_declared_oversize_body_gets_413(
    client: httpx.AsyncClient, service: FakeSyncService
) -> None:
    response = await client.post("/traveler", content=b"x" * 2049, headers={"content-type": XML})
    problem = assert_problem(response, 413)
    assert "2048" in problem["detail"] and "NTS_MAX_MESSAGE_SIZE" in problem["detail"]
    assert service.calls == []


async def test_streamed_oversize_body_is_cut_off_with_413(
    client: httpx.AsyncClient, service: FakeSyncService
) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(1000):
            sent += 512
            yield b"y" * 512

    # No Content-Length: the cap must hold while streaming, not just on the header.
    response = await client.post("/traveler", content=endless(), headers={"content-type": XML})
    assert_problem(response, 413)
    assert service.calls == []


async def test_body_exactly_at_the_cap_is_accepted(
    client: httpx.AsyncClient, service: FakeSyncService
) -> None:
    response = await client.post("/traveler", content=b"z" * 2048, headers={"content-type": XML})
    assert response.status_code == 200
    assert len(service.calls[0]["body"]) == 2048


async def test_engine_crash_is_a_logged_500_problem(
    client: httpx.AsyncClient, service: FakeSyncService, caplog: pytest.LogCaptureFixture
) -> None:
    service.error = RuntimeError("secret internals")
    with caplog.at_level(logging.ERROR, logger="traveler"):
        response = await client.post("/traveler", content=MESSAGE, headers={"content-type": XML})
    problem = assert_problem(response, 500)
    assert "secret internals" not in response.text
    assert "server log" in problem["detail"]
    assert any(r.exc_info for r in caplog.records), "the traceback must reach the log"


async def test_unknown_urls_and_methods_answer_problem_json(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/nowhere"), 404)
    response = await client.put("/traveler", content=MESSAGE)
    assert_problem(response, 405)
    assert "POST" in response.headers["allow"]


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/traveler", "/servlet/traveler"])
async def test_get_explains_the_syncml_endpoint(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "SyncML endpoint" in response.text


async def test_health_is_green_with_free_disk(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "green"
    assert isinstance(body["disk_free_mb"], int) and body["disk_free_mb"] >= 0
    assert isinstance(body["version"], str) and body["version"]


async def test_health_is_red_below_the_disk_threshold(tmp_path: Path, database: Database) -> None:
    settings = load_settings(tmp_path, {"NTS_DISK_SPACE_THRESHOLD": 10**12})
    app = create_app(settings, database, sync_service=FakeSyncService())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "red"
    assert "NTS_DISK_SPACE_THRESHOLD" in body["reason"]


# --- wiring ---------------------------------------------------------------------------------


def test_without_a_service_the_engines_sync_service_is_built(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, database: Database
) -> None:
    built: list[dict[str, Any]] = []

    class SyncService:
        def __init__(self, **kwargs: Any) -> None:
            built.append(kwargs)

        async def handle(
        self, *, body: bytes, content_type: str, url: str, client: str = "", address: str = ""
    ) -> Reply:
            raise AssertionError("not called here")

    module = types.ModuleType("server.sync_service")
    module.SyncService = SyncService  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "server.sync_service", module)
    app = create_app(settings, database)
    # One count of failed logins for SyncML and the client API's password sign-ins.
    throttle = built[0].pop("throttle")
    api = next(route.app for route in app.routes if isinstance(route, Mount))
    assert api.state.api.throttle is throttle
    # The collapser of repeated failed logins, flushed by the app at shutdown.
    assert isinstance(built[0].pop("repeats"), RepeatedLines)
    # on_events: the app's push hub is told at once when a sync changed tasks.
    assert built == [{"settings": settings, "database": database,
                      "on_events": app.state.push_hub.changed}]
    assert isinstance(app.state.sync_service, SyncService)
    assert app.state.settings is settings and app.state.database is database
