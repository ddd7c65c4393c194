"""CmdID allocation: every command of one message gets the next number, from 1."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class CmdIds:
    """The CmdIDs of the message being built; ``last`` is the highest one used."""

    last: int = 0

    def next(self) -> int:
        """Allocate the next CmdID."""
        self.last += 1
        return self.last

    def peek(self) -> int:
        """The CmdID the next :meth:`next` returns, without allocating it."""
        return self.last + 1
