"""Mail-in: the SMTP listener, delivery into users' mailboxes, and the quarantine.

Public surface::

    MailDelivery, Delivered, Quarantined, MessageTooLarge   delivery.py
    parse_message, ParsedMessage, Attachment,
    UnparseableMessage, attachment_parts                    message.py
    start_smtp_listener, MailInHandler                      smtp.py

The mailboxes themselves (SQL) are :class:`server.store.mailboxes.MailStore`.
"""

from server.mail.delivery import (
    Delivered,
    DeliveryResult,
    MailDelivery,
    MessageTooLarge,
    Quarantined,
)
from server.mail.message import (
    Attachment,
    ParsedMessage,
    UnparseableMessage,
    attachment_parts,
    parse_message,
)
from server.mail.smtp import MailInHandler, start_smtp_listener

__all__ = [
    "Attachment",
    "Delivered",
    "DeliveryResult",
    "MailDelivery",
    "MailInHandler",
    "MessageTooLarge",
    "ParsedMessage",
    "Quarantined",
    "UnparseableMessage",
    "attachment_parts",
    "parse_message",
    "start_smtp_listener",
]
