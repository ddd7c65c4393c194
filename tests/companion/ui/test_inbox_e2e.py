"""End to end with real processes: a mail with a PDF comes in by SMTP, the inbox lists it, the
viewer opens it, an approved application gets it, an unapproved one does not, and a policy
change takes effect at the next refresh."""

from __future__ import annotations

import base64
import json
import os
import signal
import smtplib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from keyrings.alt.file import PlaintextKeyring
from pytestqt.qtbot import QtBot

import tef
from companion.accounts import AccountStore
from companion.device import load_device, private_key
from companion.hand_off import installed_apps
from companion.secret_store import SecretStore
from companion.ui.content_views import PdfViewer
from companion.ui.hand_off_report import HandOffReporter
from companion.ui.inbox_window import InboxWindow
from companion.ui.viewer_window import ViewerWindow
from tests.companion.desktop_apps import install_app
from tests.companion.ui.pdf_files import make_pdf

PASSWORD = "alice-password-1"
PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"


@dataclass
class Server:
    data: Path
    url: str
    smtp_port: int
    env: dict[str, str]

    def cli(self, *args: str, stdin: str = "") -> str:
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", "--data", str(self.data), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def server(tmp_path: Path, private_home: Path) -> Iterator[Server]:
    data = tmp_path / "server"
    data.mkdir()
    (data / "notes.ini").write_text("NTS_SMTP_PORT=0\n")
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": PLAINTEXT}
    setup = Server(data, "", 0, env)
    setup.cli(
        "user",
        "add",
        "alice",
        "--email",
        "alice@example.test",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    setup.cli(
        "app",
        "add",
        "Approved Viewer",
        "--id",
        "org.example.Approved.desktop",
        "--os",
        "linux",
        "--version",
        "4.0",
    )
    setup.cli("policy", "set", "--approved-apps-only", "on")
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "--data", str(data), "run", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    url, smtp = "", 0
    for line in process.stdout:
        if "SMTP listener started on " in line:
            smtp = int(line.rsplit(":", 1)[1])
        if "Server started on " in line:
            url = line.split("Server started on ", 1)[1].strip()
        if url and smtp:
            break
    assert url and smtp, "the server did not start"
    try:
        yield Server(data, url, smtp, env)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def send_pdf(server: Server, pdf: bytes) -> None:
    message = EmailMessage()
    message["From"] = "carol@outside.test"
    message["To"] = "alice@example.test"
    message["Subject"] = "Quartalsbericht"
    message.set_content("Anbei der Bericht.\n")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="report.pdf")
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=30) as smtp:
        smtp.send_message(message)


def test_mail_to_inbox_to_viewer_to_an_approved_app_only(
    server: Server,
    private_home: Path,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_home = tmp_path / "data"
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "no-system-data"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "no-system-config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAINTEXT)
    report = tmp_path / "approved.report"
    install_app(
        data_home,
        "org.example.Approved.desktop",
        "Approved Viewer",
        ["application/pdf"],
        version="4.1",
        report=report,
    )
    install_app(
        data_home,
        "org.example.Unapproved.desktop",
        "Unapproved Viewer",
        ["application/pdf"],
        version="9.9",
    )

    # The Companion signs in as a user would (a real process), registering this device.
    added = subprocess.run(
        [
            sys.executable,
            "-m",
            "companion.cli",
            "account",
            "add",
            "--server",
            server.url,
            "--user",
            "alice",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert added.returncode == 0, added.stderr
    secrets = SecretStore(PlaintextKeyring())
    device = load_device(private_home, secrets)
    identity = tef.Identity(private_key(device, secrets))
    assert base64.b64decode(device.public_key) == identity.recipient.public_key

    pdf = make_pdf(3)
    send_pdf(server, pdf)

    inbox = InboxWindow(AccountStore(private_home, secrets), identity=lambda: identity)
    qtbot.addWidget(inbox)
    inbox.show()
    inbox.refresh()
    qtbot.waitUntil(lambda: inbox.tree.topLevelItemCount() == 1, timeout=20000)
    message = inbox.tree.topLevelItem(0)
    assert message.text(0) == "Quartalsbericht"
    assert message.child(0).text(0).endswith("report.pdf")

    inbox.open_attachment(inbox.messages[0].attachments[0])
    qtbot.waitUntil(lambda: len(inbox.viewers) == 1, timeout=20000)
    viewer = inbox.viewers[0]
    assert isinstance(viewer.pages.currentWidget(), PdfViewer)
    viewer.fill_open_in_menu()
    offered = [a.text() for a in viewer.open_in_menu.actions() if not a.isSeparator()]
    assert offered == ["Approved Viewer"]

    viewer.hand_off(installed_apps()["org.example.Unapproved.desktop"])
    assert viewer.statusBar().currentMessage().startswith("Your administrator does not allow")

    next(a for a in viewer.open_in_menu.actions() if a.text() == "Approved Viewer").trigger()
    qtbot.waitUntil(report.exists, timeout=20000)
    seen = json.loads(report.read_text())
    assert Path(seen["path"]).read_bytes() == pdf
    (tmp_path / "approved.report.release").write_text("")
    qtbot.waitUntil(lambda: not Path(seen["path"]).exists(), timeout=20000)
    qtbot.waitUntil(
        lambda: "org.example.Approved.desktop" in server.cli("mail", "handoffs", "--user", "alice"),
        timeout=20000,
    )

    # The same .tef opened from its file (not from the inbox) reports its hand-off too.
    cached = next((private_home / "attachments").rglob("*.tef"))
    local = ViewerWindow(identity=lambda: identity)
    qtbot.addWidget(local)
    reporter = HandOffReporter(AccountStore(private_home, secrets), parent=local)
    local.handed_off.connect(lambda app: reporter.report(local.plain.metadata, app))
    assert local.open_file(cached)
    local.hand_off(installed_apps()["org.example.Approved.desktop"])
    qtbot.waitUntil(
        lambda: (
            server.cli("mail", "handoffs", "--user", "alice").count("org.example.Approved") == 2
        ),
        timeout=20000,
    )
    assert reporter.failures == []
    (tmp_path / "approved.report.release").write_text("")

    # The administrator lifts "approved applications only": the next refresh brings it.
    server.cli("policy", "set", "--approved-apps-only", "off")
    inbox.refresh()
    qtbot.waitUntil(
        lambda: inbox.policy is not None and not inbox.policy.approved_apps_only, timeout=20000
    )
    inbox.open_attachment(inbox.messages[0].attachments[0])
    qtbot.waitUntil(lambda: len(inbox.viewers) == 2, timeout=20000)
    again = inbox.viewers[1]
    again.fill_open_in_menu()
    offered = [a.text() for a in again.open_in_menu.actions() if not a.isSeparator()]
    assert offered == ["Approved Viewer", "Unapproved Viewer"]
    inbox.close()
