"""Attachment protection: attachments encrypted into .TEF for the user's devices.

At delivery, each attachment of a message is encrypted once (``tef``) to all of the user's
active devices, with the current policy in its authenticated header. The payload is never
encrypted again: when a device registers later, changes its key or is revoked, or when the
policy changes, only the header is rebuilt — the file key wrapped for the devices active now
and the policy as it is now — under the same file key and payload nonce
(:meth:`AttachmentProtection.current_file`). That happens when a device next asks for the
file and, for a device registering, right away (:meth:`AttachmentProtection.rewrap_user`).

A user without any registered device at delivery gets the attachment encrypted the first time
a device of theirs asks for it.
"""

from __future__ import annotations

import io
import logging
import mimetypes
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import tef
from server.config import Settings
from server.mail.message import attachment_parts, parse_message
from server.store.attachment_files import AttachmentFileStore, EncryptedFile
from server.store.attachment_policy import (
    ApprovedApp,
    AttachmentPolicy,
    OsType,
    PolicyStore,
)
from server.store.client_devices import ClientDevice, ClientDeviceStore
from server.store.database import Database
from server.store.mailboxes import MailStore, StoredAttachment, StoredMessage

__all__ = [
    "AttachmentProtection",
    "NoDevices",
    "NoSuchAttachment",
    "ProtectedFile",
    "app_approved",
    "message_ref",
]

log = logging.getLogger("traveler.mail")

TEF_MEDIA_TYPE = "application/vnd.traveler.tef"


class NoSuchAttachment(LookupError):
    """The user has no such message or the message no such attachment."""


class NoDevices(Exception):
    """The user has no active device to encrypt for."""


@dataclass(frozen=True)
class ProtectedFile:
    """An attachment as a device downloads it."""

    filename: str  # the original name; the download is this plus ".tef"
    data: bytes


def message_ref(message_pk: int, position: int) -> str:
    """What a .TEF's ``message_ref`` holds: the attachment's path in the client API."""
    return f"messages/{message_pk}/attachments/{position}"


def _version_key(text: str) -> tuple[int, ...]:
    # "46.0-1ubuntu2" → (46, 0): the leading dotted numbers are what a required version names.
    match = re.match(r"\d+(?:\.\d+)*", text.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


def app_approved(
    apps: Iterable[ApprovedApp], app_id: str, os: OsType | None, version: str | None
) -> bool:
    """True when ``app_id`` is approved for ``os`` and ``version`` meets the required one."""
    for app in apps:
        if app.app_id != app_id or (os is not None and app.os is not os):
            continue
        if app.required_version is None:
            return True
        if version is not None and _version_key(version) >= _version_key(app.required_version):
            return True
    return False


class AttachmentProtection:
    """Encrypt and serve attachments on one server's store."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self._mail = MailStore(database)
        self._files = AttachmentFileStore(database)
        self._policy = PolicyStore(database)
        self._devices = ClientDeviceStore(database)
        self._server = settings.server_name

    # --- policy ---------------------------------------------------------------------------
    def policy(self) -> AttachmentPolicy:
        return self._policy.policy()

    def apps(self) -> list[ApprovedApp]:
        return self._policy.apps()

    def tef_policy(self, *, view_only: bool = False) -> tef.Policy:
        """The policy written into new and rebuilt headers."""
        policy = self._policy.policy()
        allowed: tuple[str, ...] = ()
        if policy.approved_apps_only:
            allowed = tuple(sorted({app.app_id for app in self._policy.apps()}))
        return tef.Policy(
            view_only=policy.view_only or view_only,
            approved_apps_only=policy.approved_apps_only,
            allowed_apps=allowed,
        )

    # --- at delivery ----------------------------------------------------------------------
    def protect(self, message: StoredMessage) -> int:
        """Encrypt the message's attachments for its user's active devices (when protection
        is on and the user has a device); returns how many were encrypted."""
        if not message.attachments or not self._policy.policy().protect_attachments:
            return 0
        recipients = self._recipients(message.user_id)
        if not recipients:
            return 0
        raw = self._mail.raw(message.user_id, message.id)
        if raw is None:
            return 0
        payloads = _payloads(raw)
        for attachment in message.attachments:
            self._encrypt(message, attachment, payloads[attachment.position], recipients)
        return len(message.attachments)

    # --- serving --------------------------------------------------------------------------
    def attachment(self, user_id: int, message_pk: int, position: int) -> StoredAttachment:
        """The user's attachment, or :class:`NoSuchAttachment`."""
        message = self._mail.get(user_id, message_pk)
        if message is None:
            raise NoSuchAttachment(f"there is no message {message_pk} in your mailbox")
        for attachment in message.attachments:
            if attachment.position == position:
                return attachment
        raise NoSuchAttachment(f"message {message_pk} has no attachment {position}")

    def plain(self, user_id: int, message_pk: int, position: int) -> bytes:
        """The attachment's bytes as they came with the message."""
        self.attachment(user_id, message_pk, position)
        raw = self._mail.raw(user_id, message_pk)
        assert raw is not None
        return _payload_of(raw, position)

    def current_file(self, user_id: int, message_pk: int, position: int) -> ProtectedFile:
        """The attachment as .TEF for the user's active devices under the current policy,
        encrypting it first if it never was, re-wrapping its header if that is out of date."""
        attachment = self.attachment(user_id, message_pk, position)
        message = self._mail.get(user_id, message_pk)
        assert message is not None
        recipients = self._recipients(user_id)
        if not recipients:
            raise NoDevices("the user has no active device to encrypt for")
        stored = self._files.get(message_pk, position)
        if stored is None:
            raw = self._mail.raw(user_id, message_pk)
            assert raw is not None
            stored = self._encrypt(message, attachment, _payload_of(raw, position), recipients)
        else:
            stored = self._up_to_date(stored, recipients)
        return ProtectedFile(attachment.filename, stored.header + stored.payload)

    def rewrap_user(self, user_id: int) -> int:
        """Bring every stored .TEF of the user's up to date with their devices and the policy
        (the file key re-wrapped, the payload untouched); returns how many headers changed."""
        recipients = self._recipients(user_id)
        if not recipients:
            return 0
        changed = 0
        for message_pk, position in self._files.message_pks_of(user_id):
            stored = self._files.get(message_pk, position)
            if stored is not None and self._up_to_date(stored, recipients) is not stored:
                changed += 1
        if changed:
            log.info("Re-wrapped %d attachment(s) for the devices of user id %d", changed, user_id)
        return changed

    # --- files not from a message (CLI) ---------------------------------------------------
    def encrypt_file(
        self,
        user_id: int,
        source: BinaryIO,
        target: BinaryIO,
        *,
        name: str,
        mime_type: str,
        size: int,
        view_only: bool,
    ) -> tef.OpenedHeader:
        """Stream ``source`` into ``target`` as .TEF for the user's active devices."""
        recipients = self._recipients(user_id)
        if not recipients:
            raise NoDevices("the user has no active device to encrypt for")
        metadata = tef.Metadata(
            name=name,
            mime_type=mime_type,
            size=size,
            created=datetime.now(UTC),
            server=self._server,
            policy=self.tef_policy(view_only=view_only),
        )
        return tef.encrypt(source, target, recipients, metadata)

    # --- internals ------------------------------------------------------------------------
    def _recipients(self, user_id: int) -> list[tef.Recipient]:
        devices: Sequence[ClientDevice] = self._devices.active_keys(user_id)
        return [tef.Recipient(device.public_key) for device in devices]

    def _metadata(
        self, message: StoredMessage, attachment: StoredAttachment, size: int
    ) -> tef.Metadata:
        return tef.Metadata(
            name=attachment.filename,
            mime_type=_mime_type(attachment.content_type),
            size=size,
            created=datetime.fromisoformat(message.received),
            server=self._server,
            message_ref=message_ref(message.id, attachment.position),
            policy=self.tef_policy(),
        )

    def _encrypt(
        self,
        message: StoredMessage,
        attachment: StoredAttachment,
        plaintext: bytes,
        recipients: Sequence[tef.Recipient],
    ) -> EncryptedFile:
        target = io.BytesIO()
        opened = tef.encrypt(
            io.BytesIO(plaintext),
            target,
            recipients,
            self._metadata(message, attachment, len(plaintext)),
        )
        data = target.getvalue()
        header_size = len(opened.header)
        stored = EncryptedFile(
            message_pk=message.id,
            position=attachment.position,
            file_key=opened.file_key,
            header=data[:header_size],
            payload=data[header_size:],
        )
        self._files.put(stored)
        return stored

    def _up_to_date(
        self, stored: EncryptedFile, recipients: Sequence[tef.Recipient]
    ) -> EncryptedFile:
        header = tef.Header.parse(stored.header)
        wanted = {r.tag for r in recipients}
        present = set(header.recipient_tags)
        metadata = header.unverified_metadata()
        current = replace(metadata, policy=self.tef_policy())
        if wanted == present and current == metadata:
            return stored
        header.verify(stored.file_key)
        rebuilt = tef.rewrap(
            header,
            stored.file_key,
            add=[r for r in recipients if r.tag not in present],
            remove=present - wanted,
        )
        if current != metadata:
            rebuilt = tef.Header.build(
                stored.file_key,
                rebuilt.algorithm,
                rebuilt.stanzas,
                current.to_bytes(),
                rebuilt.nonce,
            )
        data = rebuilt.to_bytes()
        self._files.set_header(stored.message_pk, stored.position, data)
        return replace(stored, header=data)


def _payloads(raw: bytes) -> list[bytes]:
    """Every attachment's decoded bytes, by position (the order delivery numbered them in)."""
    parsed = parse_message(raw)
    payloads = []
    for part in attachment_parts(parsed.message):
        payload = part.get_payload(decode=True)
        payloads.append(payload if isinstance(payload, bytes) else b"")
    return payloads


def _payload_of(raw: bytes, position: int) -> bytes:
    payloads = _payloads(raw)
    if not 0 <= position < len(payloads):
        raise NoSuchAttachment(f"the message has no attachment {position}")
    return payloads[position]


def _mime_type(content_type: str) -> str:
    # TEF carries a bare type/subtype; anything unusual is just bytes to the viewer.
    return content_type if re.fullmatch(r"[\w!#$&^.+-]+/[\w!#$&^.+-]+", content_type) else (
        "application/octet-stream"
    )


def guess_mime_type(path: Path) -> str:
    """The MIME type of a file by its name, for ``tef encrypt``."""
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"

