"""The out-of-office screen ("Abwesend") of one account, and the banner the main window shows
while the user is away.

The work is :class:`companion.ooo.OutOfOffice`'s (the server is the truth; offline a change
waits until the next contact); this module only asks and shows, off the UI thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from companion.accounts import Account, AccountStore
from companion.ooo import OooError, OooState, OutOfOffice
from companion.ui.background import Background
from companion.ui.messages import fill

__all__ = ["AwayBanner", "OutOfOfficeDialog", "confirmation_text"]


def confirmation_text(account: Account) -> str:
    """The seed's confirmation, in the user's language (the server's own is in English)."""
    return fill(
        QCoreApplication.translate(
            "OutOfOffice", "Out of office settings were updated for user %1 on server %2."
        ),
        account.display_name or account.user,
        account.server_name or account.server_url,
    )


def _qt_time(value: Any) -> QDateTime | None:
    if not value:
        return None
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return QDateTime.fromSecsSinceEpoch(int(when.timestamp())).toLocalTime()


def _iso(moment: QDateTime) -> str:
    return datetime.fromtimestamp(moment.toSecsSinceEpoch(), UTC).isoformat(timespec="seconds")


def _words(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class OutOfOfficeDialog(QDialog):
    """On/off, duration, subject, replies inside and outside, audience, exclusions, preview;
    ``saved`` fires with the :class:`OooState` after a save (sent or pending)."""

    saved = Signal(object)

    def __init__(
        self,
        store: AccountStore,
        account_id: str,
        parent: QWidget | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("outOfOfficeDialog")
        self.setWindowTitle(self.tr("Out of office — Traveler Companion"))
        self.resize(640, 640)
        self._ooo = OutOfOffice(store, transport=transport)
        self._account_id = account_id
        self.account = store.get(account_id)
        self.background = Background(self)
        self._loaded_leave: str | None = None

        who = QLabel(
            fill(
                self.tr("For %1 on %2"),
                self.account.display_name or self.account.user,
                self.account.server_name or self.account.server_url,
            )
        )
        who.setObjectName("hint")
        self.enabled = QCheckBox(self.tr("Send automatic replies while I am away"))
        self.unlimited = QRadioButton(self.tr("Unlimited (until I switch it off)"))
        self.timed = QRadioButton(self.tr("Only during this time:"))
        self.unlimited.setChecked(True)
        now = QDateTime.currentDateTime()
        self.leave = QDateTimeEdit(now)
        self.back = QDateTimeEdit(now.addDays(7))
        for edit in (self.leave, self.back):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(QLocale().dateTimeFormat(QLocale.FormatType.ShortFormat))
        self.subject = QLineEdit()
        self.subject.setPlaceholderText(self.tr("e.g. Out of office until Monday"))
        self.body = QPlainTextEdit()
        self.body.setObjectName("replyBody")
        self.separate = QCheckBox(self.tr("A different reply for people in my organisation"))
        self.internal_body = QPlainTextEdit()
        self.internal_body.setObjectName("internalBody")
        self.external = QComboBox()
        self.external.addItem(self.tr("Nobody outside"), "none")
        self.external.addItem(self.tr("People I have mailed or who are in my contacts"), "known")
        self.external.addItem(self.tr("Everyone outside"), "all")
        self.external.setCurrentIndex(2)
        self.addresses = QLineEdit()
        self.addresses.setPlaceholderText(self.tr("boss@example.org, hr@example.org"))
        self.domains = QLineEdit()
        self.domains.setPlaceholderText(self.tr("example.net"))
        self.subject_words = QLineEdit()
        self.subject_words.setPlaceholderText(self.tr("newsletter, invoice"))
        self.preview_for = QComboBox()
        self.preview_for.addItem(self.tr("someone outside"), "external")
        self.preview_for.addItem(self.tr("a colleague"), "internal")
        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview.setMargin(8)
        self.preview.setMinimumHeight(90)
        self.status = QLabel()
        self.status.setObjectName("oooStatus")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        close = QPushButton(self.tr("Close"))

        duration = QHBoxLayout()
        duration.addWidget(self.leave)
        duration.addWidget(QLabel(self.tr("to")))
        duration.addWidget(self.back)
        duration.addStretch(1)
        for text in (self.body, self.internal_body):
            text.setMaximumHeight(110)
        form = self.form = QFormLayout()
        form.addRow(self.enabled)
        form.addRow(self.tr("Duration:"), self.unlimited)
        form.addRow("", self.timed)
        form.addRow(self.tr("Leave / return:"), duration)
        form.addRow(self.tr("Subject:"), self.subject)
        form.addRow(self.tr("Reply:"), self.body)
        form.addRow(self.separate)
        form.addRow(self.tr("Reply inside:"), self.internal_body)
        form.addRow(self.tr("Outside, reply to:"), self.external)
        form.addRow(self.tr("No reply to addresses:"), self.addresses)
        form.addRow(self.tr("… or domains:"), self.domains)
        form.addRow(self.tr("… or subjects with:"), self.subject_words)
        form.addRow(self.tr("Preview for:"), self.preview_for)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        for signal in (
            self.enabled.toggled,
            self.timed.toggled,
            self.separate.toggled,
            self.subject.textChanged,
            self.body.textChanged,
            self.internal_body.textChanged,
            self.external.currentIndexChanged,
            self.preview_for.currentIndexChanged,
        ):
            signal.connect(lambda *_: self._update())
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.reject)
        self._update()

    # --- loading --------------------------------------------------------------------------

    def load(self) -> None:
        """Read the profile (the server's, or the last known one with a pending change)."""
        self.status.setText(self.tr("Loading…"))
        self.save_button.setEnabled(False)
        self.background.run(lambda: self._ooo.show(self._account_id), self._show, self._failed)

    def _show(self, state: OooState) -> None:
        self.save_button.setEnabled(True)
        profile = {**(state.profile or {}), **(state.pending or {})}
        self.fill(profile)
        self.status.setText(self._state_text(state))

    def fill(self, profile: dict[str, Any]) -> None:
        self.enabled.setChecked(bool(profile.get("enabled")))
        leave, back = _qt_time(profile.get("leave")), _qt_time(profile.get("return"))
        self._loaded_leave = profile.get("leave")
        self.timed.setChecked(leave is not None or back is not None)
        self.unlimited.setChecked(leave is None and back is None)
        if leave is not None:
            self.leave.setDateTime(leave)
        if back is not None:
            self.back.setDateTime(back)
        self.subject.setText(str(profile.get("subject") or ""))
        self.body.setPlainText(str(profile.get("body") or ""))
        internal = profile.get("internal_body")
        self.separate.setChecked(bool(internal))
        self.internal_body.setPlainText(str(internal or ""))
        index = self.external.findData(profile.get("external", "all"))
        self.external.setCurrentIndex(max(index, 0))
        exclusions = profile.get("exclusions") or {}
        self.addresses.setText(", ".join(exclusions.get("addresses", [])))
        self.domains.setText(", ".join(exclusions.get("domains", [])))
        self.subject_words.setText(", ".join(exclusions.get("subject_words", [])))
        self._update()

    def _state_text(self, state: OooState) -> str:
        lines = []
        if state.pending:
            lines.append(
                self.tr(
                    "The server cannot be reached: your change is pending and will be sent "
                    "at the next contact."
                )
            )
        elif not state.online:
            lines.append(
                self.tr("The server cannot be reached: these are the last known settings.")
            )
        if state.note:
            lines.append(state.note)
        return "\n".join(lines)

    # --- the form -------------------------------------------------------------------------

    def _update(self) -> None:
        timed = self.timed.isChecked()
        self.leave.setEnabled(timed)
        self.back.setEnabled(timed)
        # Shown only when wanted, so the screen stays short.
        self.form.setRowVisible(self.internal_body, self.separate.isChecked())
        self.preview.setText(self.preview_text())

    def changes(self) -> dict[str, Any]:
        """The form as fields of ``PUT ooo``."""
        timed = self.timed.isChecked()
        return {
            "enabled": self.enabled.isChecked(),
            "leave": _iso(self.leave.dateTime()) if timed else None,
            "return": _iso(self.back.dateTime()) if timed else None,
            "subject": self.subject.text().strip(),
            "body": self.body.toPlainText(),
            "internal_body": self.internal_body.toPlainText()
            if self.separate.isChecked()
            else None,
            "external": self.external.currentData(),
            "exclusions": {
                "addresses": _words(self.addresses.text()),
                "domains": _words(self.domains.text()),
                "subject_words": _words(self.subject_words.text()),
            },
        }

    def problem(self) -> str | None:
        """What is wrong with the form, in the user's words; None when it can be saved."""
        now = datetime.now(UTC)
        timed = self.timed.isChecked()
        leave = datetime.fromtimestamp(self.leave.dateTime().toSecsSinceEpoch(), UTC)
        back = datetime.fromtimestamp(self.back.dateTime().toSecsSinceEpoch(), UTC)
        if timed and back <= leave:
            return self.tr("The return must be after the leave.")
        if not self.enabled.isChecked():
            return None
        if not self.subject.text().strip():
            return self.tr("Write a subject for the reply.")
        if not self.body.toPlainText().strip():
            return self.tr("Write the text of the reply.")
        if self.separate.isChecked() and not self.internal_body.toPlainText().strip():
            return self.tr("Write the reply for people in your organisation, or untick it.")
        if timed and back <= now:
            return self.tr("The return is in the past.")
        # A leave already saved may have passed (the user is away now); a new one may not.
        changed = self._loaded_leave != _iso(self.leave.dateTime())
        if timed and changed and leave < now - timedelta(minutes=5):
            return self.tr("The leave is in the past; choose a later time or Unlimited.")
        return None

    def preview_text(self) -> str:
        """The reply as the sender sees it."""
        if not self.enabled.isChecked():
            return self.tr("No automatic reply is sent.")
        internal = self.preview_for.currentData() == "internal"
        if not internal and self.external.currentData() == "none":
            return self.tr("People outside your organisation get no reply.")
        body = self.body.toPlainText()
        if internal and self.separate.isChecked():
            body = self.internal_body.toPlainText()
        sender = self.account.display_name or self.account.user
        return "\n".join(
            [
                fill(self.tr("From: %1"), sender),
                fill(self.tr("Subject: %1"), self.subject.text().strip()),
                "",
                body,
            ]
        )

    # --- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        """Check the form, then send it (or keep it pending) off the UI thread."""
        wrong = self.problem()
        if wrong is not None:
            self.status.setText(wrong)
            return
        changes = self.changes()
        self.save_button.setEnabled(False)
        self.status.setText(self.tr("Saving…"))
        self.background.run(
            lambda: self._ooo.set(changes, self._account_id), self._saved, self._failed
        )

    def _saved(self, state: OooState) -> None:
        self.save_button.setEnabled(True)
        self._loaded_leave = (state.profile or {}).get("leave")
        if state.online:
            self.status.setText(confirmation_text(self.account))
        else:
            self.status.setText(self._state_text(state))
        self.saved.emit(state)

    def _failed(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, OooError):
            self.status.setText(str(error))
        else:
            self.status.setText(fill(self.tr("Something went wrong: %1"), error))

    def done(self, result: int) -> None:
        self.background.wait()
        super().done(result)


class AwayBanner(QFrame):
    """ "You are out of the office" with a one-click "I'm back", for the main window; hidden
    while the user is not away."""

    changed = Signal(object)

    def __init__(
        self,
        store: AccountStore,
        parent: QWidget | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("awayBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#awayBanner { background: #fff4ce; border: 1px solid #e0c060; }")
        self._ooo = OutOfOffice(store, transport=transport)
        self.background = Background(self)
        self.account_id: str | None = None
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.back_button = QPushButton(self.tr("I'm back"))
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.back_button)
        self.back_button.clicked.connect(self.im_back)
        self.hide()

    def refresh(self, account_id: str | None) -> None:
        self.account_id = account_id
        if account_id is None:
            self.hide()
            return
        self.background.run(lambda: self._ooo.show(account_id), self.show_state, self._failed)

    def show_state(self, state: OooState) -> None:
        profile = {**(state.profile or {}), **(state.pending or {})}
        # A pending switch-on counts: the user has said they are away.
        away = bool(profile.get("enabled")) and (
            bool(state.pending) or profile.get("state") == "away"
        )
        if not away:
            self.hide()
            self.changed.emit(state)
            return
        back = _qt_time(profile.get("return"))
        if back is None:
            text = self.tr("You are out of the office; automatic replies are on.")
        else:
            text = fill(
                self.tr("You are out of the office until %1; automatic replies are on."),
                QLocale().toString(back, QLocale.FormatType.ShortFormat),
            )
        if state.pending:
            text += " " + self.tr("(Pending: not yet sent to the server.)")
        self.text.setText(text)
        self.back_button.setEnabled(True)
        self.show()
        self.changed.emit(state)

    def im_back(self) -> None:
        """Switch automatic replies off, in one click."""
        account_id = self.account_id
        if account_id is None:
            return
        self.back_button.setEnabled(False)
        self.background.run(
            lambda: self._ooo.set({"enabled": False}, account_id), self.show_state, self._failed
        )

    def _failed(self, error: Exception) -> None:
        self.back_button.setEnabled(True)
        self.text.setText(fill(self.tr("Something went wrong: %1"), error))
