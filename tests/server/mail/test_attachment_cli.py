"""`traveler-server policy|app|tef|mail handoffs`, and the whole way: SMTP in, .TEF out."""

from __future__ import annotations

import base64
import email.policy
import io
import json
import signal
import smtplib
import urllib.request
from pathlib import Path

import pytest

import tef
from server.cli import main
from server.store import Database
from server.store.attachment_policy import OsType, PolicyStore
from server.store.client_devices import ClientDeviceStore
from tests.server.mail.mail_fixtures import PDF, make_users, message_with_pdf, write_ini
from tests.server.server_process import ServerProcess


@pytest.fixture
def data(tmp_path: Path) -> Path:
    with Database.open(tmp_path) as database:
        make_users(database)
    return tmp_path


def run(data: Path, *args: str) -> int:
    return main(["--data", str(data), *args])


def add_device(data: Path, user_id: int = 1, device_id: str = "dev-1") -> tef.Identity:
    from datetime import UTC, datetime

    identity = tef.Identity.generate()
    with Database.open(data) as database:
        ClientDeviceStore(database).register(
            user_id,
            device_id,
            name="Laptop",
            os="Linux",
            public_key=identity.recipient.public_key,
            token_hash=f"hash-{device_id}",
            when=datetime.now(UTC),
        )
    return identity


# --- policy ---------------------------------------------------------------------------------


def test_policy_show_and_set(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data, "policy", "show") == 0
    shown = capsys.readouterr().out
    assert "protect-attachments  on" in shown and "prevent-download     off" in shown
    assert run(data, "policy", "set", "--prevent-download", "on", "--view-only", "yes") == 0
    shown = capsys.readouterr().out
    assert "prevent-download     on" in shown and "view-only            on" in shown
    assert "by traveler-server policy set" in shown
    with Database.open(data) as database:
        policy = PolicyStore(database).policy()
    assert policy.prevent_download and policy.view_only and policy.protect_attachments


def test_policy_set_without_switches_or_with_a_bad_value_explains(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(data, "policy", "set") == 1
    assert "nothing to change; give at least one of --protect-attachments on|off" in (
        capsys.readouterr().err
    )
    with pytest.raises(SystemExit) as exit_:
        run(data, "policy", "set", "--view-only", "maybe")
    assert exit_.value.code == 2
    assert "'maybe': use on or off" in capsys.readouterr().err


# --- approved applications --------------------------------------------------------------------


def test_app_add_list_remove(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data, "app", "add", "Document Viewer", "--id", "org.gnome.Evince.desktop",
               "--os", "Linux", "--version", "42.0") == 0
    assert capsys.readouterr().out == (
        "Approved Document Viewer (org.gnome.Evince.desktop) on linux 42.0 or later.\n"
    )
    assert run(data, "app", "add", "Preview", "--id", "com.apple.Preview", "--os", "macos") == 0
    capsys.readouterr()
    assert run(data, "app", "list") == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["NAME", "APPLICATION", "ID", "OS", "REQUIRED", "VERSION"]
    assert "org.gnome.Evince.desktop" in listing[1] and "42.0" in listing[1]
    assert "com.apple.Preview" in listing[2] and listing[2].rstrip().endswith("any")
    assert run(data, "app", "remove", "com.apple.Preview", "--os", "windows") == 1
    assert "not an approved application on windows" in capsys.readouterr().err
    assert run(data, "app", "remove", "com.apple.Preview") == 0
    with Database.open(data) as database:
        assert [a.app_id for a in PolicyStore(database).apps()] == ["org.gnome.Evince.desktop"]


def test_app_add_refuses_bad_os_and_versions(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(data, "app", "add", "X", "--id", "x.desktop", "--os", "beos") == 1
    assert "'beos' is not an OS type; use one of linux, windows, macos" in capsys.readouterr().err
    assert run(data, "app", "add", "X", "--id", "x.desktop", "--os", "linux",
               "--version", "new") == 1
    assert "is not a version number" in capsys.readouterr().err


def test_app_import_from_csv(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_file = data / "apps.csv"
    csv_file.write_text(
        "Name,Application ID,OS Type,Required Version\n"
        "Document Viewer,org.gnome.Evince.desktop,linux,42\n"
        '"Adobe Acrobat Reader",AcroRd32.exe,Windows,\n'
        "\n"
        "Preview,com.apple.Preview,macOS,10.0\n",
        encoding="utf-8",
    )
    assert run(data, "app", "import", str(csv_file)) == 0
    assert "Imported 3 approved application(s)" in capsys.readouterr().out
    with Database.open(data) as database:
        apps = PolicyStore(database).apps()
    assert [(a.app_id, a.os, a.required_version) for a in apps] == [
        ("org.gnome.Evince.desktop", OsType.LINUX, "42"),
        ("com.apple.Preview", OsType.MACOS, "10.0"),
        ("AcroRd32.exe", OsType.WINDOWS, None),
    ]


def test_app_import_refuses_a_bad_file_as_a_whole(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = data / "apps.csv"
    csv_file.write_text(
        "name,app_id,os,version\nA,a.desktop,linux,1\nB,b.desktop,solaris,1\n", encoding="utf-8"
    )
    assert run(data, "app", "import", str(csv_file)) == 1
    assert "apps.csv line 3: 'solaris' is not an OS type" in capsys.readouterr().err
    csv_file.write_text("name,os\nA,linux\n", encoding="utf-8")
    assert run(data, "app", "import", str(csv_file)) == 1
    assert "missing: app_id" in capsys.readouterr().err
    with Database.open(data) as database:
        assert PolicyStore(database).apps() == []


# --- tef encrypt ------------------------------------------------------------------------------


def test_tef_encrypt_for_the_users_devices(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = add_device(data, 1, "dev-1"), add_device(data, 1, "dev-2")
    add_device(data, 2, "bobs")
    source = data / "plan.pdf"
    source.write_bytes(PDF * 5000)
    assert run(data, "tef", "encrypt", "--user", "alice", str(source), "--view-only") == 0
    assert "for 2 device(s) of alice, view only" in capsys.readouterr().out
    target = data / "plan.pdf.tef"
    for identity in (first, second):
        out = io.BytesIO()
        with target.open("rb") as handle:
            metadata = tef.decrypt(handle, out, identity)
        assert out.getvalue() == PDF * 5000
    assert metadata.name == "plan.pdf" and metadata.mime_type == "application/pdf"
    assert metadata.policy.view_only
    assert not list(data.glob(".*.partial"))


def test_tef_encrypt_without_devices_or_file_fails_cleanly(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = data / "a.txt"
    source.write_text("x")
    assert run(data, "tef", "encrypt", "--user", "alice", str(source), "-o",
               str(data / "out.tef")) == 1
    assert "alice has no registered device to encrypt for" in capsys.readouterr().err
    assert not (data / "out.tef").exists() and not list(data.glob(".*.partial"))
    add_device(data)
    assert run(data, "tef", "encrypt", "--user", "alice", str(data / "missing.txt")) == 1
    assert "cannot encrypt" in capsys.readouterr().err
    assert run(data, "tef", "encrypt", "--user", "zoe", str(source)) == 1


# --- end to end -------------------------------------------------------------------------------


def test_a_pdf_mailed_by_smtp_comes_out_of_the_api_as_a_tef_the_device_opens(
    data: Path, servers: list[ServerProcess], capsys: pytest.CaptureFixture[str]
) -> None:
    write_ini(data, NTS_SMTP_PORT=0)
    server = ServerProcess(data, "--port", "0")
    servers.append(server)
    smtp_line = server.wait_for("Traveler: SMTP listener started on ")
    smtp_port = int(smtp_line.rsplit(":", 1)[1])
    url = server.wait_for("Traveler: Server started on ").rsplit(" ", 1)[1]
    api = url + "/api/v1"

    identity = tef.Identity.generate()
    body = json.dumps(
        {"device_id": "laptop", "name": "Laptop", "os": "Linux",
         "public_key": base64.b64encode(identity.recipient.public_key).decode()}
    ).encode()
    request = urllib.request.Request(f"{api}/devices", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"alice:alice-pw").decode())
    with urllib.request.urlopen(request, timeout=30) as response:
        token = json.load(response)["token"]

    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        client.sendmail("carol@outside.test", ["alice@example.test"],
                        message_with_pdf().as_bytes(policy=email.policy.SMTP))
    server.wait_for("Traveler: Mail from <carol@outside.test> delivered to alice")

    def get(path: str) -> bytes:
        request = urllib.request.Request(f"{api}/{path}")
        request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return bytes(response.read())

    [message] = json.loads(get("messages"))["messages"]
    [attachment] = message["attachments"]
    sealed = get(attachment["href"])
    out = io.BytesIO()
    metadata = tef.decrypt(io.BytesIO(sealed), out, identity)
    assert out.getvalue() == PDF
    assert metadata.name == "report.pdf"

    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    assert "Traceback" not in server.text()


def test_mail_handoffs_lists_what_devices_reported(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from server.store.attachment_files import AttachmentFileStore

    assert run(data, "mail", "handoffs") == 0
    assert capsys.readouterr().out == "No hand-offs reported yet.\n"
    with Database.open(data) as database:
        AttachmentFileStore(database).log_hand_off(
            user_name="alice", device_id="dev-1", message_pk=3, position=0,
            filename="report.pdf", app_id="org.gnome.Evince.desktop", app_name="Viewer",
            app_version="46", os="linux", approved=False,
        )
    assert run(data, "mail", "handoffs", "--user", "alice") == 0
    out = capsys.readouterr().out
    assert "report.pdf" in out and "3/0" in out and "org.gnome.Evince.desktop" in out
    assert out.rstrip().endswith("NO")
