"""Mail-in through SMTP: smtplib against the server's real listener on a loopback port."""

from __future__ import annotations

import email
import email.policy
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.store import Database, UserStore
from server.store.mailboxes import MailStore
from tests.server.mail.mail_fixtures import (
    PDF,
    TRUNCATED,
    Listener,
    make_users,
    message_with_pdf,
    run_listener,
    write_ini,
)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path) as db:
        yield db


@pytest.fixture
def users(database: Database) -> UserStore:
    return make_users(database)


@pytest.fixture
def listener(tmp_path: Path, database: Database, users: UserStore) -> Iterator[Listener]:
    write_ini(tmp_path, NTS_SMTP_MAX_MESSAGE_SIZE=200_000, NTS_SMTP_MAX_RECIPIENTS=3,
              NTS_SMTP_HOSTNAME="mail.example.test")
    yield from run_listener(tmp_path, database)


def smtp(listener: Listener) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", listener.port, timeout=30)


def user_id(users: UserStore, name: str) -> int:
    user = users.get(name)
    assert user is not None
    return user.id


def test_a_message_with_a_pdf_is_stored_in_the_recipients_mailbox(
    listener: Listener, users: UserStore
) -> None:
    with smtp(listener) as client:
        refused = client.send_message(
            message_with_pdf(), from_addr="carol@outside.test", to_addrs=["alice@example.test"]
        )
    assert refused == {}
    store = MailStore(listener.database)
    [stored] = store.messages(user_id(users, "alice"))
    assert stored.subject == "The report"
    assert stored.sender == "carol@outside.test"
    assert stored.envelope_from == "carol@outside.test"
    assert stored.message_id == "<report-1@outside.test>"
    assert stored.sent == "2026-12-02T09:00:00+00:00"
    [attachment] = stored.attachments
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "report.pdf",
        "application/pdf",
        len(PDF),
    )
    raw = store.raw(stored.user_id, stored.id)
    assert raw is not None
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Return-Path"] == "<carol@outside.test>"
    assert "by mail.example.test with ESMTP for <alice@example.test>" in parsed["Received"]
    [part] = list(parsed.iter_attachments())
    assert part.get_content() == PDF
    assert store.messages(user_id(users, "bob")) == []


def test_an_unknown_recipient_is_refused_at_rcpt_with_550(
    listener: Listener, users: UserStore
) -> None:
    with smtp(listener) as client:
        client.ehlo()
        client.mail("carol@outside.test")
        code, reply = client.rcpt("nobody@example.test")
        assert code == 550
        assert b"no user of this server has that address" in reply
        # The address is case-insensitive: Bob's address is stored as Bob@Example.test.
        assert client.rcpt("bob@example.TEST")[0] == 250
        message = message_with_pdf(to="bob@example.test")
        code, _ = client.data(message.as_bytes(policy=email.policy.SMTP))
        assert code == 250
    assert len(MailStore(listener.database).messages(user_id(users, "bob"))) == 1
    assert MailStore(listener.database).quarantine_list() == []


def test_all_recipients_unknown_means_nothing_is_accepted(listener: Listener) -> None:
    with smtp(listener) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("carol@outside.test", ["x@example.test"], b"Subject: hi\r\n\r\nhi\r\n")
    assert refused.value.recipients["x@example.test"][0] == 550


def test_each_recipient_gets_their_own_copy(listener: Listener, users: UserStore) -> None:
    with smtp(listener) as client:
        client.send_message(
            message_with_pdf(),
            from_addr="carol@outside.test",
            to_addrs=["alice@example.test", "bob@example.test"],
        )
    store = MailStore(listener.database)
    [for_alice] = store.messages(user_id(users, "alice"))
    [for_bob] = store.messages(user_id(users, "bob"))
    assert for_alice.id != for_bob.id
    # A user's id never reaches another user's message.
    assert store.get(user_id(users, "bob"), for_alice.id) is None
    assert store.raw(user_id(users, "bob"), for_alice.id) is None


def test_an_unparseable_message_is_accepted_and_kept_in_the_quarantine(
    listener: Listener, users: UserStore
) -> None:
    with smtp(listener) as client:
        client.ehlo()
        client.mail("carol@outside.test")
        client.rcpt("alice@example.test")
        code, reply = client.data(TRUNCATED)
    assert code == 250
    assert b"held for the administrator" in reply
    store = MailStore(listener.database)
    assert store.messages(user_id(users, "alice")) == []
    [entry] = store.quarantine_list()
    assert entry.reason == "a multipart part is not closed (the message looks truncated)"
    assert entry.recipients == ("alice@example.test",)
    assert entry.envelope_from == "carol@outside.test"
    assert entry.source.startswith("smtp from ")
    # smtplib ends DATA with CRLF.CRLF, which is not part of the message.
    assert store.quarantined_raw(entry.id) == TRUNCATED


def test_size_is_announced_and_a_larger_message_refused_with_552(
    listener: Listener, users: UserStore
) -> None:
    big = message_with_pdf(pdf=b"x" * 300_000)
    with smtp(listener) as client:
        client.ehlo()
        assert client.has_extn("size")
        assert client.esmtp_features["size"] == "200000"
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            # smtplib sends SIZE=…, which the listener refuses up front.
            client.send_message(big, from_addr="c@outside.test", to_addrs=["alice@example.test"])
        assert refused.value.smtp_code == 552
    with smtp(listener) as client:
        # Without SIZE the data itself is counted.
        client.helo()
        client.mail("c@outside.test")
        client.rcpt("alice@example.test")
        code, reply = client.data(big.as_bytes(policy=email.policy.SMTP))
        assert code == 552, reply
    assert MailStore(listener.database).messages(user_id(users, "alice")) == []


def test_more_recipients_than_allowed_get_452(listener: Listener, users: UserStore) -> None:
    users.add("dave", "dave@example.test", "pw")
    users.add("erin", "erin@example.test", "pw")
    with smtp(listener) as client:
        client.ehlo()
        client.mail("c@outside.test")
        codes = [
            client.rcpt(f"{name}@example.test")[0] for name in ("alice", "bob", "dave", "erin")
        ]
    assert codes == [250, 250, 250, 452]


def test_a_bounce_with_the_null_reverse_path_is_delivered(
    listener: Listener, users: UserStore
) -> None:
    with smtp(listener) as client:
        client.sendmail("<>", ["alice@example.test"], b"Subject: bounce\r\n\r\nundeliverable\r\n")
    [stored] = MailStore(listener.database).messages(user_id(users, "alice"))
    assert stored.envelope_from == ""
    raw = MailStore(listener.database).raw(stored.user_id, stored.id)
    assert raw is not None and raw.startswith(b"Return-Path: <>\r\n")
