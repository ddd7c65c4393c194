"""The fixed numbers of TEF v1 (docs/tef.md): magic, sizes, algorithm and recipient codes."""

from __future__ import annotations

import enum

__all__ = [
    "CHUNK_SIZE",
    "FILE_KEY_SIZE",
    "MAC_SIZE",
    "MAGIC",
    "MAX_METADATA_SIZE",
    "MAX_RECIPIENTS",
    "PAYLOAD_NONCE_SIZE",
    "STANZA_SIZE",
    "TAG_SIZE",
    "VERSION",
    "Algorithm",
    "RecipientType",
]

# PNG-style: a non-ASCII first byte, and CR LF / ^Z / LF catch text-mode transfers that rewrite
# line ends before anything else is parsed.
MAGIC = b"\x89TEF\r\n\x1a\n"
VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16  # AEAD tag of a payload chunk and of a wrapped file key
FILE_KEY_SIZE = 32
PAYLOAD_NONCE_SIZE = 16
MAC_SIZE = 32
RECIPIENT_TAG_SIZE = 8
X25519_SIZE = 32
# type (1) || recipient tag (8) || ephemeral share (32) || wrapped file key (32 + 16)
STANZA_SIZE = 1 + RECIPIENT_TAG_SIZE + X25519_SIZE + FILE_KEY_SIZE + TAG_SIZE
MAX_RECIPIENTS = 1024
MAX_METADATA_SIZE = 64 * 1024
# magic || version || algorithm || recipient count (u16)
PREFIX_SIZE = len(MAGIC) + 1 + 1 + 2
# Chunk counters are 11 bytes in the nonce; sizes are capped far below where that could wrap.
MAX_SIZE = 1 << 62


class Algorithm(enum.IntEnum):
    """The payload AEAD."""

    AES_256_GCM = 1
    CHACHA20_POLY1305 = 2

    @property
    def label(self) -> str:
        return {1: "AES-256-GCM", 2: "ChaCha20-Poly1305"}[self.value]


class RecipientType(enum.IntEnum):
    """How a recipient stanza wraps the file key."""

    X25519 = 1
