"""Field-level three-way merge of a task changed on both the server and a client (SyncML conflicts).

Each side's changes are found by comparing it with the *base*, the version both sides last
agreed on. The unit of change is a property name (all ATTENDEE lines together, all CATEGORIES,
all VALARMs, each X- name), at calendar level a property name, a VTIMEZONE or a
recurrence-override VTODO. Values are compared by meaning: parameter order, TEXT escaping,
a TZID time against the same moment in UTC, CATEGORIES order and RRULE part order do not count.

A vCalendar 1.0 client cannot carry everything (see :mod:`todo.calendar_format`); when its
version of a unit equals what the base (or server) version looks like after a trip through
vCalendar, the unit counts as unchanged by the client, so what the phone could not show is
not lost.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from todo import _vcalendar
from todo._content_lines import (
    Component,
    Node,
    Property,
    decode_bytes,
    ical_escape,
    ical_unescape,
    split_text_list,
    write,
)
from todo._date_values import Zones, format_moment, parse_moment, property_moment, to_utc
from todo.calendar_format import (
    ICALENDAR,
    VCALENDAR,
    detect_media_type,
    load_calendar,
    master_todo,
    media_type,
)
from todo.errors import TaskFormatError

__all__ = ["MergeKind", "MergeResult", "merge_items"]


class MergeKind(enum.Enum):
    """Whose version the merge result is, which decides the SyncML status to answer."""

    SERVER = "server"
    """The server's version won: 419, and the server item goes to the client."""
    CLIENT = "client"
    """The result is what the client has: 208, nothing to send back."""
    MERGED = "merged"
    """Both sides contributed: 207, and the merged item goes to the client."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The merged item (iCalendar 2.0 text), whose version it is, and what clashed.

    ``data`` is the server's text itself (same string) when the result says what the server
    item says, so the caller can tell that nothing needs storing.
    """

    data: str
    kind: MergeKind
    conflicts: tuple[str, ...] = ()
    """Units both sides changed differently (the later change won), e.g. ``("SUMMARY",)``."""


# bookkeeping that says when and how often an item changed, not what it says
_BOOKKEEPING = frozenset({"UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "@VERSION", "@PRODID"})
_MOMENTS = frozenset({"DTSTART", "DUE", "COMPLETED", "CREATED", "RECURRENCE-ID"})
_MOMENT_LISTS = frozenset({"EXDATE", "RDATE"})
_TEXTS = frozenset({"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT"})
_LISTS = frozenset({"CATEGORIES", "RESOURCES"})

Units = dict[str, list[Node]]


def merge_items(
    base: str | bytes | None,
    server: str | bytes,
    client: str | bytes,
    *,
    server_modified: datetime,
    client_modified: datetime | None,
    content_type: str,
    now: datetime | None = None,
) -> MergeResult:
    """Merge the server's and the client's versions of an item changed on both sides.

    ``content_type`` is the client item's type (``text/x-vcalendar`` items are converted
    first; the result is always iCalendar). ``client_modified`` is the client's LAST-MODIFIED;
    if None, the client item's own LAST-MODIFIED is used, and without one the client counts
    as the later change (as it does on a tie). Without a ``base`` the later version wins
    whole, keeping the properties only the other side has. A merged result gets SEQUENCE
    max+1 and LAST-MODIFIED/DTSTAMP ``now``. Raises :class:`TaskFormatError` for bad items.
    """
    stamp = _utc(now) if now is not None else datetime.now(UTC).replace(microsecond=0)
    server_text = decode_bytes(server)
    client_text = decode_bytes(client)
    lossy = (detect_media_type(client_text) or media_type(content_type)) == VCALENDAR
    server_cal = load_calendar(server_text, ICALENDAR)
    client_cal = load_calendar(client_text, VCALENDAR if lossy else ICALENDAR)
    base_cal = load_calendar(base, ICALENDAR) if base is not None else None
    server_todo = _master(server_cal, "server")
    client_todo = _master(client_cal, "client")

    if client_modified is None:
        stamp_line = client_todo.first("LAST-MODIFIED")
        parsed = parse_moment(stamp_line.value) if stamp_line is not None else None
        client_modified = parsed if isinstance(parsed, datetime) else None
    client_later = client_modified is None or _utc(client_modified) >= _utc(server_modified)

    server_side = _Side(server_cal)
    client_side = _Side(client_cal)
    base_side = _Side(base_cal) if base_cal is not None else None
    if lossy:
        server_side.add_projection()
        if base_side is not None:
            base_side.add_projection()

    def client_agrees(other: _Side, key: str) -> bool:
        """Whether the client's unit equals ``other``'s, or what vCalendar made of it."""
        mine = client_side.canon(key)
        return mine == other.canon(key) or (lossy and mine == other.projected_canon(key))

    result: Units = {}
    from_client: set[str] = set()
    conflicts: list[str] = []
    for key in _ordered_keys(server_side, client_side, base_side):
        if key in _BOOKKEEPING:
            continue
        if key.startswith("@VTIMEZONE:"):  # definitions are unioned, the server's preferred
            result[key] = server_side.units.get(key) or client_side.units.get(key) or []
            continue
        take_client: bool
        if client_agrees(server_side, key):
            take_client = False
        elif base_side is None:
            # no common version: the later side wins, the other keeps what only it has
            in_client, in_server = key in client_side.units, key in server_side.units
            take_client = in_client if client_later else not in_server
        elif client_agrees(base_side, key):
            take_client = False
        elif server_side.canon(key) == base_side.canon(key):
            take_client = True
        else:
            conflicts.append(key.lstrip("@"))
            take_client = client_later
        if take_client:
            from_client.add(key)
        result[key] = (client_side if take_client else server_side).units.get(key, [])

    content_keys = [k for k in result if not k.startswith("@VTIMEZONE:")]
    equals_server = all(
        k not in from_client or client_side.canon(k) == server_side.canon(k) for k in content_keys
    )
    equals_client = all(k in from_client or client_agrees(server_side, k) for k in content_keys)
    merged_cal = _build(server_cal, server_todo, client_side, result)

    if equals_client:
        if equals_server:
            return MergeResult(server_text, MergeKind.CLIENT, tuple(conflicts))
        _bookkeeping_from_client(merged_cal, client_todo, client_modified, stamp)
        return MergeResult(write([merged_cal]), MergeKind.CLIENT, tuple(conflicts))
    if equals_server:
        return MergeResult(server_text, MergeKind.SERVER, tuple(conflicts))
    base_todo = master_todo(base_cal) if base_cal is not None else None
    sequences = [_sequence(t) for t in (base_todo, server_todo, client_todo) if t is not None]
    todo = _master(merged_cal, "merged")
    _set_line(todo, "SEQUENCE", str(max(sequences) + 1))
    _set_line(todo, "LAST-MODIFIED", format_moment(stamp))
    _set_line(todo, "DTSTAMP", format_moment(stamp))
    return MergeResult(write([merged_cal]), MergeKind.MERGED, tuple(conflicts))


class _Side:
    """One version of the item, split into units, with canonical forms for comparing."""

    def __init__(self, calendar: Component) -> None:
        self.calendar = calendar
        self.zones = Zones([calendar])
        self.units = _units(calendar)
        self._canon: dict[str, tuple[object, ...]] = {}
        self._projection: _Side | None = None

    def add_projection(self) -> None:
        self._projection = _Side(_vcalendar.vcal_projection(self.calendar))

    def canon(self, key: str) -> tuple[object, ...]:
        value = self._canon.get(key)
        if value is None:
            value = _canon_nodes(key, self.units.get(key, []), self.zones)
            self._canon[key] = value
        return value

    def projected_canon(self, key: str) -> tuple[object, ...] | None:
        return self._projection.canon(key) if self._projection is not None else None


def _master(calendar: Component, side: str) -> Component:
    todo = master_todo(calendar)
    if todo is None:
        raise TaskFormatError(f"the {side} item has no VTODO")
    return todo


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _units(calendar: Component) -> Units:
    """The item's units: master-VTODO lines by name, calendar-level ones prefixed with ``@``."""
    units: Units = {}
    todo = master_todo(calendar)
    for node in calendar.children:
        if node is todo:
            continue
        if isinstance(node, Component):
            if node.name == "VTIMEZONE":
                tzid = node.first("TZID")
                key = f"@VTIMEZONE:{tzid.value.strip() if tzid else ''}"
            elif node.name == "VTODO":
                rid = node.first("RECURRENCE-ID")
                key = f"@VTODO:{rid.value.strip() if rid else ''}"
            else:
                key = f"@{node.name}"
        else:
            key = f"@{node.name}"
        units.setdefault(key, []).append(node)
    if todo is not None:
        for node in todo.children:
            units.setdefault(node.name, []).append(node)
    return units


def _ordered_keys(*sides: _Side | None) -> list[str]:
    keys: dict[str, None] = {}
    for side in sides:
        if side is not None:
            keys.update(dict.fromkeys(side.units))
    return list(keys)


def _canon_nodes(key: str, nodes: list[Node], zones: Zones) -> tuple[object, ...]:
    """The meaning of a unit, independent of line order and spelling."""
    if key in _LISTS:
        items = {
            x.strip() for n in nodes if isinstance(n, Property) for x in split_text_list(n.value)
        }
        return tuple(sorted(items - {""}))
    return tuple(sorted((_canon_node(n, zones) for n in nodes), key=repr))


def _canon_node(node: Node, zones: Zones) -> object:
    if isinstance(node, Component):
        children = sorted((_canon_node(c, zones) for c in node.children), key=repr)
        return (node.name, tuple(children))
    name = node.name
    params = tuple(sorted((k, v) for k, v in node.key[1] if k not in ("TZID", "VALUE")))
    if name in _MOMENTS:
        value = property_moment(node, zones)
        if value is not None:
            return (name, params, format_moment(to_utc(value)))
    elif name in _MOMENT_LISTS:
        values = [
            property_moment(Property(name, node.params, part), zones)
            for part in node.value.split(",")
        ]
        if all(v is not None for v in values):
            return (name, params, tuple(sorted(format_moment(to_utc(v)) for v in values if v)))
    elif name in _TEXTS:
        return (name, node.key[1], ical_escape(ical_unescape(node.value)))
    elif name in ("RRULE", "EXRULE"):
        return (name, node.key[1], _vcalendar.canonical_rule(node.value))
    return node.key


def _build(
    server_cal: Component, server_todo: Component, client: _Side, result: Units
) -> Component:
    """The merged item: the server's layout, each unit's chosen lines, new units appended."""
    placed: set[str] = set()
    out = Component("VCALENDAR")
    todo_out = Component("VTODO")
    for node in server_cal.children:
        if node is server_todo:
            out.children.append(todo_out)
            continue
        key = _unit_key(node)
        _place(key, node, result, placed, out.children)
    for node in server_todo.children:
        _place(node.name, node, result, placed, todo_out.children)
    client_todo = master_todo(client.calendar)
    for node in client_todo.children if client_todo is not None else []:
        if node.name not in placed and node.name in result:
            placed.add(node.name)
            # lines go before the sub-components, as the server's layout has them
            nodes = result[node.name]
            at = len(todo_out.children)
            if not isinstance(node, Component):
                at = next(
                    (i for i, n in enumerate(todo_out.children) if isinstance(n, Component)), at
                )
            todo_out.children[at:at] = nodes
    first_item = next(
        (i for i, n in enumerate(out.children) if isinstance(n, Component) and n.name == "VTODO"),
        len(out.children),
    )
    for key, nodes in result.items():
        if key.startswith("@") and key not in placed:
            placed.add(key)
            if key.startswith("@VTIMEZONE:"):
                out.children[first_item:first_item] = nodes
                first_item += len(nodes)
            elif key.startswith("@VTODO:") or any(isinstance(n, Component) for n in nodes):
                out.children.extend(nodes)
            else:  # a calendar property: after the others, before any component
                at = next(
                    (i for i, n in enumerate(out.children) if isinstance(n, Component)),
                    len(out.children),
                )
                out.children[at:at] = nodes
                first_item += len(nodes)
    return out


def _unit_key(node: Node) -> str:
    if isinstance(node, Component):
        if node.name == "VTIMEZONE":
            tzid = node.first("TZID")
            return f"@VTIMEZONE:{tzid.value.strip() if tzid else ''}"
        if node.name == "VTODO":
            rid = node.first("RECURRENCE-ID")
            return f"@VTODO:{rid.value.strip() if rid else ''}"
    return f"@{node.name}"


def _place(key: str, node: Node, result: Units, placed: set[str], into: list[Node]) -> None:
    """Write a unit's chosen lines where the server had the unit (once per unit)."""
    if key in _BOOKKEEPING:
        into.append(node)
        return
    if key in placed:
        return
    placed.add(key)
    into.extend(result.get(key, []))


def _sequence(todo: Component) -> int:
    prop = todo.first("SEQUENCE")
    try:
        return max(int(prop.value.strip()), 0) if prop is not None else 0
    except ValueError:
        return 0


def _set_line(todo: Component, name: str, value: str) -> None:
    """Set ``name`` to ``value``: the first such line changed, any others dropped."""
    done = False
    children: list[Node] = []
    for node in todo.children:
        if isinstance(node, Property) and node.name == name:
            if not done:
                children.append(Property(name, (), value))
                done = True
            continue
        children.append(node)
    if not done:
        uid_at = next((i + 1 for i, n in enumerate(children) if n.name == "UID"), 0)
        children.insert(uid_at, Property(name, (), value))
    todo.children = children


def _bookkeeping_from_client(
    merged: Component, client_todo: Component, client_modified: datetime | None, stamp: datetime
) -> None:
    """The client's version won: its SEQUENCE, LAST-MODIFIED and DTSTAMP describe the result."""
    todo = _master(merged, "merged")
    sequence = client_todo.first("SEQUENCE")
    if sequence is not None:
        _set_line(todo, "SEQUENCE", sequence.value)
    modified = client_todo.first("LAST-MODIFIED")
    if modified is not None:
        _set_line(todo, "LAST-MODIFIED", modified.value)
    else:
        _set_line(todo, "LAST-MODIFIED", format_moment(_utc(client_modified or stamp)))
    dtstamp = client_todo.first("DTSTAMP")
    _set_line(todo, "DTSTAMP", dtstamp.value if dtstamp is not None else format_moment(stamp))
