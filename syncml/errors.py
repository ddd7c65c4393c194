"""Exceptions of the SyncML engine.

Tree::

    SyncMLError
    ├── DecodeError          bytes are not a well-formed XML / WBXML SyncML document
    │   └── UnsupportedVersion   a namespace / public ID / VerDTD we do not speak
    ├── EncodeError          a tree the codecs cannot write (unknown tag, text XML cannot carry)
    └── ProtocolError        a well-formed message that breaks the protocol (missing header
                             fields, a command where it is not allowed, ...)
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
