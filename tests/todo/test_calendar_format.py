"""Tasks as iCalendar 2.0 / vCalendar 1.0 text: parsing, formatting, lossless conversion, keys."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from todo._content_lines import Component, Node, read, write
from todo._vcalendar import rrule_from_vcal, rrule_to_vcal
from todo.calendar_format import (
    ICALENDAR,
    VCALENDAR,
    convert_item,
    media_type,
)
from todo.errors import TaskFormatError
from todo.line_scan import extract_keys, extract_last_modified, extract_uid
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

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_text(name: str) -> str:
    return fixture(name).decode("utf-8")


def vtodo_keys(text: str) -> list[object]:
    """The meaning of every line of an item, in an order that does not depend on layout."""
    calendar = read(text)[0]

    def keys(comp: Component) -> list[object]:
        return sorted((repr(_key(n)) for n in comp.children), key=str)

    return keys(calendar)


def _key(node: Node) -> object:
    if isinstance(node, Component):
        return (node.name, sorted(repr(_key(c)) for c in node.children))
    return node.key


def drop_x_lines(vcal: str) -> str:
    """A vCalendar item as a phone that forgets X- properties sends it back."""

    def strip(comp: Component) -> Component:
        return Component(
            comp.name,
            [
                strip(c) if isinstance(c, Component) else c
                for c in comp.children
                if isinstance(c, Component) or not c.name.startswith("X-")
            ],
        )

    return write([strip(c) for c in read(vcal)], vcalendar=True)


def lines(text: str) -> list[str]:
    """Unfolded lines of an item."""
    return [line for line in re.sub(r"\r\n[ \t]", "", text).split("\r\n") if line]


# --- parsing real-world items -------------------------------------------------------------


def test_parses_the_syncevolution_task_from_the_brief() -> None:
    task = parse_task(fixture("buy-milk.ics"), "text/calendar")
    assert task == Task(
        uid="task-1@example.com",
        summary="Buy milk",
        due=date(2026, 11, 30),
        priority=Priority.HIGH,
        status=Status.NEEDS_ACTION,
        created=datetime(2026, 11, 25, 8, 45, tzinfo=UTC),
        last_modified=datetime(2026, 11, 25, 8, 45, tzinfo=UTC),
    )
    assert task.is_open and not task.is_overdue(NOW)


def test_parses_syncevolution_captures() -> None:
    assert parse_task(fixture("syncevolution-task-1.ics")).summary == (
        "Call Frank about the renovation"
    )
    assert parse_task(fixture("syncevolution-task-1.ics")).priority is Priority.HIGH
    # the capture's DESCRIPTION holds an escaped line break followed by the text "END:VTODO"
    many = parse_task(fixture("syncevolution-many-1.ics"))
    assert many.description == "Filler text for item 1 to fill messages.r\nEND:VTODO"
    upload = parse_task(fixture("syncevolution-upload-task-2.ics"))
    assert upload.uid == "task-2" and upload.priority is Priority.NONE


def test_unfolds_a_12_kb_description_without_adding_blanks() -> None:
    task = parse_task(fixture("syncevolution-big-1.ics"))
    assert len(task.description) > 12000
    assert " " not in task.description
    assert task.description.startswith(
        "rQJL090XdCAD9I8E1QoFuucUnV5Jv88vTE286Ubk7kgxfL+44ZJI5t3rVjTGgn9Ogd"
    )


def test_parses_every_field_of_a_rich_item() -> None:
    task = parse_task(fixture("rich-task.ics"))
    assert task.uid == "rich-1@example.com"
    assert task.summary == "Grüße an alle, bitte; danke"
    assert task.description.startswith("Line one\nLine two with a backslash \\ and more")
    assert task.start == datetime(2026, 11, 28, 9, 0, tzinfo=BERLIN)
    assert task.due == datetime(2026, 11, 30, 17, 0, tzinfo=BERLIN)
    assert isinstance(task.due, datetime) and task.due.tzinfo == BERLIN
    assert task.priority is Priority.HIGH  # PRIORITY:2
    assert task.status is Status.IN_PROCESS
    assert task.percent_complete == 40
    assert task.categories == ("Business", "Personal", "Extra")
    assert task.classification is Classification.CONFIDENTIAL
    assert task.organizer == Organizer("john@example.com", "Doe, John")
    assert task.assignees == (
        Attendee("jane@example.com", "Jane Roe", PartStat.ACCEPTED, Role.REQ_PARTICIPANT),
        Attendee("bob@example.com", "", PartStat.NEEDS_ACTION, Role.OPT_PARTICIPANT),
    )
    assert task.recurrence == "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10"
    assert task.alarms == (
        Alarm(timedelta(minutes=-15), AlarmAction.DISPLAY, "Due soon", AlarmRelated.END),
        Alarm(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), AlarmAction.AUDIO, ""),
    )
    assert task.sequence == 3
    assert task.created == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_parses_a_vcalendar_1_0_phone_task() -> None:
    task = parse_task(fixture("nokia-task.vcs"), "text/x-vcalendar")
    assert task.uid == "nokia-77"
    assert task.summary == "Grüße an Oma; Kuchen"  # quoted-printable, CHARSET, \; escape
    assert task.description == "Erste Zeile\nZweite Zeile mit ä"  # QP soft line break
    assert task.due == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert task.priority is Priority.MEDIUM  # vCalendar PRIORITY:2
    assert task.status is Status.NEEDS_ACTION  # "NEEDS ACTION"
    assert task.categories == ("BUSINESS", "SPECIAL OCCASION")  # ";"-separated
    assert task.classification is Classification.PRIVATE
    assert task.recurrence == "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10"
    assert task.organizer == Organizer("frank@example.com", "Frank Boss")
    assert task.assignees == (
        Attendee("jane@example.com", "Jane Doe", PartStat.NEEDS_ACTION, Role.REQ_PARTICIPANT),
    )
    # AALARM and DALARM at the same time are one display alarm
    assert task.alarms == (
        Alarm(datetime(2026, 11, 30, 16, 30, tzinfo=UTC), description="Bald fällig"),
    )
    assert task.created == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_parses_latin1_bytes_lf_line_ends_and_nameless_encoding_parameter() -> None:
    task = parse_task(fixture("latin1-task.vcs"), "text/x-vcalendar")
    assert task.summary == "Café kaufen"
    assert task.description == "Müller anrufen"
    assert task.due == date(2026, 11, 30)
    assert task.is_completed and task.priority is Priority.LOW


def test_vcalendar_local_times_follow_tz_and_daylight() -> None:
    task = parse_task(fixture("synthesis-local-time.vcs"), "text/x-vcalendar")
    assert task.due == datetime(2026, 7, 15, 15, 0, tzinfo=UTC)  # summer: +02:00
    assert task.start == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # winter: +01:00
    assert task.status is Status.IN_PROCESS  # vCalendar ACCEPTED


def test_the_version_line_wins_over_a_wrong_content_type() -> None:
    assert parse_task(fixture("nokia-task.vcs"), "text/calendar").summary == "Grüße an Oma; Kuchen"
    assert parse_task(fixture("buy-milk.ics"), "text/x-vcalendar").summary == "Buy milk"


def test_content_type_parameters_and_case_are_ignored() -> None:
    assert media_type("Text/Calendar; charset=UTF-8") == ICALENDAR
    assert media_type("text/x-vcalendar") == VCALENDAR
    with pytest.raises(TaskFormatError, match="unsupported content type 'text/plain'"):
        parse_task(fixture("buy-milk.ics"), "text/plain")


def test_a_bare_vtodo_without_vcalendar_is_accepted() -> None:
    assert parse_task("BEGIN:VTODO\r\nUID:x\r\nSUMMARY:bare\r\nEND:VTODO\r\n").summary == "bare"


def test_a_line_broken_off_a_value_is_kept_in_the_value() -> None:
    text = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nUID:x\nDESCRIPTION:first\nsecond line\n"
        "END:VTODO\nEND:VCALENDAR\n"
    )
    assert parse_task(text).description == "first\nsecond line"


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "not an iCalendar object: the item is empty"),
        ("hello world", "not an iCalendar object: the item is empty"),
        (
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:e\nEND:VEVENT\nEND:VCALENDAR",
            "not an iCalendar VTODO: no BEGIN:VTODO found",
        ),
        ("BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:x\n", "BEGIN:VTODO is never closed"),
        ("BEGIN:VCALENDAR\nBEGIN:VTODO\nEND:VALARM\nEND:VCALENDAR", "END:VALARM while BEGIN:VTODO"),
        (
            "BEGIN:VCALENDAR\nBEGIN:VTODO\nDUE:tomorrow\nEND:VTODO\nEND:VCALENDAR",
            "DUE is not a date or date-time: 'tomorrow'",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VTODO\nPRIORITY:high\nEND:VTODO\nEND:VCALENDAR",
            "PRIORITY is not a number: 'high'",
        ),
    ],
)
def test_malformed_items_raise_task_format_error_with_a_clear_message(
    data: str, message: str
) -> None:
    with pytest.raises(TaskFormatError, match=re.escape(message)):
        parse_task(data, "text/calendar")


def test_vcalendar_errors_name_the_format() -> None:
    with pytest.raises(TaskFormatError, match="not a vCalendar VTODO: no BEGIN:VTODO found"):
        parse_task("BEGIN:VCALENDAR\r\nVERSION:1.0\r\nEND:VCALENDAR\r\n", "text/x-vcalendar")


_JUNK_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "BEGIN:VCALENDAR",
                "END:VCALENDAR",
                "BEGIN:VTODO",
                "END:VTODO",
                "BEGIN:VALARM",
                "END:VALARM",
                "VERSION:1.0",
                "VERSION:2.0",
                "BEGIN:VTIMEZONE",
                "END:VTIMEZONE",
                "TZ:+01",
                "DAYLIGHT:TRUE;+02;20260329T020000;20261025T030000",
                " folded",
                "DESCRIPTION;ENCODING=QUOTED-PRINTABLE:abc=",
                "=0D=0A",
                "TRIGGER:-PT15M",
                "AALARM:20261130T080000;PT5M;2;x",
                "RRULE:MP1 1+ MO #0",
                "RRULE:FREQ=WEEKLY",
                "DUE;TZID=Nowhere/City:20261130T100000",
                "X-ICAL-VALARM;ENCODING=QUOTED-PRINTABLE:BEGIN:VALARM",
                "ATTENDEE;ROLE=ORGANIZER:A <a@b>",
                'ATTENDEE;CN="x:y":mailto:z',
                "UID:u",
                "X-ICAL-DUE;TZID=Europe/Berlin:20261130T100000",
            ]
        ),
        st.text(max_size=40),
        st.builds(
            lambda name, params, value: f"{name}{params}:{value}",
            st.sampled_from(
                [
                    "DUE",
                    "DTSTART",
                    "PRIORITY",
                    "STATUS",
                    "CATEGORIES",
                    "ATTENDEE",
                    "RRULE",
                    "AALARM",
                    "DALARM",
                    "X-ICAL-ATTENDEE",
                    "X-ICAL-VTIMEZONE",
                    "COMPLETED",
                    "PERCENT-COMPLETE",
                    "SEQUENCE",
                    "EXDATE",
                    "TRIGGER",
                    "CLASS",
                    "TZ",
                    "DAYLIGHT",
                ]
            ),
            st.sampled_from(
                [
                    "",
                    ";VALUE=DATE",
                    ";TZID=Europe/Berlin",
                    ";ENCODING=QUOTED-PRINTABLE",
                    ";CHARSET=bogus;ENCODING=QUOTED-PRINTABLE",
                    ';CN="a',
                    ";ENCODING=BASE64",
                ]
            ),
            st.text(max_size=30),
        ),
    ),
    max_size=25,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_JUNK_LINES, content_type=st.sampled_from([ICALENDAR, VCALENDAR]))
def test_parsing_raises_nothing_but_task_format_error(lines: list[str], content_type: str) -> None:
    data = "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"])
    for attempt in (data, data.encode("utf-8"), "\n".join(lines)):
        try:
            parse_task(attempt, content_type)
        except TaskFormatError as exc:
            assert "unreadable" not in str(exc), exc  # the safety net must not be what caught it
        try:
            convert_item(
                attempt, content_type, VCALENDAR if content_type == ICALENDAR else ICALENDAR
            )
        except TaskFormatError as exc:
            assert "unreadable" not in str(exc), exc
        extract_uid(attempt)
        extract_keys(attempt)


@settings(max_examples=300)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(lambda s: s.encode("utf-8")))
def test_parsing_arbitrary_bytes_raises_nothing_but_task_format_error(data: bytes) -> None:
    for item in (
        data,
        b"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\n" + data + b"\r\nEND:VTODO\r\nEND:VCALENDAR",
    ):
        with contextlib.suppress(TaskFormatError):
            parse_task(item, ICALENDAR)
        extract_uid(item)


# --- converting ---------------------------------------------------------------------------


def test_same_format_returns_the_input_unchanged() -> None:
    text = fixture_text("rich-task.ics")
    assert convert_item(text, ICALENDAR, "text/calendar; charset=utf-8") is text
    vcal = fixture_text("nokia-task.vcs")
    assert convert_item(vcal, VCALENDAR, VCALENDAR) is vcal
    assert convert_item(fixture("buy-milk.ics"), ICALENDAR, ICALENDAR) == fixture_text(
        "buy-milk.ics"
    )


@pytest.mark.parametrize(
    "name",
    [
        "buy-milk.ics",
        "syncevolution-task-1.ics",
        "syncevolution-task-4.ics",
        "syncevolution-many-1.ics",
        "syncevolution-upload-task-2.ics",
    ],
)
def test_icalendar_round_trips_through_vcalendar_byte_for_byte(name: str) -> None:
    original = fixture_text(name)
    vcal = convert_item(original, ICALENDAR, VCALENDAR)
    assert "VERSION:1.0" in vcal
    assert convert_item(vcal, VCALENDAR, ICALENDAR) == original


def test_a_large_item_round_trips_in_meaning() -> None:
    original = fixture_text("syncevolution-big-1.ics")
    back = convert_item(convert_item(original, ICALENDAR, VCALENDAR), VCALENDAR, ICALENDAR)
    assert lines(back) == lines(original)  # SyncEvolution folds at 76 octets, we at 75


def test_a_rich_item_keeps_every_property_through_vcalendar() -> None:
    original = fixture_text("rich-task.ics")
    back = convert_item(convert_item(original, ICALENDAR, VCALENDAR), ICALENDAR, ICALENDAR)
    back = convert_item(convert_item(original, ICALENDAR, VCALENDAR), VCALENDAR, ICALENDAR)
    assert vtodo_keys(back) == vtodo_keys(original)
    assert parse_task(back) == parse_task(original)


def test_vcalendar_output_is_what_a_phone_understands() -> None:
    vcal = lines(convert_item(fixture_text("rich-task.ics"), ICALENDAR, VCALENDAR))
    assert "VERSION:1.0" in vcal
    assert "DUE:20261130T160000Z" in vcal  # TZID times go out in UTC
    assert "DTSTART:20261128T080000Z" in vcal
    assert "PRIORITY:1" in vcal  # iCalendar 2 is "high"
    assert "STATUS:ACCEPTED" in vcal  # IN-PROCESS
    assert "CATEGORIES:Business;Personal;Extra" in vcal
    assert "CLASS:CONFIDENTIAL" in vcal
    assert "DCREATED:20261120T100000Z" in vcal
    assert "RRULE:W1 MO TH #10" in vcal
    assert "ATTENDEE;ROLE=ORGANIZER:Doe, John <john@example.com>" in vcal
    assert "ATTENDEE;STATUS=ACCEPTED;EXPECT=REQUIRE:Jane Roe <jane@example.com>" in vcal
    assert "DALARM:20261130T154500Z;;;Due soon" in vcal  # 15 minutes before DUE
    assert "AALARM:20261130T080000Z;PT5M;2;" in vcal
    assert "EXDATE:20261203T080000Z" in vcal
    assert any(
        line.startswith("SUMMARY;LANGUAGE=de;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Gr=C3=BC")
        for line in vcal
    )
    assert "X-CUSTOM;X-P=1:value" in vcal  # X- lines pass through as they are
    assert "X-ICAL-PERCENT-COMPLETE:40" in vcal  # what vCalendar cannot say travels along
    assert "X-ICAL-GEO:48.137;11.575" in vcal
    assert not any(
        line.startswith("PERCENT-COMPLETE") or line.startswith("BEGIN:VALARM") for line in vcal
    )


def test_vcalendar_output_never_folds_but_breaks_quoted_printable_softly() -> None:
    task = Task("t", summary="x" * 200, description="ä" * 100)
    vcal = format_task(task, VCALENDAR, now=NOW)
    physical = vcal.split("\r\n")
    assert not any(line.startswith((" ", "\t")) for line in physical)
    assert "SUMMARY:" + "x" * 200 in physical
    assert all(len(line) <= 76 for line in physical if not line.startswith("SUMMARY:"))
    assert parse_task(vcal, VCALENDAR).description == "ä" * 100


def test_a_phones_edits_win_over_the_carried_originals() -> None:
    vcal = convert_item(fixture_text("rich-task.ics"), ICALENDAR, VCALENDAR)
    edited = (
        vcal.replace("DUE:20261130T160000Z", "DUE:20261201T160000Z")
        .replace("PRIORITY:1", "PRIORITY:3")
        .replace("CATEGORIES:Business;Personal;Extra", "CATEGORIES:Business")
    )
    task = parse_task(edited, VCALENDAR)
    assert task.due == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # new value, in UTC
    assert task.priority is Priority.LOW
    assert task.categories == ("Business",)
    assert task.start == datetime(2026, 11, 28, 9, 0, tzinfo=BERLIN)  # untouched: TZID kept
    assert task.percent_complete == 40
    # the alarm relative to DUE now fires at the time the phone still has (the old due - 15 min)
    assert task.alarms[0].trigger == datetime(2026, 11, 30, 15, 45, tzinfo=UTC)


def test_a_phone_that_drops_x_lines_keeps_what_vcalendar_can_say() -> None:
    vcal = convert_item(fixture_text("rich-task.ics"), ICALENDAR, VCALENDAR)
    task = parse_task(drop_x_lines(vcal), VCALENDAR)
    assert task.summary == "Grüße an alle, bitte; danke"
    assert task.due == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert task.priority is Priority.HIGH and task.status is Status.IN_PROCESS
    assert task.percent_complete is None  # one of the things vCalendar cannot carry
    assert task.assignees[0].email == "jane@example.com"


def test_unknown_vcalendar_lines_survive_the_trip_to_icalendar_and_back() -> None:
    ical = convert_item(fixture_text("synthesis-local-time.vcs"), VCALENDAR, ICALENDAR)
    assert "X-VCAL-GEO:48.137,11.575" in lines(ical)
    assert "X-VCAL-TZ:+01:00" in lines(ical)
    vcal = lines(convert_item(ical, ICALENDAR, VCALENDAR))
    assert "GEO:48.137,11.575" in vcal and "TZ:+01:00" in vcal
    assert "DAYLIGHT:TRUE;+02:00;20260329T020000;20261025T030000;CET;CEST" in vcal


def test_vcalendar_to_icalendar_puts_alarms_after_the_properties() -> None:
    ical = lines(convert_item(fixture_text("nokia-task.vcs"), VCALENDAR, ICALENDAR))
    first_alarm = ical.index("BEGIN:VALARM")
    assert all(not line.startswith(("RRULE", "ATTENDEE", "X-")) for line in ical[first_alarm:])
    assert "DTSTAMP:20261125T084500Z" in ical  # taken from LAST-MODIFIED, as iCalendar wants one


@pytest.mark.parametrize(
    ("ical", "vcal"),
    [
        ("FREQ=DAILY", "D1 #0"),
        ("FREQ=DAILY;INTERVAL=2;COUNT=10", "D2 #10"),
        ("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10", "W1 MO TH #10"),
        ("FREQ=WEEKLY;UNTIL=20261231T000000Z", "W1 20261231T000000Z"),
        ("FREQ=MONTHLY;BYDAY=1MO,-1FR", "MP1 1+ MO 1- FR #0"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15,-1", "MD1 1 15 1- #0"),
        ("FREQ=MONTHLY;INTERVAL=3", "MD3 #0"),
        ("FREQ=YEARLY;BYMONTH=6,7;COUNT=4", "YM1 6 7 #4"),
        ("FREQ=YEARLY;BYYEARDAY=1,100", "YD1 1 100 #0"),
        ("FREQ=YEARLY;UNTIL=20301231", "YM1 20301231"),
    ],
)
def test_recurrence_rules_map_to_vcalendar_basic_grammar(ical: str, vcal: str) -> None:
    assert rrule_to_vcal(ical) == vcal
    assert rrule_from_vcal(vcal) == ical


@pytest.mark.parametrize(
    "ical",
    [
        "FREQ=MONTHLY;BYDAY=MO",
        "FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=1",
        "FREQ=HOURLY",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "FREQ=WEEKLY;BYDAY=1MO",
        "nonsense",
    ],
)
def test_rules_beyond_the_basic_grammar_have_no_vcalendar_form(ical: str) -> None:
    assert rrule_to_vcal(ical) is None


def test_vcalendar_rule_details() -> None:
    assert rrule_from_vcal("W2 TU TH") == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=2"  # default #2
    assert rrule_from_vcal("MD1 LD #0") == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert rrule_from_vcal("MP1 1+ 2- MO #5") == "FREQ=MONTHLY;BYDAY=1MO,-2MO;COUNT=5"
    assert rrule_from_vcal("D1 0800 1700 #3") is None  # time lists have no RRULE form
    assert rrule_from_vcal("W1 MO #1 MD1 1 #0") is None  # compound rules neither


def test_a_rule_vcalendar_cannot_say_still_round_trips() -> None:
    text = fixture_text("buy-milk.ics").replace(
        "STATUS:NEEDS-ACTION\r\n",
        "STATUS:NEEDS-ACTION\r\nRRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1\r\n",
    )
    vcal = convert_item(text, ICALENDAR, VCALENDAR)
    assert "X-ICAL-RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1" in lines(vcal)
    assert not any(line.startswith("RRULE") for line in lines(vcal))
    assert convert_item(vcal, VCALENDAR, ICALENDAR) == text


# --- formatting ---------------------------------------------------------------------------


def test_format_task_writes_a_valid_vtodo() -> None:
    task = Task(
        "new-1",
        summary="Call Frank",
        due=datetime(2026, 11, 30, 17, 0, tzinfo=BERLIN),
        priority=Priority.MEDIUM,
        categories=("Work",),
    )
    text = format_task(task, now=NOW)
    out = lines(text)
    assert out[:4] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Traveler Desktop//ToDo 1.0//EN",
        "BEGIN:VTIMEZONE",
    ]
    assert "UID:new-1" in out and "DTSTAMP:20261125T120000Z" in out
    assert "DUE;TZID=Europe/Berlin:20261130T170000" in out
    assert "PRIORITY:5" in out and "CATEGORIES:Work" in out
    assert parse_task(text) == task
    # icalendar (the library) reads it too
    import icalendar

    todo = icalendar.Calendar.from_ical(text).walk("VTODO")[0]
    assert todo.decoded("DUE") == datetime(2026, 11, 30, 17, 0, tzinfo=BERLIN)


def test_format_onto_a_template_rewrites_only_changed_fields() -> None:
    template = fixture_text("rich-task.ics")
    task = parse_task(template)
    assert format_task(task, template=template, now=NOW) == template  # nothing changed
    edited = format_task(
        task.completed_at(datetime(2026, 11, 26, 9, 0, tzinfo=UTC)), template=template, now=NOW
    )
    before, after = set(lines(template)), set(lines(edited))
    assert before - after == {
        "STATUS:IN-PROCESS",
        "PERCENT-COMPLETE:40",
        "DTSTAMP:20261125T084500Z",
    }
    assert after - before == {
        "STATUS:COMPLETED",
        "PERCENT-COMPLETE:100",
        "COMPLETED:20261126T090000Z",
        "DTSTAMP:20261125T120000Z",
    }


def test_format_onto_a_vcalendar_template() -> None:
    template = fixture_text("nokia-task.vcs")
    task = parse_task(template, VCALENDAR)
    out = format_task(task.reopened(), VCALENDAR, template=template, now=NOW)
    assert parse_task(out, VCALENDAR) == task.reopened()
    assert "X-EPOCAGENDAENTRYTYPE:TODO" in lines(out)


_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r"), max_size=40)
_NAME = st.text(
    st.characters(exclude_categories=["Cs", "Cc"], exclude_characters='"^'), max_size=15
)
_EMAIL = st.from_regex(r"[a-z0-9.]{1,10}@[a-z]{1,8}\.(com|org)", fullmatch=True)
_SECOND = st.integers(min_value=0, max_value=59)
_NAIVE = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)).map(
    lambda d: d.replace(microsecond=0)
)
_UTC = _NAIVE.map(lambda d: d.replace(tzinfo=UTC))
_MOMENT = st.one_of(
    st.none(),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    _NAIVE,
    _UTC,
    _NAIVE.map(lambda d: d.replace(tzinfo=BERLIN)),
    _NAIVE.map(lambda d: d.replace(tzinfo=ZoneInfo("America/New_York"))),
)
_RULES = st.sampled_from(
    [
        None,
        "FREQ=DAILY;COUNT=3",
        "FREQ=WEEKLY;BYDAY=MO,WE",
        "FREQ=MONTHLY;BYDAY=2TU;INTERVAL=2",
        "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1",
    ]
)
_ALARM = st.one_of(
    st.builds(
        Alarm,
        st.integers(min_value=-10 * 86400, max_value=10 * 86400).map(
            lambda s: timedelta(seconds=s)
        ),
        st.sampled_from(AlarmAction),
        _TEXT.map(str.strip).filter(bool),
        st.sampled_from(AlarmRelated),
    ),
    st.builds(Alarm, _UTC, st.sampled_from(AlarmAction), _TEXT.map(str.strip).filter(bool)),
)
TASKS = st.builds(
    Task,
    uid=_TEXT.filter(bool),
    summary=_TEXT,
    description=_TEXT,
    start=_MOMENT,
    due=_MOMENT,
    completed=st.none() | _UTC,
    priority=st.sampled_from(Priority),
    status=st.none() | st.sampled_from(Status),
    percent_complete=st.none() | st.integers(min_value=0, max_value=100),
    categories=st.lists(_TEXT.map(str.strip).filter(bool), max_size=3).map(tuple),
    organizer=st.none() | st.builds(Organizer, _EMAIL, _NAME.map(str.strip)),
    assignees=st.lists(
        st.builds(
            Attendee, _EMAIL, _NAME.map(str.strip), st.sampled_from(PartStat), st.sampled_from(Role)
        ),
        max_size=3,
    ).map(tuple),
    recurrence=_RULES,
    alarms=st.lists(_ALARM, max_size=2).map(tuple),
    created=st.none() | _UTC,
    last_modified=st.none() | _UTC,
    sequence=st.integers(min_value=0, max_value=1000),
    classification=st.none() | st.sampled_from(Classification),
)


@settings(max_examples=300, deadline=None)
@given(task=TASKS)
def test_any_task_round_trips_through_icalendar(task: Task) -> None:
    text = format_task(task, now=NOW)
    assert parse_task(text) == task
    assert extract_uid(text) == task.uid
    assert extract_keys(text).sequence == task.sequence
    assert extract_last_modified(text) == task.last_modified


@settings(max_examples=300, deadline=None)
@given(task=TASKS)
def test_any_task_round_trips_through_vcalendar(task: Task) -> None:
    vcal = format_task(task, VCALENDAR, now=NOW)
    assert parse_task(vcal, VCALENDAR) == task
    assert extract_uid(vcal) == task.uid
    ical = format_task(task, now=NOW)
    assert convert_item(convert_item(ical, ICALENDAR, VCALENDAR), VCALENDAR, ICALENDAR) == ical


_PARAMS = st.sampled_from(
    [
        "",
        ";X-P=1",
        ";LANGUAGE=de",
        ";TZID=Europe/Berlin",
        ";VALUE=DATE",
        ';CN="Doe, J"',
        ';ALTREP="http://x/y"',
        ";RELATED=END",
        ";X-Q=a,b",
        ";PARTSTAT=IN-PROCESS;CUTYPE=ROOM",
    ]
)
_RAW_VALUE = st.one_of(
    st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=20),
    st.sampled_from(
        [
            "20261130",
            "20261130T170000",
            "20261130T170000Z",
            "1",
            "5",
            "7",
            "-PT15M",
            "NEEDS-ACTION",
            "IN-PROCESS",
            "PUBLIC",
            "X-SECRET",
            "mailto:a@b.org",
            "a\\,b,c",
            "FREQ=WEEKLY;BYDAY=MO",
            "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
            "20261130T170000Z,20261201T170000Z",
            "48.1;11.5",
            "line\\nbreak",
            "semi\\;colon",
        ]
    ),
)
_NAMES = st.sampled_from(
    [
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "DUE",
        "DTSTART",
        "COMPLETED",
        "PRIORITY",
        "STATUS",
        "CATEGORIES",
        "RESOURCES",
        "CLASS",
        "X-FOO",
        "X-ICAL-FOO",
        "X-VCAL-FOO",
        "X-VCAL-TZ",
        "X-RECURRENCE-ID",
        "RECURRENCE-ID",
        "PERCENT-COMPLETE",
        "GEO",
        "COMMENT",
        "RRULE",
        "EXDATE",
        "RDATE",
        "ATTENDEE",
        "ORGANIZER",
        "URL",
        "SEQUENCE",
        "RELATED-TO",
        "CREATED",
        "LAST-MODIFIED",
        "DTSTAMP",
        "UID",
        "FOO-BAR",
        "DURATION",
        "ATTACH",
        "X-VCAL-DAYLIGHT",
        "AALARM",
        "DCREATED",
    ]
)
_LINE = st.builds(lambda n, p, v: f"{n}{p}:{v}", _NAMES, _PARAMS, _RAW_VALUE)
_ALARM_BLOCK = st.builds(
    lambda lines_: ["BEGIN:VALARM", *lines_, "END:VALARM"],
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "ACTION:DISPLAY",
                    "ACTION:AUDIO",
                    "ACTION:EMAIL",
                    "TRIGGER:-PT15M",
                    "TRIGGER;RELATED=END:PT0S",
                    "TRIGGER;VALUE=DATE-TIME:20261130T080000Z",
                    "DESCRIPTION:x",
                    "REPEAT:2",
                    "DURATION:PT5M",
                    "X-WR-ALARMUID:a",
                ]
            ),
            _LINE,
        ),
        max_size=5,
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    calendar_lines=st.lists(
        st.sampled_from(
            [
                "CALSCALE:GREGORIAN",
                "METHOD:PUBLISH",
                "X-WR-CALNAME:Work",
                "X-VCAL-TZ:+01:00",
                "X-FOO;X-P=1:bar",
            ]
        ),
        max_size=2,
    ),
    todo_lines=st.lists(_LINE, max_size=12),
    alarms=st.lists(_ALARM_BLOCK, max_size=2),
)
def test_any_icalendar_item_keeps_every_line_through_vcalendar(
    calendar_lines: list[str], todo_lines: list[str], alarms: list[list[str]]
) -> None:
    text = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//x//y//EN",
            *calendar_lines,
            "BEGIN:VTODO",
            "DTSTAMP:20261125T000000Z",
            *todo_lines,
            *(line for block in alarms for line in block),
            "END:VTODO",
            "END:VCALENDAR",
            "",
        ]
    )
    vcal = convert_item(text, ICALENDAR, VCALENDAR)
    back = convert_item(vcal, VCALENDAR, ICALENDAR)
    assert vtodo_keys(back) == vtodo_keys(text)
    todo_in, todo_out = read(text)[0].components("VTODO")[0], read(back)[0].components("VTODO")[0]
    assert sorted(map(repr, map(_key, todo_out.children))) == sorted(
        map(repr, map(_key, todo_in.children))
    )


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(exclude_categories=["Cs"]), max_size=60))
def test_any_text_survives_vcalendar_natively(text: str) -> None:
    """Even without carriers (a phone drops X- lines) a summary comes back as it was."""
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    vcal = format_task(Task("t", summary=text, description=text), VCALENDAR, now=NOW)
    task = parse_task(drop_x_lines(vcal), VCALENDAR)
    assert task.summary == expected and task.description == expected


# --- fast keys ----------------------------------------------------------------------------


def test_extract_uid_from_fixtures_matches_the_parser() -> None:
    for path in sorted(FIXTURES.iterdir()):
        data = path.read_bytes()
        content_type = VCALENDAR if path.suffix == ".vcs" else ICALENDAR
        assert extract_uid(data) == parse_task(data, content_type).uid, path.name
        assert extract_uid(data.decode("utf-8", "replace")) == parse_task(data, content_type).uid


@pytest.mark.parametrize(
    ("item", "uid"),
    [
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:abc-\r\n def\r\n\tghi\r\nEND:VTODO\r\n"
            "END:VCALENDAR",
            "abc-defghi",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VTODO\nBEGIN:VALARM\nUID:alarm\nEND:VALARM\nUID:task\nEND:VTODO\nEND:VCALENDAR",
            "task",
        ),
        ('BEGIN:VCALENDAR\nBEGIN:VTODO\nUID;X-A="a:b":q\nEND:VTODO\nEND:VCALENDAR', "q"),
        ("BEGIN:VCALENDAR\nBEGIN:VTODO\nuid:lower\\,case\nEND:VTODO\nEND:VCALENDAR", "lower,case"),
        ("BEGIN:VCALENDAR\rBEGIN:VTODO\rUID:old-mac\rEND:VTODO\rEND:VCALENDAR", "old-mac"),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nDESCRIPTION;ENCODING=QUOTED-PRINTABLE:a=\r\nUID:fake\r\nUID:real\r\nEND:VTODO\r\nEND:VCALENDAR",
            "real",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID;ENCODING=QUOTED-PRINTABLE:caf=C3=A9\nEND:VTODO\nEND:VCALENDAR",
            "café",
        ),
        ("BEGIN:VCALENDAR\nBEGIN:VTODO\nSUMMARY:no uid\nEND:VTODO\nEND:VCALENDAR", None),
    ],
)
def test_extract_uid_handles_folding_alarms_params_and_encodings(
    item: str, uid: str | None
) -> None:
    assert extract_uid(item) == uid
    assert extract_uid(item.encode()) == uid


def test_extract_keys_skips_timezone_and_alarm_lines() -> None:
    keys = extract_keys(fixture("rich-task.ics"))
    assert keys.uid == "rich-1@example.com"
    assert keys.last_modified == datetime(2026, 11, 25, 8, 45, tzinfo=UTC)
    assert keys.sequence == 3
    assert keys.summary == "Grüße an alle, bitte; danke"
    item = (
        "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:X\nLAST-MODIFIED:20050809T050000Z\nEND:VTIMEZONE\n"
        "BEGIN:VTODO\nUID:u\nEND:VTODO\nEND:VCALENDAR\n"
    )
    assert extract_last_modified(item) is None
    assert extract_keys(fixture("latin1-task.vcs")).summary == "Café kaufen"


def test_a_soft_line_break_before_a_blank_keeps_the_blank_in_a_scanned_key() -> None:
    # a quoted-printable soft break followed by a line that starts with a blank is no fold
    uid = "0\x1f\x1f𐀀𐀀 0"
    item = format_task(Task(uid, priority=Priority.HIGH), VCALENDAR, now=NOW)
    assert "=\r\n 0" in item
    assert extract_uid(item) == uid == parse_task(item, VCALENDAR).uid
