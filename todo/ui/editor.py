"""The editor pane: every field of a todo (subject, notes, start, due, priority, lists,
reminder, recurrence, assignees), the conflict notice and the answer to a delegated todo."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from todo.task import Alarm, AlarmRelated, Attendee, PartStat, Priority, Task
from todo.ui import texts
from todo.ui.moment_field import MomentField
from todo.ui.notices import ConflictNotice, DelegationBar

if TYPE_CHECKING:  # the store loads on its worker thread, after the window shows
    from todo.store import TodoRecord

_PRIORITIES = (Priority.NONE, Priority.HIGH, Priority.MEDIUM, Priority.LOW)
_CUSTOM = "custom"


def split_names(text: str) -> list[str]:
    """ "Home, Renovation ,," → ["Home", "Renovation"] (order kept, duplicates dropped)."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        name = part.strip()
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


class TaskEditor(QWidget):
    """Edits one todo; ``save_requested`` carries the row and the edited task."""

    save_requested = Signal(object, object)  # TodoRecord, Task
    delete_requested = Signal(object)  # TodoRecord
    restore_requested = Signal(object)  # TodoRecord
    answer_requested = Signal(object, object)  # TodoRecord, PartStat
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TaskEditor")
        self._row: TodoRecord | None = None
        self._loading = False

        self.conflict = ConflictNotice(self)
        self.conflict.restore_requested.connect(
            lambda: self._row is not None and self.restore_requested.emit(self._row)
        )
        self.delegation = DelegationBar(self)
        self.delegation.answered.connect(
            lambda partstat: (
                self._row is not None and self.answer_requested.emit(self._row, partstat)
            )
        )

        self.subject = QLineEdit(self)
        self.subject.setPlaceholderText(self.tr("What needs doing?"))
        title_font = QFont(self.subject.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        self.subject.setFont(title_font)
        self.notes = QPlainTextEdit(self)
        self.notes.setPlaceholderText(self.tr("Notes"))
        self.notes.setTabChangesFocus(True)
        self.start = MomentField(self)
        self.due = MomentField(self)
        self.priority = QComboBox(self)
        for priority in _PRIORITIES:
            self.priority.addItem(texts.priority_text(priority), priority)
        self.lists = QLineEdit(self)
        self.lists.setPlaceholderText(self.tr("e.g. Home, Renovation"))
        self.reminder = QComboBox(self)
        self.reminder.addItem(self.tr("No reminder"), None)
        for minutes in texts.REMINDER_OFFSETS:
            self.reminder.addItem(self._offset_text(minutes), minutes)
        self.reminder.addItem(self.tr("At a set time…"), _CUSTOM)
        self.reminder_at = QDateTimeEdit(self)
        self.reminder_at.setCalendarPopup(True)
        self.recurrence = QComboBox(self)
        self.recurrence.addItem(texts.recurrence_text(None), None)
        for rule, _name in texts.RECURRENCES:
            self.recurrence.addItem(texts.recurrence_text(rule), rule)
        self.recurrence.addItem(self.tr("Custom rule…"), _CUSTOM)
        self.rule = QLineEdit(self)
        self.rule.setPlaceholderText("FREQ=MONTHLY;BYDAY=1MO")
        self.assignees = QLineEdit(self)
        self.assignees.setPlaceholderText(self.tr("user names or e-mail addresses"))
        self.assignee_states = QLabel(self)
        self.assignee_states.setWordWrap(True)
        self.assignee_states.setObjectName("hint")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("Start"), self.start)
        form.addRow(self.tr("Due"), self.due)
        form.addRow(self.tr("Priority"), self.priority)
        form.addRow(self.tr("Lists"), self.lists)
        form.addRow(self.tr("Reminder"), self.reminder)
        form.addRow("", self.reminder_at)
        form.addRow(self.tr("Repeat"), self.recurrence)
        form.addRow("", self.rule)
        form.addRow(self.tr("Assigned to"), self.assignees)
        form.addRow("", self.assignee_states)
        self._form = form

        self.save = QPushButton(self.tr("Save"), self)
        self.save.setDefault(True)
        self.save.setToolTip(self.tr("Save the changes (Ctrl+S)"))
        self.revert = QPushButton(self.tr("Discard changes"), self)
        self.delete = QPushButton(self.tr("Delete"), self)
        self.delete.setObjectName("danger")
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete)
        buttons.addStretch(1)
        buttons.addWidget(self.revert)
        buttons.addWidget(self.save)

        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.setContentsMargins(16, 12, 16, 12)
        inner.setSpacing(10)
        inner.addWidget(self.conflict)
        inner.addWidget(self.delegation)
        inner.addWidget(self.subject)
        inner.addWidget(self.notes)
        inner.addLayout(form)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.notes.setMinimumHeight(80)
        self.notes.setMaximumHeight(150)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        footer = QWidget(self)
        footer.setObjectName("editorFooter")
        footer.setLayout(buttons)
        buttons.setContentsMargins(16, 8, 16, 12)
        outer.addWidget(footer)

        self.reminder.currentIndexChanged.connect(self._show_custom_fields)
        self.recurrence.currentIndexChanged.connect(self._show_custom_fields)
        self.save.clicked.connect(self._save)
        self.revert.clicked.connect(lambda: self._row is not None and self.show_row(self._row))
        self.delete.clicked.connect(
            lambda: self._row is not None and self.delete_requested.emit(self._row)
        )
        for sequence in (QKeySequence.StandardKey.Save, QKeySequence("Ctrl+Return")):
            QShortcut(
                sequence, self, self._save, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
        QShortcut(
            QKeySequence("Escape"),
            self,
            self.closed.emit,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self._show_custom_fields()
        self.setEnabled(False)

    def _offset_text(self, minutes: int) -> str:
        """ "At the due time", "15 minutes before", "1 hour before", "1 day before"."""
        if minutes == 0:
            return self.tr("At the due time")
        hours, rest = divmod(minutes, 60)
        days, hours_rest = divmod(hours, 24)
        if not rest and not hours_rest:
            return self.tr("%n day(s) before", None, days)
        if not rest:
            return self.tr("%n hour(s) before", None, hours)
        return self.tr("%n minute(s) before", None, minutes)

    @property
    def row(self) -> TodoRecord | None:
        """The todo being edited."""
        return self._row

    def set_known_lists(self, names: list[str]) -> None:
        """Offer ``names`` as completions in the Lists field."""
        completer = QCompleter(names, self.lists)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.lists.setCompleter(completer)

    def set_me(self, email: str) -> None:
        """The signed-in user's address: who is asked to answer a delegated todo."""
        self.delegation.me = email

    def show_row(self, row: TodoRecord | None) -> None:
        """Show ``row``'s fields (None: nothing selected)."""
        self._row = row
        self.setEnabled(row is not None)
        task = row.task if row is not None else Task("")
        self.conflict.show_conflict(row.task if row else None, row.overridden if row else None)
        self.delegation.show_task(task if row is not None else None)
        self.subject.setText(task.summary)
        self.subject.setCursorPosition(0)  # a long subject shows its beginning, not its end
        self.notes.setPlainText(task.description)
        self.start.set_value(task.start)
        self.due.set_value(task.due)
        self.priority.setCurrentIndex(_PRIORITIES.index(task.priority))
        self.lists.setText(", ".join(task.categories))
        self._show_reminder(task)
        self._show_recurrence(task.recurrence)
        self.assignees.setText(", ".join(a.email for a in task.assignees))
        self.assignee_states.setText(
            "\n".join(
                f"{a.name or a.email}: {texts.partstat_text(a.partstat)}" for a in task.assignees
            )
        )
        self.assignee_states.setVisible(bool(task.assignees))
        self._show_custom_fields()

    def _show_reminder(self, task: Task) -> None:
        if not task.alarms:
            self.reminder.setCurrentIndex(0)
            return
        alarm = task.alarms[0]
        minutes = texts.alarm_offset_minutes(alarm)
        index = self.reminder.findData(minutes) if minutes is not None else -1
        if index > 0:
            self.reminder.setCurrentIndex(index)
            return
        self.reminder.setCurrentIndex(self.reminder.findData(_CUSTOM))
        fires = alarm.fires_at(task)
        self.reminder_at.setDateTime(
            texts.qdatetime(fires) if fires is not None else QDateTime.currentDateTime()
        )

    def _show_recurrence(self, rule: str | None) -> None:
        normal = rule.upper().removeprefix("RRULE:") if rule else None
        index = self.recurrence.findData(normal)
        if index < 0:
            index = self.recurrence.findData(_CUSTOM)
        self.recurrence.setCurrentIndex(index)
        self.rule.setText(rule or "")

    def _show_custom_fields(self) -> None:
        custom_reminder = self.reminder.currentData() == _CUSTOM
        self.reminder_at.setVisible(custom_reminder)
        self._form.setRowVisible(self.reminder_at, custom_reminder)
        custom_rule = self.recurrence.currentData() == _CUSTOM
        self._form.setRowVisible(self.rule, custom_rule)
        if custom_reminder and self.reminder_at.dateTime() < QDateTime.currentDateTime().addYears(
            -50
        ):
            self.reminder_at.setDateTime(QDateTime.currentDateTime().addSecs(3600))

    def edited_task(self) -> Task:
        """The task with the fields as they are in the editor."""
        assert self._row is not None
        task = self._row.task
        return replace(
            task,
            summary=self.subject.text().strip(),
            description=self.notes.toPlainText(),
            start=self.start.value(),
            due=self.due.value(),
            priority=self.priority.currentData(),
            categories=tuple(split_names(self.lists.text())),
            alarms=self._edited_alarms(task),
            recurrence=self._edited_rule(),
            assignees=self._edited_assignees(task),
        )

    def _edited_alarms(self, task: Task) -> tuple[Alarm, ...]:
        choice = self.reminder.currentData()
        rest = task.alarms[1:]
        if choice is None:
            return ()
        if choice == _CUSTOM:
            moment = self.reminder_at.dateTime().toPython()
            assert isinstance(moment, datetime)
            first = Alarm(moment.astimezone().astimezone(UTC), description=self.subject.text())
        else:
            first = Alarm(
                -timedelta(minutes=int(choice)),
                related=AlarmRelated.END,
                description=self.subject.text(),
            )
        if task.alarms and task.alarms[0].trigger == first.trigger:
            first = task.alarms[0]
        return (first, *rest)

    def _edited_rule(self) -> str | None:
        choice = self.recurrence.currentData()
        if choice == _CUSTOM:
            return self.rule.text().strip().removeprefix("RRULE:") or None
        return choice  # type: ignore[no-any-return]

    def _edited_assignees(self, task: Task) -> tuple[Attendee, ...]:
        known = {a.email.casefold(): a for a in task.assignees}
        result = []
        for name in split_names(self.assignees.text()):
            result.append(
                known.get(name.casefold(), Attendee(name, partstat=PartStat.NEEDS_ACTION))
            )
        return tuple(result)

    def _save(self) -> None:
        if self._row is None:
            return
        self.save_requested.emit(self._row, self.edited_task())
