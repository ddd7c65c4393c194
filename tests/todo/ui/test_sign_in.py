"""The sign-in dialog against a real traveler-server process: it tests the connection, says
plainly what is wrong, and adds the account (password in the keyring) for both apps."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from companion.accounts import AccountStore
from companion.secret_store import SecretStore
from companion.ui.sign_in import SignInDialog
from tests.companion.memory_keyring import MemoryKeyring
from tests.interop.traveler_server import TravelerServer
from tests.todo.ui.conftest import until
from todo.ui.i18n import install_translations


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TravelerServer]:
    traveler = TravelerServer(tmp_path_factory.mktemp("server") / "data")
    traveler.cli(
        "user", "add", "alice", "--email", "alice@example.org", "--full-name", "Alice Arden",
        "--password-stdin", stdin="alice-pw\n",
    )  # fmt: skip
    with traveler:
        yield traveler


@pytest.fixture
def accounts(tmp_path: Path) -> AccountStore:
    return AccountStore(tmp_path / "home", SecretStore(MemoryKeyring()))


async def sign_in(
    qtbot: QtBot, accounts: AccountStore, url: str, user: str, password: str
) -> SignInDialog:
    dialog = SignInDialog(accounts)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.server, url)
    qtbot.keyClicks(dialog.user, user)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.sign_in_button.isEnabled(), "the connection test")
    return dialog


async def test_signing_in_adds_the_account_for_both_apps(
    qapp: QApplication, english: None, qtbot: QtBot, accounts: AccountStore, server: TravelerServer
) -> None:
    dialog = await sign_in(qtbot, accounts, server.url, "alice", "alice-pw")
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    [account] = accounts.accounts()
    assert account == dialog.account
    assert (account.user, account.email, account.display_name) == (
        "alice",
        "alice@example.org",
        "Alice Arden",
    )
    assert account.traveler_api
    credentials = accounts.credentials()
    assert credentials.password == "alice-pw" and credentials.token
    assert "alice-pw" not in (accounts.home / "accounts.json").read_text()


async def test_a_wrong_password_is_said_and_nothing_is_stored(
    qapp: QApplication, english: None, qtbot: QtBot, accounts: AccountStore, server: TravelerServer
) -> None:
    dialog = await sign_in(qtbot, accounts, server.url, "alice", "not-it")
    assert dialog.isVisible() and dialog.account is None
    assert "password" in dialog.message.text().lower()
    assert dialog.message.property("error") is True
    assert accounts.accounts() == []


async def test_an_unreachable_server_is_said(
    qapp: QApplication, english: None, qtbot: QtBot, accounts: AccountStore
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog = await sign_in(qtbot, accounts, f"http://127.0.0.1:{port}/traveler", "alice", "pw")
    assert "127.0.0.1" in dialog.message.text()
    assert dialog.account is None and accounts.accounts() == []


async def test_a_url_that_is_not_a_syncml_server_is_said(
    qapp: QApplication, english: None, qtbot: QtBot, accounts: AccountStore, server: TravelerServer
) -> None:
    url = server.url.replace("/traveler", "/health")
    dialog = await sign_in(qtbot, accounts, url, "alice", "alice-pw")
    assert "SyncML" in dialog.message.text()
    assert accounts.accounts() == []


async def test_a_url_that_is_not_a_url_is_said(
    qapp: QApplication, english: None, qtbot: QtBot, accounts: AccountStore
) -> None:
    dialog = await sign_in(qtbot, accounts, "traveler.example.com", "alice", "pw")
    assert "is not a server URL" in dialog.message.text()


async def test_an_empty_field_is_asked_for_without_asking_the_server(
    qapp: QApplication, english: None, qtbot: QtBot, accounts: AccountStore
) -> None:
    dialog = await sign_in(qtbot, accounts, "http://127.0.0.1:9/traveler", "", "pw")
    assert dialog.message.text() == "Enter your user name."
    assert dialog.isVisible() and accounts.accounts() == []


async def test_signing_in_twice_is_said(
    qapp: QApplication, english: None, qtbot: QtBot, accounts: AccountStore, server: TravelerServer
) -> None:
    assert (await sign_in(qtbot, accounts, server.url, "alice", "alice-pw")).account is not None
    dialog = await sign_in(qtbot, accounts, server.url, "alice", "alice-pw")
    assert dialog.account is None
    assert dialog.message.text() == (
        f"alice on {server.url} is signed in already. To sign in again, remove the account in "
        "the Companion first."
    )
    assert len(accounts.accounts()) == 1


async def test_a_german_desktop_is_told_what_is_wrong_in_german(
    qapp: QApplication, english: None, qtbot: QtBot, accounts: AccountStore, server: TravelerServer
) -> None:
    install_translations(qapp, QLocale(QLocale.Language.German, QLocale.Country.Germany))
    dialog = await sign_in(qtbot, accounts, server.url, "alice", "not-it")
    assert dialog.windowTitle() == "Bei Traveler anmelden"
    assert dialog.message.text() == (
        f"Der Server 127.0.0.1:{server.port} hat den Benutzernamen „alice“ mit diesem Kennwort "
        "nicht angenommen. Prüfen Sie beides und versuchen Sie es noch einmal."
    )
    assert dialog.message.property("error") is True
    assert accounts.accounts() == []
