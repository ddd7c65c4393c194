"""X25519 identities and recipients, and the recipient stanza that wraps a file key for one."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tef.errors import MalformedHeader, UnsupportedAlgorithm, WrongKey
from tef.format import (
    FILE_KEY_SIZE,
    RECIPIENT_TAG_SIZE,
    STANZA_SIZE,
    X25519_SIZE,
    RecipientType,
)

__all__ = ["Identity", "Recipient", "Stanza"]

_TAG_LABEL = b"traveler-tef/v1/recipient-tag"
_WRAP_INFO = b"traveler-tef/v1/X25519"
_ZERO_NONCE = bytes(12)

RandomSource = Callable[[int], bytes]


@dataclass(frozen=True)
class Recipient:
    """A device's X25519 public key: files encrypted to it open with the matching Identity."""

    public_key: bytes

    def __post_init__(self) -> None:
        if len(self.public_key) != X25519_SIZE:
            raise ValueError(f"an X25519 public key is {X25519_SIZE} bytes")

    @property
    def tag(self) -> bytes:
        """The 8-byte tag by which a stanza names this recipient."""
        return recipient_tag(self.public_key)


def recipient_tag(public_key: bytes) -> bytes:
    return hashlib.sha256(_TAG_LABEL + public_key).digest()[:RECIPIENT_TAG_SIZE]


class Identity:
    """A device's X25519 private key (kept in the keyring by its owner, never in a file)."""

    def __init__(self, private_key: X25519PrivateKey) -> None:
        self._key = private_key
        self.recipient = Recipient(
            private_key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        )

    @classmethod
    def generate(cls) -> Identity:
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_bytes(cls, private_key: bytes) -> Identity:
        if len(private_key) != X25519_SIZE:
            raise ValueError(f"an X25519 private key is {X25519_SIZE} bytes")
        return cls(X25519PrivateKey.from_private_bytes(private_key))

    def to_bytes(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def exchange(self, public_key: bytes) -> bytes:
        # cryptography refuses an all-zero shared secret (a low-order share), as age requires.
        try:
            return self._key.exchange(X25519PublicKey.from_public_bytes(public_key))
        except ValueError as exc:
            raise MalformedHeader("a recipient stanza holds an invalid ephemeral share") from exc


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza: the file key wrapped for one X25519 recipient."""

    tag: bytes
    share: bytes
    body: bytes

    @classmethod
    def wrap(
        cls, file_key: bytes, recipient: Recipient, random: RandomSource = os.urandom
    ) -> Stanza:
        """Wrap the file key for a recipient with a fresh ephemeral key."""
        ephemeral = X25519PrivateKey.from_private_bytes(random(X25519_SIZE))
        share = ephemeral.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.public_key))
        body = ChaCha20Poly1305(_wrap_key(shared, share, recipient.public_key)).encrypt(
            _ZERO_NONCE, file_key, None
        )
        return cls(recipient.tag, share, body)

    def unwrap(self, identity: Identity) -> bytes:
        """The file key, or WrongKey when this stanza does not open with the identity."""
        shared = identity.exchange(self.share)
        key = _wrap_key(shared, self.share, identity.recipient.public_key)
        try:
            file_key = ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, self.body, None)
        except InvalidTag:
            raise WrongKey(
                "the recipient stanza addressed to this key does not open with it "
                "(a wrong key, or the stanza was altered)"
            ) from None
        return file_key

    def to_bytes(self) -> bytes:
        return bytes([RecipientType.X25519]) + self.tag + self.share + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> Stanza:
        if len(data) != STANZA_SIZE:
            raise MalformedHeader("a recipient stanza has the wrong length")
        if data[0] != RecipientType.X25519:
            raise UnsupportedAlgorithm(f"unknown recipient type {data[0]}")
        tag_end = 1 + RECIPIENT_TAG_SIZE
        share_end = tag_end + X25519_SIZE
        return cls(data[1:tag_end], data[tag_end:share_end], data[share_end:])


def _wrap_key(shared: bytes, share: bytes, recipient_public_key: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=FILE_KEY_SIZE,
        salt=share + recipient_public_key,
        info=_WRAP_INFO,
    ).derive(shared)
