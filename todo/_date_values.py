"""DATE and DATE-TIME values of iCalendar / vCalendar text, and the zones their TZIDs name.

:mod:`todo.task_format` reads a task's values with these functions, as do the conversion to
and from vCalendar 1.0, merging and key extraction; they must read what vCalendar writers send
(``2026-11-30T17:00:00Z``, ``p1d``), which ``icalendar`` refuses, and must stay fast on
thousands of items in a slow sync.
Zones come from ``icalendar`` (``Timezone.to_tz``, its TZID aliases, ``Timezone.from_tzid``).
"""

from __future__ import annotations

import functools
import re
import warnings
import zoneinfo
from datetime import UTC, date, datetime, timedelta, tzinfo

from todo._content_lines import Component, Property, read, write_component

_VALUE = re.compile(
    r"\s*(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2}))?(?:[.,]\d+)?\s*(Z)?)?\s*\Z",
    re.IGNORECASE,
)

Moment = date | datetime


def parse_moment(text: str) -> Moment | None:
    """``20261130`` → date, ``20261130T170000`` → naive, ``…Z`` → UTC; None if unreadable.

    Also takes the extended ISO forms (``2026-11-30T17:00:00Z``) some vCalendar writers use.
    """
    m = _VALUE.match(text)
    if m is None:
        return None
    year, month, day, hour, minute, second, zulu = m.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            tzinfo=UTC if zulu else None,
        )
    except ValueError:
        return None


def format_moment(value: Moment) -> str:
    """Basic ISO 8601 as iCalendar writes it; aware times are written in UTC with ``Z``."""
    if not isinstance(value, datetime):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
        suffix = "Z"
    else:
        suffix = ""
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}T"
        f"{value.hour:02d}{value.minute:02d}{value.second:02d}{suffix}"
    )


def format_local(value: datetime) -> str:
    """Wall-clock digits of ``value`` without a zone suffix (for ``TZID=…`` values)."""
    return format_moment(value.replace(tzinfo=None))


def to_instant(value: Moment | None) -> datetime | None:
    """A moment for fields RFC 5545 wants in UTC; floating or date values are read as UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def to_utc(value: Moment) -> Moment:
    """Aware times in UTC; dates and floating times as they are."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


@functools.lru_cache(maxsize=512)
def _zoneinfo(key: str) -> tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(key)
    except Exception:  # ZoneInfo raises several types for odd keys (paths, empty, …)
        return None


@functools.lru_cache(maxsize=128)
def _zone_from_definition(text: str) -> tzinfo | None:
    from icalendar import Timezone

    try:
        component = Timezone.from_ical(text)
        if not isinstance(component, Timezone):
            return None
        # lookup_tzid=False: this definition, not the first one icalendar saw of that TZID
        zone: tzinfo = component.to_tz(lookup_tzid=False)
    except Exception:  # a broken VTIMEZONE is just not usable
        return None
    return zone


@functools.lru_cache(maxsize=512)
def _zone_by_alias(tzid: str) -> tzinfo | None:
    """The IANA zone icalendar finds for a Windows name or a vendor-prefixed TZID.

    Only IANA zones: icalendar also answers with any VTIMEZONE it parsed before in this
    process (it keeps the first one of each TZID), which may come from another user's item.
    """
    from icalendar.timezone import tzp

    with warnings.catch_warnings():  # icalendar warns when it guesses a vendor-prefixed TZID
        warnings.simplefilter("ignore")
        try:
            zone = tzp.timezone(tzid)
        except Exception:
            return None
    return zone if isinstance(zone, zoneinfo.ZoneInfo) else None


class Zones:
    """Resolves TZIDs: the IANA database first, then the item's VTIMEZONEs, then aliases.

    The IANA zone comes first because VTIMEZONEs with IANA names are copies of it, and
    building a zone from a VTIMEZONE costs milliseconds.
    """

    def __init__(self, calendars: list[Component] | None = None) -> None:
        self._definitions: dict[str, Component] = {}
        for cal in calendars or ():
            for vtz in cal.components("VTIMEZONE"):
                tzid = vtz.first("TZID")
                if tzid is not None:
                    self._definitions.setdefault(tzid.value.strip(), vtz)

    def __call__(self, tzid: str) -> tzinfo | None:
        """The zone called ``tzid``, or None if nothing defines it."""
        zone = _zoneinfo(tzid) if tzid else None
        if zone is not None:
            return zone
        definition = self._definitions.get(tzid)
        if definition is not None:
            zone = _zone_from_definition(write_component(definition))
            if zone is not None:
                return zone
        return _zone_by_alias(tzid)

    def definition(self, tzid: str) -> Component | None:
        """The item's own VTIMEZONE for ``tzid``, if it has one."""
        return self._definitions.get(tzid)


def property_moment(prop: Property, zones: Zones) -> Moment | None:
    """The value of a DATE / DATE-TIME property, aware if it names a zone we can resolve.

    A TZID nobody defines leaves the time floating rather than guessing a zone.
    """
    value = parse_moment(prop.value)
    if isinstance(value, datetime) and value.tzinfo is None:
        tzid = prop.param("TZID")
        if tzid:
            zone = zones(tzid)
            if zone is not None:
                value = value.replace(tzinfo=zone)
    return value


def property_moments(prop: Property, zones: Zones) -> list[Moment] | None:
    """The values of a comma-separated DATE / DATE-TIME list; None if one is unreadable."""
    result = []
    tzid = prop.param("TZID")
    zone = zones(tzid) if tzid else None
    for part in prop.value.split(","):
        value = parse_moment(part)
        if value is None:
            return None
        if zone is not None and isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        result.append(value)
    return result


@functools.lru_cache(maxsize=64)
def _zone_definition_text(key: str) -> str | None:
    from icalendar import Timezone

    try:
        zone = Timezone.from_tzid(key, first_date=date(2000, 1, 1), last_date=date(2040, 1, 1))
        return bytes(zone.to_ical()).decode()
    except Exception:
        return None


def zone_definition(key: str) -> Component | None:
    """A VTIMEZONE for the IANA zone ``key`` (2000-2040), built by the icalendar library."""
    text = _zone_definition_text(key)
    if text is None:
        return None
    roots = read(text)
    return roots[0] if roots else None


def zone_key(zone: tzinfo | None) -> str | None:
    """The IANA name of a ``ZoneInfo`` zone (None for UTC, fixed offsets and other tzinfos)."""
    if isinstance(zone, zoneinfo.ZoneInfo) and zone.key not in ("UTC", "Etc/UTC"):
        return zone.key
    return None


def is_utc(value: datetime) -> bool:
    """Whether an aware time is in UTC (so it is written with ``Z``)."""
    return value.utcoffset() == timedelta(0) and zone_key(value.tzinfo) is None


_DURATION = re.compile(
    r"\s*([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?\s*\Z", re.IGNORECASE
)


def parse_duration(text: str) -> timedelta | None:
    """An RFC 5545 DURATION (``-PT15M``, ``P1W``, ``P1DT2H``); None if unreadable.

    More lenient than ``vDuration.from_ical`` (lower case, blanks), as vCalendar needs.
    """
    m = _DURATION.match(text)
    if m is None or not any(m.group(i) for i in range(2, 7)) or text.rstrip().upper().endswith("T"):
        return None
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in m.groups()[1:])
    try:
        value = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        return None
    return -value if m.group(1) == "-" else value


def format_duration(value: timedelta) -> str:
    """A timedelta as an RFC 5545 DURATION, in the forms phones and desktop clients write.

    ``PT0S`` and ``P1W`` rather than ``icalendar``'s ``P0D`` and ``P7D``: a trigger coming back
    from vCalendar must be spelled as the client spelled it, or it travels as a carrier.
    """
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    days, rest = value.days, value.seconds
    if not rest and days and days % 7 == 0:
        return f"{sign}P{days // 7}W"
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    if not days and not time:
        return "PT0S"
    return f"{sign}P{f'{days}D' if days else ''}{f'T{time}' if time else ''}"
