"""The icalendar library as a cross-check: it reads every task as parse_task does, and it
writes the new lines format_task puts into items; what it cannot do stays lossless."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from tests.todo.test_calendar_format import NOW, TASKS, fixture_text, lines
from todo._content_lines import fold
from todo.calendar_format import ICALENDAR, VCALENDAR, convert_item
from todo.task import (
    Alarm,
    AlarmAction,
    AlarmRelated,
    Attendee,
    Classification,
    Organizer,
    PartStat,
    Priority,
    Role,
    Status,
    Task,
)
from todo.task_format import format_task, parse_task

BERLIN = ZoneInfo("Europe/Berlin")


def item(*todo_lines: str, zones: tuple[str, ...] = ()) -> str:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", *zones, "BEGIN:VTODO"]
    return "\r\n".join([*head, *todo_lines, "END:VTODO", "END:VCALENDAR", ""])


def custom_zone(name: str, offset: str) -> str:
    return "\r\n".join(
        [
            "BEGIN:VTIMEZONE",
            f"TZID:{name}",
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{offset}",
            f"TZOFFSETTO:{offset}",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    )


def vtodo(text: str) -> icalendar.Todo:
    todo = icalendar.Calendar.from_ical(text).walk("VTODO")[0]
    assert isinstance(todo, icalendar.Todo)
    return todo


# --- reading ------------------------------------------------------------------------------


def test_zones_rules_alarms_and_attendee_parameters_are_read_as_icalendar_reads_them() -> None:
    text = item(
        "UID:lib-1",
        'DTSTART;TZID="Office Zone":20261128T090000',
        "DUE;TZID=W. Europe Standard Time:20261130T170000",  # a Windows name icalendar knows
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10",
        'ORGANIZER;CN="Doe, John":MAILTO:john@example.com',
        "ATTENDEE;CN=Ren^'e ^^Roe;PARTSTAT=DELEGATED;ROLE=CHAIR:mailto:rene@example.com",
        "ATTENDEE;ROLE=NON-PARTICIPANT:mailto:bob@example.com",
        "CATEGORIES:Work\\,Office,Home",
        "BEGIN:VALARM",
        "ACTION:AUDIO",
        "TRIGGER;RELATED=END:-P1W",
        "END:VALARM",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:At 8\\, sharp",
        "TRIGGER;VALUE=DATE-TIME:20261130T080000Z",
        "END:VALARM",
        zones=(custom_zone("Office Zone", "+0300"),),
    )
    task = parse_task(text)
    assert task.start == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # 09:00 at +03:00
    assert task.start is not None and task.start.utcoffset() == timedelta(hours=3)
    assert task.due == datetime(2026, 11, 30, 17, 0, tzinfo=BERLIN)
    assert isinstance(task.due, datetime) and task.due.tzinfo == BERLIN
    assert task.recurrence == "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10"  # as written, not reordered
    assert task.organizer == Organizer("john@example.com", "Doe, John")
    assert task.assignees == (
        # RFC 6868: ^' is a double quote, ^^ a caret
        Attendee("rene@example.com", 'Ren"e ^Roe', PartStat.DELEGATED, Role.CHAIR),
        Attendee("bob@example.com", "", PartStat.NEEDS_ACTION, Role.NON_PARTICIPANT),
    )
    assert task.categories == ("Work,Office", "Home")
    assert task.alarms == (
        Alarm(timedelta(weeks=-1), AlarmAction.AUDIO, "", AlarmRelated.END),
        Alarm(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), AlarmAction.DISPLAY, "At 8, sharp"),
    )
    assert icalendar_fields(text) == our_fields(task)


def icalendar_fields(text: str) -> dict[str, object]:
    """What icalendar reads of a task's fields (the cross-check of parse_task)."""
    todo = vtodo(text)

    def decoded(name: str) -> object:
        return todo.decoded(name) if name in todo else None

    cats = todo.get("CATEGORIES", [])
    people = todo.get("ATTENDEE", [])
    people = people if isinstance(people, list) else [people]
    alarms = todo.walk("VALARM")
    return {
        "uid": str(todo.get("UID", "")),
        "summary": str(todo.get("SUMMARY", "")),
        "description": str(todo.get("DESCRIPTION", "")),
        "start": decoded("DTSTART"),
        "due": decoded("DUE"),
        "priority": Priority.from_ical(int(todo.get("PRIORITY", 0))),
        "status": str(todo["STATUS"]) if "STATUS" in todo else None,
        "categories": [
            str(c).strip()
            for line in (cats if isinstance(cats, list) else [cats])
            for c in line.cats
            if str(c).strip()
        ],
        "assignees": [str(p).split(":", 1)[-1] for p in people],
        "partstats": [p.params.get("PARTSTAT", "NEEDS-ACTION") for p in people],
        "rrule": todo.get("RRULE"),
        "triggers": [a.decoded("TRIGGER") for a in alarms if "TRIGGER" in a],
    }


def our_fields(task: Task) -> dict[str, object]:
    return {
        "uid": task.uid,
        "summary": task.summary,
        "description": task.description,
        "start": task.start,
        "due": task.due,
        "priority": task.priority,
        "status": task.status.value if task.status else None,
        "categories": list(task.categories),
        "assignees": [a.email for a in task.assignees],
        "partstats": [a.partstat.value for a in task.assignees],
        "rrule": icalendar.vRecur.from_ical(task.recurrence) if task.recurrence else None,
        "triggers": [a.trigger for a in task.alarms],
    }


def test_icalendar_reads_every_fixture_as_parse_task_does() -> None:
    for name in (
        "buy-milk.ics",
        "rich-task.ics",
        "syncevolution-big-1.ics",
        "syncevolution-many-1.ics",
        "syncevolution-task-1.ics",
        "syncevolution-task-4.ics",
        "syncevolution-upload-task-2.ics",
    ):
        text = fixture_text(name)
        assert icalendar_fields(text) == our_fields(parse_task(text)), name


def test_a_zone_one_item_defines_is_not_used_for_another() -> None:
    """icalendar keeps the first VTIMEZONE of each TZID for the whole process; we do not."""
    due = "DUE;TZID=Site Zone:20261130T170000"
    first = parse_task(item("UID:a", due, zones=(custom_zone("Site Zone", "+0300"),)))
    other = parse_task(item("UID:b", due, zones=(custom_zone("Site Zone", "+0500"),)))
    undefined = parse_task(item("UID:c", due))
    assert first.due == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert other.due == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert undefined.due == datetime(2026, 11, 30, 17, 0)  # floating: nobody defines the zone


def test_values_icalendar_refuses_are_read_as_before() -> None:
    task = parse_task(
        item(
            "UID:lenient",
            "DTSTART:2026-11-28T09:00:00Z",  # extended ISO form some writers use
            "DUE;TZID=Europe/Berlin:20261130",  # a date with a TZID stays a date
            "COMPLETED;TZID=Europe/Berlin:20261126T090000Z",  # Z wins over a TZID
            "GEO:not a position",  # lines a task does not use do not matter
            "ATTENDEE:mailto:C:\\new@example.com",  # a URI has no escapes
            "BEGIN:VALARM",
            "TRIGGER:soon",  # an alarm that cannot be placed is left out
            "END:VALARM",
            "BEGIN:VALARM",
            "TRIGGER:-PT10M",
            "END:VALARM",
        )
    )
    assert task.start == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert task.due == date(2026, 11, 30)
    assert task.completed == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert [a.email for a in task.assignees] == ["C:\\new@example.com"]
    assert task.alarms == (Alarm(timedelta(minutes=-10)),)


# --- writing ------------------------------------------------------------------------------

RICH = Task(
    "lib-2",
    summary="Copy C:\\New folder; then report, briefly",
    description="Line one\nLine two",
    start=date(2026, 11, 28),
    due=datetime(2026, 11, 30, 17, 0, tzinfo=BERLIN),
    priority=Priority.HIGH,
    status=Status.IN_PROCESS,
    percent_complete=40,
    categories=("Work, Office", "Home"),
    organizer=Organizer("john@example.com", "Doe, John"),
    assignees=(Attendee("jane@example.com", "Jane Roe", PartStat.ACCEPTED, Role.CHAIR),),
    recurrence="FREQ=MONTHLY;BYDAY=2TU;INTERVAL=2",
    alarms=(
        Alarm(timedelta(minutes=-15), AlarmAction.DISPLAY, "Due soon", AlarmRelated.END),
        Alarm(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), AlarmAction.AUDIO),
    ),
    created=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    sequence=3,
    classification=Classification.CONFIDENTIAL,
)


def test_icalendar_reads_back_what_format_task_wrote() -> None:
    text = format_task(RICH, now=NOW)
    todo = vtodo(text)
    assert str(todo["SUMMARY"]) == RICH.summary  # a backslash before N is no line break
    assert str(todo["DESCRIPTION"]) == RICH.description
    assert todo.decoded("DTSTART") == date(2026, 11, 28)
    assert todo.decoded("DUE") == RICH.due
    assert todo["DUE"].params["TZID"] == "Europe/Berlin"
    assert [str(c) for c in todo["CATEGORIES"].cats] == list(RICH.categories)
    assert todo["RRULE"] == icalendar.vRecur.from_ical(RICH.recurrence or "")
    assert todo["PRIORITY"] == 1 and todo["PERCENT-COMPLETE"] == 40 and todo["SEQUENCE"] == 3
    assert (str(todo["STATUS"]), str(todo["CLASS"])) == ("IN-PROCESS", "CONFIDENTIAL")
    assert todo.decoded("CREATED") == RICH.created and todo.decoded("DTSTAMP") == NOW
    assert todo["ORGANIZER"] == "mailto:john@example.com"
    assert todo["ORGANIZER"].params["CN"] == "Doe, John"
    attendee = todo["ATTENDEE"]
    assert attendee == "mailto:jane@example.com"
    assert dict(attendee.params) == {"CN": "Jane Roe", "PARTSTAT": "ACCEPTED", "ROLE": "CHAIR"}
    relative, absolute = todo.walk("VALARM")
    assert relative.decoded("TRIGGER") == timedelta(minutes=-15)
    assert relative["TRIGGER"].params["RELATED"] == "END"
    assert str(relative["DESCRIPTION"]) == "Due soon"
    assert absolute.decoded("TRIGGER") == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert absolute["TRIGGER"].params["VALUE"] == "DATE-TIME"  # RFC 5545 wants it spelled out
    zone = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")[0]
    assert zone["TZID"] == "Europe/Berlin"
    assert parse_task(text) == RICH


def test_a_new_item_is_the_text_icalendar_writes() -> None:
    task = Task(
        "lib-3",
        summary="Report; briefly, please",
        due=date(2026, 11, 30),
        priority=Priority.LOW,
        categories=("Work",),
        organizer=Organizer("john@example.com", "Doe, John"),
        assignees=(Attendee("jane@example.com", "Jane Roe"),),
        recurrence="FREQ=WEEKLY;COUNT=3;BYDAY=MO",
        alarms=(Alarm(timedelta(minutes=-5), description="Soon"),),
    )
    text = format_task(task, now=NOW)
    assert icalendar.Calendar.from_ical(text).to_ical(sorted=False).decode("utf-8") == text


@settings(max_examples=150, deadline=None)
@given(task=TASKS)
def test_icalendar_reads_any_task_the_way_parse_task_does(task: Task) -> None:
    text = format_task(task, now=NOW)
    todo = vtodo(text)
    assert str(todo["UID"]) == task.uid
    assert str(todo.get("SUMMARY", "")) == task.summary.replace("\r\n", "\n").replace("\r", "\n")
    cats = todo.get("CATEGORIES")
    assert (tuple(str(c) for c in cats.cats) if cats is not None else ()) == task.categories
    assert (todo.decoded("DUE") if "DUE" in todo else None) == task.due
    people = todo.get("ATTENDEE", [])
    people = people if isinstance(people, list) else [people]
    assert [str(p)[7:] for p in people] == [a.email for a in task.assignees]
    assert [p.params["ROLE"] for p in people] == [a.role.value for a in task.assignees]
    # icalendar reads \\ \, \; \: in a parameter as escapes, which RFC 5545 does not have
    names = [(p.params.get("CN", ""), a.name) for p, a in zip(people, task.assignees, strict=True)]
    assert all(read == name for read, name in names if "\\" not in name)


def test_a_template_gets_its_changed_lines_from_icalendar() -> None:
    template = fixture_text("rich-task.ics")
    task = parse_task(template)
    edited = Task(
        **{
            **{f: getattr(task, f) for f in task.__dataclass_fields__},
            "organizer": Organizer("jane@example.com", "Roe, Jane"),
            "assignees": (Attendee("rene@example.com", 'Ren"e'),),
        }
    )
    out = format_task(edited, template=template, now=NOW)
    before, after = set(lines(template)), set(lines(out))
    assert after - before == {
        'ORGANIZER;CN="Roe, Jane":mailto:jane@example.com',
        # RFC 6868 spells a double quote in a parameter ^'
        "ATTENDEE;CN=Ren^'e;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT:mailto:rene@example.com",
        "DTSTAMP:20261125T120000Z",
    }
    assert {"X-CUSTOM;X-P=1:value", "X-MOZ-GENERATION:4", "GEO:48.137;11.575"} <= after
    assert parse_task(out) == edited
    assert vtodo(out)["ORGANIZER"].params["CN"] == "Roe, Jane"


def test_text_icalendars_own_writer_would_change_survives_every_trip() -> None:
    task = Task(
        "\ufeffpath",  # icalendar's content line drops a leading U+FEFF as a byte order mark
        summary="C:\\New folder",  # its TEXT escaper makes \N a line break
        categories=("\ufeffC:\\Net",),
        # its line splitter reads CN=\;ROLE=… (which its own writer makes) as CN=";ROLE=…"
        assignees=(Attendee("a@example.com", "\\", role=Role.CHAIR),),
    )
    for kind in (ICALENDAR, VCALENDAR):
        assert parse_task(format_task(task, kind, now=NOW), kind) == task
    ical = format_task(task, now=NOW)
    assert str(vtodo(ical)["SUMMARY"]) == "C:\\New folder"
    assert vtodo(ical)["ATTENDEE"].params["ROLE"] == "CHAIR"
    assert convert_item(convert_item(ical, ICALENDAR, VCALENDAR), VCALENDAR, ICALENDAR) == ical


# --- folding ------------------------------------------------------------------------------

_LINE_TEXT = st.text(
    st.one_of(
        st.sampled_from("abc\\^;,: "),
        st.characters(exclude_categories=["Cs", "Cc"]),
    ),
    max_size=400,
)


@settings(max_examples=500)
@given(value=_LINE_TEXT)
def test_lines_are_folded_exactly_as_icalendar_folds_them(value: str) -> None:
    line = f"DESCRIPTION:{value}"
    assert fold(line) == Contentline(line).to_ical().decode("utf-8")
