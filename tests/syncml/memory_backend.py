"""An in-memory ServerBackend for unit tests of the server session (no database)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from syncml import auth
from syncml.server.backend import (
    Change,
    ChangeKind,
    Mapping,
    Merge,
    MergeOutcome,
    Principal,
    StoredItem,
)

_UID = re.compile(r"^UID:(.*)$", re.M)


class LineContent:
    """A content handler for plain iCalendar-ish text: UID from the UID line, no conversion."""

    storage_type = "text/calendar"
    supported_types = ("text/calendar", "text/x-vcalendar")

    def uid_of(self, data: str) -> str | None:
        match = _UID.search(data)
        return match.group(1).strip() if match else None

    def to_storage(self, data: str, content_type: str) -> str:
        if "BEGIN:" not in data:
            raise ValueError("not a calendar item")
        return data

    def from_storage(self, data: str, content_type: str) -> str:
        return data

    def same(self, a: str, b: str) -> bool:
        return a == b

    def merge(self, base: str | None, server: StoredItem, client: str) -> Merge:
        return Merge(client, MergeOutcome.CLIENT)


@dataclass
class _User:
    password: str


@dataclass
class MemoryWorld:
    """Everything the backend stores, shared by all sessions of a test."""

    users: dict[str, _User] = field(default_factory=dict)
    nonces: dict[tuple[str, str], bytes] = field(default_factory=dict)
    devices: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    sessions: dict[str, tuple[dict[str, Any], bytes, str]] = field(default_factory=dict)
    # store → guid → item; the store of the "tasks" datastore is the user name, that of
    # another datastore "user/name" (see store_key)
    items: dict[str, dict[str, StoredItem]] = field(default_factory=dict)
    history: dict[tuple[str, str, int], str] = field(default_factory=dict)
    # (user, device, datastore) → guid → mapping / saved anchors
    mappings: dict[tuple[str, str, str], dict[str, Mapping]] = field(default_factory=dict)
    anchors: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    # (user, device, datastore) → guids mapped since that device's last completed sync
    unsettled: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    rev: int = 0
    next_guid: int = 0


def store_key(user: str, datastore: str) -> str:
    """Key of a user's datastore in ``MemoryWorld.items``."""
    return user if datastore == "tasks" else f"{user}/{datastore}"


class MemoryDatastore:
    def __init__(self, world: MemoryWorld, user: str, device: str, name: str = "tasks") -> None:
        self.w = world
        self.user = store_key(user, name)
        self.key = (user, device, name)
        self.items = world.items.setdefault(self.user, {})
        self.maps = world.mappings.setdefault(self.key, {})
        self.unsettled = world.unsettled.setdefault(self.key, set())

    def saved_anchor(self) -> tuple[str, str] | None:
        return self.w.anchors.get(self.key)

    def save_anchor(self, client_next: str, server_next: str) -> None:
        self.w.anchors[self.key] = (client_next, server_next)

    def forget_anchor(self) -> None:
        self.w.anchors.pop(self.key, None)

    def mapping(self, luid: str) -> Mapping | None:
        return next((m for m in self.maps.values() if m.luid == luid), None)

    def mapping_for_guid(self, guid: str) -> Mapping | None:
        return self.maps.get(guid)

    def set_mapping(self, guid: str, luid: str | None, synced_rev: int) -> None:
        if luid is not None:
            for other in [m for m in self.maps.values() if m.luid == luid and m.guid != guid]:
                del self.maps[other.guid]
                self.unsettled.discard(other.guid)
        self.maps[guid] = Mapping(guid, luid, synced_rev)
        self.unsettled.add(guid)

    def unsettled_guids(self) -> set[str]:
        return {g for g in self.unsettled if g in self.maps and self.maps[g].luid is not None}

    def settle_mappings(self) -> None:
        self.unsettled.clear()

    def remove_mapping(self, guid: str) -> None:
        self.maps.pop(guid, None)

    def clear_mappings(self) -> None:
        self.maps.clear()

    def mapped_guids(self) -> set[str]:
        return set(self.maps)

    def get(self, guid: str) -> StoredItem | None:
        return self.items.get(guid)

    def base(self, guid: str, rev: int) -> str | None:
        return self.w.history.get((self.user, guid, rev))

    def find_uid(self, uid: str) -> StoredItem | None:
        return next((i for i in self.items.values() if LineContent().uid_of(i.data) == uid), None)

    def _new_rev(self) -> int:
        self.w.rev += 1
        return self.w.rev

    def add(self, data: str, uid: str | None) -> StoredItem:
        self.w.next_guid += 1
        item = StoredItem(str(self.w.next_guid), data, "text/calendar", self._new_rev(), 0.0)
        self.items[item.guid] = item
        self.w.history[(self.user, item.guid, item.rev)] = data
        return item

    def update(self, guid: str, data: str, uid: str | None) -> StoredItem:
        item = StoredItem(guid, data, "text/calendar", self._new_rev(), 0.0)
        self.items[guid] = item
        self.w.history[(self.user, guid, item.rev)] = data
        return item

    def delete(self, guid: str) -> None:
        self.items.pop(guid, None)

    def all_guids(self) -> list[str]:
        return list(self.items)

    def pending_changes(self) -> list[Change]:
        out = []
        for guid, item in self.items.items():
            m = self.maps.get(guid)
            if m is None or m.luid is None:
                out.append(Change(ChangeKind.ADD, guid))
            elif item.rev > m.synced_rev:
                out.append(Change(ChangeKind.REPLACE, guid, m.luid))
        for guid, m in self.maps.items():
            if guid not in self.items:
                out.append(Change(ChangeKind.DELETE, guid, m.luid))
        return out


class MemoryBackend:
    def __init__(self, world: MemoryWorld | None = None) -> None:
        self.w = world or MemoryWorld()

    def add_user(self, name: str, password: str) -> None:
        self.w.users[name] = _User(password)

    def check_password(self, username: str, password: str) -> Principal | None:
        user = self.w.users.get(username)
        return Principal(username) if user and user.password == password else None

    def refusal(self, principal: Principal) -> str | None:
        return None

    def md5_secret(self, username: str) -> tuple[Principal, bytes] | None:
        user = self.w.users.get(username)
        if user is None:
            return None
        return Principal(username), auth.md5_secret(username, user.password)

    def nonce(self, username: str, device_id: str) -> bytes | None:
        return self.w.nonces.get((username, device_id))

    def set_nonce(self, username: str, device_id: str, nonce: bytes) -> None:
        self.w.nonces[(username, device_id)] = nonce

    def device_contact(
        self, principal: Principal, device_id: str, devinf: dict[str, Any] | None
    ) -> None:
        key = (principal.username, device_id)
        if devinf is not None or key not in self.w.devices:
            self.w.devices[key] = devinf

    def device_info(self, principal: Principal, device_id: str) -> dict[str, Any] | None:
        return self.w.devices.get((principal.username, device_id))

    def open_datastore(self, principal: Principal, device_id: str, name: str) -> MemoryDatastore:
        return MemoryDatastore(self.w, principal.username, device_id, name)

    def load_session(self, key: str) -> dict[str, Any] | None:
        saved = self.w.sessions.get(key)
        return copy.deepcopy(saved[0]) if saved else None

    def save_session(
        self, key: str, state: dict[str, Any], reply: bytes, content_type: str
    ) -> None:
        self.w.sessions[key] = (copy.deepcopy(state), reply, content_type)

    def load_reply(self, key: str) -> tuple[bytes, str] | None:
        saved = self.w.sessions.get(key)
        return (saved[1], saved[2]) if saved else None

    def delete_session(self, key: str) -> None:
        self.w.sessions.pop(key, None)
