"""What a server session produces: the reply to send and events saying what happened."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SyncFinished:
    """A datastore finished synchronising (the session's last package arrived)."""

    username: str
    device_id: str
    datastore: str
    mode: str
    items_in: int
    items_out: int
    conflicts: int
    failed: int
    duration_ms: int


@dataclass(frozen=True, slots=True)
class AuthFailed:
    """A client presented missing or wrong credentials."""

    device_id: str
    username: str | None
    reason: str
    # True for the routine first md5 login of a device, which must fail once: the
    # client has no nonce from this server yet and retries with the one just sent.
    routine: bool = False
    # True when the credentials were right but the account may not sync (403): not a guess.
    refused: bool = False


@dataclass(frozen=True, slots=True)
class ProtocolViolation:
    """A message was answered with an error status for its header; ``reason`` says why."""

    reason: str


Event = SyncFinished | AuthFailed | ProtocolViolation


@dataclass(frozen=True, slots=True)
class Reply:
    """What to answer on the wire."""

    body: bytes
    content_type: str
    events: tuple[Event, ...] = ()


