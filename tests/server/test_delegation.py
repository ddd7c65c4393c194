"""Delegating tasks between users of one server, through the real HTTP edge, sync service and
store: the organizer's sync places the task in the assignee's todos, the assignee's answers
flow back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from server.store import Database
from server.store.push_events import PushEventStore
from syncml.codes import AlertCode
from tests.server.api_peer import app_client, database_of, hash_passwords_cheaply
from tests.server.app_peer import AppOverHttp
from tests.syncml.device import Device
from tests.syncml.items import vtodo
from todo.task import PartStat, Status
from todo.task_format import parse_task

PASSWORDS = {"alice": "alice-secret", "frank": "frank-secret", "bob": "bob-secret"}
ORGANIZER = "ORGANIZER;CN=Alice Example:mailto:alice@example.org\r\n"


def delegated(uid: str, summary: str, attendee: str = "mailto:frank@example.org",
              partstat: str = "NEEDS-ACTION", extra: str = "") -> str:
    return vtodo(uid, summary, ORGANIZER
                 + f"ATTENDEE;CN=Frank Adams;PARTSTAT={partstat}:{attendee}\r\n" + extra)


async def run(device: Device, mode: int = AlertCode.TWO_WAY) -> None:
    """One session of the device's real client (in a worker thread: it posts to the app on
    the test's loop)."""
    await asyncio.to_thread(device.sync, mode)


async def report_in_franks_todos(alice: Device, frank: Device, extra: str = "") -> str:
    """Alice delegates "Report" (UID t-1) to Frank and Frank's device syncs: its LUID there."""
    alice.create(delegated("t-1", "Report", extra=extra))
    await run(alice)
    await run(frank)
    [luid] = frank.items
    return luid


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hash_passwords_cheaply(monkeypatch)


USERS = [
    ("alice", "alice@example.org", PASSWORDS["alice"], "Alice Example"),
    ("frank", "Frank@Example.org", PASSWORDS["frank"], "Frank Adams"),
    ("bob", "bob@example.org", PASSWORDS["bob"]),
]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with database_of(tmp_path, USERS, store_md5_secret=True) as db:
        yield db


@pytest.fixture
async def client(tmp_path: Path, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(tmp_path, database) as c:
        yield c


def device(client: httpx.AsyncClient, user: str, device_id: str) -> Device:
    return Device(AppOverHttp(client), device_id=device_id, user=user, password=PASSWORDS[user])


def stored(database: Database, user: str) -> list[str]:
    rows = database.query(
        "SELECT i.data FROM items i JOIN users u ON u.id = i.user_id WHERE u.name = ? "
        "ORDER BY i.id", (user,))
    return [row["data"] for row in rows]


def user_id(database: Database, name: str) -> int:
    return int(database.query("SELECT id FROM users WHERE name = ?", (name,))[0]["id"])


def item_statuses(peer: Device) -> list[int]:
    """The server's statuses for the items the last session sent."""
    return [s.code for e in peer.log[-3:] for s in e.statuses() if s.cmd in ("Add", "Replace")]


def only_luid(peer: Device) -> str:
    [luid] = peer.items
    return luid


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> Device:
    laptop = device(client, "alice", "alice-laptop")
    await run(laptop, AlertCode.SLOW_SYNC)
    return laptop


@pytest.fixture
async def frank(client: httpx.AsyncClient) -> Device:
    phone = device(client, "frank", "frank-phone")
    await run(phone, AlertCode.SLOW_SYNC)
    return phone


async def test_a_delegated_task_reaches_the_assignees_todos(
    database: Database, alice: Device, frank: Device
) -> None:
    alice.create(delegated("t-1", "Latest defect count"))
    await run(alice)

    [copy] = stored(database, "frank")
    assert parse_task(copy).summary == "Latest defect count"
    await run(frank)
    [received] = frank.items.values()
    task = parse_task(received)
    assert task.organizer is not None and task.organizer.email == "alice@example.org"
    assert [(a.email, a.partstat) for a in task.assignees] == [
        ("frank@example.org", PartStat.NEEDS_ACTION)]


async def test_a_new_assignee_starts_at_needs_action_whatever_the_organizer_wrote(
    database: Database, alice: Device
) -> None:
    alice.create(delegated("t-1", "Report", partstat="ACCEPTED"))
    await run(alice)

    [copy] = stored(database, "frank")
    assert parse_task(copy).assignees[0].partstat is PartStat.NEEDS_ACTION


async def test_the_assignee_hears_who_delegated_what(
    database: Database, alice: Device, frank: Device
) -> None:
    events = PushEventStore(database)
    before = events.latest_seq()

    alice.create(delegated("t-1", "Latest defect count"))
    await run(alice)

    franks = events.events_after(user_id(database, "frank"), before)
    assert [(e.kind, e.detail["by"], e.detail["summary"]) for e in franks] == [
        ("delegated", "Alice Example", "Latest defect count")]
    alices = events.events_after(user_id(database, "alice"), before)
    assert [e.kind for e in alices] == ["changed"]  # for her other devices
    assert alices[0].origin_pk is not None


async def test_an_assignee_named_by_user_name_gets_the_task(
    database: Database, alice: Device
) -> None:
    alice.create(delegated("t-1", "Call", "frank"))
    await run(alice)

    assert [parse_task(d).summary for d in stored(database, "frank")] == ["Call"]


async def test_acceptance_flows_back_to_the_organizer(
    database: Database, alice: Device, frank: Device
) -> None:
    luid = await report_in_franks_todos(alice, frank)

    frank.edit(luid, delegated("t-1", "Report", partstat="ACCEPTED"))
    await run(frank)

    [original] = stored(database, "alice")
    assert parse_task(original).assignees[0].partstat is PartStat.ACCEPTED
    await run(alice)
    assert parse_task(alice.items[only_luid(alice)]).assignees[0].partstat is PartStat.ACCEPTED


async def test_completion_flows_back_to_the_organizer(
    database: Database, alice: Device, frank: Device
) -> None:
    luid = await report_in_franks_todos(alice, frank)
    done = delegated("t-1", "Report", extra="STATUS:COMPLETED\r\nCOMPLETED:20261202T150000Z\r\n"
                     "PERCENT-COMPLETE:100\r\n")
    events = PushEventStore(database)
    before = events.latest_seq()

    frank.edit(luid, done)
    await run(frank)

    await run(alice)
    task = parse_task(alice.items[only_luid(alice)])
    assert task.is_completed
    assert task.assignees[0].partstat is PartStat.COMPLETED
    [answer] = [e for e in events.events_after(user_id(database, "alice"), before)]
    assert (answer.kind, answer.detail["by"], answer.detail["partstat"]) == (
        "answered", "Frank Adams", "COMPLETED")


async def test_an_answer_without_status_keeps_the_organizers_status(
    database: Database, alice: Device, frank: Device
) -> None:
    luid = await report_in_franks_todos(alice, frank, extra="STATUS:IN-PROCESS\r\n")

    # Frank's client writes its own copy without STATUS, accepting the task.
    frank.edit(luid, delegated("t-1", "Report", partstat="ACCEPTED"))
    await run(frank)

    [original] = stored(database, "alice")
    task = parse_task(original)
    assert task.status is Status.IN_PROCESS
    assert task.assignees[0].partstat is PartStat.ACCEPTED


async def test_the_organizers_changes_keep_the_assignees_answer(
    database: Database, alice: Device, frank: Device
) -> None:
    luid = await report_in_franks_todos(alice, frank)
    frank.edit(luid, delegated("t-1", "Report", partstat="IN-PROCESS"))
    await run(frank)

    # Alice's laptop has not synced since: its copy still says NEEDS-ACTION.
    alice.edit(only_luid(alice), delegated("t-1", "Report by Friday"))
    await run(alice)

    await run(frank)
    task = parse_task(frank.items[luid])
    assert task.summary == "Report by Friday"
    assert task.assignees[0].partstat is PartStat.IN_PROCESS


async def test_an_assignee_outside_the_server_is_refused_with_a_status(
    database: Database, alice: Device, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "traveler.delegation")

    alice.create(delegated("t-1", "Outside", "mailto:someone@elsewhere.example"))
    await run(alice)

    assert item_statuses(alice) == [403]
    assert stored(database, "alice") == []
    assert "'mailto:someone@elsewhere.example'" not in caplog.text  # the address, not the URI
    assert "someone@elsewhere.example" in caplog.text
    assert "is not a user of this server" in caplog.text


async def test_other_tasks_of_the_same_message_are_stored(
    database: Database, alice: Device
) -> None:
    alice.create(delegated("t-1", "Outside", "mailto:someone@elsewhere.example"))
    alice.create(vtodo("t-2", "Plain task"))
    await run(alice)

    assert item_statuses(alice) == [403, 201]
    assert [parse_task(d).summary for d in stored(database, "alice")] == ["Plain task"]


async def test_removing_the_assignee_cancels_their_copy(
    database: Database, alice: Device, frank: Device
) -> None:
    alice.create(delegated("t-1", "Report"))
    await run(alice)

    alice.edit(only_luid(alice), vtodo("t-1", "Report", ORGANIZER))
    await run(alice)

    await run(frank)
    [copy] = frank.items.values()
    assert parse_task(copy).status is Status.CANCELLED


async def test_deleting_the_task_cancels_the_assignees_copy(
    database: Database, alice: Device, frank: Device
) -> None:
    alice.create(delegated("t-1", "Report"))
    await run(alice)

    alice.remove(only_luid(alice))
    await run(alice)

    [copy] = stored(database, "frank")
    assert parse_task(copy).status is Status.CANCELLED


async def test_an_assignee_deleting_their_copy_declines(
    database: Database, alice: Device, frank: Device
) -> None:
    luid = await report_in_franks_todos(alice, frank)

    frank.remove(luid)
    await run(frank)

    [original] = stored(database, "alice")
    assert parse_task(original).assignees[0].partstat is PartStat.DECLINED


async def test_nobody_answers_for_a_task_that_was_not_delegated_to_them(
    database: Database, alice: Device, client: httpx.AsyncClient
) -> None:
    alice.create(delegated("t-1", "Report"))
    await run(alice)
    bob = device(client, "bob", "bob-phone")
    await run(bob, AlertCode.SLOW_SYNC)
    # Bob claims to be the assignee of Alice's task and completes it.
    forged = vtodo("t-1", "Report", ORGANIZER
                   + "ATTENDEE;PARTSTAT=COMPLETED:mailto:bob@example.org\r\n"
                   + "STATUS:COMPLETED\r\n")

    bob.create(forged)
    await run(bob)

    [original] = stored(database, "alice")
    task = parse_task(original)
    assert not task.is_completed
    assert [a.email for a in task.assignees] == ["frank@example.org"]


async def test_a_uid_the_assignee_already_uses_for_their_own_task_is_refused(
    database: Database, alice: Device, frank: Device
) -> None:
    frank.create(vtodo("t-1", "Frank's own"))
    await run(frank)

    alice.create(delegated("t-1", "Report"))
    await run(alice)

    assert item_statuses(alice) == [418]
    assert [parse_task(d).summary for d in stored(database, "frank")] == ["Frank's own"]
