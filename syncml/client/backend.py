"""What the SyncML client needs from its host: the local datastore and its sync state.

The client engine (:class:`syncml.client.SyncClient`) keeps nothing between sessions
itself; everything a later sync needs lives behind this protocol, so a sync cut by a dead
network or a killed process is recovered by the next one:

* a local change stays in :meth:`ClientBackend.local_changes` until the server confirmed
  it (:meth:`~ClientBackend.confirm`), so an unconfirmed change is sent again; the server
  pairs a resent change with what it already has (by LUID), so nothing is duplicated;
* an item the server added is remembered with its server ID (:meth:`~ClientBackend.add`,
  :meth:`~ClientBackend.luid_for`), so when the server sends the same Add again (its
  session was cut before our Map reached it) the client updates that item and maps it
  again instead of adding a twin;
* anchors are saved only when a session completed (:meth:`~ClientBackend.save_anchors`);
  a cut session leaves the old ones, and a mismatch makes the next sync slow. The anchors of
  the session whose last message went out but whose answer never came are kept apart
  (:meth:`~ClientBackend.save_unconfirmed_anchors`): the server may or may not have committed
  that session, and its Alert in the next session tells which (the client then continues with
  the anchors the server has, instead of a slow sync).
* the server's md5 NextNonce is kept as soon as it comes (:meth:`~ClientBackend.save_nonce`).

Calls are synchronous and come between two messages; the host may wrap the processing of
one message in one local transaction. Item data is iCalendar text (``text/calendar``) or
vCalendar (``text/x-vcalendar``) as the ``content_type`` argument says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class ChangeKind(Enum):
    """What happened to a local item since the server last confirmed it."""

    ADD = "Add"
    REPLACE = "Replace"
    DELETE = "Delete"


@dataclass(frozen=True, slots=True)
class LocalChange:
    """One local item to send: its LUID, what happened, its data (None for a delete).

    ``version`` is the backend's own marker of the item's state when it was read (a
    change counter); :meth:`ClientBackend.confirm` gets it back, so a change made while the
    sync ran is not mistaken for the one the server confirmed.
    """

    kind: ChangeKind
    luid: str
    data: str | None = None
    content_type: str = "text/calendar"
    version: int = 0


@dataclass(frozen=True, slots=True)
class Anchors:
    """The anchors of the last completed sync: ours (sent as Next) and the server's."""

    local: str
    remote: str


class ClientBackend(Protocol):
    """One local datastore (e.g. the todo list) and its sync state for one server account."""

    def anchors(self) -> Anchors | None:
        """The anchors saved by the last completed sync; None before the first one."""

    def save_anchors(self, anchors: Anchors | None) -> None:
        """Save the anchors of a completed sync; None forgets them (the next sync is slow)."""

    def unconfirmed_anchors(self) -> Anchors | None:
        """The anchors of a session that sent its last message and got no answer, if any."""

    def save_unconfirmed_anchors(self, anchors: Anchors | None) -> None:
        """Keep (or with None forget) the anchors the server commits with our last message."""

    def nonce(self) -> bytes | None:
        """The md5 nonce the server gave last for this account and device; None if none."""

    def save_nonce(self, nonce: bytes | None) -> None:
        """Keep the server's NextNonce: the next session's credentials are digested with it
        (without it, the first try is refused and costs a round trip)."""

    def local_changes(self) -> list[LocalChange]:
        """Every local add, replace and delete the server has not confirmed yet."""

    def local_items(self) -> list[LocalChange]:
        """Every local item (kind REPLACE, with data), for a slow sync or a refresh."""

    def confirm(self, luid: str, version: int) -> None:
        """The server has the change of ``luid`` at ``version``: stop sending it (a later
        change of the item stays pending)."""

    def luid_for(self, guid: str) -> str | None:
        """The local item an earlier server Add with this server ID became, if any."""

    def add(self, guid: str, data: str, content_type: str) -> str:
        """Store an item the server added; remember ``guid`` for it; return its new LUID.
        Raises ValueError when the data cannot be stored (the server gets a 415)."""

    def replace(self, luid: str, data: str, content_type: str) -> bool:
        """Store the server's version of an item; False when there is no such item.
        Raises ValueError when the data cannot be stored. What the server sends is what the
        user sees afterwards; a backend that wants to keep an overridden local edit for the
        user to restore keeps it on its own side."""

    def delete(self, luid: str) -> bool:
        """Delete an item as the server asks; False when there is no such item."""

    def clear(self) -> None:
        """Delete every local item and its server IDs (before a refresh from the server)."""
