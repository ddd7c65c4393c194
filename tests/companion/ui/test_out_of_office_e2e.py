"""The issue's proof, driven from the Companion's screen: out of office is set in the window
(pytest-qt) against a `traveler-server` process with its SMTP listener; mail comes in by
smtplib; a local aiosmtpd relay catches what leaves. One reply per sender; none to list or
auto-generated mail; a reply queued while the relay is down arrives once it is back, once; at
the return time the service switches itself off and the user gets one summary."""

from __future__ import annotations

import base64
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime
from pytestqt.qtbot import QtBot

from companion.accounts import AccountStore
from companion.ui.main_window import CompanionWindow
from companion.ui.out_of_office import OutOfOfficeDialog
from server.store import Database
from tests.companion.test_account_cli import Companion
from tests.companion.test_account_cli import companion as companion
from tests.server.mail.mail_fixtures import CatchingRelay, make_users, write_ini
from tests.server.mail.test_out_of_office_e2e import WAIT, Running, recipients

UI_WAIT = 60_000  # ms: a loaded machine, not a limit on speed


@pytest.fixture
def relay() -> Iterator[CatchingRelay]:
    catching = CatchingRelay()
    catching.start()
    yield catching
    catching.stop()


@pytest.fixture
def server(tmp_path: Path, relay: CatchingRelay) -> Iterator[Running]:
    data = tmp_path / "server"
    data.mkdir()
    with Database.open(data) as database:
        make_users(database)
    write_ini(data, NTS_SMTP_PORT=0, NTS_SMTP_RELAY=relay.address, NTS_SMTP_RELAY_RETRY=1,
              NTS_OOO_CHECK_INTERVAL=1, NTS_SERVER_NAME="lorien.netzgoetter.net")
    running = Running(data)
    yield running
    running.process.kill()


def opened(qtbot: QtBot, window: CompanionWindow) -> OutOfOfficeDialog:
    dialog = window.open_out_of_office()
    assert dialog is not None
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=UI_WAIT)
    return dialog


def saved(qtbot: QtBot, dialog: OutOfOfficeDialog) -> None:
    dialog.save()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Out of office settings were "
                                                            "updated for user alice"),
                    timeout=UI_WAIT)
    assert dialog.status.text().endswith("on server lorien.netzgoetter.net.")


def test_out_of_office_set_in_the_companion_answers_mail_once_and_ends_at_the_return(
    qtbot: QtBot, server: Running, relay: CatchingRelay, companion: Companion
) -> None:
    url = server.api.removesuffix("/api/v1")
    added = companion("account", "add", "--server", url, "--user", "alice",
                      "--password-stdin", stdin="alice-pw\n")
    assert added.returncode == 0, added.stderr
    window = CompanionWindow(AccountStore())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.accounts.count() == 1, timeout=UI_WAIT)

    # Out of office in the screen: on, unlimited, for everyone outside; a newsletter domain
    # excluded.
    dialog = opened(qtbot, window)
    dialog.enabled.setChecked(True)
    dialog.unlimited.setChecked(True)
    dialog.subject.setText("Away this week")
    dialog.body.setPlainText("Back on Monday.")
    dialog.external.setCurrentIndex(dialog.external.findData("all"))
    dialog.domains.entry.setText("promo.test")
    dialog.domains.add()
    saved(qtbot, dialog)
    dialog.close()
    account_id = window.selected()
    assert account_id is not None
    window.watch.refresh()
    qtbot.waitUntil(lambda: account_id in window.banners and window.banners[account_id]
                    .isVisible(), timeout=UI_WAIT)

    server.mail("carol@outside.test", "first")
    assert recipients(relay, 1) == ["carol@outside.test"]
    server.mail("carol@outside.test", "second")
    server.mail("news@lists.outside.test", "newsletter", **{"List-Id": "<news.outside.test>"})
    server.mail("robot@outside.test", "report", **{"Auto-Submitted": "auto-generated"})
    server.mail("offers@promo.test", "offer")
    # Replies leave in order: once Dave's is there, one to any mail before it would be too.
    server.mail("dave@outside.test", "marker")
    assert recipients(relay, 2) == ["carol@outside.test", "dave@outside.test"]
    mail_from, _, raw = relay.received[0]
    reply = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail_from == "<>" and reply["Auto-Submitted"] == "auto-replied"
    assert reply["Subject"] == "Away this week"
    assert reply["In-Reply-To"] == "<first@outside.test>"
    assert "Back on Monday." in reply.get_content()

    # The relay goes down for a while: the reply waits and arrives once it is back, once.
    relay.stop()
    server.mail("erin@outside.test", "while down")
    server.process.wait_for("Traveler: WARNING Cannot relay mail", timeout=WAIT)
    relay.start()
    assert recipients(relay, 3)[2] == "erin@outside.test"
    server.process.wait_for("Traveler: Relayed mail #3 for <erin@outside.test>", timeout=WAIT)

    # In the screen again: the absence now ends a few seconds from now.
    dialog = opened(qtbot, window)
    assert dialog.enabled.isChecked() and dialog.domains.values() == ["promo.test"]
    dialog.timed.setChecked(True)
    dialog.leave.setDateTime(QDateTime.currentDateTime())
    dialog.back.setDateTime(QDateTime.currentDateTime().addSecs(6))
    saved(qtbot, dialog)
    dialog.close()
    server.process.wait_for(
        "Traveler: Out of office of alice ended at its return time", timeout=WAIT
    )
    # The window learns it at its next look: the banner goes.
    window.watch.refresh()
    qtbot.waitUntil(lambda: not window.banners[account_id].isVisible(), timeout=UI_WAIT)
    dialog = opened(qtbot, window)
    assert not dialog.enabled.isChecked()
    dialog.close()

    registered = server.call(
        "POST", "devices",
        {"device_id": "checker", "public_key": base64.b64encode(b"c" * 32).decode()},
        basic="alice:alice-pw",
    )
    server.token = registered["token"]
    subjects = [m["subject"] for m in server.call("GET", "messages?all=1")["messages"]]
    assert subjects.count("Out of office ended: 3 automatic replies") == 1
    server.mail("frank@outside.test", "after")
    server.stop()
    assert [rcpts[0] for _, rcpts, _ in relay.received] == [
        "carol@outside.test", "dave@outside.test", "erin@outside.test"
    ]
    window.close()
