"""Tasks as iCalendar 2.0 (``text/calendar``) and vCalendar 1.0 (``text/x-vcalendar``) text.

- :func:`parse_task` / :func:`format_task` map between text and :class:`~todo.task.Task`;
  formatting onto a ``template`` rewrites only the fields that changed, so everything else in
  the stored item (unknown and X- properties, VTIMEZONEs, parameters) stays as it was.
- :func:`convert_item` converts a raw item between the two formats losslessly: an iCalendar
  item survives iCalendar → vCalendar → iCalendar with every property (see ``_vcalendar`` for
  how), and an item already in the wanted format is returned unchanged.
- the line scans that read a few keys without a parse are in :mod:`todo.line_scan`.

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

The ``icalendar`` library does the iCalendar work: :func:`parse_task` reads the VTODO's task
lines with ``Calendar.from_ical`` (typed values: dates, durations, alarms, addresses and their
parameters) — a vCalendar item is first converted to iCalendar — and :func:`format_task` has
``icalendar``'s components (``Calendar``, ``Todo``, ``Alarm``) write the new item, or the
changed lines of a template. What stays hand-written, and why: the lossless tree, reader and
writer in ``_content_lines``, vCalendar 1.0 in ``_vcalendar``, the line scans below, TEXT
escaping, and the choice of zone for a TZID (:func:`_zoned`).
"""

from __future__ import annotations

import re
import warnings
import zoneinfo
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import icalendar
from icalendar import vCalAddress, vCategory, vText
from icalendar.error import GloballyUniqueTZIDGuessed
from icalendar.prop import vUnknown

from todo import _vcalendar
from todo._content_lines import (
    Component,
    IcalParameters,
    Node,
    Property,
    decode_bytes,
    ical_escape,
    read,
    unquote,
    write,
)
from todo._date_values import (
    Moment,
    Zones,
    format_moment,
    parse_moment,
    to_instant,
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
        calendar = calendar_of(roots)
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


def calendar_of(roots: list[Component]) -> Component | None:
    """The VCALENDAR of a read item (a bare VTODO gets one); None if there is none."""
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


# The VTODO properties a task is made of, with the parameters that matter for it. icalendar
# reads only these: it costs ~8 µs a line, and a bad value in a line the task does not use
# (GEO, an X- property) must not make the task unreadable.
_TASK_PARAMS: dict[str, tuple[str, ...]] = {
    "UID": (),
    "SUMMARY": (),
    "DESCRIPTION": (),
    "DTSTART": ("TZID",),
    "DUE": ("TZID",),
    "COMPLETED": ("TZID",),
    "CREATED": ("TZID",),
    "LAST-MODIFIED": ("TZID",),
    "PRIORITY": (),
    "STATUS": (),
    "PERCENT-COMPLETE": (),
    "CATEGORIES": (),
    "ORGANIZER": ("CN",),
    "ATTENDEE": ("CN", "PARTSTAT", "ROLE"),
    "SEQUENCE": (),
    "CLASS": (),
}
_ALARM_PARAMS: dict[str, tuple[str, ...]] = {
    "ACTION": (),
    "TRIGGER": ("RELATED",),
    "DESCRIPTION": (),
}
_LISTS = frozenset({"CATEGORIES", "ATTENDEE"})
_ADDRESSES = frozenset({"ORGANIZER", "ATTENDEE"})
_MOMENTS = frozenset({"DTSTART", "DUE", "COMPLETED", "CREATED", "LAST-MODIFIED"})
_NUMBERS = frozenset({"PRIORITY", "PERCENT-COMPLETE", "SEQUENCE"})


def _task_of(todo: Component, zones: Zones) -> Task:
    """The task a VTODO says, read by icalendar (``Calendar.from_ical``) from the tree's lines."""
    entries = _task_entries(todo)
    vtodo, unreadable = _icalendar_todo(entries)

    def first(name: str) -> Any:
        value = vtodo.get(name)
        if isinstance(value, list):
            return value[0] if value else None
        return value

    def every(name: str) -> list[Any]:
        value = vtodo.get(name)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def text(name: str) -> str:
        value = first(name)
        return str(value) if value is not None else ""

    def moment(name: str) -> Moment | None:
        if name in unreadable:
            raise TaskFormatError(f"{name} is not a date or date-time: {unreadable[name]!r}")
        value = first(name)
        if value is None:
            return None
        when = value.dt
        if not isinstance(when, date):  # a duration, period or time of day
            raw = next(e.value for e in entries if isinstance(e, Property) and e.name == name)
            raise TaskFormatError(f"{name} is not a date or date-time: {raw!r}")
        return _zoned(when, _param_text(value.params.get("TZID")), zones)

    def integer(name: str) -> int | None:
        if name in unreadable:
            raise TaskFormatError(f"{name} is not a number: {unreadable[name]!r}")
        value = first(name)
        return int(value) if value is not None else None

    priority = integer("PRIORITY")
    if priority is not None and priority < 0:
        raise TaskFormatError(f"PRIORITY must be 0-9, not {priority}")
    percent = integer("PERCENT-COMPLETE")
    status = first("STATUS")
    klass = first("CLASS")
    rrule = todo.first("RRULE")
    organizer = first("ORGANIZER")
    return Task(
        uid=text("UID"),
        summary=text("SUMMARY"),
        description=text("DESCRIPTION"),
        start=moment("DTSTART"),
        due=moment("DUE"),
        completed=to_instant(moment("COMPLETED")),
        priority=Priority.from_ical(priority) if priority is not None else Priority.NONE,
        status=_enum(Status, str(status)) if status is not None else None,
        percent_complete=min(max(percent, 0), 100) if percent is not None else None,
        categories=tuple(
            c for value in every("CATEGORIES") for c in (str(x).strip() for x in value.cats) if c
        ),
        organizer=Organizer(_email(str(organizer)), _param_text(organizer.params.get("CN")))
        if organizer is not None
        else None,
        assignees=tuple(_attendee(a) for a in every("ATTENDEE")),
        # the rule as written: vRecur would reorder its parts (FREQ=…;COUNT=…;BYDAY=…), and a
        # rule read back must equal the one the task was written with
        recurrence=rrule.value if rrule is not None else None,
        alarms=tuple(
            a
            for a in (_alarm(c) for c in vtodo.subcomponents if c.name == "VALARM")
            if a is not None
        ),
        created=to_instant(moment("CREATED")),
        last_modified=to_instant(moment("LAST-MODIFIED")),
        sequence=max(integer("SEQUENCE") or 0, 0),
        classification=(
            _enum(Classification, str(klass)) or Classification.PRIVATE
            if klass is not None
            else None
        ),
    )


def _task_entries(todo: Component) -> list[Node]:
    """The VTODO's task lines and VALARMs, with only the parameters the task needs.

    Of a property a task has once, only the first line counts (and is read).
    """
    entries: list[Node] = []
    for node in todo.children:
        if isinstance(node, Property):
            names = _TASK_PARAMS.get(node.name)
            if names is not None and (node.name in _LISTS or todo.first(node.name) is node):
                entries.append(_with_params(node, names))
        elif node.name == "VALARM":
            alarm = Component("VALARM")
            for child in node.children:
                names = _ALARM_PARAMS.get(child.name) if isinstance(child, Property) else None
                if names is not None and node.first(child.name) is child:
                    assert isinstance(child, Property)
                    alarm.children.append(_with_params(child, names))
            entries.append(alarm)
    return entries


def _with_params(prop: Property, names: tuple[str, ...]) -> Property:
    value = prop.value
    if prop.name in _ADDRESSES and "\\" in value:
        # icalendar unescapes every value as if it were TEXT; a CAL-ADDRESS is a URI, in which
        # a backslash is just a backslash
        value = value.replace("\\", "\\\\")
    elif prop.name in _MOMENTS and ("T" not in value.upper() or value.upper().endswith("Z")):
        # a date stays a date (an all-day task), where icalendar makes a date with a TZID
        # midnight in that zone; a time in UTC stays in UTC, where icalendar lets a TZID win
        names = ()
    params = tuple((k, _quoted(v)) for k, v in prop.params if k in names)
    return Property(prop.name, params, value)


def _quoted(raw: str) -> str:
    """A parameter value as icalendar's reader must see it to read it as written.

    Parameter values have no escapes (RFC 5545 3.2), but icalendar's reader takes a backslash
    for one: outside quotes it hides the next ``;`` or ``:`` (``CN=\\;ROLE=CHAIR`` would lose
    its ROLE), inside quotes ``\\\\`` becomes ``\\``. So such a value goes in quoted, its
    backslashes doubled.
    """
    if "\\" not in raw:
        return raw
    inner = unquote(raw)
    if '"' in inner:
        return raw
    return '"' + inner.replace("\\", "\\\\") + '"'


def _icalendar_todo(entries: list[Node]) -> tuple[icalendar.Todo, dict[str, str]]:
    """icalendar's VTODO of the entries, and the raw values of task fields it cannot read.

    Lines icalendar refuses are mended or left out (see :func:`_readable`).
    """
    try:
        return _from_ical(entries), {}
    except (ValueError, TypeError):
        pass
    readable, unreadable = _readable(entries)
    try:
        return _from_ical(readable), unreadable
    except (ValueError, TypeError) as exc:  # every line alone was fine, together they are not
        raise TaskFormatError(f"icalendar cannot read the VTODO: {exc}") from exc


def _from_ical(entries: list[Node]) -> icalendar.Todo:
    text = write([Component("VCALENDAR", [Component("VTODO", entries)])])
    with warnings.catch_warnings():
        # a vendor-prefixed TZID (/freeassociation.sourceforge.net/Europe/Berlin) is read as the
        # IANA zone it ends with, which icalendar reports with a warning
        warnings.simplefilter("ignore", GloballyUniqueTZIDGuessed)
        calendar = icalendar.Calendar.from_ical(text)
    todos = calendar.walk("VTODO")
    if not todos or not isinstance(todos[0], icalendar.Todo):
        raise ValueError("no VTODO")
    return todos[0]


def _readable(entries: list[Node]) -> tuple[list[Node], dict[str, str]]:
    """The entries icalendar can read, mended where need be, and the unreadable task fields.

    Only for items icalendar refuses as they are, so it may read line by line. A date that
    only a lenient reader understands (``2026-11-30T17:00:00Z``) is rewritten; a date or
    number that cannot be read is reported (by name, with its raw value) for :func:`_task_of`
    to raise when it gets to that field; an alarm that cannot be read is left out, as is
    any other line whose parameters icalendar cannot read and that is unreadable without them.
    """
    kept: list[Node] = []
    unreadable: dict[str, str] = {}
    for entry in entries:
        if _reads(entry):
            kept.append(entry)
            continue
        if isinstance(entry, Component):
            continue  # an alarm we cannot place is not worth refusing the task for
        if entry.name in _MOMENTS:
            lenient = parse_moment(entry.value)
            mended = (
                Property(entry.name, entry.params, format_moment(lenient))
                if lenient is not None
                else None
            )
            if mended is not None and _reads(mended):
                kept.append(mended)
            else:
                unreadable[entry.name] = entry.value
        elif entry.name in _NUMBERS:
            unreadable[entry.name] = entry.value
        else:
            bare = Property(entry.name, (), entry.value)
            if _reads(bare):
                kept.append(bare)
    return kept, unreadable


def _reads(entry: Node) -> bool:
    try:
        _from_ical([entry])
    except (ValueError, TypeError):
        return False
    return True


def _zoned(value: Moment, tzid: str, zones: Zones) -> Moment:
    """A TZID time in the zone :class:`Zones` finds: IANA, the item's VTIMEZONE, an alias.

    icalendar has read the digits (and a ``Z``, which wins over a TZID); its own choice of
    zone is not used, because it also answers with any VTIMEZONE it parsed before in this
    process, whichever item that came from. A TZID nobody defines leaves the time floating,
    as the converter and merge have it.
    """
    value = _plain_utc(value)
    if isinstance(value, datetime) and tzid and value.tzinfo is not UTC:
        return value.replace(tzinfo=zones(tzid))
    return value


def _plain_utc(value: Moment) -> Moment:
    """UTC as :data:`datetime.UTC`, as the rest of the package has it (icalendar: ZoneInfo)."""
    if isinstance(value, datetime) and isinstance(value.tzinfo, zoneinfo.ZoneInfo):
        return value.replace(tzinfo=UTC) if value.tzinfo.key == "UTC" else value
    return value


def _param_text(value: object) -> str:
    """A parameter value icalendar read (a list if it held unquoted commas) as text."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


_E = TypeVar("_E", Status, Classification, PartStat, Role, AlarmAction)


def _enum(kind: type[_E], value: str) -> _E | None:
    try:
        return kind(value.strip().upper())
    except ValueError:
        return None


def _email(uri: str) -> str:
    return uri[7:] if uri[:7].lower() == "mailto:" else uri


def _attendee(address: vCalAddress) -> Attendee:
    params = address.params
    return Attendee(
        email=_email(str(address)),
        name=_param_text(params.get("CN")),
        partstat=_enum(PartStat, _param_text(params.get("PARTSTAT"))) or PartStat.NEEDS_ACTION,
        role=_enum(Role, _param_text(params.get("ROLE"))) or Role.REQ_PARTICIPANT,
    )


def _alarm(component: icalendar.cal.Component) -> Alarm | None:
    trigger = component.get("TRIGGER")  # one of each: _task_entries passes only the first
    if trigger is None:
        return None
    when = trigger.dt
    if isinstance(when, date):  # an absolute trigger (RFC 5545 wants it in UTC)
        when = to_instant(_plain_utc(when))
    elif not isinstance(when, timedelta):
        return None  # an alarm we cannot place is not worth refusing the task for
    action = component.get("ACTION")
    description = component.get("DESCRIPTION")
    related = _param_text(trigger.params.get("RELATED")).upper()
    return Alarm(
        trigger=when,
        action=(_enum(AlarmAction, str(action)) if action is not None else None)
        or AlarmAction.DISPLAY,
        description=str(description) if description is not None else "",
        related=AlarmRelated.END if related == "END" else AlarmRelated.START,
    )


# --- writing ------------------------------------------------------------------------------


class _Text(vText):
    """A TEXT value escaped by :func:`ical_escape`.

    icalendar's own escaper turns a backslash followed by ``N`` into a line break first, so
    a task about ``C:\\New folder`` would come back as ``C:`` and a line ``ew folder``.
    """

    def to_ical(self) -> bytes:
        return _value_bytes(ical_escape(str(self)))


class _Categories(vCategory):
    """CATEGORIES with each item escaped by :func:`ical_escape` (see :class:`_Text`)."""

    def to_ical(self) -> bytes:
        return _value_bytes(",".join(ical_escape(str(c)) for c in self.cats))


def _value_bytes(value: str) -> bytes:
    """A value's UTF-8 for icalendar's content line, which decodes it as ``utf-8-sig``.

    That decoding takes a leading U+FEFF (a zero-width no-break space in a summary) for a byte
    order mark and drops it, so such a value gets a second one for it to drop.
    """
    data = value.encode("utf-8")
    return b"\xef\xbb\xbf" + data if value.startswith("\ufeff") else data


def _ical_moment(value: Moment) -> Moment:
    """A date or time as icalendar should write it: IANA zones by TZID, other zones in UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None and zone_key(value.tzinfo) is None:
        return value.astimezone(UTC)
    return value


def _ical_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _person(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params = IcalParameters({"CN": name, **params} if name else params)
    return address


def _ical_alarm(alarm: Alarm, task: Task) -> icalendar.Alarm:
    out = icalendar.Alarm()
    out.add("ACTION", alarm.action.value)
    if isinstance(alarm.trigger, datetime):
        # RFC 5545 wants VALUE=DATE-TIME on an absolute trigger; icalendar leaves it out
        out.add("TRIGGER", _ical_utc(alarm.trigger), parameters={"VALUE": "DATE-TIME"})
    elif alarm.related is AlarmRelated.END:
        out.add("TRIGGER", alarm.trigger, parameters={"RELATED": "END"})
    else:
        out.add("TRIGGER", alarm.trigger)
    description = alarm.description
    if not description and alarm.action is not AlarmAction.AUDIO:
        description = "Reminder"  # RFC 5545 requires a DESCRIPTION for DISPLAY and EMAIL
    if description:
        out.add("DESCRIPTION", _Text(description))
    if alarm.action is AlarmAction.EMAIL:
        out.add("SUMMARY", _Text(task.summary or "Reminder"))
        if task.organizer is not None:
            out.add("ATTENDEE", vCalAddress(f"mailto:{task.organizer.email}"))
    return out


_Writer = Callable[[icalendar.Todo, Task], None]


def _add_text(name: str, field: str) -> _Writer:
    def add(todo: icalendar.Todo, task: Task) -> None:
        text = getattr(task, field)
        if text:
            todo.add(name, _Text(text))

    return add


def _add_moment(name: str, field: str) -> _Writer:
    def add(todo: icalendar.Todo, task: Task) -> None:
        value = getattr(task, field)
        if value is not None:
            todo.add(name, _ical_moment(value))

    return add


def _add_utc(name: str, field: str) -> _Writer:
    def add(todo: icalendar.Todo, task: Task) -> None:
        value = getattr(task, field)
        if value is not None:
            todo.add(name, _ical_utc(value))

    return add


def _add_people(todo: icalendar.Todo, task: Task) -> None:
    for a in task.assignees:
        todo.add("ATTENDEE", _person(a.email, a.name, PARTSTAT=a.partstat.value, ROLE=a.role.value))


def _add_alarms(todo: icalendar.Todo, task: Task) -> None:
    for alarm in task.alarms:
        todo.add_component(_ical_alarm(alarm, task))


# Task field → the iCalendar names it owns and how icalendar gets it, in the order of writing.
_FIELDS: dict[str, tuple[tuple[str, ...], _Writer]] = {
    "uid": (("UID",), _add_text("UID", "uid")),
    "created": (("CREATED",), _add_utc("CREATED", "created")),
    "last_modified": (("LAST-MODIFIED",), _add_utc("LAST-MODIFIED", "last_modified")),
    "sequence": (
        ("SEQUENCE",),
        lambda todo, t: todo.add("SEQUENCE", t.sequence) if t.sequence else None,
    ),
    "summary": (("SUMMARY",), _add_text("SUMMARY", "summary")),
    "description": (("DESCRIPTION",), _add_text("DESCRIPTION", "description")),
    "classification": (
        ("CLASS",),
        lambda todo, t: todo.add("CLASS", t.classification.value) if t.classification else None,
    ),
    "start": (("DTSTART",), _add_moment("DTSTART", "start")),
    "due": (("DUE",), _add_moment("DUE", "due")),
    "completed": (("COMPLETED",), _add_utc("COMPLETED", "completed")),
    "status": (
        ("STATUS",),
        lambda todo, t: todo.add("STATUS", t.status.value) if t.status else None,
    ),
    "percent_complete": (
        ("PERCENT-COMPLETE",),
        lambda todo, t: (
            todo.add("PERCENT-COMPLETE", t.percent_complete)
            if t.percent_complete is not None
            else None
        ),
    ),
    "priority": (
        ("PRIORITY",),
        lambda todo, t: (
            todo.add("PRIORITY", t.priority.ical_value) if t.priority is not Priority.NONE else None
        ),
    ),
    "categories": (
        ("CATEGORIES",),
        lambda todo, t: (
            todo.add("CATEGORIES", _Categories(list(t.categories))) if t.categories else None
        ),
    ),
    "recurrence": (
        ("RRULE",),
        # written as the task has it (see _task_of); vRecur would reorder the parts
        lambda todo, t: todo.add("RRULE", vUnknown(t.recurrence)) if t.recurrence else None,
    ),
    "organizer": (
        ("ORGANIZER",),
        lambda todo, t: (
            todo.add("ORGANIZER", _person(t.organizer.email, t.organizer.name))
            if t.organizer
            else None
        ),
    ),
    "assignees": (("ATTENDEE",), _add_people),
    "alarms": (("VALARM",), _add_alarms),
}


def _icalendar_text(task: Task, stamp: datetime, fields: list[str] | None = None) -> str:
    """icalendar's VCALENDAR text with a VTODO of ``task``'s ``fields`` (all by default)."""
    todo = icalendar.Todo()
    for name, (_, writer) in _FIELDS.items():
        if fields is None or name in fields:
            writer(todo, task)
        if name == "uid":
            todo.add("DTSTAMP", stamp)
    calendar = icalendar.Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add_component(todo)
    # sorted=False: the lines in the order added (icalendar sorts them by name otherwise)
    return bytes(calendar.to_ical(sorted=False)).decode("utf-8")


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
    stamp = to_instant(now) or datetime.now(UTC).replace(microsecond=0)
    if template is None:
        # icalendar writes the item; the tree adds the VTIMEZONEs (cached, icalendar takes ms
        # to build one) and converts to vCalendar, folding lines as icalendar does
        calendar = read(_icalendar_text(task, stamp))[0]
    else:
        template_kind = detect_media_type(decode_bytes(template)) or ICALENDAR
        calendar = load_calendar(template, template_kind)
        todo = master_todo(calendar)
        if todo is None:
            raise TaskFormatError("the template has no VTODO")
        old = _task_of(todo, Zones([calendar]))
        changed = [name for name in _FIELDS if getattr(task, name) != getattr(old, name)]
        if not changed:
            if template_kind == kind:
                return decode_bytes(template)
        else:
            # icalendar writes the changed fields; their lines replace the template's
            rendered = master_todo(read(_icalendar_text(task, stamp, changed))[0])
            assert rendered is not None
            for name in changed:
                names = _FIELDS[name][0]
                _replace_lines(todo, names, [n for n in rendered.children if n.name in names])
            _replace_lines(todo, ("DTSTAMP",), rendered.properties("DTSTAMP"))
    _add_zone_definitions(calendar)
    if kind == VCALENDAR:
        return write([_vcalendar.ical_to_vcal(calendar)], vcalendar=True)
    return write([calendar])


def _replace_lines(todo: Component, names: tuple[str, ...], lines: Sequence[Node]) -> None:
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
            bare = calendar_of(roots)
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


__all__ = [
    "ICALENDAR",
    "PRODID",
    "VCALENDAR",
    "convert_item",
    "detect_media_type",
    "format_task",
    "media_type",
    "parse_task",
]
