"""Three-way merge of a task changed on the server and on a client (SyncML conflicts)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from todo._content_lines import Component, read, write
from todo.calendar_format import ICALENDAR, VCALENDAR, convert_item
from todo.errors import TaskFormatError
from todo.merge import MergeKind, MergeResult, merge_items
from todo.task import Priority
from todo.task_format import parse_task

FIXTURES = Path(__file__).parent / "fixtures"
EARLY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LATE = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

BASE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
    "PRODID:-//Synthesis AG//NONSGML SyncML Engine V3.4.0.47//EN\r\n"
    "BEGIN:VTODO\r\nLAST-MODIFIED:20261125T084500Z\r\nDTSTAMP:20261125T084500Z\r\n"
    "CREATED:20261125T084500Z\r\nUID:task-1@example.com\r\nSEQUENCE:2\r\nSUMMARY:Buy milk\r\n"
    "PRIORITY:5\r\nSTATUS:NEEDS-ACTION\r\nDUE;VALUE=DATE:20261130\r\n"
    "X-CUSTOM-THING;X-PARAM=1:keep me\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
)


def edit(item: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert old in item, old
        item = item.replace(old, new)
    return item


def merge(
    base: str | None,
    server: str,
    client: str,
    *,
    server_modified: datetime = EARLY,
    client_modified: datetime | None = LATE,
    content_type: str = ICALENDAR,
) -> MergeResult:
    return merge_items(
        base,
        server,
        client,
        server_modified=server_modified,
        client_modified=client_modified,
        content_type=content_type,
        now=NOW,
    )


def lines(text: str) -> list[str]:
    return [line for line in re.sub(r"\r\n[ \t]", "", text).split("\r\n") if line]


def prop(text: str, name: str) -> list[str]:
    return [line for line in lines(text) if re.match(rf"{name}[;:]", line)]


def test_changes_to_different_fields_are_merged() -> None:
    server = edit(BASE, ("PRIORITY:5", "PRIORITY:1"))
    client = edit(BASE, ("SUMMARY:Buy milk", "SUMMARY:Buy oat milk"))
    result = merge(BASE, server, client)
    assert result.kind is MergeKind.MERGED and result.conflicts == ()
    task = parse_task(result.data)
    assert task.summary == "Buy oat milk" and task.priority is Priority.HIGH
    assert task.uid == "task-1@example.com"
    assert prop(result.data, "SEQUENCE") == ["SEQUENCE:3"]  # max + 1
    assert prop(result.data, "LAST-MODIFIED") == ["LAST-MODIFIED:20261125T120000Z"]
    assert prop(result.data, "DTSTAMP") == ["DTSTAMP:20261125T120000Z"]
    assert prop(result.data, "X-CUSTOM-THING") == ["X-CUSTOM-THING;X-PARAM=1:keep me"]
    assert prop(result.data, "CREATED") == ["CREATED:20261125T084500Z"]


def test_only_the_server_changed_means_the_server_wins_unchanged() -> None:
    server = edit(BASE, ("PRIORITY:5", "PRIORITY:1"))
    client = edit(BASE, ("LAST-MODIFIED:20261125T084500Z", "LAST-MODIFIED:20261125T100000Z"))
    result = merge(BASE, server, client)
    assert result.kind is MergeKind.SERVER
    assert result.data is server or result.data == server


def test_only_the_client_changed_means_the_client_wins() -> None:
    client = edit(
        BASE,
        ("STATUS:NEEDS-ACTION", "STATUS:COMPLETED\r\nCOMPLETED:20261125T095000Z"),
        ("SEQUENCE:2", "SEQUENCE:3"),
    )
    result = merge(BASE, BASE, client)
    assert result.kind is MergeKind.CLIENT
    assert parse_task(result.data) == parse_task(client)
    assert prop(result.data, "SEQUENCE") == ["SEQUENCE:3"]  # the client's own bookkeeping


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    changed = edit(BASE, ("SUMMARY:Buy milk", "SUMMARY:Buy bread"))
    result = merge(
        BASE, changed, edit(changed, ("DTSTAMP:20261125T084500Z", "DTSTAMP:20261125T100000Z"))
    )
    assert result.kind is MergeKind.CLIENT and result.conflicts == ()
    assert result.data == changed  # nothing to store, nothing to send


@pytest.mark.parametrize(
    ("server_modified", "client_modified", "winner"),
    [(EARLY, LATE, "client"), (LATE, EARLY, "server"), (EARLY, EARLY, "client")],
)
def test_a_field_changed_on_both_sides_goes_to_the_later_change(
    server_modified: datetime, client_modified: datetime, winner: str
) -> None:
    server = edit(
        BASE, ("SUMMARY:Buy milk", "SUMMARY:Server summary"), ("PRIORITY:5", "PRIORITY:1")
    )
    client = edit(BASE, ("SUMMARY:Buy milk", "SUMMARY:Client summary"))
    result = merge(
        BASE, server, client, server_modified=server_modified, client_modified=client_modified
    )
    assert result.conflicts == ("SUMMARY",)
    task = parse_task(result.data)
    assert task.summary == ("Client summary" if winner == "client" else "Server summary")
    assert task.priority is Priority.HIGH  # the server's other change is kept either way
    assert result.kind is (MergeKind.MERGED if winner == "client" else MergeKind.SERVER)


def test_without_client_time_the_items_last_modified_counts_else_the_client_is_later() -> None:
    server = edit(BASE, ("SUMMARY:Buy milk", "SUMMARY:Server"))
    old_client = edit(
        BASE,
        ("SUMMARY:Buy milk", "SUMMARY:Client"),
        ("LAST-MODIFIED:20261125T084500Z", "LAST-MODIFIED:20261125T085000Z"),
    )
    result = merge(BASE, server, old_client, server_modified=LATE, client_modified=None)
    assert parse_task(result.data).summary == "Server"
    no_stamp = edit(
        BASE, ("SUMMARY:Buy milk", "SUMMARY:Client"), ("LAST-MODIFIED:20261125T084500Z\r\n", "")
    )
    result = merge(BASE, server, no_stamp, server_modified=LATE, client_modified=None)
    assert parse_task(result.data).summary == "Client"


def test_a_property_deleted_on_one_side_is_deleted() -> None:
    client = edit(BASE, ("DUE;VALUE=DATE:20261130\r\n", ""))
    server = edit(BASE, ("PRIORITY:5", "PRIORITY:9"))
    result = merge(BASE, server, client)
    assert result.kind is MergeKind.MERGED
    assert prop(result.data, "DUE") == [] and prop(result.data, "PRIORITY") == ["PRIORITY:9"]


def test_attendees_are_one_unit() -> None:
    base = edit(BASE, ("SUMMARY:Buy milk", "SUMMARY:Buy milk\r\nATTENDEE:mailto:a@example.com"))
    server = edit(
        base,
        (
            "ATTENDEE:mailto:a@example.com",
            "ATTENDEE:mailto:a@example.com\r\nATTENDEE:mailto:s@example.com",
        ),
    )
    client = edit(
        base,
        (
            "ATTENDEE:mailto:a@example.com",
            "ATTENDEE:mailto:a@example.com\r\nATTENDEE:mailto:c@example.com",
        ),
    )
    result = merge(base, server, client)
    assert result.conflicts == ("ATTENDEE",)
    assert prop(result.data, "ATTENDEE") == [
        "ATTENDEE:mailto:a@example.com",
        "ATTENDEE:mailto:c@example.com",
    ]


def test_spelling_differences_are_no_changes() -> None:
    base = edit(
        BASE,
        (
            "SUMMARY:Buy milk",
            "SUMMARY:Buy milk\\, eggs\r\nCATEGORIES:A,B\r\n"
            "ATTENDEE;CN=Jane;ROLE=CHAIR:mailto:j@example.com\r\n"
            "DTSTART;TZID=Europe/Berlin:20261128T090000",
        ),
    )
    client = edit(
        base,
        ("CATEGORIES:A,B", "CATEGORIES:B\r\nCATEGORIES:A"),
        ("CN=Jane;ROLE=CHAIR", "ROLE=CHAIR;CN=Jane"),
        ("DTSTART;TZID=Europe/Berlin:20261128T090000", "DTSTART:20261128T080000Z"),
    )
    server = edit(base, ("PRIORITY:5", "PRIORITY:1"))
    result = merge(base, server, client)
    assert result.kind is MergeKind.SERVER and result.data == server


def test_alarms_are_one_unit() -> None:
    alarm = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:x\r\nEND:VALARM\r\n"
    base = edit(BASE, ("END:VTODO", alarm + "END:VTODO"))
    client = edit(base, ("TRIGGER:-PT15M", "TRIGGER:-PT30M"))
    server = edit(base, ("PRIORITY:5", "PRIORITY:1"))
    result = merge(base, server, client)
    assert result.kind is MergeKind.MERGED
    assert "TRIGGER:-PT30M" in lines(result.data) and "PRIORITY:1" in lines(result.data)
    assert lines(result.data).index("BEGIN:VALARM") > lines(result.data).index("PRIORITY:1")


def test_properties_new_on_the_client_are_added_before_the_alarms() -> None:
    alarm = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:x\r\nEND:VALARM\r\n"
    base = edit(BASE, ("END:VTODO", alarm + "END:VTODO"))
    client = edit(base, ("END:VALARM\r\n", "END:VALARM\r\nLOCATION:Shop\r\n"))
    server = edit(base, ("PRIORITY:5", "PRIORITY:1"))
    out = lines(merge(base, server, client).data)
    assert out.index("LOCATION:Shop") < out.index("BEGIN:VALARM")


def test_without_a_base_the_later_item_wins_but_keeps_what_only_the_other_has() -> None:
    server = edit(BASE, ("SUMMARY:Buy milk", "SUMMARY:Server\r\nLOCATION:Shop"))
    client = edit(
        BASE,
        ("SUMMARY:Buy milk", "SUMMARY:Client\r\nCATEGORIES:Home"),
        ("X-CUSTOM-THING;X-PARAM=1:keep me\r\n", ""),
    )
    result = merge(None, server, client, server_modified=EARLY, client_modified=LATE)
    task = parse_task(result.data)
    assert task.summary == "Client" and task.categories == ("Home",)
    assert prop(result.data, "LOCATION") == ["LOCATION:Shop"]
    assert prop(result.data, "X-CUSTOM-THING") == ["X-CUSTOM-THING;X-PARAM=1:keep me"]
    later_server = merge(None, server, client, server_modified=LATE, client_modified=EARLY)
    assert parse_task(later_server.data).summary == "Server"
    assert parse_task(later_server.data).categories == ("Home",)
    assert later_server.kind is MergeKind.MERGED


def test_the_server_uid_stays() -> None:
    client = edit(BASE, ("UID:task-1@example.com", "UID:phone-17"), ("PRIORITY:5", "PRIORITY:9"))
    result = merge(BASE, edit(BASE, ("SUMMARY:Buy milk", "SUMMARY:x")), client)
    assert parse_task(result.data).uid == "task-1@example.com"


def test_timezone_definitions_of_client_times_come_along() -> None:
    rich = (FIXTURES / "rich-task.ics").read_bytes().decode()
    no_zone = edit(
        rich,
        ("DTSTART;TZID=Europe/Berlin:20261128T090000", "DTSTART:20261128T080000Z"),
        ("DUE;TZID=Europe/Berlin:20261130T170000", "DUE:20261130T160000Z"),
        ("EXDATE;TZID=Europe/Berlin:20261203T090000", "EXDATE:20261203T080000Z"),
    )
    calendar = read(no_zone)[0]
    calendar.children = [
        c for c in calendar.children if not (isinstance(c, Component) and c.name == "VTIMEZONE")
    ]
    server = write([calendar])
    client = edit(
        rich, ("DUE;TZID=Europe/Berlin:20261130T170000", "DUE;TZID=Europe/Berlin:20261201T170000")
    )
    result = merge(no_zone, server, client)
    assert "TZID:Europe/Berlin" in lines(result.data)
    assert parse_task(result.data).due == parse_task(client).due


# --- vCalendar clients --------------------------------------------------------------------


def phone_copy(ical: str) -> str:
    """What a phone that drops X- lines sends back for an item it got from us."""
    vcal = convert_item(ical, ICALENDAR, VCALENDAR)
    calendar = read(vcal)[0]

    def strip(comp: Component) -> Component:
        return Component(
            comp.name,
            [
                strip(c) if isinstance(c, Component) else c
                for c in comp.children
                if isinstance(c, Component) or not c.name.startswith("X-")
            ],
        )

    return write([strip(calendar)], vcalendar=True)


def test_what_a_vcalendar_phone_cannot_carry_is_not_taken_as_deleted() -> None:
    rich = (FIXTURES / "rich-task.ics").read_bytes().decode()
    phone = edit(
        phone_copy(rich), ("STATUS:ACCEPTED", "STATUS:COMPLETED\r\nCOMPLETED:20261125T110000Z")
    )
    server = edit(rich, ("PRIORITY:2", "PRIORITY:7"))
    result = merge(rich, server, phone, content_type=VCALENDAR)
    task = parse_task(result.data)
    assert task.is_completed  # the phone's change
    assert result.kind is MergeKind.MERGED
    merged = lines(result.data)
    # all the phone could not say, and the server's change, are still there
    for line in (
        "PERCENT-COMPLETE:40",
        "PRIORITY:7",
        "GEO:48.137;11.575",
        "X-CUSTOM;X-P=1:value",
        "DUE;TZID=Europe/Berlin:20261130T170000",
        "TRIGGER;RELATED=END:-PT15M",
        'ORGANIZER;CN="Doe, John":mailto:john@example.com',
        "CATEGORIES:Extra",
        "X-WR-CALNAME:Work",
        "TZID:Europe/Berlin",
    ):
        assert line in merged, line
    assert any(
        line.startswith("ATTENDEE;CN=Jane Roe;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;CUTYPE")
        for line in merged
    )


def test_a_server_change_the_phone_cannot_see_is_no_conflict() -> None:
    rich = (FIXTURES / "rich-task.ics").read_bytes().decode()
    server = edit(rich, ("PRIORITY:2", "PRIORITY:3"))  # both are "high" (1) in vCalendar
    phone = edit(phone_copy(rich), ("SUMMARY;", "LOCATION:Office\r\nSUMMARY;"))
    result = merge(rich, server, phone, content_type=VCALENDAR)
    assert result.kind is MergeKind.CLIENT  # the phone already shows what the result says
    assert "PRIORITY:3" in lines(result.data) and "LOCATION:Office" in lines(result.data)


def test_an_unchanged_vcalendar_copy_is_no_change() -> None:
    rich = (FIXTURES / "rich-task.ics").read_bytes().decode()
    server = edit(rich, ("PRIORITY:2", "PRIORITY:7"))
    result = merge(rich, server, phone_copy(rich), content_type=VCALENDAR)
    assert result.kind is MergeKind.SERVER and result.data == server


def test_a_vcalendar_client_edit_alone_is_client_wins_and_keeps_the_rest() -> None:
    rich = (FIXTURES / "rich-task.ics").read_bytes().decode()
    phone = phone_copy(rich).replace("RRULE:W1 MO TH #10", "RRULE:W1 MO #10")
    result = merge(rich, rich, phone, content_type=VCALENDAR)
    assert result.kind is MergeKind.CLIENT
    assert parse_task(result.data).recurrence == "FREQ=WEEKLY;BYDAY=MO;COUNT=10"
    assert "PERCENT-COMPLETE:40" in lines(result.data)


def test_bad_items_raise_task_format_error() -> None:
    with pytest.raises(TaskFormatError, match=r"no BEGIN:VCALENDAR found|item is empty"):
        merge(BASE, BASE, "garbage")
    with pytest.raises(TaskFormatError, match="the client item has no VTODO"):
        merge(BASE, BASE, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")


# --- properties ---------------------------------------------------------------------------

_FIELDS = {
    "SUMMARY": ["SUMMARY:a", "SUMMARY:b", "SUMMARY:c"],
    "PRIORITY": ["PRIORITY:1", "PRIORITY:5", "PRIORITY:9"],
    "CATEGORIES": ["CATEGORIES:x", "CATEGORIES:x,y", "CATEGORIES:z"],
    "DUE": ["DUE;VALUE=DATE:20261130", "DUE:20261130T100000Z", "DUE:20261201T100000Z"],
    "X-FOO": ["X-FOO:1", "X-FOO;X-P=2:1", "X-FOO:3"],
}
_VERSION = st.fixed_dictionaries(
    {name: st.none() | st.sampled_from(values) for name, values in _FIELDS.items()}
)


def _item(fields: dict[str, str | None]) -> str:
    body = "".join(f"{line}\r\n" for line in fields.values() if line)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VTODO\r\nUID:u\r\n"
        f"DTSTAMP:20261125T000000Z\r\n{body}END:VTODO\r\nEND:VCALENDAR\r\n"
    )


def _fields(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {name: [] for name in _FIELDS}
    for line in lines(text):
        name = re.split("[;:]", line, maxsplit=1)[0]
        if name in out:
            out[name].append(line)
    return out


@settings(max_examples=300, deadline=None)
@given(base=_VERSION, server=_VERSION, client=_VERSION, client_later=st.booleans())
def test_each_field_comes_from_the_side_that_changed_it(
    base: dict[str, str | None],
    server: dict[str, str | None],
    client: dict[str, str | None],
    client_later: bool,
) -> None:
    result = merge(
        _item(base),
        _item(server),
        _item(client),
        server_modified=EARLY,
        client_modified=LATE if client_later else datetime(2026, 1, 1, tzinfo=UTC),
    )
    merged = _fields(result.data)
    for name in _FIELDS:
        b, s, c = base[name], server[name], client[name]
        expected = s if c == b or s == c else c if s == b else (c if client_later else s)
        assert merged[name] == ([expected] if expected else []), name
    assert (result.kind is MergeKind.SERVER) == (
        merged == _fields(_item(server)) and merged != _fields(_item(client))
    )
    if result.kind is MergeKind.CLIENT:
        assert merged == _fields(_item(client))
    if result.kind is MergeKind.MERGED:
        assert prop(result.data, "SEQUENCE") == ["SEQUENCE:1"]


_EDITS = st.sampled_from(
    [
        ("PRIORITY:2", "PRIORITY:9"),
        ("SUMMARY;LANGUAGE=de:Grüße an alle\\, bitte\\; danke", "SUMMARY:Neu"),
        ("PERCENT-COMPLETE:40", "PERCENT-COMPLETE:80"),
        ("CATEGORIES:Extra\r\n", ""),
        ("DUE;TZID=Europe/Berlin:20261130T170000", "DUE;TZID=Europe/Berlin:20261202T170000"),
        ("TRIGGER;RELATED=END:-PT15M", "TRIGGER;RELATED=END:-PT1H"),
        ("X-CUSTOM;X-P=1:value", "X-CUSTOM;X-P=1:other"),
        ("STATUS:IN-PROCESS", "STATUS:COMPLETED"),
    ]
)


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(_EDITS, unique=True, max_size=4))
def test_a_phone_that_only_received_an_item_never_undoes_server_changes(
    edits: list[tuple[str, str]],
) -> None:
    base = (FIXTURES / "rich-task.ics").read_bytes().decode()
    server = edit(base, *edits)
    # the phone has the base version and sends it back untouched (minus what it drops);
    # server changes it cannot show leave it as up to date as it can be (CLIENT, no resend)
    result = merge(base, server, phone_copy(base), content_type=VCALENDAR)
    assert result.kind is not MergeKind.MERGED
    assert result.data == server
    # the phone got the server version and sends that back: nothing to do either
    again = merge(base, server, phone_copy(server), content_type=VCALENDAR)
    assert again.kind is MergeKind.CLIENT and again.data == server
