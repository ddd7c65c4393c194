"""The Companion's main window: the accounts both apps use — add (the sign-in dialog), make
one the default, remove (its secrets leave the keyring too) — with a banner and a one-click
"I'm back" for each account that is out of the office, and the way to the out-of-office
screen, the secure-attachments inbox and the viewer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import httpx
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence
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
from companion.ui.account_delegate import LINES_ROLE, AccountDelegate
from companion.ui.background import Background
from companion.ui.inbox_window import InboxWindow
from companion.ui.messages import fill
from companion.ui.out_of_office import AwayBanner, AwayWatch, OutOfOfficeDialog
from companion.ui.sign_in import SignInDialog
from companion.ui.viewer_window import ViewerWindow

_T = TypeVar("_T")
ACCOUNT_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class CompanionWindow(QMainWindow):
    """Lists the accounts of ``store``; ``changed`` fires after each change of the list.
    ``watch`` holds the accounts' away states (the app shares it with the tray icon)."""

    changed = Signal()

    def __init__(
        self,
        store: AccountStore,
        icon: QIcon | None = None,
        *,
        watch: AwayWatch | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("CompanionWindow")
        self.setWindowTitle(self.tr("Traveler Companion"))
        if icon is not None:
            self.setWindowIcon(icon)
        self.store = store
        self._transport = transport
        self._accounts: list[Account] = []
        self.background = Background(self, threads=1)
        self.watch = watch if watch is not None else AwayWatch(store, self, transport=transport)
        self.banners: dict[str, AwayBanner] = {}
        self.ooo_dialog: OutOfOfficeDialog | None = None
        self.inbox: InboxWindow | None = None
        self.viewers: list[ViewerWindow] = []
        self.resize(680, 480)
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
        self.accounts.setItemDelegate(AccountDelegate(self.accounts))
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
        self.ooo_button = QPushButton(self.tr("Out of office…"), self)
        self.ooo_button.setObjectName("oooButton")
        self.message = QLabel(self)
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.ooo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.make_default)
        buttons.addWidget(self.remove)
        body = QWidget(self)
        body.setObjectName("centre")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        self.banner_box = QVBoxLayout()
        self.banner_box.setSpacing(6)
        layout.addLayout(self.banner_box)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.accounts, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setCentralWidget(body)
        self._build_menu()
        self.add.clicked.connect(self.add_account)
        self.ooo_button.clicked.connect(self.open_out_of_office)
        self.make_default.clicked.connect(self.use_selected)
        self.remove.clicked.connect(self.remove_selected)
        self.accounts.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.watch.changed.connect(self._update_banners)
        self.watch.confirmed.connect(lambda _account, text: self.message.setText(text))
        self.watch.failed.connect(self._watch_failed)
        self.reload()

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Account"))
        self.add_action = menu.addAction(self.tr("&Add account…"))
        self.add_action.setShortcut(QKeySequence("Ctrl+N"))
        self.add_action.triggered.connect(self.add_account)
        self.ooo_action = menu.addAction(self.tr("&Out of office…"))
        self.ooo_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.ooo_action.triggered.connect(self.open_out_of_office)
        menu.addSeparator()
        self.inbox_action = menu.addAction(self.tr("&Secure attachments…"))
        self.inbox_action.setShortcut(QKeySequence("Ctrl+I"))
        self.inbox_action.triggered.connect(self.open_inbox)
        self.open_action = menu.addAction(self.tr("Open &file…"))
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.open_file)
        menu.addSeparator()
        self.quit_action = menu.addAction(self.tr("&Quit"))
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)

    def _run(self, call: Callable[[], _T], then: Callable[[_T], None]) -> None:
        """``call`` (file and keyring work) on a worker thread, ``then`` with its result."""

        async def run() -> _T:
            return call()

        def failed(error: Exception) -> None:
            if isinstance(error, (AccountError, KeyringUnavailableError)):
                self.message.setText(str(error))
            else:
                self.message.setText(fill(self.tr("Something went wrong: %1"), error))

        self.background.run(run, then, failed)

    def reload(self) -> None:
        """Read the accounts again."""

        def read() -> tuple[list[Account], Account | None]:
            return self.store.accounts(), self.store.default()

        self._run(read, self._show)

    def _show(self, found: tuple[list[Account], Account | None]) -> None:
        accounts, default = found
        self._accounts = accounts
        current = self.selected()
        self.accounts.clear()
        for account in accounts:
            name = account.display_name or account.user
            used = default is not None and account.id == default.id
            details = [
                f"{account.user} · {account.server_url}",
                self.tr("Traveler server %1").replace("%1", account.server_name or "")
                if account.traveler_api
                else self.tr("SyncML server (todos only)"),
            ]
            lines = [name + (self.tr(" — used by ToDo") if used else ""), *details]
            # The text is what screen readers (and the tests) read; the delegate paints rows.
            item = QListWidgetItem("\n".join(lines))
            item.setData(LINES_ROLE, (name, self.tr("used by ToDo") if used else "", details))
            item.setData(ACCOUNT_ROLE, account.id)
            self.accounts.addItem(item)
            if current is not None and account.id == current:
                self.accounts.setCurrentItem(item)
        if self.accounts.currentItem() is None and self.accounts.count():
            self.accounts.setCurrentRow(0)
        self.accounts.setVisible(bool(accounts))
        self.empty.setVisible(not accounts)
        self._update_buttons()
        self.watch.refresh()
        self.changed.emit()

    def selected(self) -> str | None:
        """The ID of the selected account."""
        item = self.accounts.currentItem()
        value = item.data(ACCOUNT_ROLE) if item is not None else None
        return value if isinstance(value, str) else None

    def selected_account(self) -> Account | None:
        ref = self.selected()
        return next((a for a in self._accounts if a.id == ref), None)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.make_default.setEnabled(chosen)
        self.remove.setEnabled(chosen)
        account = self.selected_account()
        # Out of office and secure attachments need a Traveler server's client API.
        traveler = account is not None and account.traveler_api
        self.ooo_button.setEnabled(traveler)
        self.ooo_action.setEnabled(traveler)
        self.inbox_action.setEnabled(any(a.traveler_api for a in self._accounts))

    def _update_banners(self) -> None:
        """One banner per account whose user is away, above the list."""
        travelers = [a for a in self._accounts if a.traveler_api]
        for account_id in list(self.banners):
            if account_id not in self.watch.states:
                self.banners.pop(account_id).deleteLater()
        for account in travelers:
            if account.id in self.watch.states and account.id not in self.banners:
                banner = AwayBanner(self.watch, self)
                self.banners[account.id] = banner
                self.banner_box.addWidget(banner)
            if account.id in self.banners:
                self.banners[account.id].show_account(account.id, named=len(travelers) > 1)

    def _watch_failed(self, account_id: str, text: str) -> None:
        # A banner shows its own account's failure; one reading all accounts comes here.
        if not account_id or account_id not in self.banners:
            self.message.setText(text)

    def open_out_of_office(self) -> OutOfOfficeDialog | None:
        """The out-of-office screen of the selected account; the banners follow its saves."""
        account = self.selected_account()
        if account is None or not account.traveler_api:
            return None
        dialog = OutOfOfficeDialog(self.store, account.id, self, transport=self._transport)
        dialog.saved.connect(self.watch.set_state)
        self.ooo_dialog = dialog
        dialog.open()
        dialog.load()
        return dialog

    def open_inbox(self) -> InboxWindow:
        """The secure-attachments inbox, on the selected account when it has one."""
        if self.inbox is None:
            self.inbox = InboxWindow(self.store, transport=self._transport, watch=self.watch)
        inbox = self.inbox
        account = self.selected_account()
        if account is not None:
            index = inbox.accounts.findData(account.id)
            if index >= 0:
                inbox.accounts.setCurrentIndex(index)
        inbox.show()
        inbox.raise_()
        inbox.activateWindow()
        inbox.refresh()
        return inbox

    def open_file(self) -> ViewerWindow:
        """A viewer with its file dialog."""
        viewer = ViewerWindow()
        self.viewers.append(viewer)
        viewer.show()
        viewer.choose_file()
        return viewer

    def closeEvent(self, event: QCloseEvent) -> None:
        self.background.wait()
        super().closeEvent(event)

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
