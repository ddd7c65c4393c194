"""The out-of-office screen, the away banners of the main window and the inbox, and the tray
icon, against a real `traveler-server` process: set it, the confirmation names user and server
in the window's language, mistakes are told in the user's words, exclusions are lists, "I'm
back" in one click, and a change made while the server is down is sent when it is back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from companion.accounts import AccountStore
from companion.ooo import OutOfOffice
from companion.ui.app import install_translators
from companion.ui.inbox_window import InboxWindow
from companion.ui.main_window import CompanionWindow
from companion.ui.out_of_office import AwayWatch, OutOfOfficeDialog
from companion.ui.tray import CompanionTray
from tests.companion.test_account_cli import Companion
from tests.companion.test_account_cli import companion as companion
from tests.interop.traveler_server import TravelerServer

CONFIRMATION = (
    "Out of office settings were updated for user detlev poettgen on server "
    "lorien.netzgoetter.net."
)
CONFIRMATION_DE = (
    "Abwesenheitseinstellungen wurden für Benutzer detlev poettgen auf Server "
    "lorien.netzgoetter.net aktualisiert."
)


@pytest.fixture
def german(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, QLocale(QLocale.Language.German))
    assert translators, "the German catalogue is missing"
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


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
    # The known people show only for "known", and each list is edited row by row.
    assert dialog.known.isVisibleTo(dialog)
    dialog.known.entry.setText("carol@partner.example")
    dialog.known.add_button.click()
    dialog.domains.entry.setText("spam.example, ads.example")
    dialog.domains.entry.returnPressed.emit()
    dialog.domains.entry.setText("not a domain")
    dialog.domains.add_button.click()
    assert dialog.domains.error.text() == (
        "“not a domain” is not a domain; write it like example.org."
    )
    assert dialog.domains.values() == ["spam.example", "ads.example"]
    dialog.domains.entry.setText("@Junk.example")
    dialog.domains.add()
    dialog.domains.rows.item(1).setSelected(True)
    dialog.domains.remove_button.click()
    dialog.addresses.entry.setText("boss@example")
    assert dialog.problem() == (
        "“boss@example” is not a mail address; write it like anna@example.org."
    )
    assert dialog.exclusions.currentWidget() is dialog.addresses
    dialog.addresses.entry.setText("boss@example.org")  # typed, not yet added: Save adds it
    dialog.subject_words.entry.setText("Rechnung, newsletter")
    dialog.subject_words.add()
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
    assert state.profile["known"] == ["carol@partner.example"]
    assert state.profile["exclusions"] == {
        "addresses": ["boss@example.org"],
        "domains": ["spam.example", "junk.example"],
        "subject_words": ["Rechnung", "newsletter"],
    }
    # Loaded again, the lists are rows again.
    again = opened(qtbot, signed_in)
    assert again.domains.values() == ["spam.example", "junk.example"]
    assert again.known.values() == ["carol@partner.example"]


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


def test_a_change_made_offline_is_pending_then_sent_when_the_server_is_back(
    qtbot: QtBot, signed_in: AccountStore, server: TravelerServer, german: None
) -> None:
    """The server process really stops; the change waits on this computer; the same server
    (same data folder and port) starts again and the next contact sends it — confirmed in
    the window's language, built from the user and server the server names."""
    server.stop()
    window = CompanionWindow(signed_in)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.accounts.count() == 1, timeout=20000)
    offline = window.open_out_of_office()
    assert offline is not None
    qtbot.waitUntil(offline.save_button.isEnabled, timeout=30000)
    assert offline.status.text().startswith("Der Server ist nicht erreichbar")
    offline.enabled.setChecked(True)
    offline.subject.setText("Abwesend")
    offline.body.setPlainText("Bin weg.")
    offline.domains.entry.setText("spam.example")
    offline.save()
    qtbot.waitUntil(lambda: "ausstehend" in offline.status.text(), timeout=30000)
    # The banner says so too: the user is away as far as this computer knows, not yet sent.
    banner = window.banners[signed_in.accounts()[0].id]
    qtbot.waitUntil(banner.isVisible, timeout=20000)
    assert "Ausstehend" in banner.text.text()
    offline.close()

    server.start()
    online = window.open_out_of_office()
    assert online is not None
    qtbot.waitUntil(online.save_button.isEnabled, timeout=30000)
    assert online.status.text() == CONFIRMATION_DE
    assert online.enabled.isChecked() and online.subject.text() == "Abwesend"
    assert online.domains.values() == ["spam.example"]
    state = asyncio.run(OutOfOffice(signed_in).show())
    assert state.pending is None and state.profile is not None
    assert state.profile["enabled"] is True
    assert state.profile["exclusions"]["domains"] == ["spam.example"]
    online.close()
    window.close()


def test_the_watch_sends_a_pending_change_and_confirms_it_in_german(
    qtbot: QtBot, signed_in: AccountStore, server: TravelerServer, german: None
) -> None:
    server.stop()
    state = asyncio.run(OutOfOffice(signed_in, timeout=5).set({"enabled": False}))
    assert state.pending == {"enabled": False}
    server.start()
    window = CompanionWindow(signed_in)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.message.text() == CONFIRMATION_DE, timeout=30000)
    window.close()


def test_saving_in_german_confirms_in_german(
    qtbot: QtBot, signed_in: AccountStore, german: None
) -> None:
    dialog = opened(qtbot, signed_in)
    dialog.enabled.setChecked(True)
    dialog.subject.setText("Abwesend")
    dialog.body.setPlainText("Bin weg.")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.status.text() == CONFIRMATION_DE, timeout=20000)


def test_the_main_window_shows_who_is_away_and_im_back_confirms(
    qtbot: QtBot, signed_in: AccountStore
) -> None:
    asyncio.run(
        OutOfOffice(signed_in).set({"enabled": True, "subject": "Abwesend", "body": "Weg."})
    )
    window = CompanionWindow(signed_in)
    qtbot.addWidget(window)
    window.show()
    account_id = signed_in.accounts()[0].id
    qtbot.waitUntil(lambda: account_id in window.banners, timeout=20000)
    banner = window.banners[account_id]
    qtbot.waitUntil(banner.isVisible, timeout=20000)
    assert banner.text.text() == "You are out of the office; automatic replies are on."
    assert window.ooo_action.shortcut().toString() == "Ctrl+Shift+O"
    assert window.ooo_action.isEnabled() and window.ooo_button.isEnabled()
    banner.back_button.click()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=20000)
    qtbot.waitUntil(lambda: window.message.text() == CONFIRMATION, timeout=20000)
    state = asyncio.run(OutOfOffice(signed_in).show())
    assert state.profile is not None and state.profile["enabled"] is False
    # The out-of-office screen and the inbox are reachable from here.
    window.ooo_action.trigger()
    assert window.ooo_dialog is not None
    qtbot.waitUntil(window.ooo_dialog.save_button.isEnabled, timeout=20000)
    assert not window.ooo_dialog.enabled.isChecked()
    window.ooo_dialog.close()
    window.inbox_action.trigger()
    assert window.inbox is not None and window.inbox.isVisible()
    qtbot.waitUntil(lambda: "message" in window.inbox.status.text(), timeout=20000)
    window.inbox.close()
    window.close()


def test_the_tray_shows_the_away_state_and_im_back_in_one_click(
    qtbot: QtBot, signed_in: AccountStore
) -> None:
    watch = AwayWatch(signed_in)
    opened_window: list[bool] = []
    tray = CompanionTray(watch, lambda: opened_window.append(True), lambda: None)
    def texts(enabled: bool = True) -> list[str]:
        return [a.text() for a in tray.menu.actions()
                if not a.isSeparator() and a.isEnabled() == enabled]

    watch.refresh()
    qtbot.waitUntil(lambda: bool(watch.states), timeout=20000)
    assert texts() == ["Open Traveler Companion", "Quit"]
    assert texts(enabled=False) == ["Automatic replies are off."]
    at_home = tray.icon.icon().pixmap(32).toImage()
    assert tray.icon.toolTip() == "Traveler Companion\nAutomatic replies are off."

    back = (datetime.now(UTC) + timedelta(days=3)).isoformat(timespec="seconds")
    asyncio.run(OutOfOffice(signed_in).set(
        {"enabled": True, "subject": "Abwesend", "body": "Weg.", "return": back}
    ))
    watch.refresh()
    qtbot.waitUntil(lambda: tray.away, timeout=20000)
    assert texts() == ["I'm back", "Open Traveler Companion", "Quit"]
    assert tray.icon.icon().pixmap(32).toImage() != at_home
    tip = tray.icon.toolTip().splitlines()
    assert tip[0] == "Traveler Companion"
    assert tip[1].startswith("detlev poettgen: out of the office until ")
    assert texts(enabled=False) == [tip[1]]

    confirmations: list[str] = []
    watch.confirmed.connect(lambda _account, text: confirmations.append(text))
    tray.back_actions[signed_in.accounts()[0].id].trigger()
    qtbot.waitUntil(lambda: confirmations == [CONFIRMATION], timeout=20000)
    assert not tray.away and texts() == ["Open Traveler Companion", "Quit"]
    assert tray.icon.icon().pixmap(32).toImage() == at_home
    state = asyncio.run(OutOfOffice(signed_in).show())
    assert state.profile is not None and state.profile["enabled"] is False
    tray.open_action.trigger()
    assert opened_window == [True]
    watch.wait()
