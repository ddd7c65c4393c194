"""The Secure attachments inbox: an account's messages with attachments, from the server."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.accounts import AccountError, AccountStore, data_home
from companion.api_client import ClientApi, ServerError
from companion.hand_off import DesktopApp
from companion.inbox import (
    InboxAttachment,
    InboxMessage,
    ServerPolicy,
    download_attachment,
    fetch_inbox,
    report_hand_off,
)
from companion.secret_store import KeyringUnavailableError
from companion.secure_file import IdentitySource, this_device
from companion.ui.background import Background
from companion.ui.messages import fill
from companion.ui.out_of_office import AwayBanner, AwayWatch, OutOfOfficeDialog
from companion.ui.viewer_window import ViewerWindow

__all__ = ["InboxWindow"]

_ATTACHMENT = Qt.ItemDataRole.UserRole


class InboxWindow(QMainWindow):
    """Lists the messages; double-clicking an attachment downloads it (.tef) and opens it."""

    def __init__(
        self,
        store: AccountStore | None = None,
        identity: IdentitySource = this_device,
        transport: httpx.AsyncBaseTransport | None = None,
        watch: AwayWatch | None = None,
    ) -> None:
        """``watch``: the app's away states (the main window's); without one, its own."""
        super().__init__()
        self.setObjectName("inboxWindow")
        self.setWindowTitle(self.tr("Secure attachments — Traveler Companion"))
        self.resize(900, 600)
        self._store = store if store is not None else AccountStore()
        self._identity = identity
        self._transport = transport
        self.background = Background(self)
        self.policy: ServerPolicy | None = None
        self.messages: list[InboxMessage] = []
        self.viewers: list[ViewerWindow] = []

        self.ooo_dialog: OutOfOfficeDialog | None = None
        menu = self.menuBar().addMenu(self.tr("&Account"))
        self.ooo_action = menu.addAction(self.tr("&Out of office…"))
        self.ooo_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.ooo_action.triggered.connect(self.open_out_of_office)

        central = QWidget()
        layout = QVBoxLayout(central)
        self._own_watch = watch is None
        self.watch = watch if watch is not None else AwayWatch(self._store, self,
                                                               transport=transport)
        self.away = AwayBanner(self.watch, self)
        self.watch.confirmed.connect(self._confirmed)
        layout.addWidget(self.away)
        bar = QHBoxLayout()
        self.accounts = QComboBox()
        self.accounts.setObjectName("accountChooser")
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button = QPushButton(self.tr("Open file…"))
        self.open_button.clicked.connect(self._open_local)
        bar.addWidget(QLabel(self.tr("Account:")))
        bar.addWidget(self.accounts, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.open_button)
        layout.addLayout(bar)
        self.tree = QTreeWidget()
        self.tree.setObjectName("inboxTree")
        self.tree.setHeaderLabels(
            [self.tr("Subject / attachment"), self.tr("From"), self.tr("Received"), self.tr("Size")]
        )
        self.tree.setColumnWidth(0, 380)
        self.tree.setColumnWidth(1, 200)
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree)
        self.status = QLabel()
        self.status.setObjectName("inboxStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self.accounts.currentIndexChanged.connect(lambda _: self.refresh())
        self._fill_accounts()

    def _fill_accounts(self) -> None:
        self.accounts.blockSignals(True)
        self.accounts.clear()
        for account in self._store.accounts():
            if account.traveler_api:
                self.accounts.addItem(f"{account.user} — {account.server_url}", account.id)
        self.accounts.blockSignals(False)
        if self.accounts.count() == 0:
            self.status.setText(
                self.tr("No account yet: add one with traveler-companion account add.")
            )
            self.refresh_button.setEnabled(False)
            self.ooo_action.setEnabled(False)

    def _api_call(
        self, work: Callable[[ClientApi], Coroutine[Any, Any, Any]]
    ) -> Callable[[], Coroutine[Any, Any, Any]] | None:
        account_id = self.accounts.currentData()
        if account_id is None:
            return None
        try:
            credentials = self._store.credentials(account_id)
        except (AccountError, KeyringUnavailableError) as exc:
            self.status.setText(str(exc))
            return None
        transport = self._transport

        async def call() -> Any:
            async with httpx.AsyncClient(transport=transport) as client:
                api = ClientApi(
                    credentials.account.server_url, token=credentials.token, client=client
                )
                return await work(api)

        return call

    def open_out_of_office(self) -> OutOfOfficeDialog | None:
        """The out-of-office screen of the chosen account; the banner follows its saves."""
        account_id = self.accounts.currentData()
        if account_id is None:
            return None
        dialog = OutOfOfficeDialog(self._store, account_id, self, transport=self._transport)
        dialog.saved.connect(self.watch.set_state)
        self.ooo_dialog = dialog
        dialog.open()
        dialog.load()
        return dialog

    def _confirmed(self, account_id: str, text: str) -> None:
        if account_id == self.accounts.currentData():
            self.status.setText(text)

    def refresh(self) -> None:
        self.away.show_account(self.accounts.currentData())
        self.watch.refresh()
        call = self._api_call(fetch_inbox)
        if call is None:
            return
        self.status.setText(self.tr("Loading…"))
        self.refresh_button.setEnabled(False)
        self.background.run(call, self._loaded, self._failed)

    def _loaded(self, result: tuple[list[InboxMessage], ServerPolicy]) -> None:
        self.messages, self.policy = result
        self.refresh_button.setEnabled(True)
        self.tree.clear()
        locale = QLocale()
        mail_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
        file_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for message in self.messages:
            item = QTreeWidgetItem(
                [
                    message.subject or self.tr("(no subject)"),
                    message.sender,
                    _received(locale, message.received),
                    "",
                ]
            )
            item.setIcon(0, mail_icon)
            for attachment in message.attachments:
                child = QTreeWidgetItem(
                    [attachment.filename, "", "", locale.formattedDataSize(attachment.size)]
                )
                child.setIcon(0, file_icon)
                child.setData(0, _ATTACHMENT, attachment)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        count = len(self.messages)
        self.status.setText(self.tr("%n message(s) with attachments", "", count))

    def _failed(self, error: Exception) -> None:
        self.refresh_button.setEnabled(self.accounts.count() > 0)
        if isinstance(error, ServerError):
            self.status.setText(str(error))
        else:
            self.status.setText(fill(self.tr("Something went wrong: %1"), error))

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        attachment = item.data(0, _ATTACHMENT)
        if isinstance(attachment, InboxAttachment):
            self.open_attachment(attachment)

    def open_attachment(self, attachment: InboxAttachment) -> None:
        account_id = self.accounts.currentData()
        folder = data_home() / "attachments" / str(account_id)
        call = self._api_call(lambda api: download_attachment(api, attachment, folder))
        if call is None:
            return
        self.status.setText(fill(self.tr("Downloading %1…"), attachment.filename))
        self.background.run(call, lambda path: self._show(path, attachment), self._failed)

    def _show(self, path: Path, attachment: InboxAttachment | None) -> None:
        approved = None
        if self.policy is not None and self.policy.approved_apps_only:
            approved = list(self.policy.approved_apps)
        viewer = ViewerWindow(identity=self._identity, approved=approved)
        viewer.handed_off.connect(lambda app: self._report(attachment, path, app))
        self.viewers.append(viewer)
        viewer.show()
        viewer.open_file(path)
        self.status.setText("")

    def _report(self, attachment: InboxAttachment | None, path: Path, app: DesktopApp) -> None:
        where = (attachment.message, attachment.position) if attachment is not None else None
        call = self._api_call(lambda api: report_hand_off(api, where, path.name, app))
        if call is not None:
            self.background.run(call, lambda _: None, self._failed)

    def _open_local(self) -> None:
        viewer = ViewerWindow(identity=self._identity)
        self.viewers.append(viewer)
        viewer.show()
        viewer.choose_file()

    def closeEvent(self, event: QCloseEvent) -> None:
        for viewer in self.viewers:
            viewer.close()
        self.background.wait()
        if self._own_watch:
            self.watch.wait()
        super().closeEvent(event)


def _received(locale: QLocale, stamp: str) -> str:
    """The server's ISO 8601 time in the user's locale and time zone (as sent if unparsable)."""
    moment = QDateTime.fromString(stamp, Qt.DateFormat.ISODate)
    if not moment.isValid():
        return stamp
    return locale.toString(moment.toLocalTime(), QLocale.FormatType.ShortFormat)
