"""The SyncML engine's SQL storage: items, revisions, mappings, devices, nonces, sessions."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from server.store import Database, DeviceStore, UserStore
from server.store.sync_store import SqlDatastore, SqlSyncBackend
from syncml.server.backend import Change, ChangeKind, Principal

# Cheap argon2 parameters: the tests check behaviour, not hashing cost.
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
ALICE = Principal("alice")
BOB = Principal("bob")
TIMEOUT = 900.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def vtodo(uid: str, summary: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\n"
        f"UID:{uid}\r\nSUMMARY:{summary}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path) as db:
        yield db


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def backend(database: Database, clock: Clock) -> SqlSyncBackend:
    users = UserStore(database, store_md5_secret=True, hasher=FAST)
    users.add("alice", "alice@example.org", "alice-pw")
    users.add("bob", "bob@example.org", "bob-pw")
    return SqlSyncBackend(database, users=users, devices=DeviceStore(database),
                          session_timeout=TIMEOUT, clock=clock)


@pytest.fixture
def phone(backend: SqlSyncBackend) -> SqlDatastore:
    """Alice's tasks as her phone sees them."""
    return backend.open_datastore(ALICE, "alice-phone", "tasks")


@pytest.fixture
def laptop(backend: SqlSyncBackend) -> SqlDatastore:
    """Alice's tasks as her laptop sees them."""
    return backend.open_datastore(ALICE, "alice-laptop", "tasks")


# --- GUIDs ------------------------------------------------------------------------------------


def test_guids_are_never_reused_after_a_delete(phone: SqlDatastore) -> None:
    first = phone.add(vtodo("u1", "one"), "u1")
    last = phone.add(vtodo("u2", "two"), "u2")
    phone.delete(last.guid)  # the highest GUID: plain ROWID would hand it out again
    phone.delete(first.guid)

    fresh = phone.add(vtodo("u3", "three"), "u3")

    assert int(fresh.guid) > int(last.guid)
    assert phone.get(last.guid) is None
    assert phone.all_guids() == [fresh.guid]


def test_a_device_mapping_a_deleted_item_gets_a_delete_not_another_items_content(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    gone = phone.add(vtodo("u1", "deleted on the laptop"), "u1")
    phone.set_mapping(gone.guid, "L1", gone.rev)
    laptop.delete(gone.guid)
    new = laptop.add(vtodo("u2", "added on the laptop"), "u2")

    changes = phone.pending_changes()

    assert Change(ChangeKind.DELETE, gone.guid, "L1") in changes
    assert Change(ChangeKind.ADD, new.guid) in changes
    assert not [c for c in changes if c.kind is ChangeKind.REPLACE]
    assert new.guid != gone.guid


# --- pending changes --------------------------------------------------------------------------


def test_pending_changes_are_adds_for_items_the_device_has_not_mapped(
    phone: SqlDatastore,
) -> None:
    one = phone.add(vtodo("u1", "one"), "u1")
    two = phone.add(vtodo("u2", "two"), "u2")

    assert phone.pending_changes() == [
        Change(ChangeKind.ADD, one.guid),
        Change(ChangeKind.ADD, two.guid),
    ]


def test_pending_changes_leave_out_items_the_device_has_at_their_revision(
    phone: SqlDatastore,
) -> None:
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, "L1", item.rev)

    assert phone.pending_changes() == []


def test_pending_changes_replace_items_newer_than_the_devices_revision(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, "L1", item.rev)
    laptop.update(item.guid, vtodo("u1", "one, edited"), "u1")

    assert phone.pending_changes() == [Change(ChangeKind.REPLACE, item.guid, "L1")]


def test_pending_changes_send_an_acknowledged_but_unmapped_add_again_as_an_add(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    # An acknowledged server Add whose Map never came has no LUID to address: it goes
    # again as an Add, which the device recognises by our ID (and then maps).
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, None, item.rev)
    laptop.update(item.guid, vtodo("u1", "one, edited"), "u1")

    assert phone.pending_changes() == [Change(ChangeKind.ADD, item.guid)]


def test_pending_changes_delete_mapped_items_that_are_gone(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, "L1", item.rev)
    laptop.delete(item.guid)

    assert phone.pending_changes() == [Change(ChangeKind.DELETE, item.guid, "L1")]
    # Until the device confirms, the Delete stays due.
    assert phone.pending_changes() == [Change(ChangeKind.DELETE, item.guid, "L1")]


def test_pending_changes_silently_drop_gone_items_the_device_never_named(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, None, item.rev)
    laptop.delete(item.guid)

    assert phone.pending_changes() == []
    assert phone.mapping_for_guid(item.guid) is None
    assert phone.mapped_guids() == set()


def test_pending_changes_are_per_device(phone: SqlDatastore, laptop: SqlDatastore) -> None:
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, "L1", item.rev)

    assert phone.pending_changes() == []
    assert laptop.pending_changes() == [Change(ChangeKind.ADD, item.guid)]


# --- revisions and merge bases ----------------------------------------------------------------


def test_every_write_takes_a_new_revision(phone: SqlDatastore, laptop: SqlDatastore) -> None:
    one = phone.add(vtodo("u1", "one"), "u1")
    two = laptop.add(vtodo("u2", "two"), "u2")
    edited = phone.update(one.guid, vtodo("u1", "one, edited"), "u1")

    assert one.rev < two.rev < edited.rev
    current = phone.get(one.guid)
    assert current is not None
    assert (current.rev, current.data) == (edited.rev, vtodo("u1", "one, edited"))


def test_base_returns_the_version_a_devices_mapping_refers_to_after_later_updates(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    v1 = phone.add(vtodo("u1", "version 1"), "u1")
    phone.set_mapping(v1.guid, "P1", v1.rev)
    laptop.set_mapping(v1.guid, "L1", v1.rev)
    v2 = laptop.update(v1.guid, vtodo("u1", "version 2"), "u1")
    laptop.set_mapping(v1.guid, "L1", v2.rev)
    v3 = laptop.update(v1.guid, vtodo("u1", "version 3"), "u1")

    # The phone still has version 1: it is the base of a merge with the phone's edit.
    assert phone.base(v1.guid, v1.rev) == vtodo("u1", "version 1")
    assert laptop.base(v1.guid, v2.rev) == vtodo("u1", "version 2")
    assert phone.base(v1.guid, v3.rev) == vtodo("u1", "version 3")


def test_history_no_device_needs_is_pruned(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    v1 = phone.add(vtodo("u1", "version 1"), "u1")
    phone.set_mapping(v1.guid, "P1", v1.rev)
    laptop.set_mapping(v1.guid, "L1", v1.rev)
    v2 = laptop.update(v1.guid, vtodo("u1", "version 2"), "u1")
    v3 = laptop.update(v1.guid, vtodo("u1", "version 3"), "u1")
    # Both devices catch up with version 3; nobody refers to versions 1 or 2 any more.
    phone.set_mapping(v1.guid, "P1", v3.rev)
    laptop.set_mapping(v1.guid, "L1", v3.rev)

    laptop.update(v1.guid, vtodo("u1", "version 4"), "u1")

    assert phone.base(v1.guid, v1.rev) is None
    # Version 2 was never a device's version, so it was never kept.
    assert phone.base(v1.guid, v2.rev) is None
    # Version 3 is what both devices have: still the base of their next merge.
    assert phone.base(v1.guid, v3.rev) == vtodo("u1", "version 3")


def test_history_is_pruned_once_no_device_maps_the_item(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    v1 = phone.add(vtodo("u1", "version 1"), "u1")
    phone.set_mapping(v1.guid, "P1", v1.rev)
    laptop.update(v1.guid, vtodo("u1", "version 2"), "u1")  # keeps version 1 for the phone
    assert phone.base(v1.guid, v1.rev) == vtodo("u1", "version 1")
    phone.remove_mapping(v1.guid)  # the phone deleted it (or was refreshed): no mapping left

    laptop.update(v1.guid, vtodo("u1", "version 3"), "u1")

    assert phone.base(v1.guid, v1.rev) is None


def test_deleting_an_item_drops_its_history(phone: SqlDatastore, laptop: SqlDatastore) -> None:
    v1 = phone.add(vtodo("u1", "version 1"), "u1")
    phone.set_mapping(v1.guid, "P1", v1.rev)
    laptop.update(v1.guid, vtodo("u1", "version 2"), "u1")

    laptop.delete(v1.guid)

    assert phone.base(v1.guid, v1.rev) is None


# --- mappings ---------------------------------------------------------------------------------


def test_set_mapping_moves_a_luid_away_from_a_stale_pairing(phone: SqlDatastore) -> None:
    old = phone.add(vtodo("u1", "one"), "u1")
    new = phone.add(vtodo("u2", "two"), "u2")
    phone.set_mapping(old.guid, "L1", old.rev)

    phone.set_mapping(new.guid, "L1", new.rev)

    mapping = phone.mapping("L1")
    assert mapping is not None and mapping.guid == new.guid
    assert phone.mapping_for_guid(old.guid) is None
    assert phone.mapped_guids() == {new.guid}


def test_set_mapping_updates_the_revision_of_an_existing_pairing(phone: SqlDatastore) -> None:
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, "L1", 0)
    phone.set_mapping(item.guid, "L1", item.rev)

    mapping = phone.mapping_for_guid(item.guid)
    assert mapping is not None
    assert (mapping.luid, mapping.synced_rev) == ("L1", item.rev)


def test_mappings_are_per_device(phone: SqlDatastore, laptop: SqlDatastore) -> None:
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, "L1", item.rev)

    assert laptop.mapping("L1") is None
    assert laptop.mapping_for_guid(item.guid) is None
    laptop.set_mapping(item.guid, "L1", item.rev)  # the same LUID on another device is fine
    assert phone.mapping("L1") is not None


def test_clear_mappings_forgets_only_this_devices_mappings(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    item = phone.add(vtodo("u1", "one"), "u1")
    phone.set_mapping(item.guid, "P1", item.rev)
    laptop.set_mapping(item.guid, "L1", item.rev)

    phone.clear_mappings()

    assert phone.mapped_guids() == set()
    assert laptop.mapped_guids() == {item.guid}


def test_a_guid_that_is_not_a_number_names_nothing(phone: SqlDatastore) -> None:
    phone.add(vtodo("u1", "one"), "u1")

    assert phone.get("not-a-guid") is None
    assert phone.mapping_for_guid("not-a-guid") is None
    assert phone.base("not-a-guid", 1) is None


# --- users never see each other's items -------------------------------------------------------


@pytest.fixture
def bobs_phone(backend: SqlSyncBackend) -> SqlDatastore:
    """Bob's tasks, on a device that happens to have the same ID as Alice's phone."""
    return backend.open_datastore(BOB, "alice-phone", "tasks")


def test_one_users_datastore_never_sees_another_users_items(
    phone: SqlDatastore, bobs_phone: SqlDatastore
) -> None:
    item = phone.add(vtodo("shared-uid", "alice's task"), "shared-uid")
    phone.set_mapping(item.guid, "L1", item.rev)

    assert bobs_phone.find_uid("shared-uid") is None
    assert bobs_phone.get(item.guid) is None
    assert bobs_phone.all_guids() == []
    assert bobs_phone.pending_changes() == []
    assert bobs_phone.mapping("L1") is None  # same device ID, but another user's device


def test_the_same_uid_makes_separate_items_for_separate_users(
    phone: SqlDatastore, bobs_phone: SqlDatastore
) -> None:
    alices = phone.add(vtodo("shared-uid", "alice's task"), "shared-uid")
    bobs = bobs_phone.add(vtodo("shared-uid", "bob's task"), "shared-uid")

    found_by_alice = phone.find_uid("shared-uid")
    found_by_bob = bobs_phone.find_uid("shared-uid")
    assert found_by_alice is not None and found_by_alice.guid == alices.guid
    assert found_by_bob is not None and found_by_bob.guid == bobs.guid
    assert phone.all_guids() == [alices.guid]
    assert bobs_phone.pending_changes() == [Change(ChangeKind.ADD, bobs.guid)]


def test_deleting_through_another_users_datastore_leaves_the_item(
    phone: SqlDatastore, bobs_phone: SqlDatastore
) -> None:
    item = phone.add(vtodo("u1", "alice's task"), "u1")

    bobs_phone.delete(item.guid)

    assert phone.get(item.guid) is not None


def test_another_users_old_versions_are_not_a_merge_base(
    phone: SqlDatastore, laptop: SqlDatastore, bobs_phone: SqlDatastore
) -> None:
    v1 = phone.add(vtodo("u1", "alice's secret"), "u1")
    phone.set_mapping(v1.guid, "P1", v1.rev)
    laptop.update(v1.guid, vtodo("u1", "alice's edit"), "u1")

    assert bobs_phone.base(v1.guid, v1.rev) is None


def test_updating_through_another_users_datastore_leaves_the_item(
    phone: SqlDatastore, bobs_phone: SqlDatastore
) -> None:
    item = phone.add(vtodo("u1", "alice's task"), "u1")

    with contextlib.suppress(LookupError):  # refusing is as good as ignoring
        bobs_phone.update(item.guid, vtodo("u1", "bob was here"), "u1")

    current = phone.get(item.guid)
    assert current is not None and current.data == vtodo("u1", "alice's task")


# --- anchors ----------------------------------------------------------------------------------


def test_anchors_are_saved_replaced_and_forgotten(
    phone: SqlDatastore, laptop: SqlDatastore
) -> None:
    assert phone.saved_anchor() is None

    phone.save_anchor("client-1", "server-1")
    phone.save_anchor("client-2", "server-2")
    laptop.save_anchor("laptop-1", "server-x")

    assert phone.saved_anchor() == ("client-2", "server-2")
    phone.forget_anchor()
    assert phone.saved_anchor() is None
    assert laptop.saved_anchor() == ("laptop-1", "server-x")


def test_anchors_are_per_datastore(backend: SqlSyncBackend, phone: SqlDatastore) -> None:
    notes = backend.open_datastore(ALICE, "alice-phone", "notes")
    phone.save_anchor("c", "s")

    assert notes.saved_anchor() is None


# --- devices ----------------------------------------------------------------------------------

DEVINF = {
    "man": "Patrick Ohly",
    "mod": "SyncEvolution",
    "sw_v": "3.4.0.47",
    "dev_type": "workstation",
    "large_objects": True,
    "datastores": [{"source_ref": "./todo", "rx_pref": "text/calendar", "rx": [],
                    "tx_pref": "text/calendar"}],
}


def test_device_contact_registers_the_device_and_stores_its_devinf(
    database: Database, backend: SqlSyncBackend
) -> None:
    backend.device_contact(ALICE, "phone-1", DEVINF)

    [device] = DeviceStore(database).list("alice")
    assert device.device_id == "phone-1"
    assert (device.manufacturer, device.model, device.software_version, device.device_type) == (
        "Patrick Ohly", "SyncEvolution", "3.4.0.47", "workstation"
    )
    assert backend.device_info(ALICE, "phone-1") == DEVINF


def test_a_contact_without_devinf_keeps_the_stored_devinf(backend: SqlSyncBackend) -> None:
    backend.device_contact(ALICE, "phone-1", DEVINF)
    backend.device_contact(ALICE, "phone-1", None)

    assert backend.device_info(ALICE, "phone-1") == DEVINF


def test_device_info_is_none_until_the_device_sent_its_devinf(backend: SqlSyncBackend) -> None:
    assert backend.device_info(ALICE, "phone-1") is None
    backend.device_contact(ALICE, "phone-1", None)
    assert backend.device_info(ALICE, "phone-1") is None


def test_device_info_is_per_user(backend: SqlSyncBackend) -> None:
    backend.device_contact(ALICE, "phone-1", DEVINF)

    assert backend.device_info(BOB, "phone-1") is None


def test_opening_a_datastore_registers_the_device(
    database: Database, backend: SqlSyncBackend
) -> None:
    backend.open_datastore(BOB, "bob-tablet", "tasks")

    assert [d.device_id for d in DeviceStore(database).list("bob")] == ["bob-tablet"]


# --- users ------------------------------------------------------------------------------------


def test_check_password_accepts_only_the_right_password(backend: SqlSyncBackend) -> None:
    assert backend.check_password("alice", "alice-pw") == ALICE
    assert backend.check_password("alice", "bob-pw") is None
    assert backend.check_password("nobody", "alice-pw") is None


def test_md5_secret_is_known_for_existing_users_only(backend: SqlSyncBackend) -> None:
    found = backend.md5_secret("alice")
    assert found is not None and found[0] == ALICE and found[1]
    assert backend.md5_secret("nobody") is None


# --- nonces -----------------------------------------------------------------------------------


def test_nonces_are_kept_per_user_and_device(backend: SqlSyncBackend) -> None:
    assert backend.nonce("alice", "phone-1") is None

    backend.set_nonce("alice", "phone-1", b"first")
    backend.set_nonce("alice", "phone-2", b"other")
    backend.set_nonce("bob", "phone-1", b"bob's")
    backend.set_nonce("alice", "phone-1", b"second")

    assert backend.nonce("alice", "phone-1") == b"second"
    assert backend.nonce("alice", "phone-2") == b"other"
    assert backend.nonce("bob", "phone-1") == b"bob's"


# --- sessions ---------------------------------------------------------------------------------

STATE = {"key": "s1", "phase": "init", "datastores": [{"name": "tasks", "seen": ["1", "2"]}]}


def test_a_saved_session_loads_with_its_reply(backend: SqlSyncBackend) -> None:
    backend.save_session("s1", STATE, b"\x02\xa4\x01reply", "application/vnd.syncml+wbxml")

    assert backend.load_session("s1") == STATE
    assert backend.load_reply("s1") == (b"\x02\xa4\x01reply", "application/vnd.syncml+wbxml")
    assert backend.load_session("other") is None
    assert backend.load_reply("other") is None


def test_saving_a_session_again_replaces_state_and_reply(backend: SqlSyncBackend) -> None:
    backend.save_session("s1", STATE, b"first", "application/vnd.syncml+xml")
    later = {**STATE, "phase": "map"}
    backend.save_session("s1", later, b"second", "application/vnd.syncml+xml")

    assert backend.load_session("s1") == later
    assert backend.load_reply("s1") == (b"second", "application/vnd.syncml+xml")


def test_a_deleted_session_is_gone(backend: SqlSyncBackend) -> None:
    backend.save_session("s1", STATE, b"reply", "application/vnd.syncml+xml")

    backend.delete_session("s1")

    assert backend.load_session("s1") is None
    assert backend.load_reply("s1") is None


def test_a_session_idle_up_to_the_timeout_is_still_there(
    backend: SqlSyncBackend, clock: Clock
) -> None:
    backend.save_session("s1", STATE, b"reply", "application/vnd.syncml+xml")
    clock.now += TIMEOUT

    assert backend.load_session("s1") == STATE


def test_a_session_idle_longer_than_the_timeout_is_forgotten(
    backend: SqlSyncBackend, clock: Clock
) -> None:
    backend.save_session("s1", STATE, b"reply", "application/vnd.syncml+xml")
    clock.now += TIMEOUT + 1

    assert backend.load_session("s1") is None
    # Forgotten for good: turning the clock back does not revive it.
    clock.now -= TIMEOUT + 1
    assert backend.load_session("s1") is None
    assert backend.load_reply("s1") is None


def test_each_message_restarts_the_idle_timeout(backend: SqlSyncBackend, clock: Clock) -> None:
    backend.save_session("s1", STATE, b"1", "application/vnd.syncml+xml")
    clock.now += TIMEOUT - 10
    backend.save_session("s1", STATE, b"2", "application/vnd.syncml+xml")
    clock.now += TIMEOUT - 10

    assert backend.load_session("s1") == STATE


def test_purge_sessions_drops_only_idle_sessions(backend: SqlSyncBackend, clock: Clock) -> None:
    backend.save_session("old-1", STATE, b"r", "application/vnd.syncml+xml")
    backend.save_session("old-2", STATE, b"r", "application/vnd.syncml+xml")
    clock.now += TIMEOUT + 1
    backend.save_session("fresh", STATE, b"r", "application/vnd.syncml+xml")

    assert backend.purge_sessions() == 2

    assert backend.load_reply("old-1") is None and backend.load_reply("old-2") is None
    assert backend.load_session("fresh") == STATE
    assert backend.purge_sessions() == 0
