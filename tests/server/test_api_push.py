"""The client API's push channel and user lookup, on the real app served by uvicorn: a
delegation synced by Alice reaches Frank's push listener as a verified SAN with a notice."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from companion.api_client import ClientApi, UnknownUserError
from server.app import create_app
from server.config import load_settings
from server.store import ClientDeviceStore, Database, UserStore
from server.store.push_events import PushEventStore
from syncml.codes import AlertCode
from syncml.server import Reply
from tests.server.api_peer import API, database_of, hash_passwords_cheaply
from tests.server.app_peer import AppOverHttp
from tests.server.live_server import LiveServer
from tests.syncml.device import Device
from tests.syncml.items import vtodo
from todo.push import (
    Backoff,
    Connected,
    PushDisabled,
    PushListener,
    PushUnauthorized,
    SyncRequested,
)

PASSWORDS = {"alice": "alice-pw", "frank": "frank-pw"}
HANG_GUARD_S = 30  # only so a broken test fails instead of hanging; never a measurement


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hash_passwords_cheaply(monkeypatch)


USERS = [
    ("alice", "alice@example.org", PASSWORDS["alice"], "Alice Example"),
    ("frank", "frank@example.org", PASSWORDS["frank"], "Frank Adams"),
    ("twin1", "shared@example.org", "twin-pw-1"),
    ("twin2", "shared@example.org", "twin-pw-2"),
]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with database_of(tmp_path, USERS, store_md5_secret=True) as db:
        yield db


async def served(tmp_path: Path, database: Database, ini: str = "") -> LiveServer:
    (tmp_path / "notes.ini").write_text("NTS_SERVER_NAME=Traveler/Acme\n" + ini)
    server = LiveServer(create_app(load_settings(tmp_path), database))
    await server.start()
    return server


@pytest.fixture
async def server(tmp_path: Path, database: Database) -> AsyncIterator[LiveServer]:
    live = await served(tmp_path, database)
    yield live
    await live.stop()


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


async def token_of(http: httpx.AsyncClient, user: str, device_id: str) -> str:
    body = {"device_id": device_id, "name": "Laptop", "os": "Linux",
            "public_key": base64.b64encode(os.urandom(32)).decode()}
    response = await http.post(f"{API}/devices", json=body, auth=(user, PASSWORDS[user]))
    assert response.status_code in (200, 201), response.text
    token: str = response.json()["token"]
    return token


async def next_of(events: AsyncIterator[Any], kind: type[Any]) -> Any:
    async def find() -> Any:
        async for event in events:
            if isinstance(event, kind):
                return event
        raise AssertionError("the listener stopped")
    return await asyncio.wait_for(find(), HANG_GUARD_S)


class ToLive(AppOverHttp):
    """A device's messages, to the live server whatever host its URLs name."""

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        parts = urlsplit(url)
        return super().receive(body, content_type, parts.path + (f"?{parts.query}"
                                                                 if parts.query else ""))


def device(http: httpx.AsyncClient, user: str, device_id: str) -> Device:
    """A device of ``user``: our real client."""
    return Device(ToLive(http), device_id=device_id, user=user, password=PASSWORDS[user])


def quick() -> Backoff:
    return Backoff(initial=0.05, maximum=0.2, jitter=lambda d: d)


async def test_a_delegation_reaches_the_assignees_push_listener(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    franks_token = await token_of(http, "frank", "frank-laptop")
    events = PushListener(server.url + "/traveler", franks_token, backoff=quick()).events()
    await next_of(events, Connected)
    alice = device(http, "alice", "alice-phone")
    task = vtodo("t-1", "Latest defect count",
                 "ORGANIZER;CN=Alice Example:mailto:alice@example.org\r\n"
                 "ATTENDEE;CN=Frank Adams:mailto:frank@example.org\r\n")

    alice.create(task)  # a first (slow) sync sends everything the device has
    await asyncio.to_thread(alice.sync, AlertCode.SLOW_SYNC)

    pushed = await next_of(events, SyncRequested)
    assert pushed.datastores == ("tasks",)
    assert pushed.notification.server_id == "Traveler/Acme"
    assert [n.text for n in pushed.notices] == [
        "Alice Example delegated 'Latest defect count' to you"]
    await events.aclose()


async def test_a_devices_own_sync_is_not_pushed_back_to_it(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    laptop = await token_of(http, "alice", "alice-laptop")
    phone = await token_of(http, "alice", "alice-phone")
    laptop_events = PushListener(server.url + "/traveler", laptop, backoff=quick()).events()
    phone_events = PushListener(server.url + "/traveler", phone, backoff=quick()).events()
    await next_of(laptop_events, Connected)
    await next_of(phone_events, Connected)
    alice = device(http, "alice", "alice-phone")

    alice.create(vtodo("t-2", "Buy milk"))
    await asyncio.to_thread(alice.sync, AlertCode.SLOW_SYNC)
    pushed = await next_of(laptop_events, SyncRequested)
    # A second change, from the laptop this time: only the phone hears about it.
    laptop_sync = device(http, "alice", "alice-laptop")
    laptop_sync.create(vtodo("t-3", "Call Frank"))
    await asyncio.to_thread(laptop_sync.sync, AlertCode.SLOW_SYNC)

    phone_pushed = await next_of(phone_events, SyncRequested)
    assert phone_pushed.position > pushed.position
    await laptop_events.aclose()
    await phone_events.aclose()


async def test_push_needs_a_device_token(server: LiveServer, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{API}/push")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("params", "headers"), [
    ({"nonce": "has spaces"}, {}),
    ({"nonce": "x" * 129}, {}),
    ({}, {"Last-Event-ID": "yesterday"}),
])
async def test_unusable_push_parameters_are_named(
    http: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str]
) -> None:
    token = await token_of(http, "alice", "alice-laptop")
    response = await http.get(f"{API}/push", params=params,
                              headers={"Authorization": f"Bearer {token}", **headers})
    assert response.status_code == 400
    assert response.json()["code"] == "field-invalid"


async def test_push_turned_off_is_a_clear_refusal(tmp_path: Path, database: Database) -> None:
    server = await served(tmp_path, database, "NTS_PUSH_ENABLE=false\n")
    try:
        async with httpx.AsyncClient(base_url=server.url) as http:
            token = await token_of(http, "alice", "alice-laptop")
        events = PushListener(server.url + "/traveler", token, backoff=quick()).events()
        with pytest.raises(PushDisabled, match="NTS_PUSH_ENABLE=false"):
            await asyncio.wait_for(events.__anext__(), HANG_GUARD_S)
    finally:
        await server.stop()


@pytest.mark.parametrize("address", ["frank", "FRANK", "frank@example.org",
                                     "mailto:Frank@Example.org"])
async def test_lookup_finds_a_user_by_name_or_email(http: httpx.AsyncClient,
                                                    address: str) -> None:
    token = await token_of(http, "alice", "alice-laptop")
    response = await http.get(f"{API}/users/lookup", params={"address": address},
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json() == {"user": "frank", "display_name": "Frank Adams",
                               "email": "frank@example.org"}


@pytest.mark.parametrize(("address", "status", "code"), [
    ("nobody@elsewhere.example", 404, "user-unknown"),
    ("shared@example.org", 409, "user-ambiguous"),
    ("", 400, "field-missing"),
    ("x" * 400, 400, "field-invalid"),
])
async def test_lookup_refusals_say_why(http: httpx.AsyncClient, address: str, status: int,
                                       code: str) -> None:
    token = await token_of(http, "alice", "alice-laptop")
    response = await http.get(f"{API}/users/lookup", params={"address": address},
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status
    assert response.json()["code"] == code


async def test_the_companions_api_client_looks_assignees_up(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await token_of(http, "alice", "alice-laptop")
    api = ClientApi(server.url + "/traveler", token=token, client=http)

    frank = await api.lookup_user("Frank@Example.org")
    assert (frank.user, frank.display_name) == ("frank", "Frank Adams")
    with pytest.raises(UnknownUserError, match="is not a user of this server"):
        await api.lookup_user("nobody@elsewhere.example")
    with pytest.raises(UnknownUserError, match="several users"):
        await api.lookup_user("shared@example.org")


@pytest.mark.parametrize("how", ["revoked", "signed-out", "user-disabled"])
async def test_a_device_cut_off_while_connected_hears_nothing_more(
    server: LiveServer, http: httpx.AsyncClient, database: Database, how: str
) -> None:
    token = await token_of(http, "frank", "frank-laptop")
    events = PushListener(server.url + "/traveler", token, backoff=quick()).events()
    await next_of(events, Connected)
    frank_id = int(database.query("SELECT id FROM users WHERE name = 'frank'")[0]["id"])
    if how == "revoked":
        ClientDeviceStore(database).revoke(frank_id, "frank-laptop", when=datetime.now(UTC))
    elif how == "signed-out":
        ClientDeviceStore(database).unregister(frank_id, "frank-laptop")
    else:
        UserStore(database, store_md5_secret=True).set_disabled("frank", True)

    PushEventStore(database).record(frank_id, "tasks", "delegated", detail={
        "by": "Alice Example", "summary": "Secret plans", "uid": "t-9"})

    received: list[object] = []

    async def drain() -> None:
        async for event in events:
            received.append(event)

    with pytest.raises(PushUnauthorized):
        await asyncio.wait_for(drain(), HANG_GUARD_S)
    assert not [e for e in received if isinstance(e, SyncRequested)]
