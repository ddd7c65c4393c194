"""Exceptions of the SyncML engine.

Tree::

    SyncMLError
    ├── DecodeError          bytes are not a well-formed XML / WBXML SyncML document
    │   └── UnsupportedVersion   a namespace / public ID / VerDTD we do not speak
    ├── EncodeError          a tree the codecs cannot write (unknown tag, text XML cannot carry)
    ├── ProtocolError        a well-formed message that breaks the protocol (missing header
    │                        fields, a command where it is not allowed, ...)
    ├── PeerRefused          the peer answered, but refused what we asked (a status code)
    │   └── AuthenticationFailed   the server refused the credentials, also after a retry
    ├── NotificationError    a Server Alerted Notification that is malformed, cannot be
    │                        encoded, or whose digest does not match
    └── ItemRefused          raised by a backend's datastore: this one item is not stored,
                             answer it with ``status`` (the sync goes on)
"""

from __future__ import annotations


class SyncMLError(Exception):
    """Base class of everything the engine raises."""


class DecodeError(SyncMLError):
    """The bytes could not be decoded into a SyncML document; the message says why."""


class UnsupportedVersion(DecodeError):
    """The document is SyncML, but in a version or vocabulary this engine does not speak."""


class EncodeError(SyncMLError):
    """An element tree could not be written in the requested wire format; the message says why."""


class ProtocolError(SyncMLError):
    """The document decoded, but violates the SyncML protocol; the message says how."""


class PeerRefused(SyncMLError):
    """The peer answered with an error status; ``code`` is the SyncML status code and
    ``command`` the command it answered (``SyncHdr`` for the whole message)."""

    def __init__(self, message: str, *, code: int, command: str) -> None:
        super().__init__(message)
        self.code = code
        self.command = command


class AuthenticationFailed(PeerRefused):
    """The server refused the user name or password (401/407), also after retrying with
    the challenge it sent."""


class NotificationError(SyncMLError):
    """A Server Alerted Notification is malformed, unencodable or not authentic; says which."""


class ItemRefused(SyncMLError):
    """A datastore refuses one item (before storing anything of it); the engine answers the
    item with ``status`` and goes on with the sync. The message says why, for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
