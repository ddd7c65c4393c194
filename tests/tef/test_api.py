"""The public API around the format: recipients, re-wrap, metadata rules, size accounting."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

import tef
from tef import errors

ALICE_LAPTOP = tef.Identity.generate()
ALICE_DESKTOP = tef.Identity.generate()
SERVER = tef.Identity.generate()


def _metadata(size: int, **changes: object) -> tef.Metadata:
    fields: dict[str, object] = {
        "name": "report.pdf",
        "mime_type": "application/pdf",
        "size": size,
        "created": datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        "server": "https://traveler.example.com/traveler",
        "message_ref": "<1@example.com>",
        "policy": tef.Policy(view_only=True),
    }
    fields.update(changes)
    return tef.Metadata(**fields)  # type: ignore[arg-type]


def _encrypt(data: bytes, recipients: list[tef.Recipient]) -> bytes:
    out = io.BytesIO()
    tef.encrypt(io.BytesIO(data), out, recipients, _metadata(len(data)))
    return out.getvalue()


def test_every_recipient_opens_the_file_and_gets_the_same_metadata() -> None:
    blob = _encrypt(b"quarterly numbers", [ALICE_LAPTOP.recipient, ALICE_DESKTOP.recipient])
    for identity in (ALICE_LAPTOP, ALICE_DESKTOP):
        out = io.BytesIO()
        metadata = tef.decrypt(io.BytesIO(blob), out, identity)
        assert out.getvalue() == b"quarterly numbers"
        assert metadata == _metadata(17)


def test_header_is_readable_without_a_key_but_marked_unverified() -> None:
    blob = _encrypt(b"x" * 10, [ALICE_LAPTOP.recipient])
    header = tef.read_header(io.BytesIO(blob))
    assert header.recipient_tags == (ALICE_LAPTOP.recipient.tag,)
    assert header.unverified_metadata().name == "report.pdf"
    assert header.algorithm is tef.Algorithm.AES_256_GCM


def test_rewrap_adds_a_device_without_touching_the_payload() -> None:
    blob = _encrypt(b"attachment" * 10000, [SERVER.recipient, ALICE_LAPTOP.recipient])
    file_key = tef.read_header(io.BytesIO(blob)).file_key(SERVER)
    out = io.BytesIO()
    header = tef.rewrap_file(io.BytesIO(blob), out, file_key, add=[ALICE_DESKTOP.recipient])
    rewrapped = out.getvalue()
    old_length = len(tef.read_header(io.BytesIO(blob)))
    assert rewrapped[len(header) :] == blob[old_length:]
    plain = io.BytesIO()
    tef.decrypt(io.BytesIO(rewrapped), plain, ALICE_DESKTOP)
    assert plain.getvalue() == b"attachment" * 10000
    tef.verify(io.BytesIO(rewrapped), ALICE_LAPTOP)


def test_rewrap_removes_a_retired_device() -> None:
    blob = _encrypt(b"secret", [SERVER.recipient, ALICE_LAPTOP.recipient])
    header = tef.read_header(io.BytesIO(blob))
    smaller = tef.rewrap(header, header.file_key(SERVER), remove=[ALICE_LAPTOP.recipient.tag])
    new_blob = smaller.to_bytes() + blob[len(header) :]
    with pytest.raises(errors.NoMatchingRecipient):
        tef.verify(io.BytesIO(new_blob), ALICE_LAPTOP)
    tef.verify(io.BytesIO(new_blob), SERVER)


def test_rewrap_refuses_a_file_key_that_does_not_match_the_header() -> None:
    header = tef.read_header(io.BytesIO(_encrypt(b"a", [SERVER.recipient])))
    with pytest.raises(errors.HeaderMACError):
        tef.rewrap(header, bytes(32), add=[ALICE_LAPTOP.recipient])


def test_rewrap_does_not_add_a_recipient_twice() -> None:
    header = tef.read_header(io.BytesIO(_encrypt(b"a", [SERVER.recipient])))
    same = tef.rewrap(header, header.file_key(SERVER), add=[SERVER.recipient])
    assert len(same.stanzas) == 1


def test_encryptor_refuses_more_or_fewer_bytes_than_announced() -> None:
    encryptor = tef.Encryptor([SERVER.recipient], _metadata(5))
    with pytest.raises(ValueError, match="more plaintext"):
        encryptor.update(b"123456")
    encryptor = tef.Encryptor([SERVER.recipient], _metadata(5))
    encryptor.update(b"1234")
    with pytest.raises(ValueError, match="4 bytes of plaintext, 5 announced"):
        encryptor.finish()


def test_identity_round_trips_through_its_private_bytes() -> None:
    again = tef.Identity.from_bytes(ALICE_LAPTOP.to_bytes())
    assert again.recipient == ALICE_LAPTOP.recipient


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "../etc/passwd"},
        {"name": "a/b"},
        {"name": ".."},
        {"name": ""},
        {"name": "x" * 256},
        {"name": "tab\there"},
        {"mime_type": "pdf"},
        {"mime_type": "text/plain; charset=utf-8"},
        {"size": -1},
        {"created": datetime(2026, 1, 1)},
        {"server": ""},
    ],
)
def test_metadata_refuses_values_that_could_not_be_used_safely(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        _metadata(**{"size": 1, **changes})


@pytest.mark.parametrize(
    "document",
    [
        b"[]",
        b"{}",
        b"not json",
        b"\xff",
        b'{"name":"a","name":"b"}',
        b'{"created":"2026-12-02T10:00:00Z","message_ref":null,"mime_type":"a/b","name":"n",'
        b'"policy":{"allowed_apps":[],"approved_apps_only":false,"view_only":false},'
        b'"server":null,"size":true}',
        b'{"created":"2026-12-02 10:00","message_ref":null,"mime_type":"a/b","name":"n",'
        b'"policy":{"allowed_apps":[],"approved_apps_only":false,"view_only":false},'
        b'"server":null,"size":1}',
        b'{"created":"2026-12-02T10:00:00Z","message_ref":null,"mime_type":"a/b","name":"n",'
        b'"policy":{"allowed_apps":[1],"approved_apps_only":false,"view_only":false},'
        b'"server":null,"size":1}',
        b'{"created":"2026-12-02T10:00:00Z","extra":1,"message_ref":null,"mime_type":"a/b",'
        b'"name":"n","policy":{"allowed_apps":[],"approved_apps_only":false,"view_only":false},'
        b'"server":null,"size":1}',
    ],
)
def test_metadata_parser_refuses_anything_unexpected(document: bytes) -> None:
    with pytest.raises(errors.MalformedHeader):
        tef.Metadata.from_bytes(document)


def test_metadata_round_trips_through_canonical_json() -> None:
    metadata = _metadata(
        3, policy=tef.Policy(approved_apps_only=True, allowed_apps=("org.gnome.Evince.desktop",))
    )
    assert tef.Metadata.from_bytes(metadata.to_bytes()) == metadata
