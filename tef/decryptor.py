"""Streaming decryption: feed TEF bytes, get authenticated plaintext; memory stays at one chunk."""

from __future__ import annotations

from tef.errors import MissingFinalChunk, TrailingData, Truncated
from tef.format import TAG_SIZE
from tef.header import Header, OpenedHeader, header_length
from tef.keys import Identity
from tef.metadata import Metadata
from tef.payload import Buffer, Payload

__all__ = ["Decryptor"]


class Decryptor:
    """Decrypt one TEF file for `identity`.

    `feed` returns the plaintext of every chunk that authenticated so far; `finish` at the end
    of the input returns the rest and raises if the file stopped early. Plaintext is released
    only chunk by chunk after authentication, but a later error still means the file as a whole
    is bad: discard everything on any TefError.
    """

    def __init__(self, identity: Identity) -> None:
        self._identity = identity
        self._buffer = bytearray()
        self._header_length: int | None = None
        self.opened: OpenedHeader | None = None
        self._payload: Payload | None = None
        self._index = 0
        # Set when the last chunk opened only as a non-final chunk: what follows decides between
        # MissingFinalChunk and EmptyFinalChunk.
        self._unfinished: MissingFinalChunk | None = None

    @property
    def metadata(self) -> Metadata | None:
        """The authenticated metadata, once the header has been read."""
        return self.opened.metadata if self.opened else None

    @property
    def done(self) -> bool:
        payload = self._payload
        return payload is not None and self._index == payload.chunk_count

    def feed(self, data: Buffer) -> bytes:
        self._buffer += data
        if self._payload is None and not self._read_header():
            return b""
        return self._drain()

    def finish(self) -> bytes:
        """The plaintext still held; raises if the file ended before its final chunk."""
        if self._payload is None:
            raise Truncated("the file ends inside its header")
        out = self._drain()
        if self._unfinished is not None:
            self._payload.check_tail(self._buffer)
            raise self._unfinished
        if not self.done:
            raise Truncated(
                f"the file ends in chunk {self._index} of {self._payload.chunk_count}: "
                "it is incomplete"
            )
        return out

    def _read_header(self) -> bool:
        if self._header_length is None:
            self._header_length = header_length(self._buffer)
            if self._header_length is None:
                return False
        if len(self._buffer) < self._header_length:
            return False
        header = Header.parse(self._buffer)
        self.opened = header.open(self._identity)
        self._payload = Payload.of(self.opened)
        del self._buffer[: self._header_length]
        return True

    def _drain(self) -> bytes:
        payload = self._payload
        assert payload is not None
        out: list[bytes] = []
        at = 0
        with memoryview(self._buffer) as buffer:
            while self._index < payload.chunk_count:
                length = payload.chunk_length(self._index)
                if len(buffer) - at < length:
                    break
                # Released explicitly: a traceback holding the slice would pin the buffer.
                with buffer[at : at + length] as chunk:
                    try:
                        out.append(payload.open(self._index, chunk))
                    except MissingFinalChunk as exc:
                        # Its plaintext is withheld: the chunk never confirmed it is the end.
                        self._unfinished = exc
                at += length
                self._index += 1
        del self._buffer[:at]
        if self.done:
            if self._unfinished is not None:
                # An empty final chunk is TAG_SIZE bytes; beyond that it is not one.
                if len(self._buffer) > TAG_SIZE:
                    raise self._unfinished
            elif self._buffer:
                raise TrailingData("bytes follow the final chunk")
        return b"".join(out)
