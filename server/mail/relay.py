"""Sending queued mail through the relay in NTS_SMTP_RELAY, with retries.

The queue is in the store (:mod:`server.store.outbound`), so a reply queued while the relay is
down, or just before the server stopped, is sent when the relay answers again — once: a row is
marked sent right after the relay accepted it. A relay's permanent refusal (5xx) ends the
attempts at once; anything else (connection refused, 4xx, a timeout) is retried after
NTS_SMTP_RELAY_RETRY seconds, doubling up to an hour, until NTS_SMTP_RELAY_GIVE_UP seconds after
the message was queued.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import time
from collections.abc import Callable
from datetime import datetime

from server.config import Settings
from server.store.database import Database
from server.store.outbound import OutboundMessage, OutboundStore

__all__ = ["Relay"]

log = logging.getLogger("traveler.mail")

MAX_DELAY = 3600.0
SEND_TIMEOUT = 60.0


class Relay:
    """The outbound side: queue messages and send the due ones (blocking; run in a thread)."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._target = settings.smtp_relay
        self._retry = float(settings.smtp_relay_retry)
        self._give_up = float(settings.smtp_relay_give_up)
        # Our name in EHLO; smtplib's default (getfqdn) can stall on a resolver that is down.
        self._hostname = settings.smtp_hostname or socket.gethostname()
        self._clock = clock
        self.queue = OutboundStore(database, clock=clock)

    @property
    def configured(self) -> bool:
        return self._target is not None

    def enqueue(self, *, envelope_from: str, recipient: str, raw: bytes) -> int:
        queued = self.queue.enqueue(envelope_from=envelope_from, recipient=recipient, raw=raw)
        if self._target is None:
            log.warning(
                "Mail for <%s> is queued (#%d), but no relay is set (NTS_SMTP_RELAY); it waits "
                "until one is",
                recipient,
                queued,
            )
        return queued

    def send_due(self) -> int:
        """Send what is due; returns how many the relay accepted."""
        if self._target is None:
            return 0
        due = self.queue.claim(lease_seconds=SEND_TIMEOUT * 2)
        sent = 0
        for message in due:
            if self._send(message):
                sent += 1
        return sent

    def next_due_in(self) -> float | None:
        """Seconds until the next queued message is due (0 when overdue), None when none."""
        if self._target is None:
            return None
        due = self.queue.next_due()
        return None if due is None else max(0.0, due - self._clock())

    def _send(self, message: OutboundMessage) -> bool:
        assert self._target is not None
        host, port = self._target
        try:
            with smtplib.SMTP(
                host, port, timeout=SEND_TIMEOUT, local_hostname=self._hostname
            ) as client:
                client.sendmail(message.envelope_from, [message.recipient], message.raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(message.recipient, (0, b""))
            return self._failed(message, code, _text(text))
        except smtplib.SMTPResponseException as exc:
            return self._failed(message, exc.smtp_code, _text(exc.smtp_error))
        except (OSError, smtplib.SMTPException) as exc:
            return self._failed(message, 0, str(exc) or type(exc).__name__)
        self.queue.mark_sent(message.id)
        log.info("Relayed mail #%d for <%s> through %s:%d", message.id, message.recipient,
                 host, port)
        return True

    def _failed(self, message: OutboundMessage, code: int, text: str) -> bool:
        error = f"{code} {text}".strip() if code else text
        age = self._clock() - datetime.fromisoformat(message.created).timestamp()
        if 500 <= code < 600:
            self.queue.give_up(message.id, error=error)
            log.error("The relay refused mail #%d for <%s> for good: %s", message.id,
                      message.recipient, error)
        elif age >= self._give_up:
            self.queue.give_up(message.id, error=error)
            log.error("Gave up mail #%d for <%s> after %d attempts: %s", message.id,
                      message.recipient, message.attempts + 1, error)
        else:
            delay = min(self._retry * (2 ** message.attempts), MAX_DELAY)
            self.queue.retry_later(message.id, error=error, delay=delay)
            log.warning("Cannot relay mail #%d for <%s> (%s); trying again in %d s",
                        message.id, message.recipient, error, delay)
        return False


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
