"""The Server Alerted Notification (package #0) codec."""

from __future__ import annotations

import base64
import contextlib
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncml import notification as san
from syncml.errors import NotificationError, SyncMLError

SECRET = san.server_secret("traveler", "s3cret")
NONCE = b"nonce-1"


def _tasks(session_id: int = 7) -> san.Notification:
    return san.Notification(
        server_id="traveler", session_id=session_id,
        syncs=(san.SyncAlert("tasks", 206, san.WSP_TEXT_CALENDAR),),
    )


def test_server_secret_is_b64_of_md5_of_id_and_password() -> None:
    expected = base64.b64encode(hashlib.md5(b"traveler:s3cret").digest())
    assert san.server_secret("traveler", "s3cret") == expected


def test_wire_layout_matches_the_spec_bit_fields() -> None:
    data = san.encode(_tasks(0x1234), secret=SECRET, nonce=NONCE)
    header = data[16:24]
    # version 12 in 10 bits → byte 0 = 0x03; byte 1 = ui-mode (background=1) << 4 | initiator << 3
    assert header[0] == 0x03
    assert header[1] == (1 << 4) | (1 << 3)
    assert header[2:5] == b"\0\0\0"
    assert header[5:7] == b"\x12\x34"
    assert header[7] == len("traveler")
    assert data[24:32] == b"traveler"
    body = data[32:]
    assert body[0] == 0x10  # one sync, 4 bits future use
    assert body[1] == 0x60  # sync type 206 - 200 = 6
    assert body[2:5] == b"\x00\x03\x05"  # text/calendar
    assert body[5] == 5
    assert body[6:] == b"tasks"


def test_digest_is_md5_of_secret_nonce_and_hashed_notification() -> None:
    data = san.encode(_tasks(), secret=SECRET, nonce=NONCE)
    notification_part = data[16:]
    expected = hashlib.md5(
        SECRET + b":" + NONCE + b":" + base64.b64encode(hashlib.md5(notification_part).digest())
    ).digest()
    assert data[:16] == expected


def test_round_trip() -> None:
    original = san.Notification(
        server_id="https://example.org/traveler", session_id=65535,
        syncs=(san.SyncAlert("tasks", 206), san.SyncAlert("./calendar", 210,
                                                          san.WSP_TEXT_X_VCALENDAR)),
        ui_mode=san.UIMode.INFORMATIVE, initiator=san.Initiator.USER, vendor=b"\x01\x02",
    )
    data = san.encode(original, secret=SECRET, nonce=NONCE)
    assert san.decode(data, secret=SECRET, nonce=NONCE) == original


def test_no_syncs_means_all_datastores() -> None:
    data = san.encode(san.Notification("srv"), secret=SECRET, nonce=NONCE)
    assert san.decode(data, secret=SECRET, nonce=NONCE).syncs == ()


@pytest.mark.parametrize(("secret", "nonce"), [
    (san.server_secret("traveler", "wrong"), NONCE),
    (SECRET, b"another-nonce"),
])
def test_digest_made_with_other_credentials_or_nonce_is_refused(secret: bytes,
                                                                nonce: bytes) -> None:
    data = san.encode(_tasks(), secret=SECRET, nonce=NONCE)
    with pytest.raises(NotificationError, match="digest does not match"):
        san.decode(data, secret=secret, nonce=nonce)


def test_tampered_notification_is_refused() -> None:
    data = bytearray(san.encode(_tasks(), secret=SECRET, nonce=NONCE))
    data[22] ^= 0x01  # the session id
    with pytest.raises(NotificationError, match="digest"):
        san.decode(bytes(data), secret=SECRET, nonce=NONCE)


@pytest.mark.parametrize("cut", [0, 5, 16, 23, 25, 32, 33, 38])
def test_truncated_input_names_what_is_missing(cut: int) -> None:
    data = san.encode(_tasks(), secret=SECRET, nonce=NONCE)
    with pytest.raises(NotificationError, match="ends inside"):
        san.parse(data[:cut])


def test_other_versions_are_refused() -> None:
    data = bytearray(san.encode(_tasks(), secret=SECRET, nonce=NONCE))
    data[16] = 0x02  # version 8..11
    with pytest.raises(NotificationError, match="version"):
        san.parse(bytes(data))


def test_sync_types_outside_server_alerted_are_refused() -> None:
    data = bytearray(san.encode(_tasks(), secret=SECRET, nonce=NONCE))
    data[33] = 0x00  # sync type 200 (a client's two-way)
    with pytest.raises(NotificationError, match="sync type 200"):
        san.parse(bytes(data))


def test_non_utf8_server_id_is_refused() -> None:
    data = bytearray(san.encode(_tasks(), secret=SECRET, nonce=NONCE))
    data[24] = 0xFF
    with pytest.raises(NotificationError, match="UTF-8"):
        san.parse(bytes(data))


def test_non_bytes_input_is_refused() -> None:
    with pytest.raises(NotificationError, match="bytes"):
        san.parse("not bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [
    san.Notification("x" * 256),
    san.Notification("srv", session_id=70000),
    san.Notification("srv", syncs=(san.SyncAlert("tasks", 200),)),
    san.Notification("srv", syncs=(san.SyncAlert("t" * 300),)),
    san.Notification("srv", syncs=(san.SyncAlert("tasks", 206, 1 << 24),)),
    san.Notification("srv", syncs=tuple(san.SyncAlert(f"s{i}") for i in range(16))),
    san.Notification("srv", version=11),
])
def test_what_the_format_cannot_carry_is_an_encode_error(bad: san.Notification) -> None:
    with pytest.raises(NotificationError):
        san.encode(bad, secret=SECRET, nonce=NONCE)


def test_notification_error_is_a_syncml_error() -> None:
    assert issubclass(NotificationError, SyncMLError)


@given(st.binary(max_size=80))
def test_arbitrary_bytes_never_crash_the_decoder(data: bytes) -> None:
    with contextlib.suppress(NotificationError):
        san.decode(data, secret=SECRET, nonce=NONCE)


@given(
    server_id=st.text(max_size=40),
    session_id=st.integers(0, 0xFFFF),
    uris=st.lists(st.text(min_size=1, max_size=30), max_size=15),
    sync_type=st.integers(206, 210),
    vendor=st.binary(max_size=20),
)
def test_round_trip_any_notification(server_id: str, session_id: int, uris: list[str],
                                     sync_type: int, vendor: bytes) -> None:
    original = san.Notification(server_id, session_id,
                                tuple(san.SyncAlert(u, sync_type) for u in uris), vendor=vendor)
    assert san.decode(san.encode(original, secret=SECRET, nonce=NONCE), secret=SECRET,
                      nonce=NONCE) == original
