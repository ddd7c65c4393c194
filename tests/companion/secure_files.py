"""Making .tef files for the Companion's tests, with the real encryptor."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from pathlib import Path

import tef
from companion.device import DeviceIdentity


def recipient_of(device: DeviceIdentity) -> tef.Recipient:
    return tef.Recipient(base64.b64decode(device.public_key))


def write_tef(
    path: Path,
    data: bytes,
    recipients: list[tef.Recipient],
    *,
    name: str = "report.pdf",
    mime_type: str = "application/pdf",
    policy: tef.Policy | None = None,
) -> Path:
    metadata = tef.Metadata(
        name=name,
        mime_type=mime_type,
        size=len(data),
        created=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        server="https://traveler.example.com/traveler",
        message_ref="<20261202.1@example.com>",
        policy=policy or tef.Policy(),
    )
    with path.open("wb") as out:
        tef.encrypt(io.BytesIO(data), out, recipients, metadata)
    return path


def flip_byte(path: Path, offset: int) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    return path
