"""Reading a message: listed fields, attachments, and which broken messages are refused."""

from __future__ import annotations

import email.policy

import pytest

from server.mail.message import UnparseableMessage, parse_message
from tests.server.mail.mail_fixtures import PDF, TRUNCATED, message_with_pdf


def test_fields_and_attachments_of_a_message() -> None:
    parsed = parse_message(message_with_pdf().as_bytes(policy=email.policy.SMTP))
    assert parsed.subject == "The report"
    assert parsed.sender == "carol@outside.test"
    assert parsed.message_id == "<report-1@outside.test>"
    assert parsed.sent == "2026-12-02T09:00:00+00:00"
    [attachment] = parsed.attachments
    assert (attachment.position, attachment.filename) == (0, "report.pdf")
    assert attachment.size == len(PDF)


def test_a_plain_message_has_no_attachments_and_tolerates_a_bad_date() -> None:
    parsed = parse_message(b"From: a@b.test\nDate: yesterday\nSubject: hi\n\nhello\n")
    assert parsed.attachments == ()
    assert parsed.sent is None


def test_attachment_names_cannot_become_paths() -> None:
    message = message_with_pdf(filename="../../etc/passwd")
    [attachment] = parse_message(message.as_bytes()).attachments
    assert attachment.filename == "passwd"
    message = message_with_pdf(filename="..\\..\\.bashrc")
    [attachment] = parse_message(message.as_bytes()).attachments
    assert attachment.filename == "bashrc"


def test_an_attachment_without_a_name_gets_one() -> None:
    raw = (
        b"From: a@b.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
        b"--B\nContent-Type: text/plain\n\nbody\n"
        b"--B\nContent-Type: image/png\nContent-Disposition: attachment\n\npng\n--B--\n"
    )
    [attachment] = parse_message(raw).attachments
    assert (attachment.filename, attachment.content_type) == ("attachment-1", "image/png")


BROKEN = {
    "empty": (b"  \r\n", "the message is empty"),
    "no headers": (b"\r\njust a body\r\n", "the message has no header fields"),
    "garbage in the header": (
        b"From: a@b.test\r\nthis is not a header\r\nSubject: x\r\n\r\nbody\r\n",
        "a line in the header section is not a header field, so header and body cannot be "
        "told apart",
    ),
    "truncated multipart": (
        TRUNCATED,
        "a multipart part is not closed (the message looks truncated)",
    ),
    "no boundary": (
        b"From: a@b.test\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n",
        "a multipart part declares no boundary",
    ),
    "boundary never used": (
        b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=Q\r\n\r\nbody\r\n",
        "a multipart part's boundary never occurs",
    ),
    "bad base64": (
        b"From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n"
        b"\r\n--B\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xL\r\n--B--\r\n",
        "a base64-encoded part has an impossible length",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_message_is_refused_with_its_reason(case: str) -> None:
    raw, reason = BROKEN[case]
    with pytest.raises(UnparseableMessage) as refused:
        parse_message(raw)
    assert refused.value.reason == reason
