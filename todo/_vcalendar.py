"""iCalendar 2.0 ⇄ vCalendar 1.0 for VTODO items, without losing what vCalendar cannot say.

Conversion works field by field. A *field* is what one side says with a group of lines, for
example the alarms (VALARM components ⇄ AALARM/DALARM/MALARM/PALARM lines) or the people
(ORGANIZER + ATTENDEE ⇄ ATTENDEE;ROLE=ORGANIZER + ATTENDEE). Going to vCalendar, each field is
written the vCalendar way (the *native* lines a phone shows and edits), then read back; if
that does not give the original lines again, the original lines are also written as
``X-ICAL-<NAME>`` *carrier* lines (components as quoted-printable iCalendar text). Coming
back, a field's carriers are used instead of its native lines if the native lines still say
what the carriers' own vCalendar form says — that is, if the phone did not change the field.
So an item survives iCalendar → vCalendar → iCalendar exactly, and a phone's edits win.

vCalendar lines with no iCalendar meaning (TZ, DAYLIGHT, GEO, …) travel the other way as
``X-VCAL-<NAME>`` lines; X- lines pass through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from todo._content_lines import (
    Component,
    Node,
    Param,
    Property,
    decode_vcal_value,
    ical_escape,
    ical_unescape,
    param,
    qp_encode,
    read,
    split_text_list,
    vcal_escape,
    write_component,
)
from todo._date_values import (
    Moment,
    Zones,
    format_duration,
    format_moment,
    parse_duration,
    parse_moment,
    property_moment,
    property_moments,
    to_utc,
)
from todo.errors import TaskFormatError

ICAL_PREFIX = "X-ICAL-"
VCAL_PREFIX = "X-VCAL-"
PRODID = "-//Traveler Desktop//ToDo 1.0//EN"

_ITEM_COMPONENTS = frozenset({"VTODO", "VEVENT", "VJOURNAL"})
_QP_UTF8: tuple[Param, ...] = (("ENCODING", "QUOTED-PRINTABLE"), ("CHARSET", "UTF-8"))
_ENCODING_PARAMS = ("ENCODING", "CHARSET")


@dataclass(frozen=True, slots=True)
class _VcalZone:
    """The zone vCalendar's TZ and DAYLIGHT lines describe, for its local (floating) times."""

    offset: timedelta
    daylight: tuple[tuple[timedelta, datetime, datetime], ...]

    def to_utc(self, local: datetime) -> datetime:
        offset = self.offset
        for dst_offset, start, end in self.daylight:
            if start <= local < end:
                offset = dst_offset
                break
        return (local - offset).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Context:
    zones: Zones
    vzone: _VcalZone | None = None
    start: Moment | None = None
    due: Moment | None = None


Encoder = Callable[[list[Node], _Context], list[Property] | None]
Decoder = Callable[[list[Property], _Context], list[Node]]


# --- text ---------------------------------------------------------------------------------


def _vcal_text(name: str, text: str, params: tuple[Param, ...] = ()) -> Property:
    """A vCalendar line holding ``text`` (escaped; quoted-printable if not plain ASCII)."""
    value = vcal_escape(text)
    if value.isascii() and value.isprintable():
        return Property(name, params, value)
    return Property(name, (*params, *_QP_UTF8), qp_encode(value))


def _text_encoder(vname: str) -> Encoder:
    def encode(nodes: list[Node], ctx: _Context) -> list[Property] | None:
        out = []
        for p in _props(nodes):
            language = tuple(x for x in p.params if x[0] == "LANGUAGE")
            out.append(_vcal_text(vname, ical_unescape(p.value), language))
        return out

    return encode


def _text_decoder(iname: str) -> Decoder:
    def decode(props: list[Property], ctx: _Context) -> list[Node]:
        return [
            Property(
                iname,
                p.without_params(*_ENCODING_PARAMS),
                ical_escape(ical_unescape(decode_vcal_value(p))),
            )
            for p in props
        ]

    return decode


def _list_encoder(vname: str) -> Encoder:
    def encode(nodes: list[Node], ctx: _Context) -> list[Property] | None:
        props = _props(nodes)
        items = [x for p in props for x in split_text_list(p.value, ",")]
        language = tuple(x for x in props[0].params if x[0] == "LANGUAGE") if props else ()
        value = ";".join(vcal_escape(i) for i in items)
        if value.isascii() and value.isprintable():
            return [Property(vname, language, value)]
        return [Property(vname, (*language, *_QP_UTF8), qp_encode(value))]

    return encode


def _list_decoder(iname: str) -> Decoder:
    def decode(props: list[Property], ctx: _Context) -> list[Node]:
        out: list[Node] = []
        for p in props:
            items = split_text_list(decode_vcal_value(p), ";")
            value = ",".join(ical_escape(i) for i in items)
            out.append(Property(iname, p.without_params(*_ENCODING_PARAMS), value))
        return out

    return decode


# --- enumerations -------------------------------------------------------------------------


def _mapping_encoder(vname: str, table: dict[str, str]) -> Encoder:
    def encode(nodes: list[Node], ctx: _Context) -> list[Property] | None:
        out = []
        for p in _props(nodes):
            value = p.value.strip().upper()
            out.append(Property(vname, (), table.get(value, value)))
        return out

    return encode


def _mapping_decoder(iname: str, table: dict[str, str], known: frozenset[str]) -> Decoder:
    def decode(props: list[Property], ctx: _Context) -> list[Node]:
        out: list[Node] = []
        for p in props:
            value = decode_vcal_value(p).strip().upper()
            mapped = table.get(value, value)
            if mapped in known or (mapped.startswith("X-") and "\n" not in mapped):
                out.append(Property(iname, p.without_params(*_ENCODING_PARAMS), mapped))
            else:
                out.append(_keep_unreadable(p))
        return out

    return decode


_STATUS_TO_VCAL = {
    "NEEDS-ACTION": "NEEDS ACTION",
    "IN-PROCESS": "ACCEPTED",
    "CANCELLED": "DECLINED",
}
_STATUS_TO_ICAL = {
    "NEEDS ACTION": "NEEDS-ACTION",
    "ACCEPTED": "IN-PROCESS",
    "DECLINED": "CANCELLED",
    "SENT": "NEEDS-ACTION",
    "TENTATIVE": "NEEDS-ACTION",
    "CONFIRMED": "IN-PROCESS",
    "DELEGATED": "NEEDS-ACTION",
}
_STATUSES = frozenset({"NEEDS-ACTION", "IN-PROCESS", "COMPLETED", "CANCELLED"})
_CLASSES = frozenset({"PUBLIC", "PRIVATE", "CONFIDENTIAL"})


def _encode_priority(nodes: list[Node], ctx: _Context) -> list[Property] | None:
    out = []
    for p in _props(nodes):
        try:
            n = int(p.value.strip())
        except ValueError:
            return None
        if n < 0:
            return None
        # vCalendar phones know 1 high, 2 normal, 3 low (0 undefined)
        out.append(
            Property("PRIORITY", (), str(0 if n == 0 else 1 if n <= 4 else 2 if n == 5 else 3))
        )
    return out


def _decode_priority(props: list[Property], ctx: _Context) -> list[Node]:
    out: list[Node] = []
    for p in props:
        try:
            n = int(decode_vcal_value(p).strip())
        except ValueError:
            out.append(_keep_unreadable(p))
            continue
        if n < 0:
            out.append(_keep_unreadable(p))
            continue
        # 1-3 is the vCalendar scale; larger numbers come from devices using iCalendar's
        value = {0: 0, 1: 1, 2: 5, 3: 9}.get(n, min(n, 9))
        out.append(Property("PRIORITY", (), str(value)))
    return out


# --- dates --------------------------------------------------------------------------------


def _vcal_moment(value: Moment, ctx: _Context) -> Moment:
    """A vCalendar time as iCalendar sees it: local times in TZ's zone become UTC."""
    if isinstance(value, datetime) and value.tzinfo is None and ctx.vzone is not None:
        return ctx.vzone.to_utc(value)
    return value


def _moment_encoder(vname: str) -> Encoder:
    def encode(nodes: list[Node], ctx: _Context) -> list[Property] | None:
        out = []
        for p in _props(nodes):
            value = property_moment(p, ctx.zones)
            if value is None:
                return None
            out.append(Property(vname, (), format_moment(to_utc(value))))
        return out

    return encode


def _moment_decoder(iname: str) -> Decoder:
    def decode(props: list[Property], ctx: _Context) -> list[Node]:
        out: list[Node] = []
        for p in props:
            value = parse_moment(decode_vcal_value(p))
            if value is None:
                out.append(_keep_unreadable(p))
            elif isinstance(value, datetime):
                out.append(Property(iname, (), format_moment(_vcal_moment(value, ctx))))
            else:
                out.append(Property(iname, (("VALUE", "DATE"),), format_moment(value)))
        return out

    return decode


def _moment_list_encoder(vname: str) -> Encoder:
    def encode(nodes: list[Node], ctx: _Context) -> list[Property] | None:
        values: list[str] = []
        for p in _props(nodes):
            if p.param("VALUE") == "PERIOD":
                return None
            moments = property_moments(p, ctx.zones)
            if moments is None:
                return None
            values.extend(format_moment(to_utc(m)) for m in moments)
        return [Property(vname, (), ";".join(values))]

    return encode


def _moment_list_decoder(iname: str) -> Decoder:
    def decode(props: list[Property], ctx: _Context) -> list[Node]:
        out: list[Node] = []
        for p in props:
            parts = [x for x in re.split(r"[;,]", decode_vcal_value(p)) if x.strip()]
            moments = [parse_moment(x) for x in parts]
            if not parts or any(m is None for m in moments):
                out.append(_keep_unreadable(p))
                continue
            dates = [
                format_moment(m) for m in moments if m is not None and not isinstance(m, datetime)
            ]
            times = [
                format_moment(_vcal_moment(m, ctx)) for m in moments if isinstance(m, datetime)
            ]
            if dates:
                out.append(Property(iname, (("VALUE", "DATE"),), ",".join(dates)))
            if times:
                out.append(Property(iname, (), ",".join(times)))
        return out

    return decode


# --- recurrence ---------------------------------------------------------------------------

_WEEKDAYS = frozenset({"SU", "MO", "TU", "WE", "TH", "FR", "SA"})
_ORDINAL_DAY = re.compile(r"([+-]?)(\d{1,2})(SU|MO|TU|WE|TH|FR|SA)\Z")
_VCAL_RULE = re.compile(r"(D|W|MP|MD|YM|YD)(\d+)\Z")
_VCAL_FREQ = {
    "D": "DAILY",
    "W": "WEEKLY",
    "MP": "MONTHLY",
    "MD": "MONTHLY",
    "YM": "YEARLY",
    "YD": "YEARLY",
}


def _rule_parts(value: str) -> dict[str, str] | None:
    parts: dict[str, str] = {}
    for item in value.split(";"):
        if not item.strip():
            continue
        key, sep, val = item.partition("=")
        key = key.strip().upper()
        if not sep or key in parts:
            return None
        parts[key] = val.strip().upper()
    return parts


def _numbers(text: str, low: int, high: int) -> list[int] | None:
    try:
        values = [int(x) for x in text.split(",")]
    except ValueError:
        return None
    if all(low <= abs(v) <= high for v in values):
        return values
    return None


def _vcal_numbers(values: list[int]) -> str:
    return " ".join(f"{v}" if v > 0 else f"{-v}-" for v in values)


def rrule_to_vcal(value: str) -> str | None:
    """An iCalendar RRULE as a vCalendar 1.0 rule (``W1 MO TH #5``); None if it has no such form."""
    parts = _rule_parts(value)
    if parts is None:
        return None
    freq = parts.pop("FREQ", "")
    interval = parts.pop("INTERVAL", "1")
    count = parts.pop("COUNT", None)
    until = parts.pop("UNTIL", None)
    parts.pop("WKST", None)  # vCalendar weeks start on Monday; a carrier keeps any other WKST
    byday = parts.pop("BYDAY", None)
    bymonthday = parts.pop("BYMONTHDAY", None)
    bymonth = parts.pop("BYMONTH", None)
    byyearday = parts.pop("BYYEARDAY", None)
    if parts or not interval.isdigit() or int(interval) < 1 or (count and until):
        return None
    if count is not None:
        if not count.isdigit() or int(count) < 1:
            return None
        duration = f"#{int(count)}"
    elif until is not None:
        end = parse_moment(until)
        if end is None:
            return None
        duration = format_moment(end)
    else:
        duration = "#0"
    n = int(interval)
    given = {
        k for k, v in (("D", byday), ("MD", bymonthday), ("M", bymonth), ("Y", byyearday)) if v
    }
    rule: str | None = None
    if freq == "DAILY" and not given:
        rule = f"D{n}"
    elif freq == "WEEKLY" and given <= {"D"}:
        days = byday.split(",") if byday else []
        if all(d in _WEEKDAYS for d in days):
            rule = " ".join([f"W{n}", *days])
    elif freq == "MONTHLY" and given == {"D"} and byday:
        tokens = [f"MP{n}"]
        for day in byday.split(","):
            m = _ORDINAL_DAY.match(day)
            if m is None or not 1 <= int(m.group(2)) <= 5:
                return None
            tokens += [f"{int(m.group(2))}{'-' if m.group(1) == '-' else '+'}", m.group(3)]
        rule = " ".join(tokens)
    elif freq == "MONTHLY" and given <= {"MD"}:
        days_of_month = _numbers(bymonthday, 1, 31) if bymonthday else []
        if days_of_month is not None:
            rule = " ".join([f"MD{n}", _vcal_numbers(days_of_month)]).strip()
    elif freq == "YEARLY" and given <= {"M"}:
        months = _numbers(bymonth, 1, 12) if bymonth else []
        if months is not None and all(m > 0 for m in months):
            rule = " ".join([f"YM{n}", *map(str, months)])
    elif freq == "YEARLY" and given == {"Y"} and byyearday:
        year_days = _numbers(byyearday, 1, 366)
        if year_days is not None:
            rule = f"YD{n} {_vcal_numbers(year_days)}"
    if rule is None:
        return None
    return f"{rule} {duration}"


def _vcal_number(token: str) -> int | None:
    if token == "LD":
        return -1
    negative = token.endswith("-")
    digits = token.rstrip("+-")
    if not digits.isdigit() or int(digits) == 0:
        return None
    return -int(digits) if negative else int(digits)


def rrule_from_vcal(value: str) -> str | None:
    """A vCalendar 1.0 rule as an iCalendar RRULE; None for rules we do not read."""
    tokens = value.upper().split()
    if not tokens:
        return None
    m = _VCAL_RULE.match(tokens[0])
    if m is None or int(m.group(2)) < 1:
        return None
    kind, interval = m.group(1), int(m.group(2))
    body = tokens[1:]
    ending: str | None = None
    if body and (body[-1].startswith("#") or parse_moment(body[-1]) is not None):
        ending = body.pop()
    parts = [f"FREQ={_VCAL_FREQ[kind]}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    body = [t.rstrip("$") for t in body]  # "$" marks instances that were changed; not kept
    if kind == "D":
        if body:
            return None  # time lists ("D1 0800 1700") have no RRULE form
    elif kind == "W":
        if not all(t in _WEEKDAYS for t in body):
            return None
        if body:
            parts.append("BYDAY=" + ",".join(body))
    elif kind == "MP":
        days: list[str] = []
        ordinals: list[int] = []
        last_was_day = False
        for t in body:
            if t in _WEEKDAYS:
                if not ordinals:
                    return None
                days += [f"{o}{t}" for o in ordinals]
                last_was_day = True
                continue
            number = _vcal_number(t)
            if number is None or abs(number) > 5:
                return None
            if last_was_day:
                ordinals = []
                last_was_day = False
            ordinals.append(number)
        if not days:
            return None
        parts.append("BYDAY=" + ",".join(days))
    else:
        numbers = [_vcal_number(t) for t in body]
        if any(x is None for x in numbers):
            return None
        values = [x for x in numbers if x is not None]
        limit = {"MD": 31, "YM": 12, "YD": 366}[kind]
        if any(abs(x) > limit for x in values) or (kind == "YM" and any(x < 0 for x in values)):
            return None
        if values:
            key = {"MD": "BYMONTHDAY", "YM": "BYMONTH", "YD": "BYYEARDAY"}[kind]
            parts.append(f"{key}=" + ",".join(map(str, values)))
    if ending is None:
        parts.append("COUNT=2")  # vCalendar 1.0: a rule without a duration repeats twice
    elif ending.startswith("#"):
        if not ending[1:].isdigit():
            return None
        if int(ending[1:]) > 0:
            parts.append(f"COUNT={int(ending[1:])}")
    else:
        end = parse_moment(ending)
        assert end is not None
        parts.append(f"UNTIL={format_moment(end)}")
    return ";".join(parts)


def _rule_encoder(vname: str) -> Encoder:
    def encode(nodes: list[Node], ctx: _Context) -> list[Property] | None:
        out = []
        for p in _props(nodes):
            rule = rrule_to_vcal(p.value)
            if rule is None:
                return None
            out.append(Property(vname, (), rule))
        return out

    return encode


def _rule_decoder(iname: str) -> Decoder:
    def decode(props: list[Property], ctx: _Context) -> list[Node]:
        out: list[Node] = []
        for p in props:
            rule = rrule_from_vcal(decode_vcal_value(p))
            out.append(Property(iname, (), rule) if rule else _keep_unreadable(p))
        return out

    return decode


def canonical_rule(value: str) -> str:
    """An RRULE with its parts sorted and the default INTERVAL=1 left out, for comparing."""
    parts = _rule_parts(value)
    if parts is None:
        return value
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    return ";".join(f"{k}={v}" for k, v in sorted(parts.items()))


# --- people -------------------------------------------------------------------------------

_PARTSTAT_TO_VCAL = {
    "NEEDS-ACTION": "NEEDS ACTION",
    "ACCEPTED": "ACCEPTED",
    "DECLINED": "DECLINED",
    "TENTATIVE": "TENTATIVE",
    "DELEGATED": "DELEGATED",
    "COMPLETED": "COMPLETED",
}
_PARTSTAT_TO_ICAL = {
    "NEEDS ACTION": "NEEDS-ACTION",
    "NEEDS-ACTION": "NEEDS-ACTION",
    "ACCEPTED": "ACCEPTED",
    "DECLINED": "DECLINED",
    "TENTATIVE": "TENTATIVE",
    "DELEGATED": "DELEGATED",
    "COMPLETED": "COMPLETED",
    "CONFIRMED": "ACCEPTED",
    "SENT": "NEEDS-ACTION",
}
_ROLE_TO_EXPECT = {
    "REQ-PARTICIPANT": "REQUIRE",
    "OPT-PARTICIPANT": "REQUEST",
    "NON-PARTICIPANT": "FYI",
}
_EXPECT_TO_ROLE = {
    "REQUIRE": "REQ-PARTICIPANT",
    "REQUEST": "OPT-PARTICIPANT",
    "FYI": "NON-PARTICIPANT",
    "IMMEDIATE": "REQ-PARTICIPANT",
}
_ADDRESS = re.compile(r"\s*(.*?)\s*<([^<>]*)>\s*\Z", re.DOTALL)


def _vcal_address(p: Property) -> str:
    address = p.value
    if address[:7].lower() == "mailto:":
        address = address[7:]
    name = p.param("CN")
    return f"{name} <{address}>" if name else address


def _encode_people(nodes: list[Node], ctx: _Context) -> list[Property] | None:
    out = []
    for p in _props(nodes):
        params: list[Param] = []
        if p.name == "ORGANIZER":
            params.append(("ROLE", "ORGANIZER"))
        else:
            role = (p.param("ROLE") or "").upper()
            if role == "CHAIR":
                params.append(("ROLE", "OWNER"))
            partstat = (p.param("PARTSTAT") or "").upper()
            if partstat in _PARTSTAT_TO_VCAL:
                params.append(("STATUS", _PARTSTAT_TO_VCAL[partstat]))
            rsvp = (p.param("RSVP") or "").upper()
            if rsvp in ("TRUE", "FALSE"):
                params.append(("RSVP", "YES" if rsvp == "TRUE" else "NO"))
            if role in _ROLE_TO_EXPECT:
                params.append(("EXPECT", _ROLE_TO_EXPECT[role]))
        out.append(_vcal_text("ATTENDEE", _vcal_address(p), tuple(params)))
    return out


def _decode_people(props: list[Property], ctx: _Context) -> list[Node]:
    organizers: list[Node] = []
    attendees: list[Node] = []
    for p in props:
        text = ical_unescape(decode_vcal_value(p))
        m = _ADDRESS.match(text)
        name, address = (
            (m.group(1).strip('"').strip(), m.group(2).strip()) if m else ("", text.strip())
        )
        if "\n" in address:  # no address; written as it is, it would break the line in two
            attendees.append(_keep_unreadable(p))
            continue
        uri = address if ":" in address else f"mailto:{address}"
        params: list[Param] = [param("CN", name)] if name else []
        role = (p.param("ROLE") or "").upper()
        if role == "ORGANIZER":
            organizers.append(Property("ORGANIZER", tuple(params), uri))
            continue
        expect = (p.param("EXPECT") or "").upper()
        if role == "OWNER":
            params.append(("ROLE", "CHAIR"))
        elif expect in _EXPECT_TO_ROLE:
            params.append(("ROLE", _EXPECT_TO_ROLE[expect]))
        status = (p.param("STATUS") or "").upper()
        if status in _PARTSTAT_TO_ICAL:
            params.append(("PARTSTAT", _PARTSTAT_TO_ICAL[status]))
        rsvp = (p.param("RSVP") or "").upper()
        if rsvp in ("YES", "NO", "TRUE", "FALSE"):
            params.append(("RSVP", "TRUE" if rsvp in ("YES", "TRUE") else "FALSE"))
        attendees.append(Property("ATTENDEE", tuple(params), uri))
    return organizers + attendees


# --- alarms -------------------------------------------------------------------------------


def _as_datetime(value: Moment) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def _alarm_runtime(alarm: Component, ctx: _Context) -> Moment | None:
    trigger = alarm.first("TRIGGER")
    if trigger is None:
        return None
    if (trigger.param("VALUE") or "").upper() == "DATE-TIME":
        return parse_moment(trigger.value)
    offset = parse_duration(trigger.value)
    if offset is None:
        return None
    if (trigger.param("RELATED") or "START").upper() == "END":
        anchor = ctx.due if ctx.due is not None else ctx.start
    else:
        anchor = ctx.start if ctx.start is not None else ctx.due
    if anchor is None:
        return None
    return to_utc(_as_datetime(anchor)) + offset


def _alarm_value(runtime: Moment, alarm: Component, *rest: str) -> str:
    snooze = alarm.first("DURATION")
    repeat = alarm.first("REPEAT")
    fields = [
        format_moment(runtime),
        snooze.value if snooze is not None and repeat is not None else "",
        repeat.value if snooze is not None and repeat is not None else "",
        *(vcal_escape(x) for x in rest),
    ]
    return ";".join(fields)


def _value_of(comp: Component, name: str) -> str:
    prop = comp.first(name)
    return prop.value if prop is not None else ""


def _alarm_line(name: str, value: str) -> Property:
    if value.isascii() and value.isprintable():
        return Property(name, (), value)
    return Property(name, _QP_UTF8, qp_encode(value))


def _encode_alarms(nodes: list[Node], ctx: _Context) -> list[Property] | None:
    out: list[Property] = []
    for alarm in nodes:
        if not isinstance(alarm, Component):
            return None
        runtime = _alarm_runtime(alarm, ctx)
        if runtime is None:
            continue  # nothing to count from: only the carrier keeps this alarm
        action = _value_of(alarm, "ACTION").strip().upper()
        description = ical_unescape(_value_of(alarm, "DESCRIPTION"))
        attach = _value_of(alarm, "ATTACH")
        if action == "DISPLAY":
            out.append(_alarm_line("DALARM", _alarm_value(runtime, alarm, description)))
            # many phones only know AALARM; a DALARM at the same time absorbs it on the way back
            out.append(_alarm_line("AALARM", _alarm_value(runtime, alarm, "")))
        elif action == "AUDIO":
            out.append(_alarm_line("AALARM", _alarm_value(runtime, alarm, attach)))
        elif action == "EMAIL":
            attendee = alarm.first("ATTENDEE")
            email = (
                attendee.value[7:] if attendee and attendee.value[:7].lower() == "mailto:" else ""
            )
            out.append(_alarm_line("MALARM", _alarm_value(runtime, alarm, email, description)))
        elif action == "PROCEDURE":
            out.append(_alarm_line("PALARM", _alarm_value(runtime, alarm, attach)))
    return out


def _trigger(runtime: Moment, ctx: _Context) -> Property:
    """TRIGGER for a vCalendar run time: absolute in UTC, or relative to a floating due/start."""
    if isinstance(runtime, datetime) and runtime.tzinfo is not None:
        return Property("TRIGGER", (("VALUE", "DATE-TIME"),), format_moment(runtime))
    local = _as_datetime(runtime)
    for related, anchor in (("END", ctx.due), ("START", ctx.start)):
        if anchor is not None and not (isinstance(anchor, datetime) and anchor.tzinfo):
            params = (("RELATED", "END"),) if related == "END" else ()
            return Property("TRIGGER", params, format_duration(local - _as_datetime(anchor)))
    # a local run time with nothing local to count from: read it as UTC
    return Property("TRIGGER", (("VALUE", "DATE-TIME"),), format_moment(local.replace(tzinfo=UTC)))


def _decode_alarms(props: list[Property], ctx: _Context) -> list[Node]:
    parsed: list[tuple[Property, list[str], Moment]] = []
    out: list[Node] = []
    for p in props:
        fields = split_text_list(decode_vcal_value(p), ";")
        runtime = parse_moment(fields[0])
        if runtime is None:
            out.append(_keep_unreadable(p))
            continue
        parsed.append((p, fields, _vcal_moment(runtime, ctx)))
    absorbed: set[int] = set()
    for p, _, runtime in parsed:
        if p.name != "DALARM":
            continue
        same_time = [
            i
            for i, (q, f, t) in enumerate(parsed)
            if q.name == "AALARM" and t == runtime and i not in absorbed
        ]
        same_time.sort(key=lambda i: len(parsed[i][1]) > 3 and parsed[i][1][3] != "")
        if same_time:
            absorbed.add(same_time[0])
    for i, (p, fields, runtime) in enumerate(parsed):
        if i in absorbed:
            continue
        fields = [*fields, "", "", "", ""]
        action = {"DALARM": "DISPLAY", "AALARM": "AUDIO", "MALARM": "EMAIL"}.get(
            p.name, "PROCEDURE"
        )
        content = fields[3]
        if action != "DISPLAY" and "\n" in content:  # no address or URI; would break the line
            out.append(_keep_unreadable(p))
            continue
        children: list[Node] = []
        children.append(Property("ACTION", (), action))
        children.append(_trigger(runtime, ctx))
        snooze = parse_duration(fields[1]) if fields[1].strip() else None
        if snooze is not None and fields[2].strip().isdigit() and int(fields[2]) > 0:
            children.append(Property("DURATION", (), format_duration(snooze)))
            children.append(Property("REPEAT", (), str(int(fields[2]))))
        if action == "DISPLAY":
            children.append(Property("DESCRIPTION", (), ical_escape(content or "Reminder")))
        elif action == "EMAIL":
            note = fields[4]
            children.append(Property("DESCRIPTION", (), ical_escape(note or "Reminder")))
            children.append(Property("SUMMARY", (), "Reminder"))
            if content:
                children.append(Property("ATTENDEE", (), f"mailto:{content}"))
        elif content:
            children.append(Property("ATTACH", (), content))
        out.append(Component("VALARM", children))
    return out


# --- pass-through -------------------------------------------------------------------------


def _identity_encoder(vname: str | None = None) -> Encoder:
    def encode(nodes: list[Node], ctx: _Context) -> list[Property] | None:
        return [Property(vname or p.name, p.params, p.value) for p in _props(nodes)]

    return encode


def _identity_decoder(iname: str | None = None) -> Decoder:
    def decode(props: list[Property], ctx: _Context) -> list[Node]:
        out: list[Node] = []
        for p in props:
            if (p.param("ENCODING") or "").upper() == "QUOTED-PRINTABLE":
                value = ical_escape(decode_vcal_value(p))
                out.append(Property(iname or p.name, p.without_params(*_ENCODING_PARAMS), value))
            else:
                out.append(Property(iname or p.name, p.params, p.value))
        return out

    return decode


def _keep_unreadable(p: Property) -> Property:
    """A vCalendar line whose value we cannot read, kept for the way back."""
    return Property(VCAL_PREFIX + p.name, p.params, p.value)


def _encode_version(nodes: list[Node], ctx: _Context) -> list[Property] | None:
    return [Property("VERSION", (), "1.0")]


def _decode_version(props: list[Property], ctx: _Context) -> list[Node]:
    return [Property("VERSION", (), "2.0")]


def _props(nodes: list[Node]) -> list[Property]:
    return [n for n in nodes if isinstance(n, Property)]


# --- the field table ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    vnames: tuple[str, ...]
    encode: Encoder
    decode: Decoder


def _same_name(
    name: str, encode: Callable[[str], Encoder], decode: Callable[[str], Decoder]
) -> _Field:
    return _Field((name,), encode(name), decode(name))


_FIELDS: dict[str, _Field] = {
    "VERSION": _Field(("VERSION",), _encode_version, _decode_version),
    "PRODID": _Field(("PRODID",), _identity_encoder(), _identity_decoder()),
    **{
        n: _same_name(n, _text_encoder, _text_decoder)
        for n in ("SUMMARY", "DESCRIPTION", "LOCATION", "UID")
    },
    **{n: _same_name(n, _list_encoder, _list_decoder) for n in ("CATEGORIES", "RESOURCES")},
    **{
        n: _same_name(n, _moment_encoder, _moment_decoder)
        for n in ("DTSTART", "DUE", "COMPLETED", "LAST-MODIFIED")
    },
    "CREATED": _Field(("DCREATED",), _moment_encoder("DCREATED"), _moment_decoder("CREATED")),
    "RECURRENCE-ID": _Field(
        ("X-RECURRENCE-ID",), _moment_encoder("X-RECURRENCE-ID"), _moment_decoder("RECURRENCE-ID")
    ),
    **{n: _same_name(n, _moment_list_encoder, _moment_list_decoder) for n in ("EXDATE", "RDATE")},
    **{n: _same_name(n, _rule_encoder, _rule_decoder) for n in ("RRULE", "EXRULE")},
    **{
        n: _same_name(n, _identity_encoder, _identity_decoder)
        for n in ("URL", "SEQUENCE", "RELATED-TO")
    },
    "CLASS": _Field(
        ("CLASS",), _mapping_encoder("CLASS", {}), _mapping_decoder("CLASS", {}, _CLASSES)
    ),
    "STATUS": _Field(
        ("STATUS",),
        _mapping_encoder("STATUS", _STATUS_TO_VCAL),
        _mapping_decoder("STATUS", _STATUS_TO_ICAL, _STATUSES),
    ),
    "PRIORITY": _Field(("PRIORITY",), _encode_priority, _decode_priority),
    "ATTENDEE": _Field(("ATTENDEE",), _encode_people, _decode_people),
    "ALARM": _Field(("AALARM", "DALARM", "MALARM", "PALARM"), _encode_alarms, _decode_alarms),
}
_ICAL_FIELD = {
    **{name: name for name in _FIELDS if name not in ("ALARM",)},
    "ORGANIZER": "ATTENDEE",
}
_VCAL_FIELD = {vname: key for key, f in _FIELDS.items() for vname in f.vnames}
_PASS_THROUGH = _Field((), _identity_encoder(), _identity_decoder())


def _ical_field(node: Node) -> str:
    """The field of an iCalendar line or component; ``~…`` fields travel only as carriers."""
    if isinstance(node, Component):
        return "ALARM" if node.name == "VALARM" else f"~{node.name}"
    name = node.name
    field = _ICAL_FIELD.get(name)
    if field is not None:
        return field
    if name.startswith("X-"):
        if name.startswith(VCAL_PREFIX) and _vcal_only(name[len(VCAL_PREFIX) :]):
            return f"VCAL:{name[len(VCAL_PREFIX) :]}"
        if name.startswith(ICAL_PREFIX) or name in _VCAL_FIELD:
            return f"~{name}"  # would be mistaken for a carrier or a mapped vCalendar line
        return f"X:{name}"
    return f"~{name}"


def _vcal_only(name: str) -> bool:
    return bool(name) and not name.startswith("X-") and name not in _VCAL_FIELD


def _vcal_field(prop: Property) -> str:
    field = _VCAL_FIELD.get(prop.name)
    if field is not None:
        return field
    if prop.name.startswith("X-"):
        return f"X:{prop.name}"
    return f"VCAL:{prop.name}"


def _field(key: str) -> _Field | None:
    if key.startswith("X:"):
        return _PASS_THROUGH
    if key.startswith("VCAL:"):
        name = key[5:]
        return _Field((name,), _identity_encoder(name), _identity_decoder(VCAL_PREFIX + name))
    return _FIELDS.get(key)


def _canonical(nodes: list[Node]) -> list[object]:
    """The lines exactly as written (parameter order too), so carriers restore them as they were."""
    return [_exact(n) for n in nodes]


def _exact(node: Node) -> object:
    if isinstance(node, Component):
        return (node.name, tuple(_exact(c) for c in node.children))
    return (node.name, node.params, node.value)


def _encode_field(key: str, nodes: list[Node], ctx: _Context) -> list[Property] | None:
    spec = _field(key)
    if spec is None:
        return None
    return spec.encode(nodes, ctx)


def _decode_field(key: str, props: list[Property], ctx: _Context) -> list[Node]:
    spec = _field(key)
    if spec is None or not props:
        return []
    return spec.decode(props, ctx)


# --- carriers -----------------------------------------------------------------------------


def _carrier(node: Node) -> Property:
    if isinstance(node, Component):
        text = write_component(node).rstrip("\r\n")
        return Property(ICAL_PREFIX + node.name, _QP_UTF8, qp_encode(text))
    return Property(ICAL_PREFIX + node.name, node.params, node.value)


def _uncarry(prop: Property) -> Node | None:
    name = prop.name[len(ICAL_PREFIX) :]
    if not name:
        return None
    if (prop.param("ENCODING") or "").upper() == "QUOTED-PRINTABLE":
        text = decode_vcal_value(prop)
        if text.upper().startswith(f"BEGIN:{name}"):
            try:
                roots = read(text)
            except TaskFormatError:  # a damaged carrier is simply not used
                return None
            return roots[0] if roots and roots[0].name == name else None
        return Property(name, prop.without_params(*_ENCODING_PARAMS), ical_escape(text))
    return Property(name, prop.params, prop.value)


# --- components ---------------------------------------------------------------------------


def _anchors(comp_children: list[Node], ctx: _Context) -> _Context:
    start = due = None
    for node in comp_children:
        if isinstance(node, Property):
            if node.name == "DTSTART" and start is None:
                start = property_moment(node, ctx.zones)
            elif node.name == "DUE" and due is None:
                due = property_moment(node, ctx.zones)
    return replace(ctx, start=start, due=due)


def _encode_component(comp: Component, ctx: _Context, *, extensions: bool) -> Component:
    if comp.name in _ITEM_COMPONENTS:
        ctx = _anchors(comp.children, ctx)
    groups: dict[str, list[Node]] = {}
    order: list[str | Component] = []
    for child in comp.children:
        if isinstance(child, Component) and child.name in _ITEM_COMPONENTS:
            order.append(child)
            continue
        key = _ical_field(child)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(child)
    out = Component(comp.name)
    for item in order:
        if isinstance(item, Component):
            out.children.append(_encode_component(item, ctx, extensions=extensions))
            continue
        nodes = groups[item]
        if not extensions and item.startswith("X:"):
            continue
        natives = _encode_field(item, nodes, ctx)
        if natives is None:
            natives = []
        out.children.extend(natives)
        if extensions and _canonical(_decode_field(item, natives, ctx)) != _canonical(nodes):
            out.children.extend(_carrier(n) for n in nodes)
    return out


def _vcal_zone(cal: Component) -> _VcalZone | None:
    tz = cal.first("TZ")
    offset = _offset(tz.value) if tz is not None else None
    if offset is None:
        return None
    daylight = []
    for p in cal.properties("DAYLIGHT"):
        fields = p.value.split(";")
        if len(fields) < 4 or fields[0].strip().upper() != "TRUE":
            continue
        dst = _offset(fields[1])
        start, end = parse_moment(fields[2]), parse_moment(fields[3])
        if dst is None or not isinstance(start, datetime) or not isinstance(end, datetime):
            continue
        # start/end are local standard time unless written in UTC
        if start.tzinfo is not None:
            start = start.replace(tzinfo=None) + offset
        if end.tzinfo is not None:
            end = end.replace(tzinfo=None) + dst
        daylight.append((dst, start, end))
    return _VcalZone(offset, tuple(daylight))


_OFFSET = re.compile(r"\s*([+-])?(\d{1,2})(?::?(\d{2}))?\s*\Z")


def _offset(text: str) -> timedelta | None:
    m = _OFFSET.match(text)
    if m is None:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    value = timedelta(hours=hours, minutes=minutes)
    return -value if m.group(1) == "-" else value


def _decode_component(comp: Component, ctx: _Context) -> Component:
    natives: dict[str, list[Property]] = {}
    carried: dict[str, list[Node]] = {}
    order: list[str | Component] = []
    seen: dict[str, None] = {}  # the fields in order of appearance
    for child in comp.children:
        if isinstance(child, Component):
            order.append(child)
            continue
        if child.name.startswith(ICAL_PREFIX):
            node = _uncarry(child)
            if node is None:
                continue
            key = _ical_field(node)
            carried.setdefault(key, []).append(node)
        else:
            key = _vcal_field(child)
            natives.setdefault(key, []).append(child)
        if key not in seen:
            seen[key] = None
            order.append(key)
    resolved: dict[str, list[Node]] = {}
    for key in seen:
        if key != "ALARM":
            resolved[key] = _resolve(key, natives.get(key, []), carried.get(key, []), ctx)
    if comp.name == "VCALENDAR":
        zones = [n for nodes in resolved.values() for n in nodes if isinstance(n, Component)]
        ctx = replace(ctx, zones=Zones([Component("VCALENDAR", list(zones))]))
    if comp.name in _ITEM_COMPONENTS:
        flat = [n for nodes in resolved.values() for n in nodes]
        ctx = _anchors(flat, ctx)
    if "ALARM" in seen:
        resolved["ALARM"] = _resolve(
            "ALARM", natives.get("ALARM", []), carried.get("ALARM", []), ctx
        )
    out = Component(comp.name)
    for item in order:
        if isinstance(item, Component):
            out.children.append(
                _decode_component(item, ctx) if item.name in _ITEM_COMPONENTS else item
            )
        else:
            out.children.extend(resolved[item])
    # iCalendar wants a component's properties before its sub-components (RFC 5545 3.6)
    out.children.sort(key=lambda node: isinstance(node, Component))
    return out


def _resolve(key: str, natives: list[Property], carried: list[Node], ctx: _Context) -> list[Node]:
    """The iCalendar lines of one field: the carriers if the phone left the field alone."""
    decoded = _decode_field(key, natives, ctx)
    if not carried:
        return decoded
    projected = _encode_field(key, carried, ctx) or []
    if _canonical(_decode_field(key, projected, ctx)) == _canonical(decoded):
        return carried
    return decoded


# --- public entry points ------------------------------------------------------------------


def ical_to_vcal(calendar: Component, *, extensions: bool = True) -> Component:
    """A VCALENDAR 2.0 tree as vCalendar 1.0; ``extensions=False`` leaves out carriers and X-."""
    # the TZ/DAYLIGHT the vCalendar will carry (from X-VCAL- lines) governs its local times
    restored = [
        Property(p.name[len(VCAL_PREFIX) :], p.params, p.value)
        for p in calendar.children
        if isinstance(p, Property) and p.name in (f"{VCAL_PREFIX}TZ", f"{VCAL_PREFIX}DAYLIGHT")
    ]
    ctx = _Context(Zones([calendar]), vzone=_vcal_zone(Component("VCALENDAR", list(restored))))
    return _encode_component(calendar, ctx, extensions=extensions)


def vcal_to_ical(calendar: Component) -> Component:
    """A VCALENDAR 1.0 tree as iCalendar 2.0."""
    ctx = _Context(Zones(), vzone=_vcal_zone(calendar))
    out = _decode_component(calendar, ctx)
    if out.first("VERSION") is None:
        out.children.insert(0, Property("VERSION", (), "2.0"))
    if out.first("PRODID") is None:
        out.children.insert(1, Property("PRODID", (), PRODID))
    for todo in out.components():
        # iCalendar requires a DTSTAMP, vCalendar has none: a stored item's is its last change
        if todo.name in _ITEM_COMPONENTS and todo.first("DTSTAMP") is None:
            stamp = todo.first("LAST-MODIFIED") or todo.first("CREATED")
            moment = parse_moment(stamp.value) if stamp is not None else None
            if isinstance(moment, datetime) and moment.tzinfo is not None:
                todo.children.insert(0, Property("DTSTAMP", (), format_moment(moment)))
    return out


def vcal_projection(calendar: Component) -> Component:
    """What an iCalendar item looks like after a trip through a phone that drops X- lines."""
    return vcal_to_ical(ical_to_vcal(calendar, extensions=False))


def is_item_component(name: str) -> bool:
    """Whether components called ``name`` are calendar items (VTODO, VEVENT, VJOURNAL)."""
    return name in _ITEM_COMPONENTS


__all__ = [
    "ICAL_PREFIX",
    "PRODID",
    "VCAL_PREFIX",
    "canonical_rule",
    "ical_to_vcal",
    "is_item_component",
    "rrule_from_vcal",
    "rrule_to_vcal",
    "vcal_projection",
    "vcal_to_ical",
]
