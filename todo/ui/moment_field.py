"""An optional date, with an optional time: the editor's start and due fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from PySide6.QtCore import QCoreApplication, QDate, QTime, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QTimeEdit, QWidget

from todo.ui import texts


class MomentField(QWidget):
    """A date field that can be empty, with a time of day unless "All day" is ticked.

    A time keeps the zone the task had; a new time is stored as the moment in UTC, shown in
    the local zone.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone: tzinfo | None = UTC
        self._set = QCheckBox(self)
        self._set.setAccessibleName(QCoreApplication.translate("Texts", "Set a date"))
        self._date = QDateEdit(self)
        self._date.setCalendarPopup(True)
        self._time = QTimeEdit(self)
        self._all_day = QCheckBox(QCoreApplication.translate("Texts", "All day"), self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self._set)
        layout.addWidget(self._date, 1)
        layout.addWidget(self._time)
        layout.addWidget(self._all_day)
        self._set.toggled.connect(self._update)
        self._all_day.toggled.connect(self._update)
        for signal in (
            self._set.toggled,
            self._all_day.toggled,
            self._date.dateChanged,
            self._time.timeChanged,
        ):
            signal.connect(self.changed)
        self.set_value(None)

    def _update(self) -> None:
        on = self._set.isChecked()
        self._date.setEnabled(on)
        self._all_day.setEnabled(on)
        self._time.setEnabled(on and not self._all_day.isChecked())

    def set_value(self, value: date | datetime | None) -> None:
        """Show ``value`` (None: no date; a new date would default to today, all day)."""
        widgets = (self._set, self._all_day, self._date, self._time)
        for widget in widgets:
            widget.blockSignals(True)
        self._zone = value.tzinfo if isinstance(value, datetime) else UTC
        if value is None:
            self._set.setChecked(False)
            self._all_day.setChecked(True)
            self._date.setDate(QDate.currentDate())
            self._time.setTime(QTime(9, 0))
        else:
            shown = texts.qdatetime(value)
            self._set.setChecked(True)
            self._all_day.setChecked(not isinstance(value, datetime))
            self._date.setDate(shown.date())
            self._time.setTime(shown.time() if isinstance(value, datetime) else QTime(9, 0))
        for widget in widgets:
            widget.blockSignals(False)
        self._update()

    def value(self) -> date | datetime | None:
        """The date (all day), the moment, or None."""
        if not self._set.isChecked():
            return None
        day = self._date.date()
        picked = date(day.year(), day.month(), day.day())
        if self._all_day.isChecked():
            return picked
        clock = self._time.time()
        local = datetime(picked.year, picked.month, picked.day, clock.hour(), clock.minute())
        if self._zone is None:
            return local  # a floating time stays floating
        return local.astimezone().astimezone(self._zone)

    def set_date(self, value: date | datetime | None) -> None:
        """Set the value as if the user had picked it (emits ``changed``)."""
        self.set_value(value)
        self.changed.emit()
