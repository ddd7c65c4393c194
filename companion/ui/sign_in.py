"""The sign-in dialog both apps show: server URL, user name and password; it tests the
connection (a SyncML probe, then the device registration on a Traveler server) and says
plainly what is wrong. The account goes into the Companion's account store, the password
into the keyring, so the other app is signed in too. Signing in itself is
:mod:`companion.account_setup`, as for ``traveler-companion account add``; this dialog words
its problems in the user's language (:mod:`companion.ui.error_texts`)."""

from __future__ import annotations

import asyncio

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

from companion.account_setup import SignedIn, sign_in
from companion.accounts import Account, AccountStore
from companion.errors import SignInError
from companion.ui.error_texts import sign_in_error_text


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
        self._task: asyncio.Task[SignedIn] | None = None

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
        self._show_message(self.tr("Testing the connection…"), error=False)
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

    def _finished(self, task: asyncio.Task[SignedIn]) -> None:
        self._show_busy(False)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self.account = task.result().account
            self.accept()
            return
        if not isinstance(error, SignInError):
            raise error
        self._show_message(sign_in_error_text(error), error=True)
        self.password.setFocus()
        self.password.selectAll()

    def _show_busy(self, busy: bool) -> None:
        for widget in (self.server, self.user, self.password, self.sign_in_button):
            widget.setEnabled(not busy)

    def _show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        style = self.message.style()  # the [error="true"] rule applies after a re-polish
        style.unpolish(self.message)
        style.polish(self.message)
        self.message.show()
        # Grow to fit a long (or German) message: a top-level window does not grow by itself
        # for a word-wrapped label, and the layout would squeeze the fields instead.
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def reject(self) -> None:
        """Cancel: stop a connection test that is under way."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()
