"""This installation's device identity: ID, name, OS, and its X25519 key pair.

One identity per installation (per data folder), shared by the Companion and the ToDo app: the
same device ID registers with the client API and syncs over SyncML, so the server sees one
device. ``device.json`` in the data folder holds the ID, name, OS and the *public* key; the
private key is only in the keyring. The server encrypts attachments (.TEF) to the public key;
:func:`private_key` gives the key that opens them.

If the keyring lost the private key (a new keyring, a reset), a new key pair is made and the
device must register again (``traveler-companion account add``) before new attachments can be
opened; old ones were encrypted to the lost key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import platform
import socket
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from companion.accounts import data_home
from companion.secret_store import SecretStore

__all__ = ["DEVICE_FILE", "DeviceError", "DeviceIdentity", "load_device", "private_key"]

DEVICE_FILE = "device.json"


class DeviceError(Exception):
    """The device identity cannot be read or made; the message says why."""


@dataclass(frozen=True)
class DeviceIdentity:
    """Who this installation is; ``public_key`` is base64 of the raw 32-byte X25519 key."""

    device_id: str
    name: str
    os: str
    public_key: str

    @property
    def private_key_name(self) -> str:
        return f"device:{self.device_id}:x25519"


def _raw_public(key: X25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _raw_private(key: X25519PrivateKey) -> str:
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode("ascii")


def _decode_private(text: str) -> X25519PrivateKey | None:
    try:
        return X25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return None


def _read(path: Path) -> DeviceIdentity | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DeviceError(f"{path} is damaged ({exc}); it was left as it is") from None
    try:
        return DeviceIdentity(
            device_id=str(data["device_id"]),
            name=str(data["name"]),
            os=str(data["os"]),
            public_key=str(data["public_key"]),
        )
    except (KeyError, TypeError):
        raise DeviceError(f"{path} is damaged (fields missing); it was left as it is") from None


def _write(path: Path, identity: DeviceIdentity) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".device-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(identity), out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _this_machine() -> tuple[str, str]:
    name = socket.gethostname() or "desktop"
    system = f"{platform.system()} {platform.release()}".strip() or "unknown"
    return name, system


def load_device(home: Path | None = None, secrets: SecretStore | None = None) -> DeviceIdentity:
    """This installation's identity, made on first use (the private key into the keyring)."""
    path = (home if home is not None else data_home()) / DEVICE_FILE
    secrets = secrets if secrets is not None else SecretStore()
    identity = _read(path)
    if identity is not None:
        stored = secrets.get(identity.private_key_name)
        key = _decode_private(stored) if stored is not None else None
        if key is not None and _raw_public(key) == identity.public_key:
            return identity
        # The keyring lost (or never had) the key: a new pair, same device ID.
    key = X25519PrivateKey.generate()
    if identity is None:
        name, system = _this_machine()
        identity = DeviceIdentity(f"traveler-{uuid.uuid4()}", name, system, _raw_public(key))
    else:
        identity = DeviceIdentity(identity.device_id, identity.name, identity.os, _raw_public(key))
    # Key first: a device.json naming a public key whose private half is nowhere is worse
    # than a key nobody points at (the next load replaces it).
    secrets.set(identity.private_key_name, _raw_private(key))
    _write(path, identity)
    return identity


def private_key(identity: DeviceIdentity, secrets: SecretStore | None = None) -> X25519PrivateKey:
    """The device's private key from the keyring; :class:`DeviceError` when it is not there."""
    secrets = secrets if secrets is not None else SecretStore()
    stored = secrets.get(identity.private_key_name)
    key = _decode_private(stored) if stored is not None else None
    if key is None or _raw_public(key) != identity.public_key:
        raise DeviceError(
            f"this device's private key is not in the keyring ({secrets.backend_name}); "
            "sign in again (traveler-companion account add) to make a new one"
        )
    return key
