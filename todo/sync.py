"""Sync of the ToDo store with a SyncML DS 1.2 server (Traveler's, or any other).

:class:`StoreBackend` is the :class:`syncml.client.ClientBackend` of a
:class:`~todo.store.TodoStore`: the client engine reads the store's change log, sends what the
server has not confirmed, and applies what the server sends. :func:`sync_store` runs one
session over HTTP (:mod:`todo.sync_transport`).

What the store guarantees across cut sessions (a dead network, a killed process): a change
stays in the log until the server confirmed it, so it is sent again; a server Add is
remembered with the server's ID and found again by it (or by UID), so a resent Add updates
the todo instead of making a twin; anchors are saved only when a session completed.

Conflicts: what the server decided is applied. When that replaces a local edit the server did
not take, the store keeps the user's version (``SyncReport.overridden``; ``list --json`` marks
the todo, ``restore ID`` brings it back). A todo the server deletes while it has unsent local
changes is kept and sent again (``SyncReport.kept``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from syncml.client import (
    Anchors,
    ClientConfig,
    LocalChange,
    SyncDone,
)
from syncml.client import ChangeKind as WireKind
from syncml.codes import AlertCode
from todo import sync_transport
from todo.calendar_format import ICALENDAR, convert_item, media_type
from todo.store import ChangeKind, RemoteDelete, TodoStore

__all__ = ["StoreBackend", "SyncReport", "sync_store"]

_KINDS = {
    ChangeKind.ADD: WireKind.ADD,
    ChangeKind.REPLACE: WireKind.REPLACE,
    ChangeKind.DELETE: WireKind.DELETE,
}
_ANCHOR_LOCAL = "sync.anchor.local"
_ANCHOR_REMOTE = "sync.anchor.remote"
_NONCE = "sync.nonce"  # hex; the key the CLI used before the client kept it (still read)
_UNCONFIRMED_LOCAL = "sync.anchor.unconfirmed.local"
_UNCONFIRMED_REMOTE = "sync.anchor.unconfirmed.remote"


def _todo_id(luid: str) -> int | None:
    return int(luid) if luid.isdigit() else None


def _icalendar(data: str, content_type: str) -> str:
    """The server's item as iCalendar 2.0 (the store's format); ValueError if unusable."""
    if media_type(content_type) == ICALENDAR:
        return data
    return convert_item(data, content_type, ICALENDAR)


@dataclass
class StoreBackend:
    """The client engine's view of a todo store; LUIDs are the todos' ids."""

    store: TodoStore
    overridden: list[int] = field(default_factory=list)
    """Todos whose local edit a server version replaced in this session (restorable)."""
    kept: list[int] = field(default_factory=list)
    """Todos the server deleted but that had unsent local changes (sent again next time)."""
    deleted_here: list[int] = field(default_factory=list)
    """Todos deleted here that a slow sync sent back: answered, not brought back; their
    Delete is still to go to the server."""

    def anchors(self) -> Anchors | None:
        local, remote = self.store.meta(_ANCHOR_LOCAL), self.store.meta(_ANCHOR_REMOTE)
        return Anchors(local, remote) if local is not None and remote is not None else None

    def save_anchors(self, anchors: Anchors | None) -> None:
        self.store.set_meta(_ANCHOR_LOCAL, anchors.local if anchors else None)
        self.store.set_meta(_ANCHOR_REMOTE, anchors.remote if anchors else None)

    def unconfirmed_anchors(self) -> Anchors | None:
        local = self.store.meta(_UNCONFIRMED_LOCAL)
        remote = self.store.meta(_UNCONFIRMED_REMOTE)
        return Anchors(local, remote) if local is not None and remote is not None else None

    def save_unconfirmed_anchors(self, anchors: Anchors | None) -> None:
        self.store.set_meta(_UNCONFIRMED_LOCAL, anchors.local if anchors else None)
        self.store.set_meta(_UNCONFIRMED_REMOTE, anchors.remote if anchors else None)

    def nonce(self) -> bytes | None:
        text = self.store.meta(_NONCE)
        try:
            return bytes.fromhex(text) if text else None
        except ValueError:
            return None  # a damaged value costs one refused try, nothing more

    def save_nonce(self, nonce: bytes | None) -> None:
        self.store.set_meta(_NONCE, nonce.hex() if nonce else None)

    def local_changes(self) -> list[LocalChange]:
        return [
            LocalChange(_KINDS[c.kind], str(c.todo_id), c.data, ICALENDAR, c.seq)
            for c in self.store.pending_changes()
        ]

    def local_items(self) -> list[LocalChange]:
        return [
            LocalChange(WireKind.REPLACE, str(c.todo_id), c.data, ICALENDAR, c.seq)
            for c in self.store.all_items()
        ]

    def confirm(self, luid: str, version: int) -> None:
        todo_id = _todo_id(luid)
        if todo_id is not None:
            self.store.confirm(todo_id, version)

    def luid_for(self, guid: str) -> str | None:
        todo_id = self.store.server_id_todo(guid)
        return str(todo_id) if todo_id is not None else None

    def add(self, guid: str, data: str, content_type: str) -> str:
        result = self.store.apply_remote(_icalendar(data, content_type), guid=guid)
        if result.deleted_here:
            self.deleted_here.append(result.todo_id)
        self._note(result.todo_id, result.overridden)
        return str(result.todo_id)

    def replace(self, luid: str, data: str, content_type: str) -> bool:
        todo_id = _todo_id(luid)
        if todo_id is None or not self.store.exists(todo_id):
            return False
        result = self.store.apply_remote(_icalendar(data, content_type), todo_id)
        self._note(result.todo_id, result.overridden)
        return True

    def delete(self, luid: str) -> bool:
        todo_id = _todo_id(luid)
        if todo_id is None:
            return False
        outcome = self.store.apply_remote_delete(todo_id)
        if outcome is RemoteDelete.KEPT:
            self.kept.append(todo_id)
        return outcome is not RemoteDelete.MISSING

    def clear(self) -> None:
        self.store.clear()

    def _note(self, todo_id: int, overridden: bool) -> None:
        if overridden and todo_id not in self.overridden:
            self.overridden.append(todo_id)


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync did: the engine's summary and what the store kept for the user."""

    done: SyncDone
    overridden: tuple[int, ...]
    kept: tuple[int, ...]
    deletes_sent_after: SyncDone | None = None
    """When a slow sync sent back todos deleted here: the two-way session right after it
    that told the server (the deletes count in its ``sent``)."""


async def sync_store(
    store: TodoStore,
    config: ClientConfig,
    *,
    mode: AlertCode = AlertCode.TWO_WAY,
    client: httpx.AsyncClient | None = None,
) -> SyncReport:
    """One whole session of ``store`` with the server of ``config``.

    Raises the transport's :class:`~todo.sync_transport.ServerError` subclasses (each names
    what is wrong and what to do). A session cut short leaves the store consistent: the
    next sync goes on from there.
    """
    backend = StoreBackend(store)
    done = await sync_transport.sync(
        config, backend, mode=mode, client=client, per_message=store.transaction
    )
    after = None
    if backend.deleted_here:
        # A slow sync sends everything, so it cannot carry a delete: the server brought the
        # todos back, we answered and mapped them, and now tell it they are gone, at once
        # rather than at the user's next sync (other devices would get them meanwhile).
        follow = StoreBackend(store)
        after = await sync_transport.sync(
            config, follow, mode=AlertCode.TWO_WAY, client=client,
            per_message=store.transaction)
        backend.overridden += [i for i in follow.overridden if i not in backend.overridden]
        backend.kept += follow.kept
    return SyncReport(done, tuple(backend.overridden), tuple(backend.kept), after)
