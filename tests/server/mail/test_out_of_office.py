"""Out of office on mail-in: who gets a reply, one per sender per absence, the relay queue,
and the end of an absence. Mail goes in by SMTP; replies leave through a local relay."""

from __future__ import annotations

import email
import email.policy
import smtplib
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, Message
from pathlib import Path

import pytest

from server.config import load_settings
from server.mail.delivery import MailDelivery
from server.mail.out_of_office import skip_reason
from server.mail.relay import Relay
from server.store import Database, UserStore
from server.store.mailboxes import MailStore
from server.store.out_of_office import Exclusions, OutOfOfficeProfile, OutOfOfficeStore
from server.store.outbound import OutboundStore
from tests.server.mail.mail_fixtures import (
    CatchingRelay,
    Listener,
    make_users,
    run_listener,
    write_ini,
)

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def away(user_id: int = 1, **changes: object) -> OutOfOfficeProfile:
    profile = OutOfOfficeProfile(
        user_id=user_id,
        enabled=True,
        subject="Away until Monday",
        body="I am out of the office and read mail on Monday.",
        internal_body="Out until Monday; ask Bob.",
        external="all",
    )
    return replace(profile, **changes)  # type: ignore[arg-type]


def incoming(sender: str = "carol@outside.test", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "alice@example.test"
    message["Subject"] = headers.pop("Subject", "Question")
    message["Message-ID"] = headers.pop("Message_ID", "<q1@outside.test>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Are you there?\n")
    return message


# --- the rules --------------------------------------------------------------------------------

LOCAL = {"example.test"}


def reason(message: Message, return_path: str = "carol@outside.test", **profile: object) -> (
    str | None
):
    return skip_reason(away(**profile), T0, message, return_path, "alice@example.test", LOCAL)


def test_an_ordinary_message_gets_a_reply() -> None:
    assert reason(incoming()) is None
    assert reason(incoming(Auto_Submitted="no")) is None


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"Auto_Submitted": "auto-replied"}, "it is automatic (Auto-Submitted: auto-replied)"),
        ({"Auto_Submitted": "auto-generated; owner-email=x@y"}, "it is automatic"),
        ({"Precedence": "bulk"}, "it is bulk mail (Precedence: bulk)"),
        ({"Precedence": "List"}, "it is bulk mail (Precedence: list)"),
        ({"Precedence": "junk"}, "it is bulk mail (Precedence: junk)"),
        ({"List_Id": "<team.lists.outside.test>"}, "it is from a mailing list"),
        ({"List_Unsubscribe": "<mailto:leave@outside.test>"}, "it is from a mailing list"),
    ],
)
def test_automatic_and_list_mail_gets_none(headers: dict[str, str], why: str) -> None:
    found = reason(incoming(**headers))
    assert found is not None and found.startswith(why)


@pytest.mark.parametrize(
    "return_path",
    ["", "<>", "MAILER-DAEMON@outside.test", "postmaster@outside.test", "noreply@outside.test",
     "no-reply@outside.test", "owner-team@outside.test", "team-request@outside.test",
     "Alice@Example.test"],
)
def test_robots_empty_return_paths_and_the_user_get_none(return_path: str) -> None:
    assert reason(incoming(), return_path) is not None


def test_outside_audience_and_exclusions() -> None:
    assert reason(incoming(), external="none") == (
        "people outside the organisation get no reply"
    )
    assert reason(incoming(), external="known", known=("dave@outside.test",)) is not None
    assert reason(incoming(), external="known", known=("Carol@Outside.test",)) is None
    # Inside the organisation the outside audience does not matter.
    assert reason(incoming("bob@example.test"), "bob@example.test", external="none") is None
    excluded = Exclusions(addresses=("carol@outside.test",))
    assert reason(incoming(), exclusions=excluded) == "carol@outside.test is excluded"
    excluded = Exclusions(domains=("@Outside.test",))
    assert reason(incoming(), exclusions=excluded) == "the domain outside.test is excluded"
    excluded = Exclusions(subject_words=("invoice",))
    assert reason(incoming(Subject="Your INVOICE 42"), exclusions=excluded) is not None


def test_only_inside_the_away_window() -> None:
    assert reason(incoming(), leave_at=T0 + timedelta(hours=1)) == "the absence has not begun"
    assert reason(incoming(), return_at=T0) == "the absence is over"
    assert reason(incoming(), leave_at=T0 - timedelta(days=1), return_at=T0 + timedelta(1)) is None
    assert reason(incoming(), enabled=False) == "out of office is off"


# --- through SMTP, with the relay -------------------------------------------------------------


@pytest.fixture
def relay() -> Iterator[CatchingRelay]:
    catching = CatchingRelay()
    yield catching
    catching.stop()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path) as db:
        make_users(db)
        yield db


@pytest.fixture
def listener(
    tmp_path: Path, database: Database, relay: CatchingRelay
) -> Iterator[Listener]:
    write_ini(tmp_path, NTS_SMTP_RELAY=relay.address, NTS_SMTP_RELAY_RETRY=1)
    yield from run_listener(tmp_path, database)


def send(listener: Listener, message: EmailMessage, sender: str = "carol@outside.test") -> None:
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=30) as client:
        client.sendmail(sender, ["alice@example.test"], message.as_bytes(policy=email.policy.SMTP))


def queue(listener: Listener) -> OutboundStore:
    return OutboundStore(listener.database)


def test_one_reply_per_sender_per_absence_through_the_relay(
    listener: Listener, relay: CatchingRelay
) -> None:
    relay.start()
    OutOfOfficeStore(listener.database).save(away(), changed_by="test", summary="on")
    send(listener, incoming())
    send(listener, incoming(Message_ID="<q2@outside.test>"))
    assert listener.delivery.relay.send_due() == 1
    [(mail_from, rcpts, raw)] = relay.wait_for(1)
    assert mail_from == "<>" and rcpts == ["carol@outside.test"]  # the null return path
    reply = email.message_from_bytes(raw, policy=email.policy.default)
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["Subject"] == "Away until Monday"
    assert reply["To"] == "carol@outside.test"
    assert reply["From"] == "alice <alice@example.test>"
    assert reply["In-Reply-To"] == "<q1@outside.test>"
    assert reply["References"] == "<q1@outside.test>"
    assert "read mail on Monday" in reply.get_content()
    assert listener.delivery.relay.send_due() == 0
    # Switched off and on again: a new absence, a new history.
    store = OutOfOfficeStore(listener.database)
    store.save(away(enabled=False), changed_by="test", summary="off")
    store.save(away(), changed_by="test", summary="on")
    send(listener, incoming(Message_ID="<q3@outside.test>"))
    listener.delivery.relay.send_due()
    assert len(relay.wait_for(2)) == 2


def test_list_and_automatic_mail_get_no_reply(listener: Listener) -> None:
    OutOfOfficeStore(listener.database).save(away(), changed_by="test", summary="on")
    send(listener, incoming(List_Id="<news.outside.test>"))
    send(listener, incoming(Auto_Submitted="auto-generated"))
    send(listener, incoming(Precedence="bulk"))
    send(listener, incoming("noreply@outside.test"), sender="noreply@outside.test")
    assert queue(listener).all() == []
    assert len(MailStore(listener.database).messages(1)) == 4


def test_a_reply_to_a_local_user_goes_into_their_mailbox(listener: Listener) -> None:
    OutOfOfficeStore(listener.database).save(away(), changed_by="test", summary="on")
    send(listener, incoming("Bob@Example.test"), sender="Bob@Example.test")
    assert queue(listener).all() == []
    [reply] = MailStore(listener.database).messages(2)
    raw = MailStore(listener.database).raw(2, reply.id)
    assert raw is not None
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Auto-Submitted"] == "auto-replied" and parsed["Return-Path"] == "<>"
    # Inside the organisation: the internal text.
    assert "ask Bob" in parsed.get_content()


def test_a_relay_that_is_down_gets_the_reply_once_it_is_back_and_once_only(
    listener: Listener, relay: CatchingRelay
) -> None:
    OutOfOfficeStore(listener.database).save(away(), changed_by="test", summary="on")
    send(listener, incoming())
    # The relay side on a clock of the test's, so "later" needs no waiting.
    now = [time.time()]
    relay_side = Relay(listener.settings, listener.database, clock=lambda: now[0])
    assert relay_side.send_due() == 0
    [waiting] = queue(listener).pending()
    assert waiting.attempts == 1 and "Connection refused" in (waiting.last_error or "")
    relay.start()
    now[0] += 0.5
    assert relay_side.send_due() == 0  # not due before NTS_SMTP_RELAY_RETRY (1 s)
    now[0] += 1
    assert relay_side.send_due() == 1
    assert len(relay.wait_for(1)) == 1
    now[0] += 3600
    assert relay_side.send_due() == 0
    assert queue(listener).pending() == []
    [sent] = queue(listener).all()
    assert sent.sent is not None and sent.attempts == 2


# --- the end of an absence ----------------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def deliver_from(delivery: MailDelivery, database: Database, sender: str) -> None:
    alice = UserStore(database, store_md5_secret=False).get("alice")
    assert alice is not None
    delivery.deliver(
        incoming(sender).as_bytes(),
        envelope_from=sender,
        recipients=[alice.email],
        users=[alice],
    )


def summaries(database: Database) -> list[str]:
    return [
        m.subject or ""
        for m in MailStore(database).messages(1)
        if (m.subject or "").startswith("Out of office ended")
    ]


def test_after_the_return_time_the_next_mail_switches_it_off_with_one_summary(
    tmp_path: Path, database: Database
) -> None:
    clock = Clock(T0)
    delivery = MailDelivery(load_settings(tmp_path), database, clock=clock)
    store = OutOfOfficeStore(database)
    store.save(away(return_at=T0 + timedelta(hours=1)), changed_by="test", summary="on")
    deliver_from(delivery, database, "carol@outside.test")
    deliver_from(delivery, database, "dave@outside.test")
    assert [m.recipient for m in OutboundStore(database).all()] == [
        "carol@outside.test",
        "dave@outside.test",
    ]
    clock.now = T0 + timedelta(hours=2)
    deliver_from(delivery, database, "erin@outside.test")
    assert len(OutboundStore(database).all()) == 2
    assert not store.get(1).enabled
    assert summaries(database) == ["Out of office ended: 2 automatic replies"]
    [summary] = [m for m in MailStore(database).messages(1) if m.subject in summaries(database)]
    raw = MailStore(database).raw(1, summary.id)
    assert raw is not None and b"carol@outside.test" in raw and b"dave@outside.test" in raw
    deliver_from(delivery, database, "frank@outside.test")
    delivery.periodic()
    assert summaries(database) == ["Out of office ended: 2 automatic replies"]
    assert [c.changed_by for c in store.changes(1)] == ["test", "server (return time)"]


def test_the_periodic_check_switches_it_off_without_mail(
    tmp_path: Path, database: Database
) -> None:
    clock = Clock(T0)
    delivery = MailDelivery(load_settings(tmp_path), database, clock=clock)
    OutOfOfficeStore(database).save(
        away(return_at=T0 + timedelta(minutes=5)), changed_by="test", summary="on"
    )
    delivery.periodic()
    assert OutOfOfficeStore(database).get(1).enabled
    clock.now = T0 + timedelta(minutes=6)
    delivery.periodic()
    delivery.periodic()
    assert not OutOfOfficeStore(database).get(1).enabled
    assert summaries(database) == ["Out of office ended: 0 automatic replies"]
