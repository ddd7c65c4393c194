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
from tests.server.api_peer import app_client, database_of, hash_passwords_cheaply
from tests.server.app_peer import AppOverHttp
from tests.syncml.peer import Peer, add, delete, vtodo
from todo.task import PartStat, Status
from todo.task_format import parse_task

PASSWORDS = {"alice": "alice-secret", "frank": "frank-secret", "bob": "bob-secret"}
ORGANIZER = "ORGANIZER;CN=Alice Example:mailto:alice@example.org\r\n"


def delegated(uid: str, summary: str, attendee: str = "mailto:frank@example.org",
              partstat: str = "NEEDS-ACTION", extra: str = "") -> str:
    return vtodo(uid, summary, ORGANIZER
                 + f"ATTENDEE;CN=Frank Adams;PARTSTAT={partstat}:{attendee}\r\n" + extra)


async def report_in_franks_todos(alice: Peer, frank: Peer, extra: str = "") -> str:
    """Alice delegates "Report" (UID t-1) to Frank and Frank's device syncs: its LUID there."""
    await asyncio.to_thread(alice.sync, 200, [add("A1", delegated("t-1", "Report", extra=extra))])
    await asyncio.to_thread(frank.sync, 200)
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


def device(client: httpx.AsyncClient, user: str, device_id: str) -> Peer:
    return Peer(AppOverHttp(client), device_id=device_id, user=user,  # type: ignore[arg-type]
                password=PASSWORDS[user])


def stored(database: Database, user: str) -> list[str]:
    rows = database.query(
        "SELECT i.data FROM items i JOIN users u ON u.id = i.user_id WHERE u.name = ? "
        "ORDER BY i.id", (user,))
    return [row["data"] for row in rows]


def user_id(database: Database, name: str) -> int:
    return int(database.query("SELECT id FROM users WHERE name = ?", (name,))[0]["id"])


def item_statuses(peer: Peer) -> list[int]:
    return [s.code for e in peer.log[-3:] for s in e.statuses() if s.cmd in ("Add", "Replace")]


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> Peer:
    laptop = device(client, "alice", "alice-laptop")
    await asyncio.to_thread(laptop.sync, 201)
    return laptop


@pytest.fixture
async def frank(client: httpx.AsyncClient) -> Peer:
    phone = device(client, "frank", "frank-phone")
    await asyncio.to_thread(phone.sync, 201)
    return phone


async def test_a_delegated_task_reaches_the_assignees_todos(
    database: Database, alice: Peer, frank: Peer
) -> None:
    await asyncio.to_thread(alice.sync, 200, [add("A1", delegated("t-1", "Latest defect count"))])

    [copy] = stored(database, "frank")
    assert parse_task(copy).summary == "Latest defect count"
    await asyncio.to_thread(frank.sync, 200)
    [received] = frank.items.values()
    task = parse_task(received)
    assert task.organizer is not None and task.organizer.email == "alice@example.org"
    assert [(a.email, a.partstat) for a in task.assignees] == [
        ("frank@example.org", PartStat.NEEDS_ACTION)]


async def test_a_new_assignee_starts_at_needs_action_whatever_the_organizer_wrote(
    database: Database, alice: Peer
) -> None:
    await asyncio.to_thread(alice.sync, 200, [
        add("A1", delegated("t-1", "Report", partstat="ACCEPTED"))])

    [copy] = stored(database, "frank")
    assert parse_task(copy).assignees[0].partstat is PartStat.NEEDS_ACTION


async def test_the_assignee_hears_who_delegated_what(
    database: Database, alice: Peer, frank: Peer
) -> None:
    events = PushEventStore(database)
    before = events.latest_seq()

    await asyncio.to_thread(alice.sync, 200, [add("A1", delegated("t-1", "Latest defect count"))])

    franks = events.events_after(user_id(database, "frank"), before)
    assert [(e.kind, e.detail["by"], e.detail["summary"]) for e in franks] == [
        ("delegated", "Alice Example", "Latest defect count")]
    alices = events.events_after(user_id(database, "alice"), before)
    assert [e.kind for e in alices] == ["changed"]  # for her other devices
    assert alices[0].origin_pk is not None


async def test_an_assignee_named_by_user_name_gets_the_task(
    database: Database, alice: Peer
) -> None:
    await asyncio.to_thread(alice.sync, 200, [add("A1", delegated("t-1", "Call", "frank"))])

    assert [parse_task(d).summary for d in stored(database, "frank")] == ["Call"]


async def test_acceptance_flows_back_to_the_organizer(
    database: Database, alice: Peer, frank: Peer
) -> None:
    luid = await report_in_franks_todos(alice, frank)

    await asyncio.to_thread(frank.sync, 200, [
        add(luid, delegated("t-1", "Report", partstat="ACCEPTED"), "Replace")])

    [original] = stored(database, "alice")
    assert parse_task(original).assignees[0].partstat is PartStat.ACCEPTED
    await asyncio.to_thread(alice.sync, 200)
    assert parse_task(alice.items["A1"]).assignees[0].partstat is PartStat.ACCEPTED


async def test_completion_flows_back_to_the_organizer(
    database: Database, alice: Peer, frank: Peer
) -> None:
    luid = await report_in_franks_todos(alice, frank)
    done = delegated("t-1", "Report", extra="STATUS:COMPLETED\r\nCOMPLETED:20261202T150000Z\r\n"
                     "PERCENT-COMPLETE:100\r\n")
    events = PushEventStore(database)
    before = events.latest_seq()

    await asyncio.to_thread(frank.sync, 200, [add(luid, done, "Replace")])

    await asyncio.to_thread(alice.sync, 200)
    task = parse_task(alice.items["A1"])
    assert task.is_completed
    assert task.assignees[0].partstat is PartStat.COMPLETED
    [answer] = [e for e in events.events_after(user_id(database, "alice"), before)]
    assert (answer.kind, answer.detail["by"], answer.detail["partstat"]) == (
        "answered", "Frank Adams", "COMPLETED")


async def test_an_answer_without_status_keeps_the_organizers_status(
    database: Database, alice: Peer, frank: Peer
) -> None:
    luid = await report_in_franks_todos(alice, frank, extra="STATUS:IN-PROCESS\r\n")

    # Frank's client writes its own copy without STATUS, accepting the task.
    await asyncio.to_thread(frank.sync, 200, [
        add(luid, delegated("t-1", "Report", partstat="ACCEPTED"), "Replace")])

    [original] = stored(database, "alice")
    task = parse_task(original)
    assert task.status is Status.IN_PROCESS
    assert task.assignees[0].partstat is PartStat.ACCEPTED


async def test_the_organizers_changes_keep_the_assignees_answer(
    database: Database, alice: Peer, frank: Peer
) -> None:
    luid = await report_in_franks_todos(alice, frank)
    await asyncio.to_thread(frank.sync, 200, [
        add(luid, delegated("t-1", "Report", partstat="IN-PROCESS"), "Replace")])

    # Alice's laptop has not synced since: its copy still says NEEDS-ACTION.
    await asyncio.to_thread(alice.sync, 200, [
        add("A1", delegated("t-1", "Report by Friday"), "Replace")])

    await asyncio.to_thread(frank.sync, 200)
    task = parse_task(frank.items[luid])
    assert task.summary == "Report by Friday"
    assert task.assignees[0].partstat is PartStat.IN_PROCESS


async def test_an_assignee_outside_the_server_is_refused_with_a_status(
    database: Database, alice: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "traveler.delegation")

    await asyncio.to_thread(alice.sync, 200, [
        add("A1", delegated("t-1", "Outside", "mailto:someone@elsewhere.example"))])

    assert item_statuses(alice) == [403]
    assert stored(database, "alice") == []
    assert "'mailto:someone@elsewhere.example'" not in caplog.text  # the address, not the URI
    assert "someone@elsewhere.example" in caplog.text
    assert "is not a user of this server" in caplog.text


async def test_other_tasks_of_the_same_message_are_stored(
    database: Database, alice: Peer
) -> None:
    await asyncio.to_thread(alice.sync, 200, [
        add("A1", delegated("t-1", "Outside", "mailto:someone@elsewhere.example")),
        add("A2", vtodo("t-2", "Plain task")),
    ])

    assert item_statuses(alice) == [403, 201]
    assert [parse_task(d).summary for d in stored(database, "alice")] == ["Plain task"]


async def test_removing_the_assignee_cancels_their_copy(
    database: Database, alice: Peer, frank: Peer
) -> None:
    await asyncio.to_thread(alice.sync, 200, [add("A1", delegated("t-1", "Report"))])

    await asyncio.to_thread(alice.sync, 200, [
        add("A1", vtodo("t-1", "Report", ORGANIZER), "Replace")])

    await asyncio.to_thread(frank.sync, 200)
    [copy] = frank.items.values()
    assert parse_task(copy).status is Status.CANCELLED


async def test_deleting_the_task_cancels_the_assignees_copy(
    database: Database, alice: Peer, frank: Peer
) -> None:
    await asyncio.to_thread(alice.sync, 200, [add("A1", delegated("t-1", "Report"))])

    await asyncio.to_thread(alice.sync, 200, [delete("A1")])

    [copy] = stored(database, "frank")
    assert parse_task(copy).status is Status.CANCELLED


async def test_an_assignee_deleting_their_copy_declines(
    database: Database, alice: Peer, frank: Peer
) -> None:
    luid = await report_in_franks_todos(alice, frank)

    await asyncio.to_thread(frank.sync, 200, [delete(luid)])

    [original] = stored(database, "alice")
    assert parse_task(original).assignees[0].partstat is PartStat.DECLINED


async def test_nobody_answers_for_a_task_that_was_not_delegated_to_them(
    database: Database, alice: Peer, client: httpx.AsyncClient
) -> None:
    await asyncio.to_thread(alice.sync, 200, [add("A1", delegated("t-1", "Report"))])
    bob = device(client, "bob", "bob-phone")
    await asyncio.to_thread(bob.sync, 201)
    # Bob claims to be the assignee of Alice's task and completes it.
    forged = vtodo("t-1", "Report", ORGANIZER
                   + "ATTENDEE;PARTSTAT=COMPLETED:mailto:bob@example.org\r\n"
                   + "STATUS:COMPLETED\r\n")

    await asyncio.to_thread(bob.sync, 200, [add("B1", forged)])

    [original] = stored(database, "alice")
    task = parse_task(original)
    assert not task.is_completed
    assert [a.email for a in task.assignees] == ["frank@example.org"]


async def test_a_uid_the_assignee_already_uses_for_their_own_task_is_refused(
    database: Database, alice: Peer, frank: Peer
) -> None:
    await asyncio.to_thread(frank.sync, 200, [add("F1", vtodo("t-1", "Frank's own"))])

    await asyncio.to_thread(alice.sync, 200, [add("A1", delegated("t-1", "Report"))])

    assert item_statuses(alice) == [418]
    assert [parse_task(d).summary for d in stored(database, "frank")] == ["Frank's own"]
