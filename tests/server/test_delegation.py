"""Delegating tasks between users of one server, through the real HTTP edge, sync service and
store: the organizer's sync places the task in the assignee's todos, the assignee's answers
flow back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from tests.e2e.http_peer import StoreDevice

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


@pytest.fixture
async def bob(client: httpx.AsyncClient) -> Device:
    phone = device(client, "bob", "bob-phone")
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
    database: Database, alice: Device, bob: Device
) -> None:
    alice.create(delegated("t-1", "Report"))
    await run(alice)
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


# --- what the organizer's client wrote survives; several assignees; recurring todos --------


def unfolded(data: str) -> list[str]:
    return data.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def attendee_line(data: str, address: str) -> str:
    [line] = [ln for ln in unfolded(data)
              if ln.startswith("ATTENDEE") and ln.lower().endswith(address.lower())]
    return line


def without_partstat(line: str) -> str:
    head, _, value = line.partition(":mailto:")
    return ";".join(p for p in head.split(";") if not p.startswith("PARTSTAT=")) + ":" + value


def partstat_in(line: str) -> str:
    [value] = [p.split("=", 1)[1] for p in line.split(":")[0].split(";")
               if p.startswith("PARTSTAT=")]
    return value


FRANKS_LINE = ('ATTENDEE;CN=Frank Adams;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;'
               'EMAIL=frank@example.org;DELEGATED-FROM="mailto:carol@example.org";'
               'X-ACME-TEAM=QA;CUTYPE=INDIVIDUAL:mailto:frank@example.org')
BOBS_LINE = ('ATTENDEE;CN="Bob, the builder";PARTSTAT=NEEDS-ACTION;ROLE=OPT-PARTICIPANT;'
             'X-NUM-GUESTS=0;DELEGATED-TO="mailto:bob@example.org":mailto:bob@example.org')
UNKNOWN = ("X-ACME-PROJECT;X-LEVEL=2:Renovation\r\nCOLOR:turquoise\r\n"
           "CONFERENCE;VALUE=URI;FEATURE=AUDIO:tel:+1-555-0100\r\n")


def team_task() -> str:
    return vtodo("team-1", "Defect review", ORGANIZER + FRANKS_LINE + "\r\n" + BOBS_LINE
                 + "\r\n" + UNKNOWN)


def mark(data: str, address: str, partstat: str, extra: str = "") -> str:
    """The assignee's client changes their own PARTSTAT (and adds ``extra`` lines)."""
    lines = []
    for line in unfolded(data):
        if line.startswith("ATTENDEE") and line.lower().endswith(address.lower()):
            line = line.replace(f"PARTSTAT={partstat_in(line)}", f"PARTSTAT={partstat}")
        if line == "END:VTODO" and extra:
            lines.append(extra.rstrip("\r\n"))
        lines.append(line)
    return "\r\n".join(lines)


DONE = "STATUS:COMPLETED\r\nCOMPLETED:20261202T150000Z\r\nPERCENT-COMPLETE:100\r\n"


async def test_every_parameter_and_property_the_organizer_wrote_survives_the_answers(
    database: Database, alice: Device, frank: Device, bob: Device
) -> None:
    alice.create(team_task())
    await run(alice)
    await run(frank)
    await run(bob)

    # Each assignee's copy: every line of the organizer's, the new assignee's PARTSTAT aside.
    for peer, address in ((frank, "frank@example.org"), (bob, "bob@example.org")):
        [copy] = peer.items.values()
        assert partstat_in(attendee_line(copy, address)) == "NEEDS-ACTION"
        assert without_partstat(attendee_line(copy, "frank@example.org")) == without_partstat(
            FRANKS_LINE)
        assert attendee_line(copy, "bob@example.org") == BOBS_LINE
        assert all(line in unfolded(copy) for line in UNKNOWN.split("\r\n") if line)

    # Frank accepts, then completes; Bob is in process: back and forth through the server.
    [luid] = frank.items
    frank.edit(luid, mark(frank.items[luid], "frank@example.org", "ACCEPTED"))
    await run(frank)
    [bob_luid] = bob.items
    bob.edit(bob_luid, mark(bob.items[bob_luid], "bob@example.org", "IN-PROCESS"))
    await run(bob)
    frank.edit(luid, mark(frank.items[luid], "frank@example.org", "COMPLETED", DONE))
    await run(frank)
    await run(alice)
    await run(frank)
    await run(bob)

    [original] = alice.items.values()
    assert attendee_line(original, "frank@example.org") == FRANKS_LINE.replace(
        "PARTSTAT=NEEDS-ACTION", "PARTSTAT=COMPLETED")
    assert attendee_line(original, "bob@example.org") == BOBS_LINE.replace(
        "PARTSTAT=NEEDS-ACTION", "PARTSTAT=IN-PROCESS")
    assert unfolded(original)[:3] == unfolded(team_task())[:3]
    assert all(line in unfolded(original) for line in UNKNOWN.split("\r\n") if line)
    assert "ORGANIZER;CN=Alice Example:mailto:alice@example.org" in unfolded(original)
    # ... and in the assignees' copies after the round trips.
    for peer in (frank, bob):
        [copy] = peer.items.values()
        assert without_partstat(attendee_line(copy, "frank@example.org")) == without_partstat(
            FRANKS_LINE)
        assert without_partstat(attendee_line(copy, "bob@example.org")) == without_partstat(
            BOBS_LINE)
        assert all(line in unfolded(copy) for line in UNKNOWN.split("\r\n") if line)
    # Each answers only for themselves: Bob's copy keeps his IN-PROCESS.
    [bobs] = bob.items.values()
    assert partstat_in(attendee_line(bobs, "bob@example.org")) == "IN-PROCESS"


async def test_with_several_assignees_the_organizers_copy_completes_when_the_last_does(
    database: Database, alice: Device, frank: Device, bob: Device
) -> None:
    alice.create(team_task())
    await run(alice)
    await run(frank)
    await run(bob)

    def organizers() -> Any:
        [original] = stored(database, "alice")
        return parse_task(original)

    [luid] = frank.items
    frank.edit(luid, mark(frank.items[luid], "frank@example.org", "COMPLETED", DONE))
    await run(frank)
    task = organizers()
    assert [(a.email, a.partstat) for a in task.assignees] == [
        ("frank@example.org", PartStat.COMPLETED), ("bob@example.org", PartStat.NEEDS_ACTION)]
    assert not task.is_completed
    assert (task.status, task.percent_complete) == (Status.IN_PROCESS, 50)

    [bob_luid] = bob.items
    bob.edit(bob_luid, mark(bob.items[bob_luid], "bob@example.org", "ACCEPTED"))
    await run(bob)
    task = organizers()
    assert [a.partstat for a in task.assignees] == [PartStat.COMPLETED, PartStat.ACCEPTED]
    assert not task.is_completed

    bob.edit(bob_luid, mark(bob.items[bob_luid], "bob@example.org", "COMPLETED",
                            DONE.replace("150000Z", "170000Z")))
    await run(bob)
    task = organizers()
    assert [a.partstat for a in task.assignees] == [PartStat.COMPLETED, PartStat.COMPLETED]
    assert task.is_completed and task.percent_complete == 100
    assert task.completed is not None and task.completed.hour == 17  # the last one's
    # Alice's device shows it. The answers go to the organizer only: Frank's own copy is
    # his (completed), not overwritten with the organizer's in-process view meanwhile.
    await run(alice)
    assert parse_task(alice.items[only_luid(alice)]).is_completed
    await run(frank)
    franks = parse_task(frank.items[luid])
    assert franks.is_completed and franks.assignees[0].partstat is PartStat.COMPLETED


WEEKLY = vtodo("weekly-1", "Weekly defect report",
               ORGANIZER + "ATTENDEE;CN=Frank Adams;RSVP=TRUE;X-ACME-TEAM=QA;"
               "PARTSTAT=NEEDS-ACTION:mailto:frank@example.org\r\n"
               "DUE;VALUE=DATE:20261207\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
               "X-ACME-PROJECT:Renovation\r\n")


@pytest.fixture
async def todo_app(
    client: httpx.AsyncClient, tmp_path: Path
) -> AsyncIterator[Callable[[str], Awaitable[StoreDevice]]]:
    """The ToDo app's store for a user (its store makes a recurring todo's next occurrence),
    slow-synced once; every store made is closed at the end."""
    from tests.e2e.http_peer import StoreDevice

    made: list[StoreDevice] = []

    async def signed_in(who: str) -> StoreDevice:
        laptop = StoreDevice(tmp_path / f"{who}.db", "http://testserver/traveler", who,
                             PASSWORDS[who], f"{who}-laptop", client=client)
        made.append(laptop)
        await laptop.sync(AlertCode.SLOW_SYNC)
        return laptop

    yield signed_in
    for laptop in made:
        laptop.close()


async def test_completing_an_occurrence_of_a_recurring_delegated_todo_moves_the_series_on(
    database: Database, alice: Device,
    todo_app: Callable[[str], Awaitable[StoreDevice]]
) -> None:
    # Frank uses the ToDo app: its todo store makes the next occurrence when he completes one.
    laptop = await todo_app("frank")
    alice.create(WEEKLY)
    await run(alice)
    await laptop.sync()
    todo_id = laptop.store.find("weekly-1")
    assert todo_id is not None

    completion = laptop.store.complete(todo_id)
    assert completion.next_id is not None
    second_uid = laptop.store.get(completion.next_id).task.uid
    await laptop.sync()

    # The organizer's copy: that occurrence completed and no longer repeating ...
    by_uid = {parse_task(d).uid: d for d in stored(database, "alice")}
    assert set(by_uid) == {"weekly-1", second_uid}
    first = parse_task(by_uid["weekly-1"])
    assert first.is_completed and first.recurrence is None
    assert first.assignees[0].partstat is PartStat.COMPLETED
    # ... and the series goes on in the next occurrence, as the todo store does it.
    second = parse_task(by_uid[second_uid])
    assert second.recurrence == "FREQ=WEEKLY;COUNT=2"
    assert str(second.due) == "2026-12-14"
    assert not second.is_completed
    assert second.assignees[0].partstat is PartStat.NEEDS_ACTION
    assert "X-ACME-PROJECT:Renovation" in unfolded(by_uid[second_uid])
    assert "RSVP=TRUE" in attendee_line(by_uid[second_uid], "frank@example.org")
    await run(alice)
    assert sorted(parse_task(d).uid for d in alice.items.values()) == sorted(by_uid)

    # The last two occurrences: nothing twice on either side, the series ends.
    await laptop.sync()
    second_id = laptop.store.find(second_uid)
    assert second_id is not None
    third_id = laptop.store.complete(second_id).next_id
    assert third_id is not None
    await laptop.sync()
    assert laptop.store.complete(third_id).next_id is None  # COUNT=3: the last one
    await laptop.sync()
    await run(alice)
    tasks = [parse_task(d) for d in stored(database, "alice")]
    assert len(tasks) == 3 and all(t.is_completed for t in tasks)
    assert sorted(str(t.due) for t in tasks) == ["2026-12-07", "2026-12-14", "2026-12-21"]
    assert len(alice.items) == 3
    assert len(stored(database, "frank")) == 3
    await laptop.sync()
    assert sorted(c.uid for c in laptop.store.all_items()) == sorted(t.uid for t in tasks)


async def test_a_second_assignees_own_next_occurrence_is_not_a_twin(
    database: Database, alice: Device,
    todo_app: Callable[[str], Awaitable[StoreDevice]]
) -> None:
    weekly = WEEKLY.replace("RRULE", "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION:"
                                     "mailto:bob@example.org\r\nRRULE")
    desktops = {who: await todo_app(who) for who in ("frank", "bob")}
    alice.create(weekly)
    await run(alice)
    for desk in desktops.values():
        await desk.sync()
    for who in ("frank", "bob"):  # each completes the first occurrence, Frank first
        desk = desktops[who]
        todo_id = desk.store.find("weekly-1")
        assert todo_id is not None
        desk.store.complete(todo_id)
        await desk.sync()
    for desk in desktops.values():
        await desk.sync()

    organizers = [parse_task(d) for d in stored(database, "alice")]
    assert len(organizers) == 2  # the occurrence and one next one, not two
    first = next(t for t in organizers if t.uid == "weekly-1")
    assert first.is_completed and first.recurrence is None
    [following] = [t for t in organizers if t.uid != "weekly-1"]
    for who in ("frank", "bob"):
        uids = sorted(c.uid for c in desktops[who].store.all_items())
        assert uids == sorted(["weekly-1", following.uid]), who


async def test_two_series_of_the_same_name_are_not_taken_for_each_other(
    database: Database, alice: Device,
    todo_app: Callable[[str], Awaitable[StoreDevice]]
) -> None:
    laptop = await todo_app("frank")
    alice.create(WEEKLY)
    alice.create(WEEKLY.replace("weekly-1", "weekly-2").replace("20261207", "20261209"))
    await run(alice)
    await laptop.sync()
    todo_id = laptop.store.find("weekly-1")
    assert todo_id is not None
    laptop.store.complete(todo_id)
    await laptop.sync()
    await laptop.sync()

    tasks = {t.uid: t for t in (parse_task(d) for d in stored(database, "alice"))}
    assert len(tasks) == 3
    assert tasks["weekly-1"].is_completed and not tasks["weekly-2"].is_completed
    [following] = [t for uid, t in tasks.items() if uid not in ("weekly-1", "weekly-2")]
    assert str(following.due) == "2026-12-14"
    assert sorted(c.uid for c in laptop.store.all_items()) == sorted(tasks)
