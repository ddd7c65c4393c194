"""Password-equivalent md5 secrets are kept only while md5 logins are allowed."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from companion.api_client import WrongPasswordError
from server.app import create_app
from server.cli import main
from server.config import load_settings
from server.store import Database
from syncml import auth
from syncml.client import ClientConfig, MemoryClientBackend
from tests.syncml.items import vtodo
from todo.sync_transport import sync


def phone_of(password: str = "alice-password") -> ClientConfig:
    """Alice's phone, logging in with basic credentials (a clear-text password)."""
    return ClientConfig(url="http://testserver/traveler", username="alice", password=password,
                        device_id="alice-phone", auth_type=auth.AUTH_BASIC)


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
            phone = MemoryClientBackend()
            phone.create(vtodo("task-1", "one"))
            await sync(phone_of(), phone, client=client)  # a successful basic login (slow)
            await sync(phone_of(), phone, client=client)  # and a two-way sync

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
            await sync(phone_of(), MemoryClientBackend(), client=client)

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
            phone = MemoryClientBackend()
            phone.create(vtodo("task-1", "one"))
            await sync(phone_of(), phone, client=client)
            with pytest.raises(WrongPasswordError):
                await sync(phone_of("not-hers"), phone, client=client)

    assert seen and not any(seen)
