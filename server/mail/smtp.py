"""The SMTP mail-in listener (aiosmtpd), on the server's event loop.

It accepts mail for the server's users only: an address no user has is refused at ``RCPT``
time with 550, so the sending server bounces it to its sender at once instead of the message
vanishing here. ``DATA`` is handed to :class:`~server.mail.delivery.MailDelivery`; a store
failure answers 451 (the sender keeps the message and retries), never 250 for a message that
was not kept.

There is no SMTP AUTH and no relaying: the listener binds loopback unless NTS_SMTP_HOST says
otherwise, and it only ever delivers into local mailboxes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from server.mail.delivery import Delivered, MailDelivery, MessageTooLarge
from server.store.database import StoreError

__all__ = ["MailInHandler", "start_smtp_listener"]

log = logging.getLogger("traveler.mail")

# aiosmtpd logs every command at INFO on "mail.log"; our own lines say what matters.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class MailInHandler:
    """aiosmtpd handler: recipient checks at RCPT, delivery at DATA."""

    def __init__(self, delivery: MailDelivery, *, max_recipients: int) -> None:
        self._delivery = delivery
        self._max_recipients = max_recipients

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= self._max_recipients:
            return (
                f"452 4.5.3 Too many recipients: at most {self._max_recipients} per message "
                "(NTS_SMTP_MAX_RECIPIENTS); send the rest in another message"
            )
        try:
            owners = await asyncio.to_thread(self._delivery.mailbox_owners, address)
        except StoreError:
            log.exception("Cannot look up the recipient <%s>", address)
            return "451 4.3.0 The server cannot look up recipients right now; try again later"
        if not owners:
            log.info("Refused mail for <%s>: no user has that address", address)
            return f"550 5.1.1 <{address}>: no user of this server has that address"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes):
            raw = envelope.content
        try:
            result = await asyncio.to_thread(self._deliver, session, envelope, raw)
        except MessageTooLarge as exc:
            return f"552 5.3.4 {exc}"
        except Exception:
            # The message was not stored: say so, so that the sender keeps and retries it.
            log.exception("Delivery of mail from <%s> failed", envelope.mail_from)
            return "451 4.3.0 The message could not be stored; try again later"
        if isinstance(result, Delivered):
            return f"250 2.0.0 Delivered to {len(result.users)} mailbox(es)"
        return (
            f"250 2.0.0 Accepted, but held for the administrator (quarantine #{result.entry.id}):"
            f" {result.entry.reason}"
        )

    def _deliver(self, session: Session, envelope: Envelope, raw: bytes) -> Any:
        users = []
        for address in envelope.rcpt_tos:
            users.extend(self._delivery.mailbox_owners(address))
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        helo = session.host_name or "unknown"
        # aiosmtpd hands the null reverse-path (bounces, auto-replies) over as "<>".
        envelope_from = "" if envelope.mail_from in (None, "<>") else str(envelope.mail_from)
        return self._delivery.deliver(
            raw,
            envelope_from=envelope_from,
            recipients=list(envelope.rcpt_tos),
            users=users,
            received_from=f"{helo} ([{peer}])",
        )


async def start_smtp_listener(
    delivery: MailDelivery,
    sock: socket.socket,
    *,
    max_recipients: int,
) -> asyncio.Server:
    """Serve SMTP on the bound socket ``sock`` in the running loop until the server is closed."""
    loop = asyncio.get_running_loop()
    handler = MailInHandler(delivery, max_recipients=max_recipients)

    def protocol() -> SMTP:
        return SMTP(
            handler,
            data_size_limit=delivery.max_message_size,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=delivery.hostname,
            ident="Traveler mail-in",
            loop=loop,
        )

    return await loop.create_server(protocol, sock=sock)
