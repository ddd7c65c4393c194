"""What a client session produces: a message to send, or the end of the sync."""

from __future__ import annotations

from dataclasses import dataclass

from syncml.codes import AlertCode


@dataclass(frozen=True, slots=True)
class Send:
    """POST ``body`` with ``content_type`` to ``url`` and pass the reply to ``receive``.

    Sending the same bytes again after a transport failure is safe: the server answers a
    resend as before and applies nothing twice."""

    body: bytes
    content_type: str
    url: str


@dataclass(frozen=True, slots=True)
class Counts:
    """Items moved in one direction."""

    added: int = 0
    replaced: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        """All items moved."""
        return self.added + self.replaced + self.deleted


@dataclass(frozen=True, slots=True)
class SyncDone:
    """The session completed; anchors are saved.

    ``failed`` counts items that did not get through either way (they stay pending on the
    side that has them)."""

    mode: AlertCode
    sent: Counts
    received: Counts
    failed: int
