"""Tasks as iCalendar 2.0 (``text/calendar``) and vCalendar 1.0 (``text/x-vcalendar``) text.

- :func:`parse_task` / :func:`format_task` map between text and :class:`~todo.task.Task`;
  formatting onto a ``template`` rewrites only the fields that changed, so everything else in
  the stored item (unknown and X- properties, VTIMEZONEs, parameters) stays as it was.
- :func:`convert_item` converts a raw item between the two formats losslessly: an iCalendar
  item survives iCalendar → vCalendar → iCalendar with every property (see ``_vcalendar`` for
  how), and an item already in the wanted format is returned unchanged.
- :func:`extract_uid`, :func:`extract_last_modified` and :func:`extract_keys` read a few keys
  with a line scan instead of a parse, for matching thousands of items in a slow sync.

What vCalendar 1.0 cannot say natively — so it travels only in ``X-ICAL-<NAME>`` carrier lines,
and is lost if a phone drops X- lines (:mod:`todo.merge` then keeps the stored value):

- properties without a vCalendar form: PERCENT-COMPLETE, DTSTAMP, DURATION, GEO, ATTACH,
  COMMENT, CONTACT, REQUEST-STATUS and any other IANA property vCalendar lacks; CALSCALE and
  METHOD; VTIMEZONE components;
- TZIDs: times go out in UTC (the same moment, without the zone);
- PRIORITY other than 0/1/5/9 (phones know 1 high, 2 normal, 3 low);
- parameters other than LANGUAGE on text (ALTREP, …); ATTENDEE/ORGANIZER parameters other
  than CN, PARTSTAT, ROLE, RSVP (CUTYPE, DELEGATED-TO, SENT-BY, …); PARTSTAT=IN-PROCESS;
- relative alarm triggers (sent as absolute AALARM/DALARM run times; without DTSTART/DUE not
  sent at all) and alarm parts beyond run time, snooze, repeat and text;
- RRULEs beyond vCalendar's basic grammar (BYSETPOS, BYHOUR, WKST, BYDAY with BYMONTH, …) and
  RDATE periods;
- layout: several CATEGORIES lines become one, TEXT comes back in canonical escaping.

STATUS (IN-PROCESS ⇄ ACCEPTED, CANCELLED ⇄ DECLINED), ROLE (CHAIR ⇄ OWNER, participants ⇄
EXPECT), CREATED ⇄ DCREATED, ORGANIZER ⇄ ATTENDEE;ROLE=ORGANIZER and dates map both ways.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from todo import _vcalendar
from todo._content_lines import (
    Component,
    Node,
    Property,
    decode_bytes,
    decode_vcal_value,
    ical_escape,
    ical_unescape,
    quote,
    read,
    split_unescaped,
    write,
)
from todo._date_values import (
    Moment,
    Zones,
    format_duration,
    format_local,
    format_moment,
    parse_duration,
    parse_moment,
    property_moment,
    zone_definition,
    zone_key,
)
from todo.errors import TaskFormatError
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

ICALENDAR = "text/calendar"
VCALENDAR = "text/x-vcalendar"
PRODID = _vcalendar.PRODID

_MEDIA_TYPES = {
    "text/calendar": ICALENDAR,
    "application/calendar": ICALENDAR,
    "text/x-vcalendar": VCALENDAR,
    "text/vcalendar": VCALENDAR,
}
_NAMES = {ICALENDAR: "an iCalendar", VCALENDAR: "a vCalendar"}


def media_type(content_type: str) -> str:
    """:data:`ICALENDAR` or :data:`VCALENDAR` for a content type (case and parameters ignored)."""
    base = content_type.split(";", 1)[0].strip().lower()
    try:
        return _MEDIA_TYPES[base]
    except KeyError:
        raise TaskFormatError(
            f"unsupported content type {content_type!r}; expected {ICALENDAR} or {VCALENDAR}"
        ) from None


# --- reading ------------------------------------------------------------------------------

_READ_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    LookupError,
    RecursionError,
)


def load_calendar(data: str | bytes, content_type: str) -> Component:
    """The item as an iCalendar 2.0 VCALENDAR tree, converted from vCalendar 1.0 if need be.

    The VERSION line decides the format; ``content_type`` only when there is none.
    """
    kind = media_type(content_type)
    try:
        roots = read(data)
        calendar = _calendar_of(roots)
        if calendar is None:
            what = "the item is empty" if not roots else "no BEGIN:VCALENDAR found"
            raise TaskFormatError(f"not {_NAMES[kind]} object: {what}")
        if _version_of(calendar, kind) == VCALENDAR:
            return _vcalendar.vcal_to_ical(calendar)
        return calendar
    except TaskFormatError:
        raise
    except _READ_ERRORS as exc:  # a bug must not turn bad input into a crash
        raise TaskFormatError(f"unreadable item ({type(exc).__name__}: {exc})") from exc


def _calendar_of(roots: list[Component]) -> Component | None:
    for root in roots:
        if root.name == "VCALENDAR":
            return root
    items = [r for r in roots if _vcalendar.is_item_component(r.name)]
    if items:  # a bare VTODO without its VCALENDAR
        return Component("VCALENDAR", list(items))
    return None


def _version_of(calendar: Component, fallback: str) -> str:
    version = calendar.first("VERSION")
    if version is None:
        return fallback
    return VCALENDAR if version.value.strip() == "1.0" else ICALENDAR


def master_todo(calendar: Component) -> Component | None:
    """The VTODO that is the task itself (not an override of one recurrence)."""
    todos = calendar.components("VTODO")
    for todo in todos:
        if todo.first("RECURRENCE-ID") is None:
            return todo
    return todos[0] if todos else None


def parse_task(data: str | bytes, content_type: str = ICALENDAR) -> Task:
    """Read a VTODO item; raises :class:`TaskFormatError` (only) if it is not a usable task."""
    calendar = load_calendar(data, content_type)
    todo = master_todo(calendar)
    if todo is None:
        raise TaskFormatError(f"not {_NAMES[media_type(content_type)]} VTODO: no BEGIN:VTODO found")
    try:
        return _task_of(todo, Zones([calendar]))
    except TaskFormatError:
        raise
    except _READ_ERRORS as exc:
        raise TaskFormatError(f"unreadable VTODO ({type(exc).__name__}: {exc})") from exc


def _task_of(todo: Component, zones: Zones) -> Task:
    def text(name: str) -> str:
        prop = todo.first(name)
        return ical_unescape(prop.value) if prop is not None else ""

    def moment(name: str) -> Moment | None:
        prop = todo.first(name)
        if prop is None:
            return None
        value = property_moment(prop, zones)
        if value is None:
            raise TaskFormatError(f"{name} is not a date or date-time: {prop.value!r}")
        return value

    def instant(name: str) -> datetime | None:
        return _instant(moment(name))

    def integer(name: str) -> int | None:
        prop = todo.first(name)
        if prop is None:
            return None
        try:
            return int(prop.value.strip())
        except ValueError:
            raise TaskFormatError(f"{name} is not a number: {prop.value!r}") from None

    priority = integer("PRIORITY")
    if priority is not None and priority < 0:
        raise TaskFormatError(f"PRIORITY must be 0-9, not {priority}")
    percent = integer("PERCENT-COMPLETE")
    status = todo.first("STATUS")
    klass = todo.first("CLASS")
    rrule = todo.first("RRULE")
    organizer = todo.first("ORGANIZER")
    return Task(
        uid=text("UID"),
        summary=text("SUMMARY"),
        description=text("DESCRIPTION"),
        start=moment("DTSTART"),
        due=moment("DUE"),
        completed=instant("COMPLETED"),
        priority=Priority.from_ical(priority) if priority is not None else Priority.NONE,
        status=_enum(Status, status.value) if status is not None else None,
        percent_complete=min(max(percent, 0), 100) if percent is not None else None,
        categories=tuple(
            c
            for prop in todo.properties("CATEGORIES")
            for c in (ical_unescape(x).strip() for x in split_unescaped(prop.value, ","))
            if c
        ),
        organizer=Organizer(_email(organizer.value), organizer.param("CN") or "")
        if organizer is not None
        else None,
        assignees=tuple(_attendee(p) for p in todo.properties("ATTENDEE")),
        recurrence=rrule.value if rrule is not None else None,
        alarms=tuple(a for a in (_alarm(c) for c in todo.components("VALARM")) if a is not None),
        created=instant("CREATED"),
        last_modified=instant("LAST-MODIFIED"),
        sequence=max(integer("SEQUENCE") or 0, 0),
        classification=(
            _enum(Classification, klass.value) or Classification.PRIVATE
            if klass is not None
            else None
        ),
    )


def _instant(value: Moment | None) -> datetime | None:
    """A moment for fields RFC 5545 wants in UTC; floating or date values are read as UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


_E = TypeVar("_E", Status, Classification, PartStat, Role, AlarmAction)


def _enum(kind: type[_E], value: str) -> _E | None:
    try:
        return kind(value.strip().upper())
    except ValueError:
        return None


def _email(uri: str) -> str:
    return uri[7:] if uri[:7].lower() == "mailto:" else uri


def _attendee(prop: Property) -> Attendee:
    return Attendee(
        email=_email(prop.value),
        name=prop.param("CN") or "",
        partstat=_enum(PartStat, prop.param("PARTSTAT") or "") or PartStat.NEEDS_ACTION,
        role=_enum(Role, prop.param("ROLE") or "") or Role.REQ_PARTICIPANT,
    )


def _alarm(comp: Component) -> Alarm | None:
    trigger = comp.first("TRIGGER")
    if trigger is None:
        return None
    when: timedelta | datetime | None
    if (trigger.param("VALUE") or "").upper() == "DATE-TIME":
        when = _instant(parse_moment(trigger.value))
    else:
        when = parse_duration(trigger.value)
    if when is None:
        return None  # an alarm we cannot place is not worth refusing the task for
    action = comp.first("ACTION")
    description = comp.first("DESCRIPTION")
    related = (trigger.param("RELATED") or "").upper()
    return Alarm(
        trigger=when,
        action=(_enum(AlarmAction, action.value) if action else None) or AlarmAction.DISPLAY,
        description=ical_unescape(description.value) if description is not None else "",
        related=AlarmRelated.END if related == "END" else AlarmRelated.START,
    )


# --- writing ------------------------------------------------------------------------------


def _moment_line(name: str, value: Moment) -> Property:
    if not isinstance(value, datetime):
        return Property(name, (("VALUE", "DATE"),), format_moment(value))
    key = zone_key(value.tzinfo)
    if key is not None:
        return Property(name, (("TZID", quote(key)),), format_local(value))
    return Property(name, (), format_moment(value))


def _utc_line(name: str, value: datetime) -> Property:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return Property(name, (), format_moment(value))


def _text_line(name: str, text: str) -> list[Node]:
    return [Property(name, (), ical_escape(text))] if text else []


def _person_params(name: str) -> tuple[tuple[str, str], ...]:
    return (("CN", quote(name.replace('"', "'"))),) if name else ()


def _alarm_component(alarm: Alarm, task: Task) -> Component:
    children: list[Node] = [Property("ACTION", (), alarm.action.value)]
    if isinstance(alarm.trigger, datetime):
        when = alarm.trigger if alarm.trigger.tzinfo else alarm.trigger.replace(tzinfo=UTC)
        children.append(Property("TRIGGER", (("VALUE", "DATE-TIME"),), format_moment(when)))
    else:
        params = (("RELATED", "END"),) if alarm.related is AlarmRelated.END else ()
        children.append(Property("TRIGGER", params, format_duration(alarm.trigger)))
    description = alarm.description
    if not description and alarm.action is not AlarmAction.AUDIO:
        description = "Reminder"  # RFC 5545 requires a DESCRIPTION for DISPLAY and EMAIL
    children.extend(_text_line("DESCRIPTION", description))
    if alarm.action is AlarmAction.EMAIL:
        children.extend(_text_line("SUMMARY", task.summary or "Reminder"))
        if task.organizer is not None:
            children.append(Property("ATTENDEE", (), f"mailto:{task.organizer.email}"))
    return Component("VALARM", children)


_Writer = Callable[[Task], list[Node]]

# Task field → the iCalendar names it owns and how it is written, in the order lines are written.
_FIELD_LINES: dict[str, tuple[tuple[str, ...], _Writer]] = {
    "uid": (("UID",), lambda t: _text_line("UID", t.uid)),
    "created": (("CREATED",), lambda t: [_utc_line("CREATED", t.created)] if t.created else []),
    "last_modified": (
        ("LAST-MODIFIED",),
        lambda t: [_utc_line("LAST-MODIFIED", t.last_modified)] if t.last_modified else [],
    ),
    "sequence": (
        ("SEQUENCE",),
        lambda t: [Property("SEQUENCE", (), str(t.sequence))] if t.sequence else [],
    ),
    "summary": (("SUMMARY",), lambda t: _text_line("SUMMARY", t.summary)),
    "description": (("DESCRIPTION",), lambda t: _text_line("DESCRIPTION", t.description)),
    "classification": (
        ("CLASS",),
        lambda t: [Property("CLASS", (), t.classification.value)] if t.classification else [],
    ),
    "start": (("DTSTART",), lambda t: [_moment_line("DTSTART", t.start)] if t.start else []),
    "due": (("DUE",), lambda t: [_moment_line("DUE", t.due)] if t.due else []),
    "completed": (
        ("COMPLETED",),
        lambda t: [_utc_line("COMPLETED", t.completed)] if t.completed else [],
    ),
    "status": (("STATUS",), lambda t: [Property("STATUS", (), t.status.value)] if t.status else []),
    "percent_complete": (
        ("PERCENT-COMPLETE",),
        lambda t: (
            [Property("PERCENT-COMPLETE", (), str(t.percent_complete))]
            if t.percent_complete is not None
            else []
        ),
    ),
    "priority": (
        ("PRIORITY",),
        lambda t: (
            [Property("PRIORITY", (), str(t.priority.ical_value))]
            if t.priority is not Priority.NONE
            else []
        ),
    ),
    "categories": (
        ("CATEGORIES",),
        lambda t: (
            [Property("CATEGORIES", (), ",".join(ical_escape(c) for c in t.categories))]
            if t.categories
            else []
        ),
    ),
    "recurrence": (
        ("RRULE",),
        lambda t: [Property("RRULE", (), t.recurrence)] if t.recurrence else [],
    ),
    "organizer": (
        ("ORGANIZER",),
        lambda t: (
            [Property("ORGANIZER", _person_params(t.organizer.name), f"mailto:{t.organizer.email}")]
            if t.organizer
            else []
        ),
    ),
    "assignees": (
        ("ATTENDEE",),
        lambda t: [
            Property(
                "ATTENDEE",
                (
                    *_person_params(a.name),
                    ("PARTSTAT", a.partstat.value),
                    ("ROLE", a.role.value),
                ),
                f"mailto:{a.email}",
            )
            for a in t.assignees
        ],
    ),
    "alarms": (("VALARM",), lambda t: [_alarm_component(a, t) for a in t.alarms]),
}


def format_task(
    task: Task,
    content_type: str = ICALENDAR,
    *,
    template: str | bytes | None = None,
    now: datetime | None = None,
) -> str:
    """Write ``task`` as an item of ``content_type``.

    With a ``template`` (the stored item the task was read from) only the fields whose value
    differs are rewritten and DTSTAMP is set to ``now``; an unchanged task gives the template
    back (converted if ``content_type`` asks for the other format).
    """
    kind = media_type(content_type)
    stamp = _instant(now) or datetime.now(UTC).replace(microsecond=0)
    if template is None:
        calendar = _new_calendar(task, stamp)
    else:
        template_kind = detect_media_type(decode_bytes(template)) or ICALENDAR
        calendar = load_calendar(template, template_kind)
        todo = master_todo(calendar)
        if todo is None:
            raise TaskFormatError("the template has no VTODO")
        old = _task_of(todo, Zones([calendar]))
        changed = [name for name in _FIELD_LINES if getattr(task, name) != getattr(old, name)]
        if not changed:
            if template_kind == kind:
                return decode_bytes(template)
        else:
            for name in changed:
                names, writer = _FIELD_LINES[name]
                _replace_lines(todo, names, writer(task))
            _replace_lines(todo, ("DTSTAMP",), [_utc_line("DTSTAMP", stamp)])
    _add_zone_definitions(calendar)
    if kind == VCALENDAR:
        return write([_vcalendar.ical_to_vcal(calendar)], vcalendar=True)
    return write([calendar])


def _new_calendar(task: Task, stamp: datetime) -> Component:
    lines: list[Node] = []
    for name, (_, writer) in _FIELD_LINES.items():
        lines.extend(writer(task))
        if name == "uid":
            lines.append(_utc_line("DTSTAMP", stamp))
    return Component(
        "VCALENDAR",
        [
            Property("VERSION", (), "2.0"),
            Property("PRODID", (), PRODID),
            Component("VTODO", lines),
        ],
    )


def _replace_lines(todo: Component, names: tuple[str, ...], lines: list[Node]) -> None:
    """Put ``lines`` where the first line called one of ``names`` was, dropping all of those."""
    at: int | None = None
    kept: list[Node] = []
    for node in todo.children:
        if node.name in names:
            if at is None:
                at = len(kept)
            continue
        kept.append(node)
    if at is None:  # new lines go before the sub-components (VALARMs)
        at = next((i for i, n in enumerate(kept) if isinstance(n, Component)), len(kept))
        if names == ("VALARM",):
            at = len(kept)
    kept[at:at] = lines
    todo.children = kept


def _add_zone_definitions(calendar: Component) -> None:
    """Add a VTIMEZONE for every TZID the items use that the calendar does not define."""
    defined = {
        p.value.strip() for z in calendar.components("VTIMEZONE") for p in z.properties("TZID")
    }
    wanted: list[str] = []
    for item in calendar.components():
        for node in item.children:
            if isinstance(node, Property):
                tzid = node.param("TZID")
                if tzid and tzid not in defined and tzid not in wanted:
                    wanted.append(tzid)
    first_item = next(
        (i for i, n in enumerate(calendar.children) if isinstance(n, Component)),
        len(calendar.children),
    )
    for tzid in wanted:
        definition = zone_definition(tzid)
        if definition is not None:
            calendar.children.insert(first_item, definition)
            first_item += 1


# --- converting ---------------------------------------------------------------------------

_VERSION = re.compile(r"^VERSION[ \t]*(?:;[^:\r\n]*)?:[ \t]*([12])\.0[ \t]*\r?$", re.M | re.I)


def detect_media_type(text: str) -> str | None:
    """The format an item's VERSION line names (:data:`ICALENDAR` / :data:`VCALENDAR`), if any."""
    m = _VERSION.search(text)
    if m is None:
        return None
    return VCALENDAR if m.group(1) == "1" else ICALENDAR


def convert_item(data: str | bytes, from_type: str, to_type: str) -> str:
    """The item in ``to_type``'s format; an item already in that format comes back unchanged.

    The item's VERSION line wins over a mislabelled ``from_type``. Raises
    :class:`TaskFormatError` (only) for text that is no calendar item.
    """
    source = media_type(from_type)
    target = media_type(to_type)
    text = decode_bytes(data)
    if (detect_media_type(text) or source) == target:
        return text
    try:
        roots = read(text)
        calendars = [r for r in roots if r.name == "VCALENDAR"]
        if not calendars:
            bare = _calendar_of(roots)
            if bare is None:
                what = "the item is empty" if not roots else "no BEGIN:VCALENDAR found"
                raise TaskFormatError(f"not {_NAMES[source]} object: {what}")
            calendars = [bare]
        if target == VCALENDAR:
            return write([_vcalendar.ical_to_vcal(c) for c in calendars], vcalendar=True)
        return write([_vcalendar.vcal_to_ical(c) for c in calendars])
    except TaskFormatError:
        raise
    except _READ_ERRORS as exc:
        raise TaskFormatError(f"unreadable item ({type(exc).__name__}: {exc})") from exc


# --- fast key extraction ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemKeys:
    """What a slow sync needs to match an item without parsing it."""

    uid: str | None
    last_modified: datetime | None
    sequence: int
    summary: str | None


# The scans look for a line feed followed by a name; the lookahead on the first letter lets the
# regex engine skip most positions quickly (matters for 12 KB items).
_UID_LINE = re.compile(rb"\n(?=[Uu])UID[;:]", re.I)
_VALARM = re.compile(rb"\n(?=[Bb])BEGIN[ \t]*:[ \t]*VALARM", re.I)
_KEY_LINE = re.compile(
    rb"\n(?=[BEULSbeuls])(?:(BEGIN|END)[ \t]*:[ \t]*(VALARM|VTIMEZONE)"
    rb"|(UID|LAST-MODIFIED|SEQUENCE|SUMMARY)[;:])",
    re.I,
)


def _scan_buffer(data: str | bytes) -> bytes:
    """The item as bytes behind a line feed, so the first line is found like any other."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    return b"\n" + raw


def extract_uid(data: str | bytes) -> str | None:
    """The VTODO's UID by a line scan (folded lines handled); None if it has none."""
    buf = _scan_buffer(data)
    m = _UID_LINE.search(buf)
    if m is None:
        return _slow_keys(buf).uid if _old_mac_lines(buf) else None
    if _VALARM.search(buf, 0, m.start()) or _after_soft_break(buf, m.start()):
        return _slow_keys(buf).uid  # a VALARM's UID comes first, or the match is no line start
    value = _value(_line_at(buf, m.start() + 1))
    return value if value is not None else _slow_keys(buf).uid


def extract_last_modified(data: str | bytes) -> datetime | None:
    """The VTODO's LAST-MODIFIED (UTC) by a line scan; None if it has none or it is unreadable."""
    return extract_keys(data).last_modified


def extract_keys(data: str | bytes) -> ItemKeys:
    """UID, LAST-MODIFIED, SEQUENCE and SUMMARY of the VTODO by a line scan."""
    buf = _scan_buffer(data)
    found: dict[str, str] = {}
    depth = 0
    for m in _KEY_LINE.finditer(buf):
        if m.group(1):
            depth += 1 if m.group(1).upper() == b"BEGIN" else -1
            continue
        name = m.group(3).upper().decode()
        if depth > 0 or name in found:
            continue
        if _after_soft_break(buf, m.start()):
            return _slow_keys(buf)
        value = _value(_line_at(buf, m.start() + 1))
        if value is None:
            return _slow_keys(buf)
        found[name] = value
        if len(found) == 4:
            break
    if not found and _old_mac_lines(buf):
        return _slow_keys(buf)
    return _keys(
        found.get("UID"), found.get("LAST-MODIFIED"), found.get("SEQUENCE"), found.get("SUMMARY")
    )


def _old_mac_lines(buf: bytes) -> bool:
    """Lines ended by CR alone, which the line scan (looking for LF) does not see."""
    return b"\r" in buf and buf.find(b"\n", 1) == -1


def _keys(
    uid: str | None, modified: str | None, sequence: str | None, summary: str | None
) -> ItemKeys:
    stamp = _instant(parse_moment(modified)) if modified else None
    try:
        seq = max(int(sequence), 0) if sequence else 0
    except ValueError:
        seq = 0
    return ItemKeys(uid, stamp, seq, summary)


def _slow_keys(data: bytes) -> ItemKeys:
    """The keys by a real parse, for items the line scan cannot read safely."""
    try:
        roots = read(data)
    except TaskFormatError:
        return ItemKeys(None, None, 0, None)
    calendar = _calendar_of(roots)
    todo = master_todo(calendar) if calendar is not None else None
    if todo is None:
        return ItemKeys(None, None, 0, None)
    values = [
        _property_text(todo.first(name)) for name in ("UID", "LAST-MODIFIED", "SEQUENCE", "SUMMARY")
    ]
    return _keys(*values)


def _property_text(prop: Property | None) -> str | None:
    if prop is None:
        return None
    if (prop.param("ENCODING") or "").upper() in ("QUOTED-PRINTABLE", "BASE64", "B"):
        return ical_unescape(decode_vcal_value(prop))
    return ical_unescape(prop.value)


def _after_soft_break(raw: bytes, newline: int) -> bool:
    """Whether the line after the LF at ``newline`` continues a quoted-printable value."""
    end = newline
    if end > 0 and raw[end - 1] == 13:  # CR
        end -= 1
    return end > 0 and raw[end - 1] == 61  # "="


def _line_at(raw: bytes, start: int) -> bytes:
    """The unfolded logical line starting at ``start``, without its line end."""
    end = raw.find(b"\n", start)
    if end == -1:
        return raw[start:].rstrip(b"\r")
    pieces = [raw[start:end]]
    n = len(raw)
    while end + 1 < n and raw[end + 1] in (32, 9):  # a folded continuation line
        nxt = raw.find(b"\n", end + 1)
        pieces.append(raw[end + 2 : nxt if nxt != -1 else n])
        if nxt == -1:
            break
        end = nxt
    return b"".join(p[:-1] if p.endswith(b"\r") else p for p in pieces)


def _value(line: bytes) -> str | None:
    """The text value of an unfolded line; None if only a real parse can read it."""
    text = decode_bytes(line)
    colon = text.find(":")
    if colon != -1 and ";" not in text[:colon]:
        return ical_unescape(text[colon + 1 :])
    if text.endswith("="):  # a quoted-printable soft line break: the value goes on
        return None
    # parameters (quoted, or an ENCODING): let the real reader take the line
    try:
        children = read(f"BEGIN:X\n{text}\nEND:X")[0].children
    except TaskFormatError:
        return None
    first = children[0] if children else None
    return _property_text(first) if isinstance(first, Property) else None


__all__ = [
    "ICALENDAR",
    "PRODID",
    "VCALENDAR",
    "ItemKeys",
    "convert_item",
    "detect_media_type",
    "extract_keys",
    "extract_last_modified",
    "extract_uid",
    "format_task",
    "media_type",
    "parse_task",
]
