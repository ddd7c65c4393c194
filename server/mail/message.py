"""Reading one RFC 5322 message: what listings show, its attachments, and whether it is usable.

The standard library's parser (``email`` with ``policy.default``) never gives up: it records
what it had to guess as *defects* and carries on. Most defects are harmless (a header folded
oddly), but some mean the structure itself is broken, and a server that stored such a message
would show the user something other than what was sent — a truncated attachment, a body that
swallowed the next part. Those messages are refused here with :class:`UnparseableMessage`,
and delivery keeps them for the administrator (quarantine) instead.

Nothing here does I/O.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime

__all__ = [
    "Attachment",
    "ParsedMessage",
    "UnparseableMessage",
    "attachment_parts",
    "parse_message",
]

# Defects that mean the MIME structure or an encoded payload is broken, with the reason as the
# administrator will read it in the quarantine list.
_FATAL_DEFECTS: dict[type[email.errors.MessageDefect], str] = {
    email.errors.MissingHeaderBodySeparatorDefect: (
        "a line in the header section is not a header field, so header and body cannot be "
        "told apart"
    ),
    email.errors.NoBoundaryInMultipartDefect: "a multipart part declares no boundary",
    email.errors.StartBoundaryNotFoundDefect: "a multipart part's boundary never occurs",
    email.errors.CloseBoundaryNotFoundDefect: (
        "a multipart part is not closed (the message looks truncated)"
    ),
    email.errors.MultipartInvariantViolationDefect: "a multipart part has no sub-parts",
    email.errors.InvalidBase64PaddingDefect: "a base64-encoded part has broken padding",
    email.errors.InvalidBase64CharactersDefect: "a base64-encoded part holds invalid characters",
    email.errors.InvalidBase64LengthDefect: "a base64-encoded part has an impossible length",
}

# Headers that are read for listings; a value Python cannot parse makes the message unusable.
_LISTED_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")


class UnparseableMessage(Exception):
    """The bytes are not a usable RFC 5322 message; ``reason`` says why, in one sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attachment:
    """One attachment: its index among the message's attachments and what it is."""

    position: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ParsedMessage:
    """What the server keeps beside a message's raw bytes."""

    message: EmailMessage
    message_id: str | None
    subject: str | None
    sender: str | None
    sent: str | None  # the Date header as ISO 8601 UTC, when it parses
    attachments: tuple[Attachment, ...]


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse ``raw``; raise :class:`UnparseableMessage` when it is not a usable message."""
    if not raw.strip():
        raise UnparseableMessage("the message is empty")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; anything it raises is a broken message
        raise UnparseableMessage(f"the parser failed: {exc}") from None
    assert isinstance(message, EmailMessage)
    if not message.keys():
        raise UnparseableMessage("the message has no header fields")
    try:
        headers = {name: _header(message, name) for name in _LISTED_HEADERS}
        attachments = tuple(
            _attachment(position, part) for position, part in enumerate(attachment_parts(message))
        )
    except UnparseableMessage:
        raise
    except Exception as exc:
        raise UnparseableMessage(f"a part cannot be read: {exc}") from None
    for part in message.walk():
        if not part.is_multipart() and part.get("Content-Transfer-Encoding", "").lower() == (
            "base64"
        ):
            # Decoding is what records a broken base64 payload as a defect of its part.
            part.get_payload(decode=True)
        for defect in part.defects:
            reason = _FATAL_DEFECTS.get(type(defect))
            if reason is not None:
                raise UnparseableMessage(reason)
    return ParsedMessage(
        message=message,
        message_id=headers["Message-ID"],
        subject=headers["Subject"],
        sender=headers["From"],
        sent=_sent(message),
        attachments=attachments,
    )


def attachment_parts(message: Message) -> Iterator[Message]:
    """The message's attachments in MIME tree order: leaf parts that are marked as attachment
    or carry a file name. Inline text without a name is body, not an attachment."""
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment" or part.get_filename():
            yield part


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception as exc:
        raise UnparseableMessage(f"the {name} header cannot be read: {exc}") from None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _sent(message: EmailMessage) -> str | None:
    raw = message.get("Date")
    if raw is None:
        return None
    try:
        when = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        # RFC 5322 "-0000": the time is UTC, the sender's zone unknown.
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


def _attachment(position: int, part: Message) -> Attachment:
    payload = part.get_payload(decode=True)
    size = len(payload) if isinstance(payload, bytes) else 0
    filename = part.get_filename() or f"attachment-{position + 1}"
    return Attachment(
        position=position,
        filename=_safe_filename(filename, position),
        content_type=part.get_content_type(),
        size=size,
    )


def _safe_filename(name: str, position: int) -> str:
    # A file name from the sender must never become a path on the device that saves it.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    return base[:255] or f"attachment-{position + 1}"
