"""Every way opening a .TEF file can fail, one class per failure.

::

    TefError
    ├── FormatError              the bytes are not a well-formed TEF v1 file
    │   ├── NotATefFile          no TEF magic at the start
    │   ├── UnsupportedVersion   a TEF version this code does not read
    │   ├── UnsupportedAlgorithm an unknown payload AEAD or recipient type
    │   ├── MalformedHeader      a header field out of range, bad metadata
    │   ├── Truncated            the file ends before its final chunk
    │   └── TrailingData         bytes after the final chunk
    ├── RecipientError           this key cannot open the file
    │   ├── NoMatchingRecipient  no recipient stanza is addressed to this key
    │   └── WrongKey             the stanza addressed to this key does not open with it
    ├── HeaderMACError           the header was altered after it was written
    └── PayloadError             the payload was altered or badly framed
        ├── ChunkAuthError       a chunk fails authentication
        ├── MissingFinalChunk    the last chunk is not marked final
        ├── EarlyFinalChunk      a chunk marked final is followed by more chunks
        └── EmptyFinalChunk      an empty final chunk after a full one

Plaintext handed out before an error is authentic, but the file as a whole is not: a caller
that wrote plaintext somewhere must discard it on any error.
"""

from __future__ import annotations

__all__ = [
    "ChunkAuthError",
    "EarlyFinalChunk",
    "EmptyFinalChunk",
    "FormatError",
    "HeaderMACError",
    "MalformedHeader",
    "MissingFinalChunk",
    "NoMatchingRecipient",
    "NotATefFile",
    "PayloadError",
    "RecipientError",
    "TefError",
    "TrailingData",
    "Truncated",
    "UnsupportedAlgorithm",
    "UnsupportedVersion",
    "WrongKey",
]


class TefError(Exception):
    """Base class: the file cannot be opened; the message says why."""


class FormatError(TefError):
    """The bytes are not a well-formed TEF v1 file."""


class NotATefFile(FormatError):
    """The file does not start with the TEF magic."""


class UnsupportedVersion(FormatError):
    """The file is of a TEF version this code does not read."""

    def __init__(self, version: int) -> None:
        super().__init__(f"TEF version {version} is not supported (this code reads version 1)")
        self.version = version


class UnsupportedAlgorithm(FormatError):
    """The header names a payload AEAD or recipient type this code does not know."""


class MalformedHeader(FormatError):
    """A header field is out of range, or the metadata is not valid."""


class Truncated(FormatError):
    """The file ends before its final chunk (or inside its header)."""


class TrailingData(FormatError):
    """There are bytes after the final chunk."""


class RecipientError(TefError):
    """This key cannot open the file."""


class NoMatchingRecipient(RecipientError):
    """No recipient stanza is addressed to this key: the file is for other devices."""


class WrongKey(RecipientError):
    """A stanza is addressed to this key but does not open with it (wrong key or altered stanza)."""


class HeaderMACError(TefError):
    """The header MAC does not match: the header was altered after it was written."""


class PayloadError(TefError):
    """The payload was altered, reordered, cut or badly framed."""

    def __init__(self, message: str, chunk: int) -> None:
        super().__init__(message)
        self.chunk = chunk


class ChunkAuthError(PayloadError):
    """A chunk fails authentication (altered, moved or from another file)."""


class MissingFinalChunk(PayloadError):
    """The last chunk is a valid chunk but not marked final."""


class EarlyFinalChunk(PayloadError):
    """A chunk marked final is followed by more chunks (e.g. two final chunks)."""


class EmptyFinalChunk(PayloadError):
    """An empty final chunk follows a full one (only an empty file may end with one)."""
