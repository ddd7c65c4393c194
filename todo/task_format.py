"""Tasks as calendar items: :func:`parse_task` reads a :class:`~todo.task.Task` from iCalendar
2.0 or vCalendar 1.0 text, :func:`format_task` writes one.

One way to read a task: the item is read into the lossless tree of :mod:`todo._content_lines`
(vCalendar converted by :mod:`todo.calendar_format`), and the VTODO's lines are read from the
tree — TEXT unescaped by :func:`~todo._content_lines.ical_unescape`, parameters as RFC 5545
has them (no escapes; RFC 6868 ``^`` escapes undone), dates, times and durations by
:mod:`todo._date_values` (lenient where vCalendar writers are: ``2026-11-30T17:00:00Z``), zones
by :class:`~todo._date_values.Zones` (IANA first, then the item's own VTIMEZONE, then
icalendar's aliases; never a VTIMEZONE of another item). The tests read every item with the
``icalendar`` library as well and check that it reads the same task.

Writing: a new item is written by ``icalendar``'s components (``Calendar``, ``Todo``,
``Alarm``); with a ``template`` (the stored item), only the lines of the fields that changed
are replaced in the template's tree, so everything else in it (unknown and X- properties,
VTIMEZONEs, parameters, line order) stays as it was. The tree writes the text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import icalendar
from icalendar import vCalAddress, vCategory, vText
from icalendar.prop import vUnknown

from todo import _vcalendar
from todo._content_lines import (
    Component,
    IcalParameters,
    Node,
    Property,
    decode_bytes,
    ical_escape,
    ical_unescape,
    read,
    split_text_list,
    write,
)
from todo._date_values import (
    Moment,
    Zones,
    parse_duration,
    property_moment,
    to_instant,
    zone_definition,
    zone_key,
)
from todo.calendar_format import (
    ICALENDAR,
    PRODID,
    READ_ERRORS,
    VCALENDAR,
    describe,
    detect_media_type,
    load_calendar,
    master_todo,
    media_type,
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

__all__ = ["format_task", "parse_task", "task_of"]

# --- reading ------------------------------------------------------------------------------


def parse_task(data: str | bytes, content_type: str = ICALENDAR) -> Task:
    """Read a VTODO item; raises :class:`TaskFormatError` (only) if it is not a usable task."""
    calendar = load_calendar(data, content_type)
    todo = master_todo(calendar)
    if todo is None:
        raise TaskFormatError(f"not {describe(content_type)} VTODO: no BEGIN:VTODO found")
    try:
        return task_of(todo, Zones([calendar]))
    except TaskFormatError:
        raise
    except READ_ERRORS as exc:
        raise TaskFormatError(f"unreadable VTODO ({type(exc).__name__}: {exc})") from exc


def task_of(todo: Component, zones: Zones) -> Task:
    """The task a VTODO of the tree says (of a property a task has once, the first line)."""

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
        completed=to_instant(moment("COMPLETED")),
        priority=Priority.from_ical(priority) if priority is not None else Priority.NONE,
        status=_enum(Status, status.value) if status is not None else None,
        percent_complete=min(max(percent, 0), 100) if percent is not None else None,
        categories=tuple(
            c
            for prop in todo.properties("CATEGORIES")
            for c in (item.strip() for item in split_text_list(prop.value))
            if c
        ),
        organizer=Organizer(_email(organizer.value), organizer.param("CN") or "")
        if organizer is not None
        else None,
        assignees=tuple(_attendee(p) for p in todo.properties("ATTENDEE")),
        # the rule as written, so that a rule read back equals the one the task was written with
        recurrence=rrule.value.strip() if rrule is not None else None,
        alarms=tuple(a for a in (_alarm(c, zones) for c in todo.components("VALARM")) if a),
        created=to_instant(moment("CREATED")),
        last_modified=to_instant(moment("LAST-MODIFIED")),
        sequence=max(integer("SEQUENCE") or 0, 0),
        classification=(
            _enum(Classification, klass.value) or Classification.PRIVATE
            if klass is not None
            else None
        ),
    )


_E = TypeVar("_E", Status, Classification, PartStat, Role, AlarmAction)


def _enum(kind: type[_E], value: str) -> _E | None:
    try:
        return kind(value.strip().upper())
    except ValueError:
        return None


def _email(uri: str) -> str:
    """The address of a CAL-ADDRESS (a URI: no TEXT escapes, a backslash is a backslash)."""
    uri = uri.strip()
    return uri[7:] if uri[:7].lower() == "mailto:" else uri


def _attendee(prop: Property) -> Attendee:
    return Attendee(
        email=_email(prop.value),
        name=prop.param("CN") or "",
        partstat=_enum(PartStat, prop.param("PARTSTAT") or "") or PartStat.NEEDS_ACTION,
        role=_enum(Role, prop.param("ROLE") or "") or Role.REQ_PARTICIPANT,
    )


def _alarm(component: Component, zones: Zones) -> Alarm | None:
    """A VALARM as an :class:`Alarm`; None for one that cannot be placed (not worth refusing
    the task for)."""
    trigger = component.first("TRIGGER")
    if trigger is None:
        return None
    when: timedelta | datetime | None
    if (trigger.param("VALUE") or "").upper() == "DATE-TIME" or not _looks_like_duration(
        trigger.value
    ):
        moment = property_moment(trigger, zones)
        when = to_instant(moment) if moment is not None else None  # RFC 5545: UTC
    else:
        when = parse_duration(trigger.value)
    if when is None:
        return None
    action = component.first("ACTION")
    description = component.first("DESCRIPTION")
    related = (trigger.param("RELATED") or "").upper()
    return Alarm(
        trigger=when,
        action=(_enum(AlarmAction, action.value) if action is not None else None)
        or AlarmAction.DISPLAY,
        description=ical_unescape(description.value) if description is not None else "",
        related=AlarmRelated.END if related == "END" else AlarmRelated.START,
    )


def _looks_like_duration(value: str) -> bool:
    return value.strip().lstrip("+-")[:1].upper() == "P"


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
        # written as the task has it (see task_of); vRecur would reorder the parts
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
        old = task_of(todo, Zones([calendar]))
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
