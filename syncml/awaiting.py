"""Commands sent and not yet answered: each waits for the peer's Status by (MsgID, CmdID)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from syncml.model import Status


@dataclass(frozen=True, slots=True)
class SentChange:
    """A change sent to the peer: which datastore, what, and the item it concerns.

    ``key`` is the sender's own ID of the item (the server's GUID, the client's LUID);
    ``rev`` the revision sent (the server confirms mappings at it; the client does not
    use it).
    """

    datastore: int
    kind: str
    key: str
    rev: int = 0


@dataclass(slots=True)
class AwaitingStatuses:
    """The sent changes still waiting for their statuses."""

    entries: dict[tuple[int, int], SentChange] = field(default_factory=dict)

    def expect(self, msg_id: int, cmd_id: int, sent: SentChange) -> None:
        """Remember that command ``cmd_id`` of message ``msg_id`` carried ``sent``."""
        self.entries[(msg_id, cmd_id)] = sent

    def answer(self, status: Status) -> SentChange | None:
        """The sent change a status answers (no longer awaited), or None."""
        return self.entries.pop((status.msg_ref, status.cmd_ref), None)

    def __len__(self) -> int:
        return len(self.entries)

    def to_json(self) -> dict[str, Any]:
        """Plain-data form ("msgid:cmdid" → fields)."""
        return {f"{m}:{c}": asdict(sent) for (m, c), sent in self.entries.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AwaitingStatuses:
        """Inverse of :meth:`to_json`."""
        entries: dict[tuple[int, int], SentChange] = {}
        for key, value in data.items():
            msg, _, cmd = key.partition(":")
            entries[(int(msg), int(cmd))] = SentChange(**value)
        return cls(entries)
