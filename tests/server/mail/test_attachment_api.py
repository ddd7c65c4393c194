"""Attachments through the client API: .TEF for the user's devices, re-wrap, policy, hand-offs."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import tef
from server.config import load_settings
from server.mail.delivery import Delivered, MailDelivery
from server.store import Database, UserStore
from server.store.attachment_files import AttachmentFileStore
from server.store.attachment_policy import PolicyStore
from server.store.client_devices import ClientDeviceStore
from server.store.mailboxes import StoredMessage
from tests.server.api_peer import API, app_client, database_of, hash_passwords_cheaply
from tests.server.mail.mail_fixtures import PDF, message_with_pdf


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hash_passwords_cheaply(monkeypatch)


USERS = [
    ("alice", "alice@example.test", "alice-pw"),
    ("bob", "bob@example.test", "bob-pw"),
]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with database_of(tmp_path, USERS, store_md5_secret=False) as db:
        yield db


@pytest.fixture
async def client(tmp_path: Path, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(tmp_path, database, "NTS_SERVER_NAME=lorien.example.test\n") as c:
        yield c


class Device:
    def __init__(self, token: str, identity: tef.Identity, device_id: str) -> None:
        self.token = token
        self.identity = identity
        self.device_id = device_id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(client: httpx.AsyncClient, user: str, device_id: str = "dev-1") -> Device:
    identity = tef.Identity.generate()
    body = {
        "device_id": device_id,
        "name": "Laptop",
        "os": "Linux",
        "public_key": base64.b64encode(identity.recipient.public_key).decode(),
    }
    response = await client.post(f"{API}/devices", json=body, auth=(user, f"{user}-pw"))
    assert response.status_code in (200, 201), response.text
    return Device(response.json()["token"], identity, device_id)


def deliver(tmp_path: Path, database: Database, to: str = "alice", **kw: Any) -> StoredMessage:
    delivery = MailDelivery(load_settings(tmp_path), database)
    user = UserStore(database, store_md5_secret=False).get(to)
    assert user is not None
    result = delivery.deliver(
        message_with_pdf(to=user.email, **kw).as_bytes(),
        envelope_from="carol@outside.test",
        recipients=[user.email],
        users=[user],
    )
    assert isinstance(result, Delivered)
    return result.messages[0]


def opened(data: bytes, device: Device) -> tuple[bytes, tef.Metadata]:
    out = io.BytesIO()
    metadata = tef.decrypt(io.BytesIO(data), out, device.identity)
    return out.getvalue(), metadata


async def fetch(client: httpx.AsyncClient, device: Device, message: int, n: int = 0,
                **params: str) -> httpx.Response:
    return await client.get(
        f"{API}/messages/{message}/attachments/{n}", headers=device.headers, params=params
    )


async def test_a_delivered_pdf_comes_back_as_a_tef_that_the_device_opens(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    device = await register(client, "alice")
    message = deliver(tmp_path, database)
    # Encrypted at delivery, before any device asked.
    assert AttachmentFileStore(database).get(message.id, 0) is not None

    listing = (await client.get(f"{API}/messages", headers=device.headers)).json()
    [entry] = listing["messages"]
    assert entry["id"] == message.id and entry["subject"] == "The report"
    assert entry["attachments"] == [
        {
            "position": 0,
            "filename": "report.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "href": f"messages/{message.id}/attachments/0",
        }
    ]
    one = await client.get(f"{API}/messages/{message.id}", headers=device.headers)
    assert one.json() == entry

    response = await fetch(client, device, message.id)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.traveler.tef"
    assert 'filename="report.pdf.tef"' in response.headers["content-disposition"]
    plain, metadata = opened(response.content, device)
    assert plain == PDF
    assert (metadata.name, metadata.mime_type, metadata.size) == (
        "report.pdf",
        "application/pdf",
        len(PDF),
    )
    assert metadata.server == "lorien.example.test"
    assert metadata.message_ref == f"messages/{message.id}/attachments/0"
    assert metadata.policy == tef.Policy()


async def test_a_device_registered_later_gets_the_file_key_rewrapped_not_the_file(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    first = await register(client, "alice", "dev-1")
    message = deliver(tmp_path, database)
    before = AttachmentFileStore(database).get(message.id, 0)
    assert before is not None
    second = await register(client, "alice", "dev-2")
    # Re-wrapped at registration: the payload is the same bytes, the header names both keys.
    after = AttachmentFileStore(database).get(message.id, 0)
    assert after is not None
    assert after.payload == before.payload and after.file_key == before.file_key
    assert set(tef.Header.parse(after.header).recipient_tags) == {
        first.identity.recipient.tag,
        second.identity.recipient.tag,
    }
    for device in (first, second):
        plain, _ = opened((await fetch(client, device, message.id)).content, device)
        assert plain == PDF


async def test_a_signed_out_device_is_dropped_from_the_header(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    first = await register(client, "alice", "dev-1")
    second = await register(client, "alice", "dev-2")
    message = deliver(tmp_path, database)
    assert (await client.delete(f"{API}/devices/dev-1", headers=second.headers)).status_code == 204
    data = (await fetch(client, second, message.id)).content
    assert tef.Header.parse(data).recipient_tags == (second.identity.recipient.tag,)
    with pytest.raises(tef.errors.NoMatchingRecipient):
        opened(data, first)


async def test_mail_for_a_user_without_devices_is_encrypted_when_a_device_first_asks(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    message = deliver(tmp_path, database)
    assert AttachmentFileStore(database).get(message.id, 0) is None
    device = await register(client, "alice")
    plain, _ = opened((await fetch(client, device, message.id)).content, device)
    assert plain == PDF


async def test_users_never_see_each_others_mail(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    await register(client, "alice")
    bob = await register(client, "bob")
    message = deliver(tmp_path, database)
    assert (await client.get(f"{API}/messages", headers=bob.headers)).json() == {"messages": []}
    response = await client.get(f"{API}/messages/{message.id}", headers=bob.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "message-unknown"
    response = await fetch(client, bob, message.id)
    assert response.status_code == 404
    assert response.json()["code"] == "attachment-unknown"
    response = await client.post(
        f"{API}/handoffs",
        headers=bob.headers,
        json={"message": message.id, "attachment": 0, "app_id": "org.gnome.Evince.desktop"},
    )
    assert response.status_code == 404
    assert AttachmentFileStore(database).hand_offs() == []


async def test_bad_message_and_attachment_numbers_are_404_problems(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    device = await register(client, "alice")
    message = deliver(tmp_path, database)
    for path in ("messages/x", f"messages/{message.id}/attachments/7",
                 f"messages/{message.id}/attachments/-1", "messages/999"):
        response = await client.get(f"{API}/{path}", headers=device.headers)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    response = await fetch(client, device, message.id, format="zip")
    assert response.status_code == 400


async def test_only_messages_with_attachments_are_listed_unless_all_are_asked_for(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    device = await register(client, "alice")
    user = UserStore(database, store_md5_secret=False).get("alice")
    assert user is not None
    MailDelivery(load_settings(tmp_path), database).deliver(
        b"Subject: plain\n\nno attachment\n",
        envelope_from="",
        recipients=[user.email],
        users=[user],
    )
    deliver(tmp_path, database)
    listed = (await client.get(f"{API}/messages", headers=device.headers)).json()["messages"]
    assert [m["subject"] for m in listed] == ["The report"]
    everything = await client.get(f"{API}/messages", headers=device.headers, params={"all": "1"})
    assert [m["subject"] for m in everything.json()["messages"]] == ["The report", "plain"]


async def test_download_prevented_is_a_clear_403(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    device = await register(client, "alice")
    message = deliver(tmp_path, database)
    PolicyStore(database).set_policy("test", prevent_download=True)
    for params in ({}, {"format": "plain"}):
        response = await fetch(client, device, message.id, **params)
        assert response.status_code == 403
        assert response.json()["code"] == "download-prevented"
        assert "does not allow attachments to be downloaded" in response.json()["detail"]


async def test_plain_only_while_protection_is_off(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    device = await register(client, "alice")
    message = deliver(tmp_path, database)
    response = await fetch(client, device, message.id, format="plain")
    assert response.status_code == 403
    assert response.json()["code"] == "plain-not-allowed"
    PolicyStore(database).set_policy("test", protect_attachments=False)
    response = await fetch(client, device, message.id, format="plain")
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    # With protection off, new mail is not encrypted at delivery.
    later = deliver(tmp_path, database)
    assert AttachmentFileStore(database).get(later.id, 0) is None


async def test_a_policy_change_reaches_the_header_of_files_already_encrypted(
    client: httpx.AsyncClient, tmp_path: Path, database: Database
) -> None:
    device = await register(client, "alice")
    message = deliver(tmp_path, database)
    before = AttachmentFileStore(database).get(message.id, 0)
    assert before is not None
    policies = PolicyStore(database)
    policies.add_app("Document Viewer", "org.gnome.Evince.desktop", "linux", "42")
    policies.add_app("Preview", "com.apple.Preview", "macos")
    policies.set_policy("test", view_only=True, approved_apps_only=True)
    data = (await fetch(client, device, message.id)).content
    plain, metadata = opened(data, device)
    assert plain == PDF
    assert metadata.policy == tef.Policy(
        view_only=True,
        approved_apps_only=True,
        allowed_apps=("com.apple.Preview", "org.gnome.Evince.desktop"),
    )
    after = AttachmentFileStore(database).get(message.id, 0)
    assert after is not None and after.payload == before.payload


async def test_the_policy_and_the_approved_apps(
    client: httpx.AsyncClient, database: Database
) -> None:
    device = await register(client, "alice")
    policies = PolicyStore(database)
    policies.add_app("Document Viewer", "org.gnome.Evince.desktop", "linux", "42.0")
    policies.add_app("Preview", "com.apple.Preview", "macOS")
    policies.set_policy("test", approved_apps_only=True)
    policy = (await client.get(f"{API}/policy", headers=device.headers)).json()
    assert policy["protect_attachments"] is True
    assert policy["approved_apps_only"] is True
    assert policy["prevent_download"] is False and policy["view_only"] is False
    assert policy["approved_apps"] == [
        {"name": "Document Viewer", "app_id": "org.gnome.Evince.desktop", "os": "linux",
         "required_version": "42.0"},
        {"name": "Preview", "app_id": "com.apple.Preview", "os": "macos",
         "required_version": None},
    ]
    linux = await client.get(f"{API}/apps", headers=device.headers, params={"os": "linux"})
    assert [a["app_id"] for a in linux.json()["apps"]] == ["org.gnome.Evince.desktop"]
    bad = await client.get(f"{API}/apps", headers=device.headers, params={"os": "amiga"})
    assert bad.status_code == 400


async def test_hand_offs_are_logged_with_who_which_file_which_app_and_when(
    client: httpx.AsyncClient, tmp_path: Path, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    device = await register(client, "alice")
    message = deliver(tmp_path, database)
    PolicyStore(database).add_app("Document Viewer", "org.gnome.Evince.desktop", "linux", "42")
    caplog.set_level("INFO", logger="traveler.mail")
    body = {"message": message.id, "attachment": 0, "app_id": "org.gnome.Evince.desktop",
            "app_name": "Document Viewer", "app_version": "46.0", "os": "linux"}
    response = await client.post(f"{API}/handoffs", headers=device.headers, json=body)
    assert response.status_code == 201, response.text
    reported = response.json()
    assert reported["approved"] is True and reported["file_name"] == "report.pdf"
    too_old = {**body, "app_version": "41.9"}
    response = await client.post(f"{API}/handoffs", headers=device.headers, json=too_old)
    assert response.json()["approved"] is False
    loose = {"file_name": "notes.txt", "app_id": "org.example.Editor.desktop"}
    response = await client.post(f"{API}/handoffs", headers=device.headers, json=loose)
    assert response.status_code == 201
    [first, second, third] = AttachmentFileStore(database).hand_offs("alice")
    assert (first.user_name, first.device_id, first.filename, first.app_id) == (
        "alice", "dev-1", "report.pdf", "org.gnome.Evince.desktop"
    )
    assert first.message_pk == message.id and first.position == 0 and first.reported
    assert not second.approved
    assert third.message_pk is None and third.filename == "notes.txt"
    assert any(
        "Hand-off: alice on device dev-1 opened report.pdf" in r.getMessage()
        and "org.gnome.Evince.desktop 46.0" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "field-missing"),
        ({"app_id": "x", "message": 1}, "field-missing"),
        ({"app_id": "x", "message": "one", "attachment": 0}, "field-invalid"),
        ({"app_id": "x", "file_name": "a", "os": "beos"}, "field-invalid"),
        ({"app_id": "x"}, "field-missing"),
    ],
)
async def test_bad_hand_off_reports_are_refused_with_the_field_named(
    client: httpx.AsyncClient, body: dict[str, Any], code: str
) -> None:
    device = await register(client, "alice")
    response = await client.post(f"{API}/handoffs", headers=device.headers, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code


def test_active_devices_are_the_recipients(database: Database) -> None:
    # The store the protection reads: only unrevoked devices with a key.
    assert ClientDeviceStore(database).active_keys(1) == []
