"""Calendar items as text: iCalendar 2.0 (``text/calendar``) and vCalendar 1.0
(``text/x-vcalendar``), read into the lossless tree and converted between the two.

- :func:`load_calendar` reads an item into the order-preserving tree of
  :mod:`todo._content_lines` (converting vCalendar 1.0 to iCalendar 2.0), and
  :func:`master_todo` finds its VTODO; :mod:`todo.task_format` maps that VTODO to a
  :class:`~todo.task.Task` and back.
- :func:`convert_item` converts a raw item between the two formats losslessly: an iCalendar
  item survives iCalendar → vCalendar → iCalendar with every property (see ``_vcalendar`` for
  how), and an item already in the wanted format is returned unchanged.
- :func:`media_type` and :func:`detect_media_type` name an item's format.

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

from todo import _vcalendar
from todo._content_lines import Component, decode_bytes, read, write
from todo.errors import TaskFormatError

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


def describe(content_type: str) -> str:
    """ "an iCalendar" / "a vCalendar", for messages about an item of ``content_type``."""
    return _NAMES[media_type(content_type)]


def media_type(content_type: str) -> str:
    """:data:`ICALENDAR` or :data:`VCALENDAR` for a content type (case and parameters ignored)."""
    base = content_type.split(";", 1)[0].strip().lower()
    try:
        return _MEDIA_TYPES[base]
    except KeyError:
        raise TaskFormatError(
            f"unsupported content type {content_type!r}; expected {ICALENDAR} or {VCALENDAR}"
        ) from None


# What a bug in reading may raise: bad input must not turn into a crash.
READ_ERRORS = (
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
    except READ_ERRORS as exc:  # a bug must not turn bad input into a crash
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
    except READ_ERRORS as exc:
        raise TaskFormatError(f"unreadable item ({type(exc).__name__}: {exc})") from exc


__all__ = [
    "ICALENDAR",
    "PRODID",
    "READ_ERRORS",
    "VCALENDAR",
    "calendar_of",
    "convert_item",
    "describe",
    "detect_media_type",
    "load_calendar",
    "master_todo",
    "media_type",
]
