""".ics files of many todos (Thunderbird, Tasks.org exports): split into items, join items.

The store keeps one VTODO (with its recurrence overrides and the VTIMEZONEs it uses) per item;
an export file holds them all in one VCALENDAR. Both directions work on the lossless tree, so
every property of every VTODO survives an import and an export.
"""

from __future__ import annotations

from todo._content_lines import Component, Property, read, write
from todo._date_values import Zones
from todo.calendar_format import ICALENDAR, PRODID, READ_ERRORS, load_calendar, master_todo
from todo.errors import TaskFormatError
from todo.task import Task
from todo.task_format import task_of

__all__ = ["join_calendars", "split_calendar"]


def split_calendar(data: str | bytes) -> list[tuple[str, Task]]:
    """One iCalendar 2.0 item per todo (UID) of a calendar file, with its task.

    Events and journals are skipped; a vCalendar 1.0 file is converted. Raises
    :class:`TaskFormatError` if there is no VTODO or a VTODO is unreadable.
    """
    calendar = load_calendar(data, ICALENDAR)
    zones = {_tzid(z): z for z in calendar.components("VTIMEZONE")}
    header = [c for c in calendar.children if isinstance(c, Property) and c.name not in ("PRODID",)]
    families: dict[str, list[Component]] = {}
    for index, todo in enumerate(calendar.components("VTODO")):
        uid = todo.first("UID")
        key = uid.value.strip() if uid is not None and uid.value.strip() else f"#{index}"
        families.setdefault(key, []).append(todo)
    if not families:
        raise TaskFormatError("the file holds no VTODO (no todos to import)")
    items = []
    for todos in families.values():
        used = {p.param("TZID") for t in todos for p in _properties(t)} - {None}
        children: list[Property | Component] = list(header)
        if not any(p.name == "VERSION" for p in header):
            children.insert(0, Property("VERSION", (), "2.0"))
        children.insert(1, Property("PRODID", (), PRODID))
        children += [zones[t] for t in sorted(t for t in used if t in zones)]
        children += todos
        item = Component("VCALENDAR", children)
        master = master_todo(item)
        assert master is not None  # the family has at least one VTODO
        try:
            task = task_of(master, Zones([item]))
        except TaskFormatError:
            raise
        except READ_ERRORS as exc:
            raise TaskFormatError(f"unreadable VTODO ({type(exc).__name__}: {exc})") from exc
        items.append((write([item]), task))
    return items


def join_calendars(items: list[str]) -> str:
    """One VCALENDAR holding every VTODO of ``items`` and each VTIMEZONE once."""
    zones: dict[str, Component] = {}
    todos: list[Component] = []
    for item in items:
        for root in read(item):
            if root.name != "VCALENDAR":
                continue
            for zone in root.components("VTIMEZONE"):
                zones.setdefault(_tzid(zone), zone)
            todos += root.components("VTODO")
    children: list[Property | Component] = [
        Property("VERSION", (), "2.0"),
        Property("PRODID", (), PRODID),
        *zones.values(),
        *todos,
    ]
    return write([Component("VCALENDAR", children)])


def _tzid(zone: Component) -> str:
    tzid = zone.first("TZID")
    return tzid.value.strip() if tzid is not None else ""


def _properties(component: Component) -> list[Property]:
    found = [c for c in component.children if isinstance(c, Property)]
    for child in component.components():
        found += _properties(child)
    return found
