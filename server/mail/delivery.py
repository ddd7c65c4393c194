"""Delivery: one received message into its recipients' mailboxes, or into the quarantine.

Both ways in — the SMTP listener and ``traveler-server mail deliver`` — end here, so the
same rules hold for both: a message is parsed once; if it is usable it is stored, with trace
headers (``Return-Path``, ``Received``) prepended as RFC 5321 §4.4 asks of the final delivery
agent, in every recipient's mailbox in one transaction, and its attachments are encrypted for
each recipient's devices (:mod:`server.mail.protection`); if it is not, the original bytes are
kept in the quarantine with the reason, and the caller is told so. Nothing is dropped.

Runs in a worker thread (the store is synchronous); the SMTP listener calls it through
``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from server.config import Settings
from server.mail.message import UnparseableMessage, parse_message
from server.mail.out_of_office import Clock, Outgoing, OutOfOfficeService
from server.mail.protection import AttachmentProtection
from server.mail.relay import Relay
from server.store.database import Database
from server.store.mailboxes import (
    MailStore,
    NewAttachment,
    NewMessage,
    QuarantinedMessage,
    StoredMessage,
)
from server.store.out_of_office import OutOfOfficeStore
from server.store.users import User
from server.stores import user_store

__all__ = ["Delivered", "DeliveryResult", "MailDelivery", "MessageTooLarge", "Quarantined"]

log = logging.getLogger("traveler.mail")


class MessageTooLarge(Exception):
    """The message exceeds NTS_SMTP_MAX_MESSAGE_SIZE; nothing was stored."""


@dataclass(frozen=True)
class Delivered:
    """Stored in these mailboxes (one stored message per user)."""

    messages: tuple[StoredMessage, ...]
    users: tuple[User, ...]


@dataclass(frozen=True)
class Quarantined:
    """Not deliverable; kept for the administrator."""

    entry: QuarantinedMessage


DeliveryResult = Delivered | Quarantined


class MailDelivery:
    """Deliver messages on one server's store."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        clock: Clock | None = None,
        on_queued: Callable[[], object] | None = None,
    ) -> None:
        self._mail = MailStore(database)
        self._users = user_store(settings, database)
        self._protection = AttachmentProtection(settings, database)
        self._ooo = OutOfOfficeService(OutOfOfficeStore(database), clock=clock)
        self.relay = Relay(settings, database)
        # Told (from the delivering thread) when mail was queued for the relay, so that the
        # server's mail worker sends it now rather than at its next periodic check.
        self.on_queued = on_queued
        self._max_size = settings.smtp_max_message_size
        self.hostname = settings.smtp_hostname or socket.gethostname()

    @property
    def max_message_size(self) -> int:
        return self._max_size

    def mailbox_owners(self, address: str) -> list[User]:
        """Users who receive mail sent to ``address``; empty for an unknown address."""
        return self._mail.owners_of(address)

    def deliver(
        self,
        raw: bytes,
        *,
        envelope_from: str,
        recipients: Sequence[str],
        users: Sequence[User],
        received_from: str | None = None,
        local_source: str = "traveler-server mail deliver",
    ) -> DeliveryResult:
        """Store ``raw`` for ``users`` or quarantine it.

        ``recipients`` are the envelope addresses (kept with a quarantined message, so the
        administrator knows whom it was for); ``received_from`` describes the SMTP peer for the
        ``Received`` header (``None``: made or handed in on this machine, by ``local_source``).
        """
        if len(raw) > self._max_size:
            raise MessageTooLarge(
                f"the message has {len(raw)} bytes; this server accepts at most "
                f"{self._max_size} (NTS_SMTP_MAX_MESSAGE_SIZE)"
            )
        source = f"smtp from {received_from}" if received_from else local_source
        unique = list({u.id: u for u in users}.values())
        try:
            if not unique:
                raise UnparseableMessage("none of its recipients has a mailbox here (any more)")
            traced = self._with_trace(raw, envelope_from, recipients, received_from, local_source)
            parsed = parse_message(traced)
        except UnparseableMessage as exc:
            entry = self._mail.quarantine(
                raw,
                source=source,
                envelope_from=envelope_from,
                recipients=recipients,
                reason=exc.reason,
            )
            log.warning(
                "Mail from <%s> for %s was not delivered: %s; kept in quarantine as #%d",
                envelope_from,
                ", ".join(recipients) or "nobody",
                exc.reason,
                entry.id,
            )
            return Quarantined(entry)
        stored = self._mail.add(
            [u.id for u in unique],
            NewMessage(
                envelope_from=envelope_from,
                raw=traced,
                message_id=parsed.message_id,
                subject=parsed.subject,
                sender=parsed.sender,
                sent=parsed.sent,
                attachments=tuple(
                    NewAttachment(a.position, a.filename, a.content_type, a.size)
                    for a in parsed.attachments
                ),
            ),
        )
        for message in stored:
            try:
                self._protection.protect(message)
            except Exception:
                # The message is stored; its attachments are encrypted when a device asks.
                log.exception("Encrypting the attachments of message %d failed", message.id)
        log.info(
            "Mail from <%s> delivered to %s (%d bytes, %d attachment(s))",
            envelope_from,
            ", ".join(u.name for u in unique),
            len(traced),
            len(parsed.attachments),
        )
        domains = self._mail.local_domains()
        for user in unique:
            try:
                self._send(self._ooo.on_delivered(user, parsed.message, envelope_from, domains))
            except Exception:
                # The message is delivered; a reply that failed must not undo that.
                log.exception("The out-of-office reply of %s failed", user.name)
        return Delivered(messages=tuple(stored), users=tuple(unique))

    def periodic(self) -> None:
        """What the server's mail worker does now and then: end absences past their return
        time (with their summaries), and send queued mail that is due."""
        self._send(self._ooo.expire(self._users.get_by_id))
        self.relay.send_due()

    def _send(self, outgoing: Sequence[Outgoing]) -> None:
        # Automatic mail has an empty return path (RFC 3834 §3.3), so nothing answers it.
        for message in outgoing:
            owners = self._mail.owners_of(message.recipient)
            if owners:
                self.deliver(
                    message.raw,
                    envelope_from="",
                    recipients=[message.recipient],
                    users=owners,
                    local_source="traveler-server out of office",
                )
                continue
            self.relay.enqueue(envelope_from="", recipient=message.recipient, raw=message.raw)
            if self.on_queued is not None:
                self.on_queued()

    def _with_trace(
        self,
        raw: bytes,
        envelope_from: str,
        recipients: Sequence[str],
        received_from: str | None,
        local_source: str,
    ) -> bytes:
        newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
        when = format_datetime(datetime.now(UTC))
        if received_from:
            received = f"from {received_from} by {self.hostname} with ESMTP"
        else:
            received = f"by {self.hostname} ({local_source})"
        if len(recipients) == 1:
            received += f" for <{recipients[0]}>"
        lines = [
            f"Return-Path: <{envelope_from}>",
            f"Received: {received}; {when}",
        ]
        # Header values come from the envelope, which SMTP limits to one line; refuse anything
        # else rather than let it inject header fields.
        if any("\r" in line or "\n" in line for line in lines):
            raise UnparseableMessage("the envelope holds a line break")
        header = newline.join(line.encode("utf-8") for line in lines) + newline
        return header + raw
