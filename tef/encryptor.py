"""Streaming encryption: feed plaintext, get TEF bytes; memory stays at one chunk."""

from __future__ import annotations

import os
from collections.abc import Sequence

from tef.format import CHUNK_SIZE, FILE_KEY_SIZE, PAYLOAD_NONCE_SIZE, Algorithm
from tef.header import Header, OpenedHeader
from tef.keys import RandomSource, Recipient, Stanza
from tef.metadata import Metadata
from tef.payload import Buffer, Payload

__all__ = ["Encryptor"]


class Encryptor:
    """Encrypt `metadata.size` bytes of plaintext to one or more recipients.

    Write `header` first, then what `update` and `finish` return, in order. Feeding more or
    fewer bytes than `metadata.size` is a ValueError (the size is part of the framing).
    """

    def __init__(
        self,
        recipients: Sequence[Recipient],
        metadata: Metadata,
        *,
        algorithm: Algorithm = Algorithm.AES_256_GCM,
        random: RandomSource = os.urandom,
    ) -> None:
        if not recipients:
            raise ValueError("at least one recipient")
        file_key = random(FILE_KEY_SIZE)
        stanzas = tuple(Stanza.wrap(file_key, recipient, random) for recipient in recipients)
        header = Header.build(
            file_key, algorithm, stanzas, metadata.to_bytes(), random(PAYLOAD_NONCE_SIZE)
        )
        self.opened = OpenedHeader(header, file_key, metadata)
        self.header = header.to_bytes()
        self._payload = Payload.of(self.opened)
        self._pending = bytearray()
        self._index = 0
        self._fed = 0

    def update(self, data: Buffer) -> bytes:
        """Encrypt what completes chunks; keep the rest for later."""
        return b"".join(self.update_chunks(data))

    def update_chunks(self, data: Buffer) -> list[bytes]:
        """As `update`, one sealed chunk per item (saves a copy when writing them out)."""
        self._fed += len(data)
        if self._fed > self._payload.size:
            raise ValueError(f"more plaintext than the {self._payload.size} bytes announced")
        payload = self._payload
        out: list[bytes] = []
        view = memoryview(data)
        if self._pending:
            take = CHUNK_SIZE - len(self._pending)
            self._pending += view[:take]
            view = view[take:]
            if len(self._pending) < CHUNK_SIZE and self._fed < payload.size:
                return []
            out.append(self._seal(self._pending))
            self._pending = bytearray()
        # Whole chunks straight from the caller's buffer, without copying them first.
        while len(view) >= CHUNK_SIZE or (view and self._fed == payload.size):
            out.append(self._seal(view[:CHUNK_SIZE]))
            view = view[CHUNK_SIZE:]
        self._pending += view
        return out

    def finish(self) -> bytes:
        """The final chunk; ValueError if fewer bytes came than announced."""
        if self._fed != self._payload.size:
            raise ValueError(f"{self._fed} bytes of plaintext, {self._payload.size} announced")
        if self._index == self._payload.chunk_count:
            return b""
        # Only an empty file gets here with a chunk still to write: its one, empty, final chunk.
        return self._seal(bytes(self._pending))

    def _seal(self, chunk: Buffer) -> bytes:
        sealed = self._payload.seal(self._index, chunk)
        self._index += 1
        return sealed
