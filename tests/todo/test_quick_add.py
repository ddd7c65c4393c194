"""Quick add: English and German lines to todos, via dateparser."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from todo.quick_add import TokenKind, parse_due, parse_quick_add
from todo.task import Priority

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=BERLIN)  # a Wednesday


def quick(line: str):  # type: ignore[no-untyped-def]
    return parse_quick_add(line, now=NOW, zone=BERLIN)


def test_the_english_example() -> None:
    r = quick("Call Frank tomorrow 9:00 !high #Renovation")
    assert r.subject == "Call Frank"
    assert r.due == datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN)
    assert r.priority is Priority.HIGH
    assert r.categories == ("Renovation",)
    task = r.to_task()
    assert task.summary == "Call Frank" and task.categories == ("Renovation",)


def test_the_german_example() -> None:
    r = quick("Bericht morgen 17 Uhr !hoch #Renovierung")
    assert r.subject == "Bericht"
    assert r.due == datetime(2026, 12, 3, 17, 0, tzinfo=BERLIN)
    assert r.priority is Priority.HIGH
    assert r.categories == ("Renovierung",)


@pytest.mark.parametrize(
    ("line", "subject", "rule", "due"),
    [
        ("Standup every monday", "Standup", "FREQ=WEEKLY;BYDAY=MO", date(2026, 12, 7)),
        ("Müll jeden Montag", "Müll", "FREQ=WEEKLY;BYDAY=MO", date(2026, 12, 7)),
        ("Gießen alle 2 Wochen", "Gießen", "FREQ=WEEKLY;INTERVAL=2", date(2026, 12, 2)),
        ("Pay rent monthly", "Pay rent", "FREQ=MONTHLY", date(2026, 12, 2)),
        ("Yoga täglich", "Yoga", "FREQ=DAILY", date(2026, 12, 2)),
        ("Report every friday 10:00", "Report", "FREQ=WEEKLY;BYDAY=FR", None),
    ],
)
def test_repetitions_become_rrules(line: str, subject: str, rule: str, due: date | None) -> None:
    r = quick(line)
    assert (r.subject, r.recurrence) == (subject, rule)
    if due is not None:
        assert r.due == due
    else:
        assert r.due == datetime(2026, 12, 4, 10, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("line", "due"),
    [
        ("Zahnarzt übermorgen 10:30", datetime(2026, 12, 4, 10, 30, tzinfo=BERLIN)),
        ("Steuer am 15. Januar", date(2027, 1, 15)),
        ("review 2026-12-24", date(2026, 12, 24)),
        ("call mom in 2 hours", datetime(2026, 12, 2, 17, 0, tzinfo=BERLIN)),
        ("Bericht morgen um 17.30 Uhr", datetime(2026, 12, 3, 17, 30, tzinfo=BERLIN)),
        ("buy milk", None),
        ("Buy 2 apples", None),
    ],
)
def test_dates_and_times(line: str, due: date | datetime | None) -> None:
    r = quick(line)
    assert r.due == due
    assert "Uhr" not in r.subject and "morgen" not in r.subject


def test_priorities_lists_and_assignees() -> None:
    r = quick("Plan @frank @bob@example.com !niedrig #A #B #A")
    assert r.subject == "Plan"
    assert r.assignees == ("frank", "bob@example.com")
    assert r.priority is Priority.LOW
    assert r.categories == ("A", "B")
    assert [t.kind for t in r.tokens] == [
        TokenKind.ASSIGNEE,
        TokenKind.ASSIGNEE,
        TokenKind.PRIORITY,
        TokenKind.LIST,
        TokenKind.LIST,
        TokenKind.LIST,
    ]
    assert quick("x !!!").priority is Priority.HIGH
    assert quick("x !!").priority is Priority.MEDIUM
    assert quick("x !2").priority is Priority.MEDIUM
    assert quick("mail bob@example.com").subject == "mail bob@example.com"  # not an @token


def test_tokens_point_into_the_line() -> None:
    line = "Call Frank tomorrow 9:00 !high #Renovation"
    r = quick(line)
    assert {t.kind: line[t.start : t.end] for t in r.tokens} == {
        TokenKind.DUE: "tomorrow 9:00",
        TokenKind.PRIORITY: "!high",
        TokenKind.LIST: "#Renovation",
    }


def test_parse_due_takes_only_a_date() -> None:
    assert parse_due("morgen 17 Uhr", now=NOW, zone=BERLIN) == datetime(
        2026, 12, 3, 17, 0, tzinfo=BERLIN
    )
    assert parse_due("2026-12-24", now=NOW, zone=BERLIN) == date(2026, 12, 24)
    with pytest.raises(ValueError, match="not a date"):
        parse_due("whenever you like", now=NOW, zone=BERLIN)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "tomorrow",
                    "morgen",
                    "9:00",
                    "17 Uhr",
                    "!high",
                    "!",
                    "#Home",
                    "@ann",
                    "every",
                    "jeden",
                    "monday",
                    "Montag",
                    "in",
                    "2",
                    "weeks",
                    "am",
                    "15.",
                    "Mai",
                ]
            ),
            st.text(min_size=1, max_size=8),
        ),
        max_size=8,
    )
)
def test_any_line_parses_and_its_tokens_are_its_own(words: list[str]) -> None:
    line = " ".join(words)
    r = quick(line)
    for token in r.tokens:
        assert 0 <= token.start < token.end <= len(line)
        assert line[token.start : token.end] == token.text
    for a, b in zip(r.tokens, r.tokens[1:], strict=False):
        assert a.end <= b.start  # recognised pieces never overlap
    assert r.subject == r.subject.strip()
    r.to_task()
