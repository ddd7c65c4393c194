"""The client API: device registration, tokens, who is asking, and users kept apart."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.api.routes import ROUTES
from server.store import ClientDeviceStore, Database, UserStore
from tests.server.api_peer import API, app_client, database_of, hash_passwords_cheaply


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hash_passwords_cheaply(monkeypatch)


USERS = [
    ("alice", "alice@example.org", "alice-pw", "Alice Arden"),
    ("bob", "bob@example.org", "bob-pw"),
]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with database_of(tmp_path, USERS, store_md5_secret=True) as db:
        yield db


@pytest.fixture
async def client(tmp_path: Path, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(tmp_path, database, "NTS_SERVER_NAME=Traveler/Acme\n") as c:
        yield c


def public_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


async def register(
    client: httpx.AsyncClient,
    user: str,
    password: str,
    device_id: str = "dev-1",
    *,
    prefix: str = API,
    **fields: Any,
) -> httpx.Response:
    body = {"device_id": device_id, "name": "Laptop", "os": "Linux", "public_key": public_key()}
    body.update(fields)
    return await client.post(f"{prefix}/devices", json=body, auth=(user, password))


async def token_of(client: httpx.AsyncClient, user: str, device_id: str = "dev-1") -> str:
    response = await register(client, user, f"{user}-pw", device_id)
    assert response.status_code in (200, 201), response.text
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_registering_a_device_with_the_password_returns_a_token_that_signs_in(
    client: httpx.AsyncClient,
) -> None:
    response = await register(client, "alice", "alice-pw", "dev-1")
    assert response.status_code == 201
    answer = response.json()
    assert answer["user"] == "alice"
    assert answer["device"]["device_id"] == "dev-1"
    assert answer["device"]["os"] == "Linux"

    whoami = await client.get(f"{API}/whoami", headers=bearer(answer["token"]))
    assert whoami.status_code == 200
    assert whoami.json() == {
        "user": "alice",
        "display_name": "Alice Arden",
        "email": "alice@example.org",
        "device": answer["device"],
        "server": "Traveler/Acme",
    }


async def test_the_old_servlet_path_serves_the_api_too(client: httpx.AsyncClient) -> None:
    response = await register(client, "alice", "alice-pw", prefix="/servlet/traveler/api/v1")
    assert response.status_code == 201
    token = response.json()["token"]
    assert (await client.get(f"{API}/whoami", headers=bearer(token))).status_code == 200


async def test_registering_again_replaces_the_token_and_the_key(
    client: httpx.AsyncClient, database: Database
) -> None:
    first = await register(client, "alice", "alice-pw", "dev-1")
    key = public_key()
    second = await register(client, "alice", "alice-pw", "dev-1", public_key=key)
    assert second.status_code == 200
    assert second.json()["device"]["public_key"] == key
    old = await client.get(f"{API}/whoami", headers=bearer(first.json()["token"]))
    assert old.status_code == 401
    assert old.json()["code"] == "token-invalid"
    assert (await client.get(f"{API}/whoami", headers=bearer(second.json()["token"]))).is_success


async def test_a_wrong_password_or_unknown_user_is_refused_alike(
    client: httpx.AsyncClient,
) -> None:
    for user, password in (("alice", "wrong"), ("nobody", "alice-pw")):
        response = await register(client, user, password)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Basic ")
        assert response.json()["code"] == "credentials-wrong"


async def test_registration_without_basic_credentials_is_refused(
    client: httpx.AsyncClient,
) -> None:
    body = {"device_id": "d", "public_key": public_key()}
    for headers in ({}, {"Authorization": "Basic !!!"}, {"Authorization": "Bearer x"}):
        response = await client.post(f"{API}/devices", json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "credentials-missing"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"device_id": ""}, "device_id"),
        ({"public_key": "not base64!"}, "public_key"),
        ({"public_key": base64.b64encode(b"short").decode()}, "public_key"),
        ({"name": 42}, "name"),
        ({"device_id": "x" * 300}, "ID"),
    ],
)
async def test_bad_registration_fields_are_named(
    client: httpx.AsyncClient, fields: dict[str, Any], field: str
) -> None:
    response = await register(client, "alice", "alice-pw", **fields)
    assert response.status_code == 400
    assert field in response.json()["detail"]


async def test_a_body_that_is_not_a_json_object_is_refused(client: httpx.AsyncClient) -> None:
    url = f"{API}/devices"
    auth = ("alice", "alice-pw")
    plain = {"content-type": "text/plain"}
    text = await client.post(url, content=b"hello", auth=auth, headers=plain)
    assert text.status_code == 415
    broken = await client.post(
        url, content=b"{", auth=auth, headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    array = await client.post(url, json=[1], auth=auth)
    assert array.status_code == 400


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Bearer not-a-token"},
     {"Authorization": "Basic YWxpY2U6YWxpY2UtcHc="}],
)
async def test_every_route_checks_who_is_asking(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    await token_of(client, "alice")
    checked = 0
    for route in ROUTES:
        # A value each path convertor accepts, so the route itself is reached.
        path = re.sub(
            r"\{(\w+)(?::(\w+))?\}",
            lambda m: "1" if m.group(2) in ("int", "float") else "dev-1",
            route.path,
        )
        for method in sorted((route.methods or set()) - {"HEAD"}):
            response = await client.request(method, API + path, headers=headers)
            if path == "/devices" and method == "POST" and headers.get(
                "Authorization", ""
            ).startswith("Basic"):
                # The one password route: right password, but no body.
                assert response.status_code == 415, response.text
            else:
                assert response.status_code == 401, (method, path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
            checked += 1
    assert checked >= 4


async def test_users_never_see_or_touch_each_others_devices(
    client: httpx.AsyncClient,
) -> None:
    alice = await token_of(client, "alice", "alice-laptop")
    bob = await token_of(client, "bob", "bob-laptop")

    listed = await client.get(f"{API}/devices", headers=bearer(bob))
    assert [d["device_id"] for d in listed.json()["devices"]] == ["bob-laptop"]
    assert listed.json()["devices"][0]["current"] is True

    refused = await client.delete(f"{API}/devices/alice-laptop", headers=bearer(bob))
    assert refused.status_code == 404
    mine = await client.get(f"{API}/whoami", headers=bearer(alice))
    assert mine.json()["user"] == "alice"
    assert (await client.get(f"{API}/whoami", headers=bearer(bob))).json()["user"] == "bob"


async def test_the_same_device_id_under_two_users_is_two_devices(
    client: httpx.AsyncClient,
) -> None:
    alice = await token_of(client, "alice", "shared-pc")
    bob = await token_of(client, "bob", "shared-pc")
    assert (await client.get(f"{API}/whoami", headers=bearer(alice))).json()["user"] == "alice"
    assert (await client.get(f"{API}/whoami", headers=bearer(bob))).json()["user"] == "bob"


async def test_a_signed_out_device_loses_its_token_and_may_register_again(
    client: httpx.AsyncClient,
) -> None:
    token = await token_of(client, "alice", "dev-1")
    assert (await client.delete(f"{API}/devices/dev-1", headers=bearer(token))).status_code == 204
    after = await client.get(f"{API}/whoami", headers=bearer(token))
    assert after.status_code == 401
    assert after.json()["code"] == "token-invalid"
    assert (await register(client, "alice", "alice-pw", "dev-1")).status_code == 201


async def test_a_revoked_device_is_told_so_and_cannot_register_again(
    client: httpx.AsyncClient, database: Database
) -> None:
    token = await token_of(client, "alice", "lost-phone")
    user = UserStore(database, store_md5_secret=True).get("alice")
    assert user is not None
    assert ClientDeviceStore(database).revoke(user.id, "lost-phone", when=datetime.now(UTC))

    refused = await client.get(f"{API}/whoami", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json()["code"] == "device-revoked"
    again = await register(client, "alice", "alice-pw", "lost-phone")
    assert again.status_code == 403
    assert again.json()["code"] == "device-revoked"


async def test_a_disabled_user_is_told_why_with_token_and_with_password(
    client: httpx.AsyncClient, database: Database
) -> None:
    token = await token_of(client, "alice")
    users = UserStore(database, store_md5_secret=True)
    users.set_disabled("alice", True, "left the company on 30 November")
    refused = await client.get(f"{API}/whoami", headers=bearer(token))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "account-disabled"
    assert problem["reason"] == "left the company on 30 November"
    assert problem["detail"] == (
        "Your account 'alice' has been disabled by the administrator: left the company on 30 "
        "November. Contact your administrator to have it enabled again; until then this "
        "device cannot sync."
    )
    by_password = await register(client, "alice", "alice-pw")
    assert by_password.status_code == 403
    assert by_password.json()["code"] == "account-disabled"
    # A wrong password learns nothing about the account: the same 401 as for anyone.
    guessed = await register(client, "alice", "wrong-pw")
    assert guessed.status_code == 401 and guessed.json()["code"] == "credentials-wrong"

    UserStore(database, store_md5_secret=True).set_disabled("alice", False)
    assert (await client.get(f"{API}/whoami", headers=bearer(token))).status_code == 200


async def test_the_server_keeps_only_a_hash_of_the_token(
    client: httpx.AsyncClient, database: Database, tmp_path: Path
) -> None:
    token = await token_of(client, "alice")
    database.conn.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("traveler.db*"))
    assert token.encode() not in stored


async def test_active_keys_are_the_users_unrevoked_devices(
    client: httpx.AsyncClient, database: Database
) -> None:
    keys = {}
    for device_id in ("a", "b", "c"):
        keys[device_id] = public_key()
        await register(client, "alice", "alice-pw", device_id, public_key=keys[device_id])
    await token_of(client, "bob", "bob-device")
    devices = ClientDeviceStore(database)
    alice = UserStore(database, store_md5_secret=True).get("alice")
    assert alice is not None
    devices.revoke(alice.id, "b", when=datetime.now(UTC))
    active = devices.active_keys(alice.id)
    assert [(d.device_id, base64.b64encode(d.public_key).decode()) for d in active] == [
        ("a", keys["a"]),
        ("c", keys["c"]),
    ]


async def test_unknown_api_paths_are_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not-found"
