"""A QIODevice over a TEF random-access reader, so QtPdf reads (and decrypts) only what it needs."""

from __future__ import annotations

from PySide6.QtCore import QIODevice, QObject

import tef
from tef.errors import TefError

__all__ = ["TefIODevice"]


class TefIODevice(QIODevice):
    """Read-only, seekable plaintext of a .tef file; each read decrypts only its chunks.

    A chunk that fails authentication cannot raise through Qt's C++ caller: the read fails
    (-1), and `failure` keeps the error for the window to show.
    """

    def __init__(self, plain: tef.TefFile, parent: QObject | None = None) -> None:
        super().__init__()
        if parent is not None:
            self.setParent(parent)
        self._plain = plain
        self.failure: TefError | None = None
        self.chunks_read: set[int] = set()
        self.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Unbuffered)

    def isSequential(self) -> bool:
        return False

    def size(self) -> int:
        return self._plain.size

    def readData(self, maxlen: int) -> bytes | int:
        position = self.pos()
        try:
            self._plain.seek(position)
            data = self._plain.read(maxlen)
        except TefError as exc:
            self.failure = exc
            return -1
        if data:
            first = position // tef.CHUNK_SIZE
            self.chunks_read.update(range(first, (position + len(data) - 1) // tef.CHUNK_SIZE + 1))
        return data

    def writeData(self, data: bytes) -> int:  # type: ignore[override]
        return -1
