"""A :class:`~syncml.client.backend.ClientBackend` in memory: for tests, benchmarks and
as the reference of what the protocol means."""

from __future__ import annotations

from dataclasses import dataclass, field

from syncml.client.backend import Anchors, ChangeKind, LocalChange


@dataclass(slots=True)
class _Item:
    data: str
    content_type: str
    version: int


@dataclass
class MemoryClientBackend:
    """Items by LUID with a change counter; a change is pending until confirmed."""

    items: dict[str, _Item] = field(default_factory=dict)
    # LUID → the item's change kind not yet confirmed (deleted items keep theirs here)
    pending: dict[str, tuple[ChangeKind, int]] = field(default_factory=dict)
    guids: dict[str, str] = field(default_factory=dict)  # server ID → LUID
    saved: Anchors | None = None
    unconfirmed: Anchors | None = None
    next_nonce: bytes | None = None
    counter: int = 0
    next_luid: int = 1

    # -- what the user does ------------------------------------------------------------
    def create(self, data: str, content_type: str = "text/calendar") -> str:
        """A new local item (pending as an Add); returns its LUID."""
        luid = self._new_luid()
        self.items[luid] = _Item(data, content_type, self._tick())
        self.pending[luid] = (ChangeKind.ADD, self.items[luid].version)
        return luid

    def edit(self, luid: str, data: str) -> None:
        """Change a local item (an unsent Add stays an Add)."""
        item = self.items[luid]
        item.data, item.version = data, self._tick()
        kind = self.pending.get(luid, (ChangeKind.REPLACE, 0))[0]
        self.pending[luid] = (kind, item.version)

    def remove(self, luid: str) -> None:
        """Delete a local item (an Add the server never saw is simply forgotten)."""
        del self.items[luid]
        if self.pending.get(luid, (None, 0))[0] is ChangeKind.ADD:
            del self.pending[luid]
        else:
            self.pending[luid] = (ChangeKind.DELETE, self._tick())

    def data(self) -> list[str]:
        """Every item's data, sorted (for comparisons)."""
        return sorted(item.data for item in self.items.values())

    # -- ClientBackend -----------------------------------------------------------------
    def anchors(self) -> Anchors | None:
        return self.saved

    def save_anchors(self, anchors: Anchors | None) -> None:
        self.saved = anchors

    def unconfirmed_anchors(self) -> Anchors | None:
        return self.unconfirmed

    def save_unconfirmed_anchors(self, anchors: Anchors | None) -> None:
        self.unconfirmed = anchors

    def nonce(self) -> bytes | None:
        return self.next_nonce

    def save_nonce(self, nonce: bytes | None) -> None:
        self.next_nonce = nonce

    def local_changes(self) -> list[LocalChange]:
        out = []
        for luid, (kind, version) in self.pending.items():
            item = self.items.get(luid)
            data = item.data if item is not None and kind is not ChangeKind.DELETE else None
            content_type = item.content_type if item is not None else "text/calendar"
            out.append(LocalChange(kind, luid, data, content_type, version))
        return out

    def local_items(self) -> list[LocalChange]:
        return [LocalChange(ChangeKind.REPLACE, luid, item.data, item.content_type, item.version)
                for luid, item in self.items.items()]

    def confirm(self, luid: str, version: int) -> None:
        pending = self.pending.get(luid)
        if pending is not None and pending[1] <= version:
            del self.pending[luid]

    def luid_for(self, guid: str) -> str | None:
        luid = self.guids.get(guid)
        return luid if luid in self.items else None

    def add(self, guid: str, data: str, content_type: str) -> str:
        if "BEGIN:" not in data:
            raise ValueError("not a calendar item")
        luid = self._new_luid()
        self.items[luid] = _Item(data, content_type, self._tick())
        self.guids[guid] = luid
        return luid

    def replace(self, luid: str, data: str, content_type: str) -> bool:
        if "BEGIN:" not in data:
            raise ValueError("not a calendar item")
        item = self.items.get(luid)
        if item is None:
            return False
        item.data, item.content_type = data, content_type
        return True

    def delete(self, luid: str) -> bool:
        self.pending.pop(luid, None)
        return self.items.pop(luid, None) is not None

    def clear(self) -> None:
        self.items.clear()
        self.pending.clear()
        self.guids.clear()

    def _tick(self) -> int:
        self.counter += 1
        return self.counter

    def _new_luid(self) -> str:
        luid = str(self.next_luid)
        self.next_luid += 1
        return luid
