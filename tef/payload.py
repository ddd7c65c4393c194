"""The payload STREAM: chunk layout, nonces, and sealing and opening one chunk.

The plaintext size in the authenticated metadata fixes the framing: chunk i holds plaintext
bytes [i * 64 KiB, (i + 1) * 64 KiB); the last chunk holds the rest (full, or empty only for an
empty file). Chunk i's nonce is i as 11 bytes big-endian, then 0x01 for the last chunk and 0x00
for every other, so a cut, reordered, repeated or re-flagged chunk fails to authenticate.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tef.errors import ChunkAuthError, EarlyFinalChunk, EmptyFinalChunk, MissingFinalChunk
from tef.format import CHUNK_SIZE, TAG_SIZE, Algorithm
from tef.header import OpenedHeader

__all__ = ["Payload"]

_PAYLOAD_INFO = b"traveler-tef/v1/payload/"
_LAST = b"\x01"
_NOT_LAST = b"\x00"

Buffer = bytes | bytearray | memoryview


class Payload:
    """Layout and cipher of one file's payload (offsets are relative to the payload's start)."""

    def __init__(self, algorithm: Algorithm, file_key: bytes, nonce: bytes, size: int) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=nonce,
            info=_PAYLOAD_INFO + bytes([algorithm]),
        ).derive(file_key)
        self._aead = AESGCM(key) if algorithm is Algorithm.AES_256_GCM else ChaCha20Poly1305(key)
        self.size = size
        self.chunk_count = max(1, -(-size // CHUNK_SIZE))
        self.last_index = self.chunk_count - 1
        self.last_plain_length = size - self.last_index * CHUNK_SIZE
        self.length = size + self.chunk_count * TAG_SIZE

    @classmethod
    def of(cls, opened: OpenedHeader) -> Payload:
        header = opened.header
        return cls(header.algorithm, opened.file_key, header.nonce, opened.metadata.size)

    def chunk_offset(self, index: int) -> int:
        return index * (CHUNK_SIZE + TAG_SIZE)

    def chunk_length(self, index: int) -> int:
        """Ciphertext length of chunk `index` (plaintext plus tag)."""
        if not 0 <= index < self.chunk_count:
            raise IndexError(f"chunk {index} of {self.chunk_count}")
        plain = self.last_plain_length if index == self.last_index else CHUNK_SIZE
        return plain + TAG_SIZE

    def chunk_of(self, position: int) -> int:
        """The chunk holding plaintext byte `position`."""
        return min(position // CHUNK_SIZE, self.last_index)

    def seal(self, index: int, plaintext: Buffer) -> bytes:
        return self._aead.encrypt(_nonce(index, index == self.last_index), plaintext, None)

    def seal_flagged(self, index: int, plaintext: Buffer, *, last: bool) -> bytes:
        """Seal with an explicit last flag (only the test-vector generator misframes on purpose)."""
        return self._aead.encrypt(_nonce(index, last), plaintext, None)

    def open(self, index: int, ciphertext: Buffer) -> bytes:
        """Authenticate and decrypt chunk `index`, or say precisely what is wrong with it."""
        last = index == self.last_index
        try:
            return self._aead.decrypt(_nonce(index, last), ciphertext, None)
        except InvalidTag:
            pass
        if self._opens(index, ciphertext, last=not last):
            if last:
                raise MissingFinalChunk(
                    f"the last chunk ({index}) is not marked final: the file is incomplete",
                    index,
                )
            raise EarlyFinalChunk(
                f"chunk {index} is marked final but {self.chunk_count - index - 1} more chunks "
                "follow (two final chunks)",
                index,
            )
        raise ChunkAuthError(f"chunk {index} fails authentication: the payload was altered", index)

    def check_tail(self, extra: Buffer) -> None:
        """After MissingFinalChunk: raise EmptyFinalChunk if `extra` is an empty final chunk."""
        if len(extra) == TAG_SIZE and self._opens(self.chunk_count, extra, last=True):
            raise EmptyFinalChunk(
                f"an empty final chunk ({self.chunk_count}) follows a full one; only an empty "
                "file may end with an empty chunk",
                self.chunk_count,
            )

    def _opens(self, index: int, ciphertext: Buffer, *, last: bool) -> bool:
        try:
            self._aead.decrypt(_nonce(index, last), ciphertext, None)
        except InvalidTag:
            return False
        return True


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (_LAST if last else _NOT_LAST)
