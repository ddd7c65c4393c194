"""The out-of-office screen and the away banner against a real `traveler-server`: set it,
the confirmation names user and server, mistakes are told in the user's words, "I'm back"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from companion.accounts import AccountStore
from companion.ooo import OutOfOffice
from companion.ui.inbox_window import InboxWindow
from companion.ui.out_of_office import OutOfOfficeDialog
from tests.companion.test_account_cli import Companion
from tests.companion.test_account_cli import companion as companion
from tests.interop.traveler_server import TravelerServer

CONFIRMATION = (
    "Out of office settings were updated for user detlev poettgen on server "
    "lorien.netzgoetter.net."
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TravelerServer]:
    traveler = TravelerServer(
        tmp_path / "server" / "data", settings={"NTS_SERVER_NAME": "lorien.netzgoetter.net"}
    )
    traveler.cli("user", "add", "detlev", "--email", "detlev@example.org", "--full-name",
                 "detlev poettgen", "--password-stdin", stdin="detlev-pw\n")
    with traveler:
        yield traveler


@pytest.fixture
def signed_in(server: TravelerServer, companion: Companion) -> AccountStore:
    assert companion.add(server, "detlev", "detlev-pw").returncode == 0
    return AccountStore()


def opened(qtbot: QtBot, store: AccountStore) -> OutOfOfficeDialog:
    dialog = OutOfOfficeDialog(store, store.accounts()[0].id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load()
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=20000)
    return dialog


def test_set_out_of_office_and_the_confirmation(qtbot: QtBot, signed_in: AccountStore) -> None:
    dialog = opened(qtbot, signed_in)
    dialog.enabled.setChecked(True)
    dialog.timed.setChecked(True)
    dialog.leave.setDateTime(dialog.leave.dateTime().addSecs(60))
    dialog.back.setDateTime(dialog.leave.dateTime().addDays(7))
    dialog.subject.setText("Abwesend")
    dialog.body.setPlainText("Ich bin nächste Woche wieder da.")
    dialog.separate.setChecked(True)
    dialog.internal_body.setPlainText("Bitte an Anna wenden.")
    dialog.external.setCurrentIndex(dialog.external.findData("known"))
    dialog.domains.setText("spam.example, ads.example")
    assert "Subject: Abwesend" in dialog.preview.text()
    assert "Ich bin nächste Woche wieder da." in dialog.preview.text()
    dialog.preview_for.setCurrentIndex(dialog.preview_for.findData("internal"))
    assert "Bitte an Anna wenden." in dialog.preview.text()
    dialog.save()
    qtbot.waitUntil(lambda: dialog.status.text() == CONFIRMATION, timeout=20000)



    state = asyncio.run(OutOfOffice(signed_in).show())
    assert state.profile is not None
    assert state.profile["enabled"] is True and state.profile["subject"] == "Abwesend"
    assert state.profile["internal_body"] == "Bitte an Anna wenden."
    assert state.profile["external"] == "known"
    assert state.profile["exclusions"]["domains"] == ["spam.example", "ads.example"]


def test_mistakes_in_the_users_words(qtbot: QtBot, signed_in: AccountStore) -> None:
    dialog = opened(qtbot, signed_in)
    dialog.enabled.setChecked(True)
    dialog.save()
    assert dialog.status.text() == "Write a subject for the reply."
    dialog.subject.setText("Abwesend")
    dialog.save()
    assert dialog.status.text() == "Write the text of the reply."
    dialog.body.setPlainText("Bin weg.")
    dialog.timed.setChecked(True)
    dialog.back.setDateTime(dialog.leave.dateTime().addSecs(-3600))
    dialog.save()
    assert dialog.status.text() == "The return must be after the leave."
    dialog.leave.setDateTime(dialog.leave.dateTime().addDays(-3))
    dialog.back.setDateTime(dialog.leave.dateTime().addDays(1))
    dialog.save()
    assert dialog.status.text() == "The return is in the past."
    dialog.back.setDateTime(dialog.leave.dateTime().addDays(10))
    dialog.save()
    assert dialog.status.text().startswith("The leave is in the past")


def test_banner_while_away_and_im_back(qtbot: QtBot, signed_in: AccountStore) -> None:


    asyncio.run(
        OutOfOffice(signed_in).set({"enabled": True, "subject": "Abwesend", "body": "Weg."})
    )
    window = InboxWindow(signed_in)
    qtbot.addWidget(window)
    window.show()
    window.refresh()
    qtbot.waitUntil(window.away.isVisible, timeout=20000)
    assert window.away.text.text().startswith("You are out of the office")
    window.away.back_button.click()
    qtbot.waitUntil(lambda: not window.away.isVisible(), timeout=20000)
    state = asyncio.run(OutOfOffice(signed_in).show())
    assert state.profile is not None and state.profile["enabled"] is False
    dialog = window.open_out_of_office()
    assert dialog is not None
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=20000)
    assert not dialog.enabled.isChecked() and dialog.subject.text() == "Abwesend"
    window.close()


def test_a_change_made_offline_is_pending_then_sent(
    qtbot: QtBot, signed_in: AccountStore
) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    account_id = signed_in.accounts()[0].id
    offline = OutOfOfficeDialog(signed_in, account_id, transport=httpx.MockTransport(unreachable))
    qtbot.addWidget(offline)
    offline.enabled.setChecked(True)
    offline.subject.setText("Abwesend")
    offline.body.setPlainText("Bin weg.")
    offline.save()
    qtbot.waitUntil(lambda: "pending" in offline.status.text(), timeout=20000)
    assert offline.status.text().startswith("The server cannot be reached")

    # The next contact sends it: the screen then shows what the server holds.
    online = opened(qtbot, signed_in)
    assert online.enabled.isChecked() and online.subject.text() == "Abwesend"
    assert online.status.text() == CONFIRMATION
    state = asyncio.run(OutOfOffice(signed_in).show())
    assert state.pending is None and state.profile is not None
    assert state.profile["enabled"] is True
