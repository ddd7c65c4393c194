"""The account check: every way a server can be wrong gets its own clear error."""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from companion.api_client import (
    AccessRevokedError,
    ClientApi,
    NotSyncMLServerError,
    ServerFailedError,
    ServerTimeoutError,
    ServerUnreachableError,
    SignedOutError,
    TooManyAttemptsError,
    WrongPasswordError,
    check_account,
)
from companion.device import DeviceIdentity
from server.app import create_app
from server.config import load_settings
from server.store import Database, UserStore

URL = "http://testserver/traveler"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "server.store.users.PasswordHasher",
        lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )


@pytest.fixture
def device() -> DeviceIdentity:
    key = base64.b64encode(os.urandom(32)).decode()
    return DeviceIdentity("traveler-test-1", "laptop", "Linux", key)


@pytest.fixture
def server_dir(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "server"
    with Database.open(data) as db:
        UserStore(db, store_md5_secret=True).add(
            "alice", "alice@example.org", "alice-pw", full_name="Alice Arden"
        )
    yield data


def traveler(server_dir: Path, **settings: str) -> httpx.ASGITransport:
    (server_dir / "notes.ini").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    app = create_app(load_settings(server_dir), Database.open(server_dir))
    return httpx.ASGITransport(app=app)


@pytest.mark.parametrize("auth_types", ["md5,basic", "md5", "basic"])
async def test_a_traveler_server_is_checked_and_the_device_registered(
    server_dir: Path, device: DeviceIdentity, auth_types: str
) -> None:
    transport = traveler(server_dir, NTS_SYNCML_AUTH_TYPES=auth_types, NTS_SERVER_NAME="Acme")
    check = await check_account(URL, "alice", "alice-pw", device, transport=transport)
    assert check.probe.status == 212
    assert check.registration is not None
    assert check.whoami is not None
    assert (check.whoami.display_name, check.whoami.email, check.whoami.server) == (
        "Alice Arden",
        "alice@example.org",
        "Acme",
    )
    assert check.whoami.device["device_id"] == device.device_id
    assert check.note is None


async def test_a_wrong_password_is_named_as_such(server_dir: Path, device: DeviceIdentity) -> None:
    for auth_types in ("md5", "basic"):
        transport = traveler(server_dir, NTS_SYNCML_AUTH_TYPES=auth_types)
        with pytest.raises(WrongPasswordError, match="did not accept the user name 'alice'"):
            await check_account(URL, "alice", "nope", device, transport=transport)


async def test_a_plain_syncml_server_is_accepted_with_a_note(
    server_dir: Path, device: DeviceIdentity
) -> None:
    transport = traveler(server_dir)
    app = transport.app
    assert isinstance(app, Starlette)
    app.router.routes = [r for r in app.router.routes if not isinstance(r, Mount)]
    check = await check_account(URL, "alice", "alice-pw", device, transport=transport)
    assert check.registration is None and check.whoami is None
    assert check.note is not None
    assert "no Traveler client API" in check.note
    assert "todos sync" in check.note


def answering(response: Response) -> httpx.ASGITransport:
    async def endpoint(request: Request) -> Response:
        return response

    return httpx.ASGITransport(
        app=Starlette(routes=[Route("/traveler", endpoint, methods=["POST"])])
    )


@pytest.mark.parametrize(
    ("transport", "what"),
    [
        (answering(HTMLResponse("<html><body>Welcome</body></html>")), "web page"),
        (answering(JSONResponse({"hello": "world"})), "JSON"),
        (httpx.ASGITransport(app=Starlette()), "HTTP 404"),
        (
            answering(Response(b"<SyncML>broken", media_type="application/vnd.syncml+xml")),
            "unreadable message",
        ),
    ],
)
async def test_a_server_that_is_not_syncml_is_named_with_what_it_answered(
    device: DeviceIdentity, transport: httpx.ASGITransport, what: str
) -> None:
    with pytest.raises(NotSyncMLServerError, match=what) as caught:
        await check_account(URL, "alice", "pw", device, transport=transport)
    assert "Check the server URL" in str(caught.value) or "not a SyncML server" in str(caught.value)


async def test_an_unreachable_server_is_named(device: DeviceIdentity) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on that port any more: the connection is refused.
    with pytest.raises(ServerUnreachableError, match=f"127.0.0.1:{port}.*server is running"):
        await check_account(f"http://127.0.0.1:{port}/traveler", "alice", "pw", device)


async def test_a_server_that_does_not_answer_times_out(device: DeviceIdentity) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)  # accepts connections (kernel backlog) but never answers
        port = silent.getsockname()[1]
        with pytest.raises(ServerTimeoutError, match=r"did not answer within 0\.2 seconds"):
            await check_account(
                f"http://127.0.0.1:{port}/traveler", "alice", "pw", device, timeout=0.2
            )


async def test_api_errors_are_typed_for_the_ui(server_dir: Path, device: DeviceIdentity) -> None:
    transport = traveler(server_dir)
    async with httpx.AsyncClient(transport=transport) as client:
        api = ClientApi(URL, client=client)
        with pytest.raises(SignedOutError):
            await api.whoami()
        api.token = "forged"
        with pytest.raises(SignedOutError, match="sign in again"):
            await api.whoami()
        await api.register_device("alice", "alice-pw", device)
        assert (await api.whoami()).user == "alice"
        with Database.open(server_dir) as db:
            UserStore(db, store_md5_secret=True).set_disabled("alice", True)
        with pytest.raises(AccessRevokedError, match="disabled"):
            await api.whoami()


async def test_a_throttled_sign_in_says_when_to_try_again(device: DeviceIdentity) -> None:
    throttled = JSONResponse(
        {"status": 429, "detail": "too many"},
        status_code=429,
        headers={"Retry-After": "30"},
        media_type="application/problem+json",
    )
    with pytest.raises(TooManyAttemptsError, match="try again in 30 seconds") as caught:
        await check_account(URL, "alice", "pw", device, transport=answering(throttled))
    assert caught.value.retry_after == 30


async def test_a_server_that_is_going_down_is_not_called_a_non_syncml_server(
    device: DeviceIdentity,
) -> None:
    going_down = JSONResponse(
        {"status": 503},
        status_code=503,
        headers={"Retry-After": "5"},
        media_type="application/problem+json",
    )
    with pytest.raises(ServerFailedError, match=r"not available right now.*try again in 5"):
        await check_account(URL, "alice", "pw", device, transport=answering(going_down))


async def test_a_url_that_redirects_names_the_url_to_use(
    server_dir: Path, device: DeviceIdentity
) -> None:
    with pytest.raises(NotSyncMLServerError, match="redirects to http://testserver/traveler;"):
        await check_account(URL + "/", "alice", "alice-pw", device, transport=traveler(server_dir))
