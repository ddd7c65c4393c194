"""The Companion's main window: the accounts both apps use — add (the sign-in dialog), make
one the default, remove (its secrets leave the keyring too)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.accounts import Account, AccountError, AccountStore
from companion.secret_store import KeyringUnavailableError
from companion.ui.sign_in import SignInDialog, off_thread

_T = TypeVar("_T")
ACCOUNT_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class CompanionWindow(QMainWindow):
    """Lists the accounts of ``store``; ``changed`` fires after each change of the list."""

    changed = Signal()

    def __init__(self, store: AccountStore, icon: QIcon | None = None) -> None:
        super().__init__()
        self.setObjectName("CompanionWindow")
        self.setWindowTitle(self.tr("Traveler Companion"))
        if icon is not None:
            self.setWindowIcon(icon)
        self.store = store
        self._tasks: set[asyncio.Future[None]] = set()
        self.resize(640, 440)
        heading = QLabel(self.tr("Accounts"), self)
        heading.setObjectName("listTitle")
        intro = QLabel(
            self.tr(
                "The ToDo app signs in with the default account; the passwords are in your "
                "system keyring."
            ),
            self,
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        self.accounts = QListWidget(self)
        self.accounts.setObjectName("accountsList")
        self.accounts.setAlternatingRowColors(False)
        self.accounts.setSpacing(2)
        self.empty = QLabel(
            self.tr("No account yet. Add one to sign in to a Traveler server."), self
        )
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.add = QPushButton(self.tr("Add account…"), self)
        self.add.setDefault(True)
        self.make_default = QPushButton(self.tr("Use for ToDo"), self)
        self.remove = QPushButton(self.tr("Remove"), self)
        self.remove.setObjectName("danger")
        self.message = QLabel(self)
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add)
        buttons.addStretch(1)
        buttons.addWidget(self.make_default)
        buttons.addWidget(self.remove)
        body = QWidget(self)
        body.setObjectName("centre")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.accounts, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setCentralWidget(body)
        self.add.clicked.connect(self.add_account)
        self.make_default.clicked.connect(self.use_selected)
        self.remove.clicked.connect(self.remove_selected)
        self.accounts.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    def _run(self, call: Callable[[], _T], then: Callable[[_T], None]) -> None:
        """``call`` (file and keyring work) on a worker thread, ``then`` with its result."""

        async def run() -> None:
            try:
                result = await off_thread(call)
            except (AccountError, KeyringUnavailableError) as error:
                self.message.setText(str(error))
                return
            then(result)

        task = asyncio.ensure_future(run())
        self._tasks.add(task)  # asyncio keeps only a weak reference
        task.add_done_callback(self._tasks.discard)

    def reload(self) -> None:
        """Read the accounts again."""

        def read() -> tuple[list[Account], Account | None]:
            return self.store.accounts(), self.store.default()

        self._run(read, self._show)

    def _show(self, found: tuple[list[Account], Account | None]) -> None:
        accounts, default = found
        current = self.selected()
        self.accounts.clear()
        for account in accounts:
            name = account.display_name or account.user
            lines = [
                name + (self.tr(" — used by ToDo") if default and account.id == default.id else ""),
                f"{account.user} · {account.server_url}",
                self.tr("Traveler server %1").replace("%1", account.server_name or "")
                if account.traveler_api
                else self.tr("SyncML server (todos only)"),
            ]
            item = QListWidgetItem("\n".join(lines))
            item.setData(ACCOUNT_ROLE, account.id)
            self.accounts.addItem(item)
            if current is not None and account.id == current:
                self.accounts.setCurrentItem(item)
        if self.accounts.currentItem() is None and self.accounts.count():
            self.accounts.setCurrentRow(0)
        self.accounts.setVisible(bool(accounts))
        self.empty.setVisible(not accounts)
        self._update_buttons()
        self.changed.emit()

    def selected(self) -> str | None:
        """The ID of the selected account."""
        item = self.accounts.currentItem()
        value = item.data(ACCOUNT_ROLE) if item is not None else None
        return value if isinstance(value, str) else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.make_default.setEnabled(chosen)
        self.remove.setEnabled(chosen)

    def add_account(self) -> SignInDialog:
        """Open the sign-in dialog; a new account appears in the list."""
        dialog = SignInDialog(self.store, self)
        dialog.accepted.connect(self._added)
        dialog.open()
        self.sign_in_dialog = dialog
        return dialog

    def _added(self) -> None:
        account = self.sign_in_dialog.account
        if account is not None:
            self.message.setText(
                self.tr("Signed in as %1 on %2.")
                .replace("%1", account.display_name or account.user)
                .replace("%2", account.server_url)
            )
        self.reload()

    def use_selected(self) -> None:
        """Make the selected account the one the ToDo app uses."""
        ref = self.selected()
        if ref is not None:
            self._run(lambda: self.store.set_default(ref), lambda _account: self.reload())

    def remove_selected(self, confirm: bool = True) -> None:
        """Remove the selected account and its secrets (after asking)."""
        ref = self.selected()
        if ref is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Remove account"),
                self.tr("Remove this account from both apps? Its todos stay on the server."),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return

        def removed(account: Account) -> None:
            self.message.setText(self.tr("Removed %1.").replace("%1", account.user))
            self.reload()

        self._run(lambda: self.store.remove(ref), removed)
