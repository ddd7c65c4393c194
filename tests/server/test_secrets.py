"""Password-equivalent md5 secrets are kept only while md5 logins are allowed."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from server.app import create_app
from server.cli import main
from server.config import load_settings
from server.store import Database
from tests.server.app_peer import AppOverHttp
from tests.syncml.peer import Peer, vtodo


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "server.store.users.PasswordHasher",
        lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )


def stored_secrets(data: Path) -> list[str | None]:
    with Database.open(data) as database:
        return [row["md5_secret"] for row in database.query("SELECT md5_secret FROM users")]


async def test_a_basic_only_server_never_stores_an_md5_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.ini").write_text("NTS_SYNCML_AUTH_TYPES=basic\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO("alice-password\n"))
    argv = ["--data", str(tmp_path), "user", "add", "alice", "--email", "alice@example.org",
            "--password-stdin"]
    assert main(argv) == 0
    assert stored_secrets(tmp_path) == [None]

    with Database.open(tmp_path) as database:
        app = create_app(load_settings(tmp_path), database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            phone = Peer(AppOverHttp(client), device_id="alice-phone",  # type: ignore[arg-type]
                         user="alice", password="alice-password")
            phone.items = {"L1": vtodo("task-1", "one")}
            await asyncio.to_thread(phone.sync, 201)  # a successful basic login
            await asyncio.to_thread(phone.sync, 200)

    assert stored_secrets(tmp_path) == [None]


async def test_with_md5_allowed_a_basic_login_gives_a_user_without_one_its_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.ini").write_text("NTS_SYNCML_AUTH_TYPES=basic\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO("alice-password\n"))
    argv = ["--data", str(tmp_path), "user", "add", "alice", "--email", "alice@example.org",
            "--password-stdin"]
    assert main(argv) == 0
    (tmp_path / "notes.ini").write_text("NTS_SYNCML_AUTH_TYPES=md5,basic\n")

    with Database.open(tmp_path) as database:
        app = create_app(load_settings(tmp_path), database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            phone = Peer(AppOverHttp(client), device_id="alice-phone",  # type: ignore[arg-type]
                         user="alice", password="alice-password")
            await asyncio.to_thread(phone.sync, 201)

    assert stored_secrets(tmp_path) != [None]


async def test_clear_text_passwords_are_verified_outside_the_write_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("alice-password\n"))
    argv = ["--data", str(tmp_path), "user", "add", "alice", "--email", "alice@example.org",
            "--password-stdin"]
    assert main(argv) == 0
    from server.store.users import UserStore

    verify = UserStore.verify_password
    seen: list[bool] = []
    with Database.open(tmp_path) as database:

        def watched(self: UserStore, user: object, password: str) -> bool:
            seen.append(database.in_transaction)
            return verify(self, user, password)  # type: ignore[arg-type]

        monkeypatch.setattr(UserStore, "verify_password", watched)
        app = create_app(load_settings(tmp_path), database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            phone = Peer(AppOverHttp(client), device_id="alice-phone",  # type: ignore[arg-type]
                         user="alice", password="alice-password")
            phone.items = {"L1": vtodo("task-1", "one")}
            await asyncio.to_thread(phone.sync, 201)
            wrong = Peer(AppOverHttp(client), device_id="alice-phone",  # type: ignore[arg-type]
                         user="alice", password="not-hers")
            refused = await asyncio.to_thread(wrong.init, 200)

    assert refused.header_status() == 401
    assert seen and not any(seen)
