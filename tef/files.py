"""File-object drivers of the sans-IO core: encrypt, decrypt, verify, random access, re-wrap.

They take open binary file objects from the caller and never open paths themselves.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator, Sequence
from typing import BinaryIO

from tef.decryptor import Decryptor
from tef.encryptor import Encryptor
from tef.errors import MissingFinalChunk, TrailingData, Truncated
from tef.format import CHUNK_SIZE, PREFIX_SIZE, STANZA_SIZE, TAG_SIZE, Algorithm
from tef.header import Header, OpenedHeader, header_length
from tef.keys import Identity, Recipient
from tef.metadata import Metadata
from tef.payload import Payload
from tef.rewrap import rewrap

__all__ = ["TefFile", "decrypt", "encrypt", "open", "read_header", "rewrap_file", "verify"]

# Sixteen chunks per read: few enough system calls, and memory still flat.
_READ_CHUNKS = 16
_COPY_SIZE = 1 << 20


def encrypt(
    source: BinaryIO,
    target: BinaryIO,
    recipients: Sequence[Recipient],
    metadata: Metadata,
    *,
    algorithm: Algorithm = Algorithm.AES_256_GCM,
) -> OpenedHeader:
    """Encrypt `metadata.size` bytes from `source` into `target`."""
    encryptor = Encryptor(recipients, metadata, algorithm=algorithm)
    target.write(encryptor.header)
    buffer = bytearray(CHUNK_SIZE * _READ_CHUNKS)
    view = memoryview(buffer)
    while count := source.readinto(view):  # type: ignore[attr-defined]
        target.writelines(encryptor.update_chunks(view[:count]))
    target.write(encryptor.finish())
    return encryptor.opened


def decrypt(source: BinaryIO, target: BinaryIO, identity: Identity) -> Metadata:
    """Decrypt into `target`; on a TefError the caller must discard what was written."""
    decryptor = Decryptor(identity)
    for block in _blocks(source):
        target.write(decryptor.feed(block))
    target.write(decryptor.finish())
    assert decryptor.metadata is not None
    return decryptor.metadata


def verify(source: BinaryIO, identity: Identity) -> Metadata:
    """Authenticate every chunk without keeping any plaintext."""
    decryptor = Decryptor(identity)
    for block in _blocks(source):
        decryptor.feed(block)
    decryptor.finish()
    assert decryptor.metadata is not None
    return decryptor.metadata


def read_header(source: BinaryIO) -> Header:
    """Read and parse only the header (no key needed; nothing in it is verified)."""
    data = bytearray()
    # Read exactly the header (the caller may go on reading the payload from `source`): the
    # prefix tells the stanza count, which tells where the metadata length is, which tells the rest.
    while (length := header_length(data)) is None or len(data) < length:
        if length is not None:
            want = length - len(data)
        elif len(data) < PREFIX_SIZE:
            want = PREFIX_SIZE - len(data)
        else:
            count = int.from_bytes(data[PREFIX_SIZE - 2 : PREFIX_SIZE], "big")
            want = PREFIX_SIZE + count * STANZA_SIZE + 4 - len(data)
        more = source.read(want)
        if not more:
            raise Truncated("the file ends inside its header")
        data += more
    return Header.parse(data)


def open(source: BinaryIO, identity: Identity) -> TefFile:
    """Random access to the plaintext of a seekable TEF file (see TefFile)."""
    return TefFile(source, identity)


def rewrap_file(
    source: BinaryIO,
    target: BinaryIO,
    file_key: bytes,
    add: Sequence[Recipient] = (),
    remove: Collection[bytes] = (),
) -> Header:
    """Copy a TEF file with a re-wrapped header; the payload bytes are copied unchanged."""
    header = rewrap(read_header(source), file_key, add, remove)
    target.write(header.to_bytes())
    while block := source.read(_COPY_SIZE):
        target.write(block)
    return header


class TefFile(io.RawIOBase):
    """A read-only, seekable view of the plaintext that decrypts only the chunks it reads.

    Opening checks the file's length and authenticates its final chunk (so a cut or extended
    file is refused before any page is shown); every other chunk is authenticated when read.
    The last chunk read is cached.
    """

    def __init__(self, source: BinaryIO, identity: Identity) -> None:
        super().__init__()
        self._source = source
        source.seek(0)
        header = read_header(source)
        self.opened = header.open(identity)
        self.metadata = self.opened.metadata
        self._payload = Payload.of(self.opened)
        self._base = len(header)
        self._position = 0
        self._cached: tuple[int, bytes] | None = None
        self._check_ends()

    @property
    def size(self) -> int:
        return self.metadata.size

    @property
    def chunk_count(self) -> int:
        return self._payload.chunk_count

    def _check_ends(self) -> None:
        payload = self._payload
        length = self._source.seek(0, io.SEEK_END) - self._base
        if length < payload.length:
            raise Truncated(
                f"the file is {payload.length - length} bytes shorter than its header says"
            )
        try:
            self.chunk(payload.last_index)
        except MissingFinalChunk:
            if length - payload.length == TAG_SIZE:
                self._source.seek(self._base + payload.length)
                payload.check_tail(self._source.read(TAG_SIZE))
            raise
        if length > payload.length:
            raise TrailingData(f"{length - payload.length} bytes follow the final chunk")

    def chunk(self, index: int) -> bytes:
        """The plaintext of chunk `index`, authenticated."""
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        payload = self._payload
        length = payload.chunk_length(index)
        self._source.seek(self._base + payload.chunk_offset(index))
        data = self._source.read(length)
        if len(data) < length:
            raise Truncated(f"the file ends in chunk {index}")
        plaintext = payload.open(index, data)
        self._cached = (index, plaintext)
        return plaintext

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        position = base + offset
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all the rest for -1 or None); short only at the end."""
        end = self.size if size is None or size < 0 else min(self.size, self._position + size)
        parts: list[bytes] = []
        while self._position < end:
            index = self._payload.chunk_of(self._position)
            start = self._position - index * CHUNK_SIZE
            piece = self.chunk(index)[start : start + end - self._position]
            parts.append(piece)
            self._position += len(piece)
        return b"".join(parts)

    def readall(self) -> bytes:
        return self.read()

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._position >= self.size:
            return 0
        index = self._payload.chunk_of(self._position)
        plaintext = self.chunk(index)
        start = self._position - index * CHUNK_SIZE
        count = min(len(buffer), len(plaintext) - start)
        buffer[:count] = plaintext[start : start + count]
        self._position += count
        return count


def _blocks(source: BinaryIO) -> Iterator[bytes]:
    while block := source.read((CHUNK_SIZE + TAG_SIZE) * _READ_CHUNKS):
        yield block
