"""Fixtures of the Companion's tests: a private data folder and an in-memory keyring."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.accounts import AccountStore
from companion.secret_store import SecretStore
from tests.companion.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user's data folder, keyring config or keyring."""
    home = tmp_path / "home"
    monkeypatch.setenv("TRAVELER_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    return home


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def secrets(keyring: MemoryKeyring) -> SecretStore:
    return SecretStore(keyring)


@pytest.fixture
def store(private_home: Path, secrets: SecretStore) -> AccountStore:
    return AccountStore(private_home, secrets)
