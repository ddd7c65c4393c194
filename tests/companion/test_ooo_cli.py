"""`traveler-companion ooo show|set` against a real `traveler-server`, online and offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from companion.cli import main
from companion.ooo import OooError, parse_when, validate
from tests.companion.test_account_cli import Companion
from tests.companion.test_account_cli import companion as companion
from tests.interop.traveler_server import TravelerServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TravelerServer]:
    traveler = TravelerServer(
        tmp_path / "server" / "data", settings={"NTS_SERVER_NAME": "lorien.netzgoetter.net"}
    )
    traveler.cli("user", "add", "detlev", "--email", "detlev@example.org", "--full-name",
                 "detlev poettgen", "--password-stdin", stdin="detlev-pw\n")
    with traveler:
        yield traveler


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


class InProcess:
    """The same CLI called in this process (the fixture set its environment here too), which
    spares each call a Python start-up; one test still runs it as a process."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def __call__(self, *args: str) -> Ran:
        self._capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = self._capsys.readouterr()
        return Ran(code, captured.out, captured.err)


@pytest.fixture
def cli(companion: Companion, capsys: pytest.CaptureFixture[str]) -> InProcess:
    return InProcess(capsys)


def shown(cli: InProcess | Companion) -> dict[str, Any]:
    result = cli("ooo", "show", "--json")
    assert result.returncode == 0, result.stderr
    state: dict[str, Any] = json.loads(result.stdout)
    return state


def test_set_and_show_out_of_office(server: TravelerServer, companion: Companion) -> None:
    assert companion.add(server, "detlev", "detlev-pw").returncode == 0
    until = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    result = companion("ooo", "set", "--on", "--until", until, "--subject", "Abwesend",
                       "--body", "Ich bin nächste Woche wieder da.", "--external", "known")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "Out of office settings were updated for user detlev poettgen on server "
        "lorien.netzgoetter.net."
    )
    state = shown(companion)
    profile = state["profile"]
    assert isinstance(profile, dict)
    assert state["online"] is True and state["pending"] is None
    assert profile["enabled"] is True and profile["state"] == "away"
    assert profile["subject"] == "Abwesend" and profile["external"] == "known"
    text = companion("ooo", "show").stdout
    assert "Out of office: away" in text and "Subject: Abwesend" in text
    back = companion("ooo", "set", "--off")
    assert back.returncode == 0
    assert shown(companion)["profile"]["enabled"] is False


def test_mistakes_are_said_in_the_users_words(
    server: TravelerServer, companion: Companion, cli: InProcess
) -> None:
    assert companion.add(server, "detlev", "detlev-pw").returncode == 0
    result = cli("ooo", "set", "--on", "--subject", "Away", "--body", "Back soon",
                       "--from", "2030-01-10 08:00", "--until", "2030-01-09 08:00")
    assert result.returncode == 1
    assert "The return time must be after the leave time." in result.stderr
    result = cli("ooo", "set", "--on", "--subject", "", "--body", "x")
    assert result.returncode == 1 and "The subject of the reply is empty." in result.stderr
    result = cli("ooo", "set", "--until", "next friday")
    assert result.returncode == 1 and "is not a date and time" in result.stderr
    assert cli("ooo", "set").returncode == 2


def test_a_change_made_offline_is_pending_and_sent_at_the_next_contact(
    server: TravelerServer, companion: Companion, cli: InProcess
) -> None:
    assert companion.add(server, "detlev", "detlev-pw").returncode == 0
    assert shown(cli)["online"] is True
    server.stop()
    result = cli("ooo", "set", "--on", "--subject", "Away", "--body", "Back Monday.",
                       "--timeout", "5")
    assert result.returncode == 0, result.stderr
    assert "Pending:" in result.stdout
    offline = cli("ooo", "show", "--json", "--timeout", "5")
    state = json.loads(offline.stdout)
    assert state["online"] is False and state["pending"]["enabled"] is True
    assert "Pending:" in cli("ooo", "show", "--timeout", "5").stdout
    server.start()
    state = shown(cli)
    assert state["online"] is True and state["pending"] is None
    assert state["profile"]["enabled"] is True
    assert state["profile"]["subject"] == "Away"
    # The next contact said so, in the words of the seed.
    assert "Sent the change made offline" not in cli("ooo", "show").stdout


def test_known_people_and_exclusions_are_lists_from_the_command_line(
    server: TravelerServer, companion: Companion, cli: InProcess
) -> None:
    assert companion.add(server, "detlev", "detlev-pw").returncode == 0
    result = cli("ooo", "set", "--on", "--subject", "Away", "--body", "Back Monday.",
                 "--external", "known", "--known", "carol@partner.example",
                 "--known", "dan@partner.example,erin@partner.example",
                 "--exclude-address", "boss@example.org",
                 "--exclude-domain", "@Spam.example", "--exclude-domain", "ads.example",
                 "--exclude-subject", "Rechnung, newsletter")
    assert result.returncode == 0, result.stderr
    profile = shown(cli)["profile"]
    assert profile["known"] == [
        "carol@partner.example", "dan@partner.example", "erin@partner.example"
    ]
    assert profile["exclusions"] == {
        "addresses": ["boss@example.org"],
        "domains": ["spam.example", "ads.example"],
        "subject_words": ["Rechnung", "newsletter"],
    }
    text = cli("ooo", "show").stdout
    assert "No reply to domains: spam.example, ads.example" in text
    assert "Known outside: carol@partner.example, dan@partner.example" in text
    # One list replaced, the others kept; '' empties one.
    assert cli("ooo", "set", "--exclude-domain", "other.example").returncode == 0
    assert cli("ooo", "set", "--exclude-subject", "").returncode == 0
    profile = shown(cli)["profile"]
    assert profile["exclusions"] == {
        "addresses": ["boss@example.org"], "domains": ["other.example"], "subject_words": [],
    }
    wrong = cli("ooo", "set", "--exclude-address", "boss")
    assert wrong.returncode == 1
    assert "'boss' is not a mail address; write it like anna@example.org" in wrong.stderr
    wrong = cli("ooo", "set", "--exclude-domain", "spam example")
    assert wrong.returncode == 1 and "is not a domain" in wrong.stderr
    assert shown(cli)["profile"]["exclusions"]["domains"] == ["other.example"]


def test_parse_when_and_validate() -> None:
    assert parse_when("never") is None
    when = parse_when("2026-12-10T08:00:00+01:00")
    assert when == datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    with pytest.raises(OooError):
        validate({"enabled": True, "subject": "x", "body": "y",
                  "return": "2020-01-01T00:00:00+00:00"})
    validate({"enabled": False, "subject": "", "body": ""})
