"""The Companion's accounts window: lists the accounts, makes one the ToDo app's, removes one
with its secrets."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QApplication

from companion.accounts import AccountStore
from companion.secret_store import SecretStore
from companion.ui.main_window import CompanionWindow
from companion.ui.sign_in import SignInDialog
from tests.companion.memory_keyring import MemoryKeyring
from tests.todo.ui.conftest import until


def _accounts(tmp_path: Path) -> AccountStore:
    store = AccountStore(tmp_path / "home", SecretStore(MemoryKeyring()))
    store.add(
        server_url="http://127.0.0.1:8080/traveler", user="alice", password="a-pw",
        token="t1", email="alice@example.org", display_name="Alice Arden",
        server_name="Traveler/Acme", traveler_api=True,
    )  # fmt: skip
    store.add(
        server_url="http://127.0.0.1:9000/syncevolution", user="bob", password="b-pw", token=None
    )
    return store


async def test_the_accounts_are_listed_and_one_is_made_the_default(
    qapp: QApplication, english: None, tmp_path: Path
) -> None:
    store = _accounts(tmp_path)
    window = CompanionWindow(store)
    window.show()
    await until(lambda: window.accounts.count() == 2, "the accounts")
    first, second = (window.accounts.item(i).text() for i in range(2))
    assert first.splitlines() == [
        "Alice Arden — used by ToDo", "alice · http://127.0.0.1:8080/traveler",
        "Traveler server Traveler/Acme",
    ]  # fmt: skip
    assert second.splitlines()[2] == "SyncML server (todos only)"
    window.accounts.setCurrentRow(1)
    window.use_selected()
    await until(lambda: "used by ToDo" in window.accounts.item(1).text(), "the new default")
    assert store.default().user == "bob"  # type: ignore[union-attr]
    window.close()
    window.deleteLater()
    await asyncio.sleep(0.05)


async def test_removing_an_account_removes_its_secrets(
    qapp: QApplication, english: None, tmp_path: Path
) -> None:
    store = _accounts(tmp_path)
    window = CompanionWindow(store)
    window.show()
    await until(lambda: window.accounts.count() == 2)
    alice = store.get("alice")
    window.accounts.setCurrentRow(0)
    window.remove_selected(confirm=False)
    await until(lambda: window.accounts.count() == 1, "the removal")
    assert store.secrets.get(alice.password_key) is None
    assert window.message.text() == "Removed alice."
    window.accounts.setCurrentRow(0)
    window.remove_selected(confirm=False)
    await until(lambda: window.empty.isVisible(), "the empty state")
    window.close()
    window.deleteLater()
    await asyncio.sleep(0.05)


async def test_add_account_opens_the_sign_in_dialog(
    qapp: QApplication, english: None, tmp_path: Path
) -> None:
    window = CompanionWindow(AccountStore(tmp_path / "home", SecretStore(MemoryKeyring())))
    window.show()
    dialog = window.add_account()
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    dialog.reject()
    window.close()
    window.deleteLater()
    await asyncio.sleep(0.05)
