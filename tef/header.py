"""The TEF header: algorithm, recipient stanzas, metadata, payload nonce, and the header MAC.

Layout (docs/tef.md)::

    magic(8) version(1) algorithm(1) count(u16) stanza(89) * count
    metadata_length(u32) metadata payload_nonce(16) mac(32)

The MAC is HMAC-SHA-256 over every byte before it, keyed from the file key; so it is checked
only once a stanza yields the file key, and the metadata is parsed only after it matched.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tef.errors import (
    HeaderMACError,
    MalformedHeader,
    NoMatchingRecipient,
    NotATefFile,
    Truncated,
    UnsupportedAlgorithm,
    UnsupportedVersion,
    WrongKey,
)
from tef.format import (
    FILE_KEY_SIZE,
    MAC_SIZE,
    MAGIC,
    MAX_METADATA_SIZE,
    MAX_RECIPIENTS,
    PAYLOAD_NONCE_SIZE,
    PREFIX_SIZE,
    STANZA_SIZE,
    VERSION,
    Algorithm,
)
from tef.keys import Identity, Stanza
from tef.metadata import Metadata

__all__ = ["Header", "OpenedHeader", "header_length"]

_MAC_INFO = b"traveler-tef/v1/header"


def header_length(prefix: bytes | bytearray | memoryview) -> int | None:
    """The header's total length, once `prefix` holds enough of it to tell; None before.

    Raises the format errors that the bytes seen so far already show (not TEF, version,
    algorithm, counts out of range).
    """
    view = bytes(prefix[: PREFIX_SIZE + MAX_RECIPIENTS * STANZA_SIZE + 4])
    seen = view[: len(MAGIC)]
    if seen != MAGIC[: len(seen)]:
        raise NotATefFile("this is not a TEF file (no TEF magic at the start)")
    if len(view) < len(MAGIC) + 1:
        return None
    version = view[len(MAGIC)]
    if version != VERSION:
        raise UnsupportedVersion(version)
    if len(view) < PREFIX_SIZE:
        return None
    algorithm = view[len(MAGIC) + 1]
    if algorithm not in Algorithm._value2member_map_:
        raise UnsupportedAlgorithm(f"unknown payload algorithm {algorithm}")
    count = int.from_bytes(view[len(MAGIC) + 2 : PREFIX_SIZE], "big")
    if not 1 <= count <= MAX_RECIPIENTS:
        raise MalformedHeader(f"recipient count {count} is not between 1 and {MAX_RECIPIENTS}")
    length_at = PREFIX_SIZE + count * STANZA_SIZE
    if len(view) < length_at + 4:
        return None
    metadata_length = int.from_bytes(view[length_at : length_at + 4], "big")
    if not 1 <= metadata_length <= MAX_METADATA_SIZE:
        raise MalformedHeader(f"metadata length {metadata_length} is out of range")
    return length_at + 4 + metadata_length + PAYLOAD_NONCE_SIZE + MAC_SIZE


@dataclass(frozen=True)
class Header:
    """A parsed header; nothing in it is trusted until `open` has checked the MAC."""

    algorithm: Algorithm
    stanzas: tuple[Stanza, ...]
    metadata_bytes: bytes
    nonce: bytes
    mac: bytes

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> Header:
        """Parse a header from the start of `data` (which may hold more, e.g. the payload)."""
        length = header_length(data)
        if length is None or len(data) < length:
            raise Truncated("the file ends inside its header")
        raw = bytes(data[:length])
        count = int.from_bytes(raw[len(MAGIC) + 2 : PREFIX_SIZE], "big")
        stanzas = tuple(
            Stanza.from_bytes(raw[at : at + STANZA_SIZE])
            for at in range(PREFIX_SIZE, PREFIX_SIZE + count * STANZA_SIZE, STANZA_SIZE)
        )
        metadata_at = PREFIX_SIZE + count * STANZA_SIZE + 4
        nonce_at = length - MAC_SIZE - PAYLOAD_NONCE_SIZE
        return cls(
            algorithm=Algorithm(raw[len(MAGIC) + 1]),
            stanzas=stanzas,
            metadata_bytes=raw[metadata_at:nonce_at],
            nonce=raw[nonce_at : length - MAC_SIZE],
            mac=raw[length - MAC_SIZE :],
        )

    @classmethod
    def build(
        cls,
        file_key: bytes,
        algorithm: Algorithm,
        stanzas: tuple[Stanza, ...],
        metadata_bytes: bytes,
        nonce: bytes,
    ) -> Header:
        """A header with its MAC computed under the file key."""
        if not 1 <= len(stanzas) <= MAX_RECIPIENTS:
            raise ValueError(f"between 1 and {MAX_RECIPIENTS} recipients")
        if len(nonce) != PAYLOAD_NONCE_SIZE:
            raise ValueError("the payload nonce is 16 bytes")
        unsigned = cls(algorithm, stanzas, metadata_bytes, nonce, b"")
        return cls(
            algorithm, stanzas, metadata_bytes, nonce, _mac(file_key, unsigned.signed_part())
        )

    def signed_part(self) -> bytes:
        """Every header byte before the MAC."""
        return b"".join(
            [
                MAGIC,
                bytes([VERSION, self.algorithm]),
                len(self.stanzas).to_bytes(2, "big"),
                *(stanza.to_bytes() for stanza in self.stanzas),
                len(self.metadata_bytes).to_bytes(4, "big"),
                self.metadata_bytes,
                self.nonce,
            ]
        )

    def to_bytes(self) -> bytes:
        return self.signed_part() + self.mac

    def __len__(self) -> int:
        return (
            PREFIX_SIZE
            + len(self.stanzas) * STANZA_SIZE
            + 4
            + len(self.metadata_bytes)
            + (PAYLOAD_NONCE_SIZE + MAC_SIZE)
        )

    @property
    def recipient_tags(self) -> tuple[bytes, ...]:
        return tuple(stanza.tag for stanza in self.stanzas)

    def unverified_metadata(self) -> Metadata:
        """The metadata as written, NOT authenticated (for showing a file this key cannot open)."""
        return Metadata.from_bytes(self.metadata_bytes)

    def file_key(self, identity: Identity) -> bytes:
        """The file key from the stanza addressed to `identity`, MAC checked."""
        tag = identity.recipient.tag
        candidates = [stanza for stanza in self.stanzas if stanza.tag == tag]
        if not candidates:
            raise NoMatchingRecipient("no recipient stanza in this file is addressed to this key")
        failure: WrongKey | None = None
        for stanza in candidates:
            try:
                file_key = stanza.unwrap(identity)
            except WrongKey as exc:
                failure = exc
                continue
            self.verify(file_key)
            return file_key
        assert failure is not None
        raise failure

    def verify(self, file_key: bytes) -> None:
        """Raise HeaderMACError unless the MAC matches under this file key."""
        if len(file_key) != FILE_KEY_SIZE or not hmac.compare_digest(
            _mac(file_key, self.signed_part()), self.mac
        ):
            raise HeaderMACError("the header MAC does not match: the header was altered")

    def open(self, identity: Identity) -> OpenedHeader:
        """Unwrap the file key, check the MAC, then parse the metadata."""
        return self.open_with_file_key(self.file_key(identity))

    def open_with_file_key(self, file_key: bytes) -> OpenedHeader:
        self.verify(file_key)
        return OpenedHeader(self, file_key, Metadata.from_bytes(self.metadata_bytes))


@dataclass(frozen=True)
class OpenedHeader:
    """A header whose MAC matched: the file key and the authenticated metadata."""

    header: Header
    file_key: bytes
    metadata: Metadata


def _mac(file_key: bytes, data: bytes) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MAC_INFO).derive(file_key)
    mac = crypto_hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac.finalize()
