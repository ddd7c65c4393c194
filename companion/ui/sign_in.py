"""The sign-in dialog both apps show: server URL, user name and password; it tests the
connection (a SyncML probe, then the device registration on a Traveler server) and says
plainly what is wrong. The account goes into the Companion's account store, the password
into the keyring, so the other app is signed in too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.accounts import Account, AccountError, AccountStore, check_server_url
from companion.api_client import DEFAULT_TIMEOUT, ServerError, check_account
from companion.device import DeviceError, load_device
from companion.secret_store import KeyringUnavailableError

_T = TypeVar("_T")

# What the dialog can be told by the parts below it; anything else is a bug and is raised.
_EXPECTED = (AccountError, ServerError, KeyringUnavailableError, DeviceError)


async def sign_in(
    store: AccountStore,
    server_url: str,
    user: str,
    password: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Account:
    """Test the connection and add the account (what ``account add`` does, without blocking
    the loop: keyring and file work run on a worker thread)."""
    server_url = check_server_url(server_url)
    user = user.strip()
    if not user:
        raise AccountError("Enter your user name.")
    if not password:
        raise AccountError("Enter your password.")
    for existing in await off_thread(store.accounts):
        if existing.server_url == server_url and existing.user.casefold() == user.casefold():
            raise AccountError(
                f"{existing.user} on {server_url} is signed in already. To sign in again, "
                "remove the account in the Companion first."
            )
    device = await off_thread(lambda: load_device(store.home, store.secrets))
    check = await check_account(
        server_url, user, password, device, timeout=timeout, transport=transport
    )
    who = check.whoami
    return await off_thread(
        lambda: store.add(
            server_url=server_url,
            user=who.user if who else user,
            password=password,
            token=check.registration.token if check.registration else None,
            email=who.email if who else None,
            display_name=who.display_name if who else None,
            server_name=who.server if who else None,
            traveler_api=check.registration is not None,
        )
    )


# Account file and keyring work, off the UI thread. A plain thread pool of our own rather than
# the loop's default executor: qasync's default runs on QThreads that die with their loop.
_ACCOUNT_WORK = ThreadPoolExecutor(max_workers=1, thread_name_prefix="accounts")


async def off_thread(call: Callable[[], _T]) -> _T:
    """``call()`` on the accounts' worker thread."""
    return await asyncio.get_running_loop().run_in_executor(_ACCOUNT_WORK, call)


class SignInDialog(QDialog):
    """Asks for server, user and password; ``account`` is set once signing in worked."""

    def __init__(
        self,
        store: AccountStore,
        parent: QWidget | None = None,
        *,
        server_url: str = "",
        user: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignInDialog")
        self.setWindowTitle(self.tr("Sign in to Traveler"))
        self.setModal(True)
        self.setMinimumWidth(480)
        self.store = store
        self.account: Account | None = None
        self._transport = transport
        self._task: asyncio.Task[Account] | None = None

        heading = QLabel(self.tr("Sign in to your Traveler server"), self)
        heading.setObjectName("dialogHeading")
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(
            self.tr(
                "Both the ToDo app and the Companion use this account. The password is kept "
                "in your system keyring."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.server = QLineEdit(server_url, self)
        self.server.setPlaceholderText("https://traveler.example.com/traveler")
        self.user = QLineEdit(user, self)
        self.user.setPlaceholderText(self.tr("e.g. alice"))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.addRow(self.tr("Server URL"), self.server)
        form.addRow(self.tr("User name"), self.user)
        form.addRow(self.tr("Password"), self.password)
        self.message = QLabel(self)
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button: QPushButton = self.buttons.addButton(
            self.tr("Sign in"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        (self.password if server_url and user else self.server).setFocus()

    def start(self) -> None:
        """Test the connection and sign in (Enter or the Sign in button)."""
        if self._task is not None and not self._task.done():
            return
        self._show_busy(True)
        self.message.setText(self.tr("Testing the connection…"))
        self.message.setProperty("error", False)
        self._restyle()
        self.message.show()
        self._task = asyncio.ensure_future(
            sign_in(
                self.store,
                self.server.text(),
                self.user.text(),
                self.password.text(),
                transport=self._transport,
            )
        )
        self._task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Account]) -> None:
        self._show_busy(False)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self.account = task.result()
            self.accept()
            return
        if not isinstance(error, _EXPECTED):
            raise error
        self.message.setText(str(error))
        self.message.setProperty("error", True)
        self._restyle()
        self.password.setFocus()
        self.password.selectAll()

    def _show_busy(self, busy: bool) -> None:
        for widget in (self.server, self.user, self.password, self.sign_in_button):
            widget.setEnabled(not busy)

    def _restyle(self) -> None:
        style = self.message.style()
        style.unpolish(self.message)
        style.polish(self.message)

    def reject(self) -> None:
        """Cancel: stop a connection test that is under way."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()
