"""What the server session needs from its host: storage of items, mappings and sessions.

The engine stays free of I/O by calling these protocols; the bundled server implements
them on its SQL store (one transaction per SyncML message), tests implement them in
memory. Calls are synchronous: the host runs a whole message in a worker thread.

Clear-text passwords (syncml:auth-basic) are not checked through this protocol: their
verification is slow by design (argon2), so the host does it before the message's write
transaction, when :attr:`syncml.server.Incoming.password_check` asks for it, and passes
the answer to :meth:`syncml.server.SyncServer.receive`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as the server keeps it."""

    guid: str
    data: str
    content_type: str
    rev: int
    modified: float  # seconds since the epoch, UTC


@dataclass(frozen=True, slots=True)
class Mapping:
    """A device's LUID for a server item, and the item revision the device last had.

    ``luid`` is None between a server Add the device acknowledged and its Map.
    """

    guid: str
    luid: str | None
    synced_rev: int


class ChangeKind(Enum):
    """What the server must send a device for one item."""

    ADD = "Add"
    REPLACE = "Replace"
    DELETE = "Delete"


@dataclass(frozen=True, slots=True)
class Change:
    """One pending server-side change for a device."""

    kind: ChangeKind
    guid: str
    luid: str | None = None


class MergeOutcome(Enum):
    """Which version a conflict resolution produced."""

    SERVER = "server"
    CLIENT = "client"
    MERGED = "merged"


@dataclass(frozen=True, slots=True)
class Merge:
    """The result of resolving a conflict."""

    data: str
    outcome: MergeOutcome


class ContentHandler(Protocol):
    """Knows the item format of a datastore (for tasks: iCalendar / vCalendar)."""

    storage_type: str
    supported_types: tuple[str, ...]

    def uid_of(self, data: str) -> str | None:
        """The item's identity across devices (iCalendar UID), if it has one."""

    def to_storage(self, data: str, content_type: str) -> str:
        """Incoming data in ``content_type`` → the storage format. Raises ValueError if bad."""

    def from_storage(self, data: str, content_type: str) -> str:
        """Stored data → ``content_type`` for a device."""

    def same(self, a: str, b: str) -> bool:
        """True when two stored items carry the same content (volatile stamps ignored)."""

    def merge(self, base: str | None, server: StoredItem, client: str) -> Merge:
        """Resolve a conflict between the server's and a client's version of an item."""


class Datastore(Protocol):
    """One user's datastore as seen by one device (mappings are per device)."""

    def saved_anchor(self) -> tuple[str, str] | None:
        """(client Next, server Next) saved at the end of the last completed sync."""

    def save_anchor(self, client_next: str, server_next: str) -> None:
        """Remember the anchors of a sync that completed."""

    def forget_anchor(self) -> None:
        """Drop the anchors so the next sync must be slow."""

    def mapping(self, luid: str) -> Mapping | None:
        """The mapping of a device LUID."""

    def mapping_for_guid(self, guid: str) -> Mapping | None:
        """The device's mapping of a server item."""

    def set_mapping(self, guid: str, luid: str | None, synced_rev: int) -> None:
        """Create or update the device's mapping of ``guid`` (one LUID per GUID and back)."""

    def remove_mapping(self, guid: str) -> None:
        """Forget the device's mapping of ``guid``."""

    def clear_mappings(self) -> None:
        """Forget all of the device's mappings (refresh from server)."""

    def mapped_guids(self) -> set[str]:
        """GUIDs the device has a mapping for."""

    def unsettled_guids(self) -> set[str]:
        """GUIDs mapped to one of the device's LUIDs by a session that has not completed
        since (made or changed after the device's last completed sync)."""

    def settle_mappings(self) -> None:
        """A sync of the device completed: every mapping it has now is settled."""

    def get(self, guid: str) -> StoredItem | None:
        """The current version of an item."""

    def base(self, guid: str, rev: int) -> str | None:
        """The item as it was at ``rev`` (for three-way merges), if still known."""

    def find_uid(self, uid: str) -> StoredItem | None:
        """The item with this UID, if any."""

    def add(self, data: str, uid: str | None) -> StoredItem:
        """Store a new item; may raise :class:`~syncml.errors.ItemRefused` instead."""

    def update(self, guid: str, data: str, uid: str | None) -> StoredItem:
        """Store a new version of an item; may raise :class:`~syncml.errors.ItemRefused`."""

    def delete(self, guid: str) -> None:
        """Delete an item (other devices' mappings make them receive a Delete)."""

    def all_guids(self) -> list[str]:
        """Every item of the datastore."""

    def pending_changes(self) -> list[Change]:
        """What the device lacks: unmapped items, newer revisions, mapped deleted items.

        An item whose Add the device confirmed but never mapped (the session ended before
        the Map) is an Add again: the device knows it by our ID, so it updates its copy
        and maps it, instead of waiting for a slow sync that would pair them."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user."""

    username: str


class ServerBackend(Protocol):
    """Users, devices, nonces, sessions and datastores of the server."""

    def md5_secret(self, username: str) -> tuple[Principal, bytes] | None:
        """The user's b64(md5(user:password)) for syncml:auth-md5, if the user exists."""

    def refusal(self, principal: Principal) -> str | None:
        """Why a user whose credentials were right may not sync (an administrator disabled
        the account), or None. The engine answers 403 then, never before the credentials
        were checked, so a guesser learns nothing of the account."""

    def nonce(self, username: str, device_id: str) -> bytes | None:
        """The nonce last issued to this user on this device."""

    def set_nonce(self, username: str, device_id: str, nonce: bytes) -> None:
        """Remember the nonce issued to a user on a device for their next md5 digest.

        Keyed by both (``username`` as the client claimed it, case-folded by the engine;
        empty when the message named nobody), so that two accounts on one device, or a
        stranger posting under someone's device ID, never rotate another's nonce."""

    def device_contact(self, principal: Principal, device_id: str,
                       devinf: dict[str, Any] | None) -> None:
        """Register or touch a device; ``devinf`` when the device sent its DevInf."""

    def device_info(self, principal: Principal, device_id: str) -> dict[str, Any] | None:
        """The DevInf a device sent in an earlier session (as stored by device_contact)."""

    def open_datastore(self, principal: Principal, device_id: str, name: str) -> Datastore | None:
        """The datastore ``name`` (canonical) of the user, seen from the device."""

    def load_session(self, key: str) -> dict[str, Any] | None:
        """A saved session state."""

    def save_session(self, key: str, state: dict[str, Any], reply: bytes,
                     content_type: str) -> None:
        """Save a session state with the reply to its last message (for resends)."""

    def load_reply(self, key: str) -> tuple[bytes, str] | None:
        """The reply saved with the session's last message."""

    def delete_session(self, key: str) -> None:
        """Drop a finished or abandoned session."""
