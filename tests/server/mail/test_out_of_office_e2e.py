"""Out of office end to end: `traveler-server run` with its SMTP listener, the client API, and
a local aiosmtpd relay catching what leaves."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import signal
import smtplib
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from server.cli import main
from server.store import Database
from server.store.outbound import OutboundStore
from tests.server.mail.mail_fixtures import CatchingRelay, make_users, write_ini
from tests.server.server_process import ServerProcess

# Generous: these wait for events (log lines), and only a stuck server takes this long.
WAIT = 120.0


class Running:
    """One `traveler-server run` with its HTTP API and SMTP port."""

    def __init__(self, data: Path) -> None:
        self.process = ServerProcess(data, "--port", "0")
        line = self.process.wait_for("Traveler: SMTP listener started on ", timeout=WAIT)
        self.smtp_port = int(line.rsplit(":", 1)[1])
        url = self.process.wait_for("Traveler: Server started on ", timeout=WAIT)
        url = url.rsplit(" ", 1)[1]
        self.api = url + "/api/v1"
        self.token = ""

    def call(self, method: str, path: str, body: Any = None, *, basic: str = "") -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.api}/{path}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if basic:
            credentials = base64.b64encode(basic.encode()).decode()
            request.add_header("Authorization", f"Basic {credentials}")
        else:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def mail(self, sender: str, subject: str, **headers: str) -> None:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "alice@example.test"
        message["Subject"] = subject
        message["Message-ID"] = f"<{subject.replace(' ', '-')}@outside.test>"
        for name, value in headers.items():
            message[name] = value
        message.set_content("Hello\n")
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as client:
            client.sendmail(sender, ["alice@example.test"],
                            message.as_bytes(policy=email.policy.SMTP))
        self.process.wait_for(f"Traveler: Mail from <{sender}> delivered to alice", timeout=WAIT)

    def stop(self) -> None:
        self.process.proc.send_signal(signal.SIGTERM)
        assert self.process.finish() == 0
        assert "Traceback" not in self.process.text()


@pytest.fixture
def relay() -> Iterator[CatchingRelay]:
    catching = CatchingRelay()
    yield catching
    catching.stop()


@pytest.fixture
def started() -> Iterator[list[Running]]:
    servers: list[Running] = []
    yield servers
    for server in servers:
        server.process.kill()


def set_return_soon(server: Running) -> None:
    """Move the return time a few seconds ahead. The server refuses a return time in the past,
    so on a machine slow enough to let those seconds pass before the call lands, ahead more."""
    for ahead in (2, 8, 30):
        back = (datetime.now(UTC) + timedelta(seconds=ahead)).isoformat(timespec="seconds")
        try:
            server.call("PUT", "ooo", {"return": back})
            return
        except urllib.error.HTTPError as exc:
            if exc.code != 400:
                raise
    raise AssertionError("the server refused every return time")


def recipients(relay: CatchingRelay, count: int) -> list[str]:
    return [rcpts[0] for _, rcpts, _ in relay.wait_for(count)]


def test_out_of_office_answers_once_survives_a_relay_outage_and_a_restart_and_ends(
    tmp_path: Path, relay: CatchingRelay, started: list[Running],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Database.open(tmp_path) as database:
        make_users(database)
    write_ini(tmp_path, NTS_SMTP_PORT=0, NTS_SMTP_RELAY=relay.address, NTS_SMTP_RELAY_RETRY=1,
              NTS_OOO_CHECK_INTERVAL=1)
    relay.start()
    server = Running(tmp_path)
    started.append(server)
    registered = server.call(
        "POST", "devices",
        {"device_id": "laptop", "public_key": base64.b64encode(b"k" * 32).decode()},
        basic="alice:alice-pw",
    )
    server.token = registered["token"]
    answer = server.call("PUT", "ooo", {"enabled": True, "subject": "Away this week",
                                         "body": "Back on Monday."})
    assert answer["message"].startswith("Out of office settings were updated for user alice")

    server.mail("carol@outside.test", "first")
    assert recipients(relay, 1) == ["carol@outside.test"]
    server.mail("carol@outside.test", "second")
    server.mail("news@lists.outside.test", "newsletter", **{"List-Id": "<news.outside.test>"})
    server.mail("robot@outside.test", "report", **{"Auto-Submitted": "auto-generated"})
    # Replies leave in order, so once Dave's is there, any reply to the mail before it would be.
    server.mail("dave@outside.test", "marker")
    assert recipients(relay, 2) == ["carol@outside.test", "dave@outside.test"]
    [(mail_from, _, raw)] = relay.received[:1]
    reply = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail_from == "<>" and reply["Auto-Submitted"] == "auto-replied"
    assert reply["Subject"] == "Away this week" and reply["In-Reply-To"] == "<first@outside.test>"

    # The relay goes down; the reply waits, across a restart, and arrives once it is back.
    relay.stop()
    server.mail("erin@outside.test", "while down")
    server.process.wait_for("Traveler: WARNING Cannot relay mail", timeout=WAIT)
    server.stop()
    relay.start()
    server = Running(tmp_path)
    started.append(server)
    server.token = registered["token"]
    assert recipients(relay, 3)[2] == "erin@outside.test"

    # The return time passes: the periodic check switches it off and sends one summary.
    set_return_soon(server)
    server.process.wait_for(
        "Traveler: Out of office of alice ended at its return time", timeout=WAIT
    )
    assert server.call("GET", "ooo")["enabled"] is False
    subjects = [m["subject"] for m in server.call("GET", "messages?all=1")["messages"]]
    assert subjects.count("Out of office ended: 3 automatic replies") == 1
    server.mail("frank@outside.test", "after")
    server.stop()
    with Database.open(tmp_path) as database:
        sent = OutboundStore(database).all()
    assert [m.recipient for m in sent] == [
        "carol@outside.test", "dave@outside.test", "erin@outside.test"
    ]
    assert all(m.sent for m in sent)
    assert len(relay.received) == 3
    capsys.readouterr()
    assert main(["--data", str(tmp_path), "mail", "queue"]) == 0
    assert capsys.readouterr().out == "No mail waits for the relay.\n"
    assert main(["--data", str(tmp_path), "mail", "queue", "--all"]) == 0
    listing = capsys.readouterr().out
    assert listing.count("sent 20") == 3 and "erin@outside.test" in listing
