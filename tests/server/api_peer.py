"""The set-up the server's API tests share: cheap password hashing, a database holding the
test's users, and the real app in process behind an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from server.app import create_app
from server.config import load_settings
from server.store import Database, UserStore

API = "/traveler/api/v1"

# (name, email, password) or (name, email, password, full name), as UserStore.add takes them.
UserRow = tuple[str, str, str] | tuple[str, str, str, str]


def hash_passwords_cheaply(monkeypatch: pytest.MonkeyPatch) -> None:
    """The UserStore hashes with cheap argon2 parameters: the tests check behaviour, not cost."""
    monkeypatch.setattr(
        "server.store.users.PasswordHasher",
        lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )


@contextmanager
def database_of(
    tmp_path: Path, users: Iterable[UserRow], *, store_md5_secret: bool
) -> Iterator[Database]:
    """The server's database under ``tmp_path`` with ``users`` added."""
    with Database.open(tmp_path) as db:
        store = UserStore(db, store_md5_secret=store_md5_secret)
        for user in users:
            store.add(*user)
        yield db


@asynccontextmanager
async def app_client(
    tmp_path: Path, database: Database, notes_ini: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client of the real app (in process, no socket); ``notes_ini`` is written as the
    server's settings first when given."""
    if notes_ini is not None:
        (tmp_path / "notes.ini").write_text(notes_ini)
    app = create_app(load_settings(tmp_path), database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
