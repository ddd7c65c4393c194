"""SyncML DS 1.2 Server Alerted Notification (SAN, "package #0"), sans-IO.

The binary message a server sends to make a client start a sync
(``application/vnd.syncml.ds.notification``, OMA-TS-DS_Protocol-V1_2, package 0)::

    digest            16 bytes  MD5, see below
    header             8 bytes  big-endian bit fields:
        version          10 bits  SyncML version x 10 (1.2 = 12)
        ui-mode           2 bits  0 unspecified, 1 background, 2 informative, 3 user interaction
        initiator         1 bit   0 user, 1 server
        future use       27 bits  zero
        session id       16 bits  the SessionID the client should use
        server-id length  8 bits
    server identifier  n bytes
    body:
        num-syncs         4 bits  0 = every datastore
        future use        4 bits
        per sync:  sync type 4 bits (alert code - 200), future use 4 bits,
                   content type 24 bits (WSP number), server-URI length 8 bits, server URI
        vendor specific   the rest

    digest = H( B64(H(server-identifier ":" password)) ":" nonce ":" B64(H(notification)) )

where H is MD5, B64 base64 and *notification* every byte after the digest. The first factor is
what a client keeps of the server's credentials (:func:`server_secret`), as ``syncml:auth-md5``
keeps ``b64(md5(user:password))``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from enum import IntEnum

from syncml.errors import NotificationError

__all__ = [
    "CONTENT_TYPE",
    "WSP_TEXT_CALENDAR",
    "WSP_TEXT_X_VCALENDAR",
    "Initiator",
    "Notification",
    "SyncAlert",
    "UIMode",
    "decode",
    "encode",
    "parse",
    "server_secret",
]

CONTENT_TYPE = "application/vnd.syncml.ds.notification"

# WSP content type numbers (OMA WSP assigned numbers) for the per-sync content-type field.
WSP_TEXT_X_VCALENDAR = 0x06
WSP_TEXT_CALENDAR = 0x0305

VERSION_1_2 = 12
_DIGEST_SIZE = 16
_HEADER_SIZE = 8
# Server-alerted sync types: two-way, one-way from client, refresh from client, one-way from
# server, refresh from server (206-210); the 4-bit field holds the code minus 200.
_ALERT_CODES = range(206, 211)
_MAX_SYNCS = 15  # num-syncs is 4 bits wide
_MAX_TEXT = 255  # the length fields are 8 bits wide


class UIMode(IntEnum):
    """How the client should involve its user before syncing."""

    UNSPECIFIED = 0
    BACKGROUND = 1
    INFORMATIVE = 2
    USER_INTERACTION = 3


class Initiator(IntEnum):
    """Who caused the notification."""

    USER = 0
    SERVER = 1


@dataclass(frozen=True, slots=True)
class SyncAlert:
    """One datastore the server asks the client to sync."""

    server_uri: str
    sync_type: int = 206  # a server-alerted alert code, 206-210
    content_type: int = WSP_TEXT_CALENDAR


@dataclass(frozen=True, slots=True)
class Notification:
    """The content of a SAN; ``syncs`` empty means "all datastores"."""

    server_id: str
    session_id: int = 0
    syncs: tuple[SyncAlert, ...] = ()
    ui_mode: UIMode = UIMode.BACKGROUND
    initiator: Initiator = Initiator.SERVER
    version: int = VERSION_1_2
    vendor: bytes = b""


def server_secret(server_id: str, password: str) -> bytes:
    """``B64(H(server-identifier:password))``: the digest key a client keeps for a server."""
    return _b64_md5(f"{server_id}:{password}".encode())


def encode(notification: Notification, *, secret: bytes, nonce: bytes) -> bytes:
    """The SAN as bytes, its digest keyed with ``secret`` (:func:`server_secret`) and ``nonce``.

    Raises :class:`NotificationError` for a notification the format cannot carry.
    """
    body = _notification_bytes(notification)
    return _digest(secret, nonce, body) + body


def decode(data: bytes, *, secret: bytes, nonce: bytes) -> Notification:
    """Check a SAN's digest and read it; :class:`NotificationError` says what is wrong."""
    notification = parse(data)
    if not hmac.compare_digest(data[:_DIGEST_SIZE], _digest(secret, nonce, data[_DIGEST_SIZE:])):
        raise NotificationError(
            "the notification's digest does not match: it was not made with this server's "
            "credentials and nonce"
        )
    return notification


def parse(data: bytes) -> Notification:
    """Read a SAN without checking its digest (for logs and diagnostics)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise NotificationError(f"a notification is bytes, not {type(data).__name__}")
    data = bytes(data)
    reader = _Reader(data)
    reader.take(_DIGEST_SIZE, "the digest")
    header = int.from_bytes(reader.take(_HEADER_SIZE, "the header"), "big")
    version = header >> 54
    if version != VERSION_1_2:
        raise NotificationError(
            f"notification version {version / 10:.1f} is not supported; only SyncML 1.2 "
            "notifications are"
        )
    ui_mode = UIMode((header >> 52) & 0b11)
    initiator = Initiator((header >> 51) & 0b1)
    session_id = (header >> 8) & 0xFFFF
    server_id = reader.text(header & 0xFF, "the server identifier")
    num_syncs = reader.take(1, "the body")[0] >> 4
    syncs = []
    for index in range(1, num_syncs + 1):
        what = f"sync {index} of {num_syncs}"
        fields = int.from_bytes(reader.take(4, what), "big")
        sync_type = 200 + (fields >> 28)
        if sync_type not in _ALERT_CODES:
            raise NotificationError(
                f"{what} has sync type {sync_type}; a notification may only ask for the "
                "server-alerted types 206-210"
            )
        uri_length = reader.take(1, what)[0]
        syncs.append(SyncAlert(reader.text(uri_length, f"the server URI of {what}"),
                               sync_type, fields & 0xFFFFFF))
    return Notification(server_id, session_id, tuple(syncs), ui_mode, initiator, version,
                        reader.rest())


def _notification_bytes(n: Notification) -> bytes:
    if n.version != VERSION_1_2:
        raise NotificationError(f"only version 12 (SyncML 1.2) can be encoded, not {n.version}")
    if not 0 <= n.session_id <= 0xFFFF:
        raise NotificationError(f"session id {n.session_id} does not fit 16 bits")
    if len(n.syncs) > _MAX_SYNCS:
        raise NotificationError(f"{len(n.syncs)} syncs; a notification carries at most 15")
    server_id = _text_bytes(n.server_id, "the server identifier")
    header = ((n.version << 54) | (int(UIMode(n.ui_mode)) << 52)
              | (int(Initiator(n.initiator)) << 51) | (n.session_id << 8) | len(server_id))
    out = bytearray(header.to_bytes(_HEADER_SIZE, "big"))
    out += server_id
    out.append(len(n.syncs) << 4)
    for sync in n.syncs:
        if sync.sync_type not in _ALERT_CODES:
            raise NotificationError(
                f"sync type {sync.sync_type} is not a server-alerted type (206-210)")
        if not 0 <= sync.content_type <= 0xFFFFFF:
            raise NotificationError(f"content type {sync.content_type} does not fit 24 bits")
        uri = _text_bytes(sync.server_uri, "a server URI")
        out += (((sync.sync_type - 200) << 28) | sync.content_type).to_bytes(4, "big")
        out.append(len(uri))
        out += uri
    out += n.vendor
    return bytes(out)


def _text_bytes(text: str, what: str) -> bytes:
    raw = text.encode("utf-8")
    if len(raw) > _MAX_TEXT:
        raise NotificationError(f"{what} is {len(raw)} bytes long; at most 255 fit")
    return raw


def _digest(secret: bytes, nonce: bytes, notification: bytes) -> bytes:
    return hashlib.md5(secret + b":" + nonce + b":" + _b64_md5(notification),
                       usedforsecurity=False).digest()


def _b64_md5(data: bytes) -> bytes:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest())


class _Reader:
    """Bounds-checked reading, so truncated input is an error that names the missing part."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def take(self, size: int, what: str) -> bytes:
        end = self._pos + size
        if end > len(self._data):
            raise NotificationError(
                f"the notification ends inside {what} (byte {len(self._data)} of {end} needed)")
        chunk = self._data[self._pos:end]
        self._pos = end
        return chunk

    def text(self, size: int, what: str) -> str:
        raw = self.take(size, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotificationError(f"{what} is not UTF-8 text") from None

    def rest(self) -> bytes:
        chunk = self._data[self._pos:]
        self._pos = len(self._data)
        return chunk
