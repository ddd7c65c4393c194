"""The local todo store: views, change log, conflicts, undo, recurrence, files, durability."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from todo.store import (
    Change,
    ChangeKind,
    NoSuchTodoError,
    NothingToRestoreError,
    RemoteDelete,
    SchemaTooNewError,
    StoreError,
    TodoStore,
    store_path,
)
from todo.store_schema import MIGRATIONS
from todo.task import Attendee, Organizer, PartStat, Priority, Status, Task
from todo.task_format import format_task, parse_task
from todo.views import Sort, View, ViewSpec, parse_view

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 16:00 in Berlin


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[TodoStore]:
    with TodoStore.open(tmp_path / "todo.db", clock=clock, zone=BERLIN) as s:
        yield s


def confirm(store: TodoStore, change: Change) -> None:
    store.confirm(change.todo_id, change.seq)


def subjects(store: TodoStore, spec: ViewSpec | None = None, search: str = "") -> list[str]:
    return [t.subject for t in store.query(spec, search=search)]


def add(store: TodoStore, summary: str, **fields: object) -> int:
    return store.add(Task(uid="", summary=summary, **fields))  # type: ignore[arg-type]


# --- views ---------------------------------------------------------------------------------


def test_views_filter_and_order(store: TodoStore) -> None:
    add(store, "no due")
    add(store, "today evening", due=datetime(2026, 12, 2, 20, 0, tzinfo=BERLIN))
    add(store, "today morning", due=datetime(2026, 12, 2, 9, 0, tzinfo=BERLIN))  # passed
    add(store, "all day today", due=date(2026, 12, 2))
    add(store, "yesterday", due=date(2026, 12, 1), priority=Priority.LOW)
    add(store, "tomorrow", due=date(2026, 12, 3), priority=Priority.HIGH)
    done = add(store, "done", due=date(2026, 11, 1))
    store.complete(done)

    assert subjects(store, ViewSpec(View.TODAY)) == [
        "today morning",
        "today evening",
        "all day today",
    ]
    # an all-day todo is overdue only from the next day; a timed one once its time passed
    assert subjects(store, ViewSpec(View.OVERDUE)) == ["yesterday", "today morning"]
    assert subjects(store, ViewSpec(View.BY_DUE)) == [
        "yesterday",
        "today morning",
        "today evening",
        "all day today",
        "tomorrow",
        "no due",
    ]
    assert subjects(store, ViewSpec(View.BY_PRIORITY))[:2] == ["tomorrow", "yesterday"]
    assert subjects(store, ViewSpec(View.COMPLETED)) == ["done"]
    assert "done" not in subjects(store)
    assert store.count(ViewSpec(View.ALL)) == 6
    assert store.count(ViewSpec(View.COMPLETED)) == 1


def test_lists_search_and_sorts(store: TodoStore, clock: Clock) -> None:
    add(store, "Paint the hall", categories=["Renovation"], description="white, two coats")
    clock.now += timedelta(minutes=1)
    add(store, "Buy tiles", categories=["Renovation", "Shopping"])
    clock.now += timedelta(minutes=1)
    add(store, "Bericht schreiben", description="für Frank")

    assert subjects(store, ViewSpec(View.LIST, "renovation")) == ["Paint the hall", "Buy tiles"]
    assert [(li.name, li.open_count) for li in store.lists()] == [
        ("Renovation", 2),
        ("Shopping", 1),
    ]
    assert subjects(store, search="coat") == ["Paint the hall"]  # prefix of a word in notes
    assert subjects(store, search="fur") == ["Bericht schreiben"]  # accents ignored
    assert subjects(store, search="shop") == ["Buy tiles"]  # list names are searched too
    assert subjects(store, search="!!") == []
    assert subjects(store, ViewSpec(sort=Sort.TITLE)) == [
        "Bericht schreiben",
        "Buy tiles",
        "Paint the hall",
    ]
    assert subjects(store, ViewSpec(sort=Sort.CREATED, descending=True))[0] == "Bericht schreiben"
    first = store.query(ViewSpec(sort=Sort.TITLE), limit=1, offset=1)
    assert [t.subject for t in first] == ["Buy tiles"]
    assert store.ids(ViewSpec(sort=Sort.TITLE)) == [
        t.id for t in store.query(ViewSpec(sort=Sort.TITLE))
    ]


def test_parse_view_spells_every_view() -> None:
    assert parse_view("today") == ViewSpec(View.TODAY)
    assert parse_view("list:Renovierung") == ViewSpec(View.LIST, "Renovierung")
    assert parse_view("by-priority").name == "by-priority"
    with pytest.raises(ValueError, match="unknown view"):
        parse_view("someday")
    with pytest.raises(ValueError, match="list name"):
        parse_view("list:")


def test_a_change_of_the_local_zone_recomputes_due_today(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "todo.db"
    # 23:30 UTC on Dec 2 is Dec 3 in Berlin but Dec 2 in New York
    with TodoStore.open(path, clock=clock, zone=BERLIN) as s:
        s.add(Task(uid="", summary="late", due=datetime(2026, 12, 2, 23, 30, tzinfo=UTC)))
        assert subjects(s, ViewSpec(View.TODAY)) == []
    with TodoStore.open(path, clock=clock, zone=ZoneInfo("America/New_York")) as s:
        assert subjects(s, ViewSpec(View.TODAY)) == ["late"]


# --- edits, undo -----------------------------------------------------------------------------


def test_edits_keep_unknown_properties(store: TodoStore) -> None:
    item = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VTODO\r\nUID:x-1\r\n"
        "SUMMARY:Old\r\nX-TASKS-ORG-COLOR;X-A=b:7\r\nGEO:48.1;11.5\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
    [todo_id] = store.import_calendar(item)
    record = store.update(todo_id, summary="New", priority=Priority.HIGH)
    assert "X-TASKS-ORG-COLOR;X-A=b:7" in record.data
    assert "GEO:48.1;11.5" in record.data
    parsed = icalendar.Calendar.from_ical(record.data).walk("VTODO")[0]
    assert str(parsed["SUMMARY"]) == "New"
    assert record.task.priority is Priority.HIGH


def test_undo_reverts_each_action_in_turn(store: TodoStore) -> None:
    a = add(store, "A")
    store.update(a, summary="A2")
    store.complete(a)
    store.delete(a)
    assert store.undo_label() == "delete"
    assert store.undo() == [a]
    assert store.get(a).task.is_completed
    store.undo()
    assert not store.get(a).task.is_completed
    store.undo()
    assert store.get(a).task.summary == "A"
    store.undo()
    with pytest.raises(NoSuchTodoError):
        store.get(a)
    assert not store.can_undo()
    assert store.undo() == []


def test_saving_an_unchanged_task_is_no_change(store: TodoStore) -> None:
    a = add(store, "A")
    changes = store.pending_changes()
    store.save(a, store.get(a).task)
    assert store.pending_changes() == changes
    assert store.undo_label() == "add"


def test_errors_name_the_todo(store: TodoStore) -> None:
    with pytest.raises(NoSuchTodoError, match="no todo 42"):
        store.complete(42)
    a = add(store, "A")
    with pytest.raises(NothingToRestoreError, match=f"todo {a}"):
        store.restore(a)


# --- recurrence -----------------------------------------------------------------------------


def test_completing_a_recurring_todo_creates_the_next(store: TodoStore) -> None:
    due = datetime(2026, 12, 7, 9, 0, tzinfo=BERLIN)  # a Monday
    a = add(store, "Standup", due=due, recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=2")
    result = store.complete(a)
    assert result.next_id is not None
    done, following = store.get(a).task, store.get(result.next_id).task
    assert done.is_completed and done.recurrence is None
    assert following.due == datetime(2026, 12, 14, 9, 0, tzinfo=BERLIN)
    assert following.recurrence == "FREQ=WEEKLY;BYDAY=MO;COUNT=1"
    assert following.uid != done.uid and following.is_open
    assert store.complete(result.next_id).next_id is None  # the series is over
    store.undo()
    store.undo()
    assert len(store) == 1 and store.get(a).task.recurrence is not None


def test_a_recurring_todo_keeps_its_wall_clock_across_dst(store: TodoStore) -> None:
    due = datetime(2026, 3, 27, 9, 0, tzinfo=BERLIN)  # CET; the next day is in CEST
    a = add(store, "Daily", due=due, recurrence="FREQ=DAILY")
    following = store.get(store.complete(a).next_id or 0).task
    assert following.due == datetime(2026, 3, 28, 9, 0, tzinfo=BERLIN)
    assert store.get(store.complete(store.find(following.uid) or 0).next_id or 0).task.due == (
        datetime(2026, 3, 29, 9, 0, tzinfo=BERLIN)
    )


def test_until_ends_a_series(store: TodoStore) -> None:
    a = add(store, "x", due=date(2026, 12, 7), recurrence="FREQ=DAILY;UNTIL=20261207")
    assert store.complete(a).next_id is None


# --- change log and conflicts ---------------------------------------------------------------


def server_version(store: TodoStore, todo_id: int, **fields: object) -> str:
    record = store.get(todo_id)
    return format_task(replace(record.task, **fields), template=record.data)  # type: ignore[arg-type]


def test_change_log_collapses_and_confirms(store: TodoStore) -> None:
    a = add(store, "A")
    store.update(a, summary="A2")
    [change] = store.pending_changes()
    assert change.kind is ChangeKind.ADD and "A2" in (change.data or "")
    store.update(a, summary="A3")  # made while the sync runs: stays pending
    store.confirm(change.todo_id, change.seq)
    [later] = store.pending_changes()
    assert later.kind is ChangeKind.REPLACE and "A3" in (later.data or "")
    store.confirm(later.todo_id, later.seq)
    assert store.pending_changes() == []
    store.delete(a)
    [gone] = store.pending_changes()
    assert gone.kind is ChangeKind.DELETE and gone.uid
    store.confirm(gone.todo_id, gone.seq)
    assert store.pending_changes() == []


def test_a_todo_added_and_deleted_offline_is_never_sent(store: TodoStore) -> None:
    a = add(store, "A")
    store.delete(a)
    assert store.pending_changes() == []


def test_a_delete_while_the_add_is_in_flight_is_sent_after(store: TodoStore) -> None:
    a = add(store, "A")
    [change] = store.pending_changes()
    store.delete(a)
    store.confirm(change.todo_id, change.seq)
    [delete] = store.pending_changes()
    assert delete.kind is ChangeKind.DELETE and delete.uid == change.uid


def test_server_override_of_a_local_edit_is_kept_and_restorable(store: TodoStore) -> None:
    a = add(store, "Paint")
    [change] = store.pending_changes()
    store.confirm(change.todo_id, change.seq)
    store.update(a, summary="Paint the hall white")  # local edit, not yet synced
    theirs = server_version(store, a, summary="Paint the hall blue")
    result = store.apply_remote(theirs)
    assert result.overridden and result.todo_id == a
    [row] = store.query()
    assert row.subject == "Paint the hall blue" and row.conflict
    assert row.as_json()["conflict"] is True
    record = store.get(a)
    assert record.overridden is not None
    assert record.overridden.summary == "Paint the hall white"
    assert store.pending_changes() == []  # the server's version is what it has

    restored = store.restore(a)
    assert restored.task.summary == "Paint the hall white" and restored.overridden is None
    [again] = store.pending_changes()
    assert again.kind is ChangeKind.REPLACE
    assert not store.query()[0].conflict


def test_a_merge_that_keeps_the_local_edit_is_no_conflict(store: TodoStore) -> None:
    a = add(store, "Paint")
    confirm(store, store.pending_changes()[0])
    store.update(a, summary="Paint white")
    merged = server_version(store, a, priority=Priority.HIGH)  # has our summary and theirs
    assert not store.apply_remote(merged).overridden
    assert store.get(a).task.summary == "Paint white"


def test_remote_changes_apply_without_local_edits(store: TodoStore) -> None:
    item = format_task(Task(uid="srv-1", summary="From server"))
    first = store.apply_remote(item)
    assert first.created and store.pending_changes() == []
    second = store.apply_remote(server_version(store, first.todo_id, summary="Renamed"))
    assert not second.created and not second.overridden
    assert store.apply_remote_delete(first.todo_id) is RemoteDelete.DELETED
    assert store.apply_remote_delete(first.todo_id) is RemoteDelete.MISSING
    assert len(store) == 0
    assert not store.can_undo()  # sync writes are not the user's actions


def test_a_remote_delete_of_a_locally_edited_todo_keeps_it(store: TodoStore) -> None:
    first = store.apply_remote(format_task(Task(uid="srv-1", summary="From server")))
    store.update(first.todo_id, summary="Mine now")
    assert store.apply_remote_delete(first.todo_id) is RemoteDelete.KEPT
    [change] = store.pending_changes()
    assert change.kind is ChangeKind.ADD and "Mine now" in (change.data or "")


def test_assignees_and_organizer_are_listed(store: TodoStore) -> None:
    add(
        store,
        "Latest defect count",
        organizer=Organizer("alice@example.com", "Alice"),
        assignees=[Attendee("frank@example.com", "Frank Adams", PartStat.ACCEPTED)],
    )
    [row] = store.query()
    out = row.as_json()
    assert out["organizer"] == "alice@example.com"
    assert out["assignees"] == [
        {"email": "frank@example.com", "name": "Frank Adams", "partstat": "ACCEPTED"}
    ]


# --- files ------------------------------------------------------------------------------------


def test_import_and_export_round_trip_every_property(store: TodoStore) -> None:
    source = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Mozilla.org/NONSGML Mozilla V1.1//EN\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
        "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:ev\r\nSUMMARY:not a todo\r\nEND:VEVENT\r\n"
        "BEGIN:VTODO\r\nUID:t1\r\nSUMMARY:One\r\nDUE;TZID=Europe/Berlin:20261203T090000\r\n"
        "X-MOZ-GENERATION:3\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\n"
        "DESCRIPTION:x\r\nEND:VALARM\r\nEND:VTODO\r\n"
        "BEGIN:VTODO\r\nUID:t2\r\nSUMMARY:Two\r\nSTATUS:COMPLETED\r\nEND:VTODO\r\n"
        "END:VCALENDAR\r\n"
    )
    ids = store.import_calendar(source)
    assert len(ids) == 2
    assert store.get(ids[0]).task.due == datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN)
    exported = store.export_calendar()
    calendar = icalendar.Calendar.from_ical(exported)
    todos = calendar.walk("VTODO")
    assert [str(t["UID"]) for t in todos] == ["t1", "t2"]
    assert str(todos[0]["X-MOZ-GENERATION"]) == "3"
    assert len(calendar.walk("VTIMEZONE")) == 1 and not calendar.walk("VEVENT")
    # importing again updates instead of duplicating
    assert store.import_calendar(exported) == ids and len(store) == 2


def test_import_of_a_file_without_todos_changes_nothing(store: TodoStore) -> None:
    from todo.errors import TaskFormatError

    with pytest.raises(TaskFormatError, match="no VTODO"):
        store.import_calendar("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    assert len(store) == 0


# --- the database -----------------------------------------------------------------------------


def test_store_path_is_per_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVELER_HOME", str(tmp_path))
    assert store_path("alice@example.com") == tmp_path / "todo" / "alice@example.com" / "todo.db"
    assert store_path("../x").parent.parent == tmp_path / "todo"
    with pytest.raises(ValueError):
        store_path(" ")


def test_the_database_is_wal_and_migrated(tmp_path: Path) -> None:
    with TodoStore.for_account("a", home=tmp_path) as s:
        assert s.schema_version() == len(MIGRATIONS)
    conn = sqlite3.connect(tmp_path / "todo" / "a" / "todo.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute("INSERT INTO schema_version VALUES (99, 'future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        TodoStore.for_account("a", home=tmp_path)


def test_a_file_that_is_no_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "todo.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable ToDo database"):
        TodoStore.open(path)


def _add_then_die(path: str) -> None:
    store = TodoStore.open(path)
    store.add(Task(uid="", summary="survives"))
    os._exit(0)  # no close, no cleanup: as if the process were killed


def test_a_killed_process_loses_no_committed_todo(tmp_path: Path) -> None:
    path = str(tmp_path / "todo.db")
    TodoStore.open(path).close()
    process = multiprocessing.get_context("spawn").Process(target=_add_then_die, args=(path,))
    process.start()
    process.join()
    with TodoStore.open(path) as s:
        assert subjects(s) == ["survives"]
        [change] = s.pending_changes()
        assert parse_task(change.data or "").summary == "survives"


def test_status_and_completion_are_listed(store: TodoStore, clock: Clock) -> None:
    a = add(store, "A")
    store.complete(a, when=NOW)
    [row] = store.query(ViewSpec(View.COMPLETED))
    assert row.completed and row.status is Status.COMPLETED and row.completed_at == NOW
    store.reopen(a)
    assert store.query()[0].status is Status.NEEDS_ACTION


def test_import_gives_todos_without_a_uid_one(store: TodoStore) -> None:
    ids = store.import_calendar(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nSUMMARY:a\r\nEND:VTODO\r\n"
        "BEGIN:VTODO\r\nSUMMARY:b\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
    uids = {store.get(i).task.uid for i in ids}
    assert len(uids) == 2 and all(uids)


def test_import_of_an_unreadable_todo_names_the_problem(store: TodoStore) -> None:
    from todo.errors import TaskFormatError

    with pytest.raises(TaskFormatError, match="DUE is not a date"):
        store.import_calendar(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:a\r\nDUE:soon\r\n"
            "END:VTODO\r\nEND:VCALENDAR\r\n"
        )
    assert len(store) == 0


@pytest.mark.parametrize(
    "spec",
    [
        ViewSpec(View.ALL),
        ViewSpec(View.TODAY),
        ViewSpec(View.OVERDUE),
        ViewSpec(View.BY_DUE),
        ViewSpec(View.BY_PRIORITY),
        ViewSpec(View.COMPLETED),
        *(ViewSpec(sort=sort) for sort in Sort),
        *(ViewSpec(View.COMPLETED, sort=sort, descending=True) for sort in Sort),
    ],
    ids=lambda spec: f"{spec.name}-{spec.sort}",
)
def test_every_view_is_served_by_an_index(tmp_path: Path, spec: ViewSpec) -> None:
    """No view reads the whole table or sorts it: what keeps them fast with 100,000 todos."""
    from todo.views import compile_query

    path = tmp_path / "todo.db"
    TodoStore.open(path).close()
    where, order, params = compile_query(spec, today="2026-12-02", now=NOW.timestamp())
    conn = sqlite3.connect(path)
    plan = " / ".join(
        row[3]
        for row in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM todos WHERE {where} ORDER BY {order} LIMIT 200",
            params,
        )
    )
    conn.close()
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_a_transaction_commits_its_calls_together_and_a_failed_one_leaves_nothing(
    store: TodoStore,
) -> None:
    with store.transaction():
        a = add(store, "A")
        with pytest.raises(StoreError, match="exists already"):
            store.add(Task(uid=store.get(a).task.uid, summary="twin"))
        b = add(store, "B")
    assert subjects(store) == ["A", "B"] and store.exists(a) and store.exists(b)
    with pytest.raises(RuntimeError), store.transaction():
        add(store, "C")
        raise RuntimeError("the message failed")
    assert subjects(store) == ["A", "B"]


def test_connections_opening_a_new_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    # The window's worker and its sync thread open a new account's store at the same moment.
    path = tmp_path / "todo.db"
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_store() -> None:
        barrier.wait()
        try:
            with TodoStore.open(path) as store:
                store.schema_version()
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with TodoStore.open(path) as store:
        assert store.schema_version() == MIGRATIONS[-1].version
