"""One device identity per installation; its private key only in the keyring."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from companion.device import DEVICE_FILE, DeviceError, load_device, private_key
from companion.secret_store import SecretStore
from tests.companion.memory_keyring import MemoryKeyring


def test_the_identity_is_made_once_and_kept(private_home: Path, secrets: SecretStore) -> None:
    first = load_device(private_home, secrets)
    again = load_device(private_home, secrets)
    assert again == first
    assert first.device_id.startswith("traveler-")
    assert first.name and first.os
    assert len(base64.b64decode(first.public_key)) == 32


def test_the_private_key_is_in_the_keyring_and_matches_the_public_key(
    private_home: Path, secrets: SecretStore, keyring: MemoryKeyring
) -> None:
    identity = load_device(private_home, secrets)
    key = private_key(identity, secrets)
    raw_public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert base64.b64encode(raw_public).decode() == identity.public_key
    on_disk = (private_home / DEVICE_FILE).read_text()
    assert set(json.loads(on_disk)) == {"device_id", "name", "os", "public_key"}
    (stored,) = keyring.secrets.values()
    assert stored not in on_disk


def test_a_key_lost_from_the_keyring_is_replaced_under_the_same_device_id(
    private_home: Path, secrets: SecretStore, keyring: MemoryKeyring
) -> None:
    first = load_device(private_home, secrets)
    keyring.secrets.clear()
    with pytest.raises(DeviceError, match="sign in again"):
        private_key(first, secrets)
    second = load_device(private_home, secrets)
    assert second.device_id == first.device_id
    assert second.public_key != first.public_key
    private_key(second, secrets)


def test_two_installations_are_two_devices(tmp_path: Path) -> None:
    keyring = SecretStore(MemoryKeyring())
    assert (
        load_device(tmp_path / "a", keyring).device_id
        != load_device(tmp_path / "b", keyring).device_id
    )


def test_a_damaged_device_file_is_reported_and_kept(
    private_home: Path, secrets: SecretStore
) -> None:
    private_home.mkdir(parents=True)
    (private_home / DEVICE_FILE).write_text("[]")
    with pytest.raises(DeviceError, match="damaged"):
        load_device(private_home, secrets)
    assert (private_home / DEVICE_FILE).read_text() == "[]"
