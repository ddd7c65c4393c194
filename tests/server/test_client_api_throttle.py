"""Password sign-ins to the client API are throttled like SyncML logins: after too many
failures for a user, further tries get 429 with Retry-After before any password is hashed."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.store import Database
from tests.server.api_peer import API, app_client, database_of, hash_passwords_cheaply

SETTINGS = "NTS_LOGIN_FAILURES_PER_USER=3\nNTS_LOGIN_FAILURES_PER_ADDRESS=100\n"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hash_passwords_cheaply(monkeypatch)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    users = [("alice", "alice@example.org", "alice-password")]
    with database_of(tmp_path, users, store_md5_secret=False) as db:
        yield db


async def sign_in(client: httpx.AsyncClient, password: str) -> httpx.Response:
    body = {"device_id": "laptop-1", "name": "Laptop", "os": "Linux",
            "public_key": base64.b64encode(os.urandom(32)).decode("ascii")}
    return await client.post(f"{API}/devices", json=body, auth=("alice", password))


async def test_a_guessed_password_is_refused_with_429_after_the_limit(
    tmp_path: Path, database: Database
) -> None:
    async with app_client(tmp_path, database, SETTINGS) as client:
        for _ in range(3):
            assert (await sign_in(client, "guess")).status_code == 401
        refused = await sign_in(client, "alice-password")

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["code"] == "too-many-attempts"
    assert "NTS_LOGIN_FAILURES_PER_USER" in refused.json()["detail"]


async def test_sign_ins_under_the_limit_still_work(tmp_path: Path, database: Database) -> None:
    async with app_client(tmp_path, database, SETTINGS) as client:
        for _ in range(2):
            assert (await sign_in(client, "guess")).status_code == 401
        accepted = await sign_in(client, "alice-password")

    assert accepted.status_code in (200, 201)
