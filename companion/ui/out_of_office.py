"""The out-of-office screen ("Abwesend") of one account, the away state of all accounts
(:class:`AwayWatch`, which the banners and the tray icon show) and the banner the windows show
while the user is away, with its one-click "I'm back".

The work is :class:`companion.ooo.OutOfOffice`'s (the server is the truth; offline a change
waits until the next contact); this module only asks and shows, off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.accounts import AccountError, AccountStore
from companion.api_client import ServerError
from companion.ooo import OooError, OooState, OutOfOffice, Updated, check_address, check_domain
from companion.secret_store import KeyringUnavailableError
from companion.ui.background import Background
from companion.ui.messages import fill

__all__ = [
    "AwayBanner",
    "AwayWatch",
    "ListEditor",
    "OutOfOfficeDialog",
    "confirmation_text",
    "is_away",
]

# What reading or changing the profile can be told; anything else is a bug and is shown raw.
_EXPECTED = (OooError, AccountError, KeyringUnavailableError, ServerError)


def confirmation_text(updated: Updated) -> str:
    """The seed's confirmation in the user's language, built from the user and server the
    server named (its own sentence is English)."""
    return fill(
        QCoreApplication.translate(
            "OutOfOffice", "Out of office settings were updated for user %1 on server %2."
        ),
        updated.user,
        updated.server,
    )


def refused_text(reason: str) -> str:
    return fill(
        QCoreApplication.translate(
            "OutOfOffice", "The change made offline was not accepted and is dropped: %1"
        ),
        reason,
    )


def failure_text(error: Exception) -> str:
    if isinstance(error, _EXPECTED):
        return str(error)
    return fill(QCoreApplication.translate("OutOfOffice", "Something went wrong: %1"), error)


def is_away(state: OooState) -> bool:
    """Whether the user is away now, as far as this computer knows; a switch-on still pending
    counts (the user has said they are away)."""
    profile = {**(state.profile or {}), **(state.pending or {})}
    if not profile.get("enabled"):
        return False
    return bool(state.pending) or profile.get("state") == "away"


def away_until(state: OooState) -> QDateTime | None:
    profile = {**(state.profile or {}), **(state.pending or {})}
    return _qt_time(profile.get("return"))


def _qt_time(value: Any) -> QDateTime | None:
    if not value:
        return None
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return QDateTime.fromSecsSinceEpoch(int(when.timestamp())).toLocalTime()


def _iso(moment: QDateTime) -> str:
    return datetime.fromtimestamp(moment.toSecsSinceEpoch(), UTC).isoformat(timespec="seconds")


class ListEditor(QWidget):
    """A list edited row by row: type an entry and Add (Enter), select rows and Remove
    (Delete). ``check`` turns an entry into the stored form or raises :class:`OooError`;
    ``problem`` words that error for the user."""

    changed = Signal()

    def __init__(
        self,
        placeholder: str,
        check: Callable[[str], str] | None = None,
        problem: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._check = check
        self._problem = problem
        self.entry = QLineEdit()
        self.entry.setPlaceholderText(placeholder)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setAutoDefault(False)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setAutoDefault(False)
        self.rows = QListWidget()
        self.rows.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.rows.setMaximumHeight(84)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setStyleSheet("color: #a40e26;")
        self.error.setWordWrap(True)
        self.error.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.entry, 1)
        top.addWidget(self.add_button)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.rows, 1)
        bottom.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self.entry.returnPressed.connect(self.add)
        self.entry.textChanged.connect(lambda _text: self.error.hide())
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove_selected)
        self.rows.itemSelectionChanged.connect(self._update)
        self._update()

    def values(self) -> list[str]:
        return [self.rows.item(i).text() for i in range(self.rows.count())]

    def set_values(self, values: list[str]) -> None:
        self.rows.clear()
        self.rows.addItems(values)
        self.entry.clear()
        self.error.hide()
        self._update()

    def add(self) -> str | None:
        """Add what the entry holds (commas separate several); the problem, or None."""
        parts = [p.strip() for p in self.entry.text().replace(";", ",").split(",") if p.strip()]
        checked = []
        for part in parts:
            try:
                checked.append(self._check(part) if self._check is not None else part)
            except OooError:
                wrong = self._problem(part) if self._problem is not None else part
                self.error.setText(wrong)
                self.error.show()
                self.entry.setFocus()
                return wrong
        have = {value.casefold() for value in self.values()}
        for value in checked:
            if value.casefold() not in have:
                self.rows.addItem(value)
                have.add(value.casefold())
        self.entry.clear()
        self._update()
        if checked:
            self.changed.emit()
        return None

    def remove_selected(self) -> None:
        for item in self.rows.selectedItems():
            self.rows.takeItem(self.rows.row(item))
        self._update()
        self.changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete) and self.rows.hasFocus():
            self.remove_selected()
            return
        super().keyPressEvent(event)

    def _update(self) -> None:
        self.remove_button.setEnabled(bool(self.rows.selectedItems()))


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
        self.resize(680, 720)
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
        self.known = ListEditor(
            self.tr("anna@partner.example"), check_address, self._not_an_address
        )
        self.known.setObjectName("knownList")
        self.addresses = ListEditor(
            self.tr("boss@example.org"), check_address, self._not_an_address
        )
        self.domains = ListEditor(self.tr("example.net"), check_domain, self._not_a_domain)
        self.subject_words = ListEditor(self.tr("newsletter"))
        self.exclusions = QTabWidget()
        self.exclusions.setObjectName("exclusions")
        self.exclusions.addTab(self.addresses, self.tr("Addresses"))
        self.exclusions.addTab(self.domains, self.tr("Domains"))
        self.exclusions.addTab(self.subject_words, self.tr("Words in the subject"))
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
        form.addRow(self.tr("People I know:"), self.known)
        form.addRow(self.tr("Never reply to:"), self.exclusions)
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
            self.known.changed,
        ):
            signal.connect(lambda *_: self._update())
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.reject)
        self._update()

    # --- loading --------------------------------------------------------------------------

    def load(self) -> None:
        """Read the profile (the server's, or the last known one with a pending change)."""
        self._say(self.tr("Loading…"))
        self.save_button.setEnabled(False)
        self.background.run(lambda: self._ooo.show(self._account_id), self._show, self._failed)

    def _show(self, state: OooState) -> None:
        self.save_button.setEnabled(True)
        profile = {**(state.profile or {}), **(state.pending or {})}
        self.fill(profile)
        kind = "ok" if state.updated else "error" if state.refused else "info"
        self._say(self._state_text(state), kind)

    def _say(self, text: str, kind: str = "info") -> None:
        """The status line: a confirmation in green, a problem in red, the rest in grey."""
        colours = {"ok": "#1a7f37", "error": "#a40e26", "info": "#57606a"}
        self.status.setStyleSheet(f"color: {colours[kind]};")
        self.status.setText(text)

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
        self.known.set_values(list(profile.get("known") or []))
        exclusions = profile.get("exclusions") or {}
        self.addresses.set_values(list(exclusions.get("addresses", [])))
        self.domains.set_values(list(exclusions.get("domains", [])))
        self.subject_words.set_values(list(exclusions.get("subject_words", [])))
        self._update()

    def _not_an_address(self, text: str) -> str:
        return fill(self.tr("“%1” is not a mail address; write it like anna@example.org."), text)

    def _not_a_domain(self, text: str) -> str:
        return fill(self.tr("“%1” is not a domain; write it like example.org."), text)

    def _state_text(self, state: OooState) -> str:
        lines = []
        if state.updated is not None:
            # A change made offline went through at this contact.
            lines.append(confirmation_text(state.updated))
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
        if state.refused:
            lines.append(refused_text(state.refused))
        return "\n".join(lines)

    # --- the form -------------------------------------------------------------------------

    def _update(self) -> None:
        timed = self.timed.isChecked()
        self.leave.setEnabled(timed)
        self.back.setEnabled(timed)
        # Shown only when wanted, so the screen stays short.
        self.form.setRowVisible(self.internal_body, self.separate.isChecked())
        self.form.setRowVisible(self.known, self.external.currentData() == "known")
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
            "known": self.known.values(),
            "exclusions": {
                "addresses": self.addresses.values(),
                "domains": self.domains.values(),
                "subject_words": self.subject_words.values(),
            },
        }

    def problem(self) -> str | None:
        """What is wrong with the form, in the user's words; None when it can be saved. An
        entry typed but not yet added to its list is added now (or is the problem)."""
        for editor, tab in (
            (self.known, -1), (self.addresses, 0), (self.domains, 1), (self.subject_words, 2)
        ):
            wrong = editor.add()
            if wrong is not None:
                if tab >= 0:
                    self.exclusions.setCurrentIndex(tab)
                return wrong
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
            self._say(wrong, "error")
            return
        changes = self.changes()
        self.save_button.setEnabled(False)
        self._say(self.tr("Saving…"))
        self.background.run(
            lambda: self._ooo.set(changes, self._account_id), self._saved, self._failed
        )

    def _saved(self, state: OooState) -> None:
        self.save_button.setEnabled(True)
        self._loaded_leave = (state.profile or {}).get("leave")
        if state.updated is not None:
            self._say(confirmation_text(state.updated), "ok")
        else:
            self._say(self._state_text(state))
        self.saved.emit(state)

    def _failed(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        self._say(failure_text(error), "error")

    def done(self, result: int) -> None:
        self.background.wait()
        super().done(result)


class AwayWatch(QObject):
    """The away state of every account with a Traveler server, read off the UI thread at
    :meth:`refresh` and every ``interval_ms`` (the server ends an absence at its return time).
    ``changed`` fires when a state is new; ``confirmed`` (account ID, text) when a change
    reached the server through the watch — "I'm back", or a change made offline sent at this
    contact; ``failed`` (account ID, text) when one could not be made."""

    changed = Signal()
    confirmed = Signal(str, str)
    failed = Signal(str, str)

    def __init__(
        self,
        store: AccountStore,
        parent: QObject | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        interval_ms: int = 5 * 60 * 1000,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._ooo = OutOfOffice(store, transport=transport)
        # One at a time: each read may send a pending change and rewrites the state file.
        self.background = Background(self, threads=1)
        self.states: dict[str, OooState] = {}
        # A change made since a read began makes that read's answer stale for the account.
        self._versions: dict[str, int] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    def refresh(self) -> None:
        """Read every account's state again."""
        versions = dict(self._versions)
        self.background.run(self._read_all, lambda found: self._took(found, versions),
                            lambda error: self.failed.emit("", failure_text(error)))

    async def _read_all(self) -> tuple[list[str], dict[str, OooState], dict[str, str]]:
        ids = [account.id for account in self.store.accounts() if account.traveler_api]
        states: dict[str, OooState] = {}
        errors: dict[str, str] = {}
        for account_id in ids:
            try:
                states[account_id] = await self._ooo.show(account_id)
            except _EXPECTED as exc:
                errors[account_id] = str(exc)
        return ids, states, errors

    def _took(
        self,
        found: tuple[list[str], dict[str, OooState], dict[str, str]],
        versions: dict[str, int],
    ) -> None:
        ids, states, errors = found
        for gone in set(self.states) - set(ids):
            del self.states[gone]
        for account_id, state in states.items():
            if self._versions.get(account_id, 0) != versions.get(account_id, 0):
                continue
            self.states[account_id] = state
            if state.updated is not None:
                self.confirmed.emit(account_id, confirmation_text(state.updated))
            if state.refused:
                self.failed.emit(account_id, refused_text(state.refused))
        for account_id, text in errors.items():
            self.failed.emit(account_id, text)
        self.changed.emit()

    def set_state(self, state: OooState) -> None:
        """A state learnt elsewhere (the out-of-office screen saved)."""
        self._bump(state.account.id)
        self.states[state.account.id] = state
        self.changed.emit()

    def im_back(self, account_id: str) -> None:
        """Switch automatic replies off for the account, in one click."""
        self._bump(account_id)
        self.background.run(
            lambda: self._ooo.set({"enabled": False}, account_id),
            self._back,
            lambda error: self.failed.emit(account_id, failure_text(error)),
        )

    def _back(self, state: OooState) -> None:
        self.set_state(state)
        if state.updated is not None:
            self.confirmed.emit(state.account.id, confirmation_text(state.updated))
        else:
            self.confirmed.emit(
                state.account.id,
                self.tr(
                    "The server cannot be reached: \u201cI'm back\u201d is pending and will "
                    "be sent at the next contact."
                ),
            )

    def away(self) -> list[OooState]:
        """The states of the accounts whose user is away, in the accounts' order."""
        return [state for state in self.states.values() if is_away(state)]

    def _bump(self, account_id: str) -> None:
        self._versions[account_id] = self._versions.get(account_id, 0) + 1

    def wait(self) -> None:
        self.background.wait()


class AwayBanner(QFrame):
    """ "You are out of the office" with a one-click "I'm back" for one account (the window
    chooses which with :meth:`show_account`); hidden while that user is not away."""

    def __init__(self, watch: AwayWatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("awayBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#awayBanner { background: #fff4ce; border: 1px solid #e0c060; border-radius: 6px; }"
        )
        self.watch = watch
        self.account_id: str | None = None
        self.named = False
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.back_button = QPushButton(self.tr("I'm back"))
        self.back_button.setObjectName("imBack")
        self.back_button.setAutoDefault(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.back_button)
        self.back_button.clicked.connect(self.im_back)
        watch.changed.connect(self._update)
        watch.failed.connect(self._failed)
        self.hide()

    def show_account(self, account_id: str | None, *, named: bool = False) -> None:
        """Follow ``account_id``; ``named`` puts the account's name in the text (when the
        window shows several)."""
        self.account_id = account_id
        self.named = named
        self._update()

    def _update(self) -> None:
        state = self.watch.states.get(self.account_id or "")
        if state is None or not is_away(state):
            self.hide()
            return
        back = away_until(state)
        if back is None:
            text = self.tr("You are out of the office; automatic replies are on.")
        else:
            text = fill(
                self.tr("You are out of the office until %1; automatic replies are on."),
                QLocale().toString(back, QLocale.FormatType.ShortFormat),
            )
        if self.named:
            account = state.account
            text = fill(self.tr("%1 on %2:"), account.display_name or account.user,
                        account.server_name or account.server_url) + " " + text
        if state.pending:
            text += " " + self.tr("(Pending: not yet sent to the server.)")
        self.text.setText(text)
        self.back_button.setEnabled(True)
        self.show()

    def im_back(self) -> None:
        if self.account_id is not None:
            self.back_button.setEnabled(False)
            self.watch.im_back(self.account_id)

    def _failed(self, account_id: str, text: str) -> None:
        if account_id == self.account_id and self.isVisible():
            self.back_button.setEnabled(True)
            self.text.setText(text)
