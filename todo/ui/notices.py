"""Banners at the top of the editor: the conflict notice ("Changed on another device — your
version: …", one-click restore) and a delegated todo's state with the answers to give."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from todo.task import PartStat, Task
from todo.ui import texts


def _quoted(text: str) -> str:
    return QCoreApplication.translate("Texts", "“%1”").replace("%1", text)


def differences(current: Task, mine: Task, today: date) -> list[str]:
    """The user's values of the fields where their version differs, in words."""
    parts: list[str] = []
    if mine.summary != current.summary:
        parts.append(_quoted(mine.summary or QCoreApplication.translate("Texts", "(no subject)")))
    if mine.due != current.due:
        parts.append(
            QCoreApplication.translate("Texts", "due %1").replace(
                "%1", texts.moment_text(mine.due, today)
            )
            if mine.due is not None
            else QCoreApplication.translate("Texts", "no due date")
        )
    if mine.priority != current.priority:
        parts.append(
            QCoreApplication.translate("Texts", "priority %1").replace(
                "%1", texts.priority_text(mine.priority)
            )
        )
    if mine.is_completed != current.is_completed:
        parts.append(
            QCoreApplication.translate("Texts", "completed")
            if mine.is_completed
            else QCoreApplication.translate("Texts", "not completed")
        )
    if mine.categories != current.categories:
        parts.append(
            QCoreApplication.translate("Texts", "lists %1").replace(
                "%1", ", ".join(mine.categories)
            )
            if mine.categories
            else QCoreApplication.translate("Texts", "in no list")
        )
    if mine.description != current.description:
        notes = mine.description.strip().replace("\n", " ")
        parts.append(
            QCoreApplication.translate("Texts", "notes %1").replace(
                "%1", _quoted(notes[:60] + ("…" if len(notes) > 60 else ""))
            )
            if notes
            else QCoreApplication.translate("Texts", "no notes")
        )
    if not parts:
        parts.append(QCoreApplication.translate("Texts", "other details"))
    return parts


class _Banner(QFrame):
    """A coloured box with a message and buttons."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(kind)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        layout.addWidget(self.message)
        layout.addLayout(self.buttons)
        self.hide()


class ConflictNotice(_Banner):
    """Shown when the server's answer replaced the user's edit."""

    restore_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("conflictNotice", parent)
        self.restore = QPushButton(self.tr("Restore my version"), self)
        self.restore.clicked.connect(self.restore_requested)
        self.buttons.addWidget(self.restore)
        self.buttons.addStretch(1)

    def show_conflict(
        self, current: Task | None, mine: Task | None, today: date | None = None
    ) -> None:
        """Show the notice for ``mine`` overridden by ``current`` (hide it if there is none)."""
        if current is None or mine is None:
            self.hide()
            return
        found = differences(current, mine, today or date.today())
        self.message.setText(
            self.tr("Changed on another device — your version: %1").replace("%1", "; ".join(found))
        )
        self.show()


class DelegationBar(_Banner):
    """Who delegated the todo and to whom, and the assignee's answers (accept, decline,
    complete)."""

    answered = Signal(object)  # PartStat

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("delegationBar", parent)
        self.me = ""
        self.accept = QPushButton(self.tr("Accept"), self)
        self.decline = QPushButton(self.tr("Decline"), self)
        self.complete = QPushButton(self.tr("Mark as completed"), self)
        for button, partstat in (
            (self.accept, PartStat.ACCEPTED),
            (self.decline, PartStat.DECLINED),
            (self.complete, PartStat.COMPLETED),
        ):
            button.clicked.connect(lambda _checked=False, p=partstat: self.answered.emit(p))
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)

    def show_task(self, task: Task | None) -> None:
        """Show the delegation state of ``task`` (hidden when nobody delegated it)."""
        if task is None or not task.assignees:
            self.hide()
            return
        me = self.me.casefold()
        mine = next((a for a in task.assignees if a.email.casefold() == me), None)
        organizer = task.organizer
        delegated_to_me = (
            mine is not None and organizer is not None and organizer.email.casefold() != me
        )
        if delegated_to_me:
            assert organizer is not None and mine is not None
            who = organizer.name or organizer.email
            if mine.partstat is PartStat.NEEDS_ACTION:
                text = self.tr("%1 delegated this todo to you.").replace("%1", who)
            else:
                text = (
                    self.tr("%1 delegated this todo to you. You %2.")
                    .replace("%1", who)
                    .replace("%2", texts.partstat_text(mine.partstat))
                )
            answered = mine.partstat
            self.accept.setVisible(answered in (PartStat.NEEDS_ACTION, PartStat.DECLINED))
            self.decline.setVisible(
                answered in (PartStat.NEEDS_ACTION, PartStat.ACCEPTED, PartStat.IN_PROCESS)
            )
            self.complete.setVisible(
                answered is not PartStat.COMPLETED and answered is not PartStat.DECLINED
            )
        else:
            lines = [
                self.tr("%1: %2")
                .replace("%1", a.name or a.email)
                .replace("%2", texts.partstat_text(a.partstat))
                for a in task.assignees
            ]
            text = self.tr("Assigned to:") + "\n" + "\n".join(lines)
            for button in (self.accept, self.decline, self.complete):
                button.hide()
        self.message.setText(text)
        self.show()
