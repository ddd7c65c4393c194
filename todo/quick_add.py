"""Quick add: one line of English or German becomes a todo (no Qt; the window previews it live).

    >>> r = parse_quick_add("Call Frank tomorrow 9:00 !high #Renovation", now=...)
    >>> r.subject, r.due, r.priority, r.categories
    ('Call Frank', datetime(... 9:00, tzinfo=<local zone>), Priority.HIGH, ('Renovation',))

What the line may hold, anywhere in it:

- a date, a time or both, in English or German, as ``dateparser`` reads them ("tomorrow
  9:00", "next friday", "morgen 17 Uhr", "übermorgen", "am 15. Januar", "2026-12-24"). A date
  without a time makes an all-day todo; a time is in the local zone;
- a repetition: "every monday", "every day", "every 2 weeks", "jeden Montag", "täglich",
  "alle 2 Wochen", "monatlich", … (→ an RRULE; a weekday also sets the first due date);
- ``!high`` / ``!medium`` / ``!low`` (German ``!hoch`` / ``!mittel`` / ``!niedrig``, or ``!1`` –
  ``!3``, ``!!!`` / ``!!`` / ``!``);
- ``#List`` for each user-defined list (an iCalendar CATEGORY);
- ``@name`` for each assignee (a user name or e-mail address of the same server).

Everything else is the subject. :class:`QuickAdd` also lists the :class:`Token` spans it
recognised, so a preview can highlight them.
"""

from __future__ import annotations

import enum
import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from todo.local_time import local_zone
from todo.task import Priority, Task

__all__ = ["QuickAdd", "Token", "TokenKind", "parse_due", "parse_quick_add"]

LANGUAGES = ["en", "de"]


class TokenKind(enum.StrEnum):
    """What a recognised piece of the line is."""

    DUE = "due"
    REPEAT = "repeat"
    PRIORITY = "priority"
    LIST = "list"
    ASSIGNEE = "assignee"


@dataclass(frozen=True, slots=True)
class Token:
    """A recognised piece: its kind and where it is in the line (``line[start:end]``)."""

    kind: TokenKind
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class QuickAdd:
    """What a quick-add line says; :meth:`to_task` makes the todo of it."""

    subject: str
    due: date | datetime | None = None
    priority: Priority = Priority.NONE
    categories: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    recurrence: str | None = None
    tokens: tuple[Token, ...] = ()

    def to_task(self) -> Task:
        """A new todo (empty UID: the store gives it one); assignees are not resolved here.

        The caller turns :attr:`assignees` (user names or addresses) into ATTENDEEs, since
        only the account knows the server's users.
        """
        return Task(
            uid="",
            summary=self.subject,
            due=self.due,
            priority=self.priority,
            categories=self.categories,
            recurrence=self.recurrence,
        )


_PRIORITIES = {
    "high": Priority.HIGH,
    "hoch": Priority.HIGH,
    "1": Priority.HIGH,
    "!!": Priority.HIGH,
    "medium": Priority.MEDIUM,
    "mittel": Priority.MEDIUM,
    "normal": Priority.MEDIUM,
    "2": Priority.MEDIUM,
    "!": Priority.MEDIUM,
    "low": Priority.LOW,
    "niedrig": Priority.LOW,
    "3": Priority.LOW,
    "": Priority.LOW,
}
_PRIORITY = re.compile(
    r"(?<!\S)!(high|hoch|medium|mittel|normal|low|niedrig|[123]|!!|!|)(?!\S)", re.I
)
_LIST = re.compile(r"(?<!\S)#([\w][\w/&.+-]*)", re.UNICODE)
_ASSIGNEE = re.compile(r"(?<!\S)@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)", re.UNICODE)

_WEEKDAYS = {
    "monday": "MO", "montag": "MO", "mondays": "MO", "montags": "MO",
    "tuesday": "TU", "dienstag": "TU", "tuesdays": "TU", "dienstags": "TU",
    "wednesday": "WE", "mittwoch": "WE", "wednesdays": "WE", "mittwochs": "WE",
    "thursday": "TH", "donnerstag": "TH", "thursdays": "TH", "donnerstags": "TH",
    "friday": "FR", "freitag": "FR", "fridays": "FR", "freitags": "FR",
    "saturday": "SA", "samstag": "SA", "saturdays": "SA", "samstags": "SA",
    "sunday": "SU", "sonntag": "SU", "sundays": "SU", "sonntags": "SU",
}  # fmt: skip
_DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_UNITS = {
    "day": "DAILY", "days": "DAILY", "tag": "DAILY", "tage": "DAILY",
    "week": "WEEKLY", "weeks": "WEEKLY", "woche": "WEEKLY", "wochen": "WEEKLY",
    "month": "MONTHLY", "months": "MONTHLY", "monat": "MONTHLY", "monate": "MONTHLY",
    "year": "YEARLY", "years": "YEARLY", "jahr": "YEARLY", "jahre": "YEARLY",
}  # fmt: skip
_ADVERBS = {
    "daily": "DAILY", "täglich": "DAILY", "weekly": "WEEKLY", "wöchentlich": "WEEKLY",
    "monthly": "MONTHLY", "monatlich": "MONTHLY", "yearly": "YEARLY", "annually": "YEARLY",
    "jährlich": "YEARLY",
}  # fmt: skip
_EVERY = r"(?:every|each|jeden|jede|jedes|alle)"
_REPEAT = re.compile(
    rf"(?<!\w)(?:{_EVERY}\s+(?:(?P<n>\d+)\s+)?(?:(?P<unit>{'|'.join(_UNITS)})|"
    rf"(?P<day>{'|'.join(_WEEKDAYS)}))|(?P<adverb>{'|'.join(_ADVERBS)})"
    rf"|(?P<days>{'|'.join(k for k in _WEEKDAYS if k.endswith('s'))}))(?!\w)",
    re.I,
)
# German writes "17 Uhr", "17.30 Uhr"; dateparser reads those as a day, so they are respelled
# as clock times of the same length (keeping every position in the line where it was).
_UHR = re.compile(r"(?<!\d)(\d{1,2})(?:[.:](\d{2}))?\s?Uhr(?!\w)", re.I)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _respell_uhr(text: str) -> str:
    def clock(m: re.Match[str]) -> str:
        spelled = f"{int(m.group(1))}:{m.group(2) or '00'}"
        return spelled.ljust(len(m.group(0)))

    return _UHR.sub(clock, text)


def parse_quick_add(
    line: str, *, now: datetime | None = None, zone: tzinfo | None = None
) -> QuickAdd:
    """Read a quick-add line (see the module docstring); never raises for odd text.

    ``now`` (aware) is the moment relative dates count from, ``zone`` the local zone times
    are in (default: the system's).
    """
    local = zone or local_zone()
    moment = (now or datetime.now(local)).astimezone(local)
    tokens: list[Token] = []
    work = line

    priority = Priority.NONE
    for m in _PRIORITY.finditer(line):
        priority = _PRIORITIES[m.group(1).lower()]
        tokens.append(Token(TokenKind.PRIORITY, m.start(), m.end(), m.group(0)))
        work = _blank(work, m.start(), m.end())
    categories: list[str] = []
    for m in _LIST.finditer(work):
        if m.group(1) not in categories:
            categories.append(m.group(1))
        tokens.append(Token(TokenKind.LIST, m.start(), m.end(), m.group(0)))
        work = _blank(work, m.start(), m.end())
    assignees: list[str] = []
    for m in _ASSIGNEE.finditer(work):
        assignees.append(m.group(1))
        tokens.append(Token(TokenKind.ASSIGNEE, m.start(), m.end(), m.group(0)))
        work = _blank(work, m.start(), m.end())

    recurrence = None
    first_day: str | None = None
    repeat = _REPEAT.search(work)
    if repeat is not None:
        recurrence, first_day = _rule(repeat)
        tokens.append(Token(TokenKind.REPEAT, repeat.start(), repeat.end(), repeat.group(0)))
        work = _blank(work, repeat.start(), repeat.end())

    due: date | datetime | None = None
    found = _find_date_between(_respell_uhr(work), tokens, moment)
    if found is not None:
        start, end, due = found
        for m in _UHR.finditer(work):  # the respelled "17 Uhr" is shorter than the original
            if start < m.end() and end > m.start():
                start, end = min(start, m.start()), max(end, m.end())
        tokens.append(Token(TokenKind.DUE, start, end, line[start:end]))
        work = _blank(work, start, end)
        if (
            first_day is not None
            and isinstance(due, datetime)
            and found[2].weekday() != (_DAY_CODES.index(first_day))
        ):
            # "every friday 10:00": the time is dateparser's, the day the repetition's
            day = _next_weekday(moment.date(), first_day)
            due = datetime.combine(day, due.timetz())
            if due < moment:
                due += timedelta(days=7)
    elif first_day is not None:
        due = _next_weekday(moment.date(), first_day)
    elif recurrence is not None:
        due = moment.date()

    subject = " ".join(work.split())
    tokens.sort(key=lambda t: t.start)
    return QuickAdd(
        subject=subject,
        due=due,
        priority=priority,
        categories=tuple(categories),
        assignees=tuple(assignees),
        recurrence=recurrence,
        tokens=tuple(tokens),
    )


def parse_due(
    text: str, *, now: datetime | None = None, zone: tzinfo | None = None
) -> date | datetime:
    """A due date or time given on its own (``--due "morgen 17 Uhr"``); ValueError if none."""
    local = zone or local_zone()
    moment = (now or datetime.now(local)).astimezone(local)
    spelled = _respell_uhr(text)
    found = _find_date(spelled, moment)
    if found is None or spelled[: found[0]].strip() or spelled[found[1] :].strip():
        raise ValueError(f"not a date or time: {text!r} (try 'tomorrow 9:00' or '2026-12-24')")
    return found[2]


def _rule(m: re.Match[str]) -> tuple[str, str | None]:
    """The RRULE of a repetition phrase, and the weekday it names (for the first due date)."""
    if m.group("adverb"):
        return f"FREQ={_ADVERBS[m.group('adverb').lower()]}", None
    if m.group("days"):
        day = _WEEKDAYS[m.group("days").lower()]
        return f"FREQ=WEEKLY;BYDAY={day}", day
    interval = int(m.group("n")) if m.group("n") else 1
    suffix = f";INTERVAL={interval}" if interval > 1 else ""
    if m.group("day"):
        day = _WEEKDAYS[m.group("day").lower()]
        return f"FREQ=WEEKLY{suffix};BYDAY={day}", day
    return f"FREQ={_UNITS[m.group('unit').lower()]}{suffix}", None


def _next_weekday(today: date, day: str) -> date:
    index = _DAY_CODES.index(day)
    return today + timedelta(days=(index - today.weekday()) % 7)


def _find_date_between(
    text: str, tokens: list[Token], now: datetime
) -> tuple[int, int, date | datetime] | None:
    """The first date phrase in a stretch of ``text`` between recognised tokens.

    Each stretch is searched alone, so that a phrase never runs across a ``!high`` or ``#List``
    ("tomorrow !high tomorrow" holds two phrases, not one).
    """
    cuts = sorted((t.start, t.end) for t in tokens)
    stretches, begin = [], 0
    for start, end in cuts:
        stretches.append((begin, start))
        begin = max(begin, end)
    stretches.append((begin, len(text)))
    for begin, end in stretches:
        found = _find_date(text[begin:end], now) if end > begin else None
        if found is not None:
            return begin + found[0], begin + found[1], found[2]
    return None


def _find_date(text: str, now: datetime) -> tuple[int, int, date | datetime] | None:
    """The first date/time phrase in ``text``: its span and value (a date if it has no time).

    dateparser fills a missing time with the base's; so the phrase is read against midnight
    first, and a result at midnight means no time was given. A timed phrase is then read
    against ``now`` so that relative times ("in 2 hours") count from now.
    """
    if not text.strip():
        return None
    midnight = datetime.combine(now.date(), time(0, 0))
    found = _search(text, midnight)
    if found is None:
        return None
    phrase, value = found
    # dateparser hands back the phrase with its blanks collapsed; find it as words
    where = re.search(r"\s+".join(map(re.escape, phrase.split())), text)
    if where is None:
        return None
    start, end = where.span()
    if value.time() == time(0, 0):
        return start, end, value.date()
    relative = _search(phrase, now.replace(tzinfo=None))
    wall = relative[1] if relative is not None else value
    return start, end, wall.replace(tzinfo=now.tzinfo)


def _search(text: str, base: datetime) -> tuple[str, datetime] | None:
    from dateparser.search import search_dates  # loading its language data takes ~0.3 s

    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    with warnings.catch_warnings():  # dateparser warns about its own use of deprecated APIs
        warnings.simplefilter("ignore")
        try:
            found = search_dates(text, languages=LANGUAGES, settings=settings)
        except (ValueError, OverflowError, TypeError):
            return None
    if not found:
        return None
    phrase, value = found[0]
    if not isinstance(value, datetime):
        return None
    return str(phrase), value
