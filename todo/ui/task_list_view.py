"""The view of the todo list: one column of equally tall rows painted by the task delegate.

It is a ``QTableView`` dressed as a list on purpose: a ``QListView`` lays out every row of the
model on each reset (its static layout asks the model for an index per row, and each of those
calls the Python ``rowCount``), which costs about 0.2 s for 80,000 todos on every switch of
list or search. The table view keeps row geometry in its vertical header, which with one fixed
section size costs nothing per row, so a reset of 100,000 rows paints in a few milliseconds.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from todo.ui.task_delegate import row_height


class TaskListView(QTableView):
    """A single-column, single-selection list of todos with fixed row height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        # Tab leaves the list for the next widget instead of walking cells (there is one).
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        columns = self.horizontalHeader()
        columns.hide()
        columns.setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setMinimumSectionSize(1)
        self._fit_rows()

    def _fit_rows(self) -> None:
        self.verticalHeader().setDefaultSectionSize(row_height(QFontMetrics(self.font())))

    def changeEvent(self, event: QEvent) -> None:
        # The row height follows the font (a larger system font, a style sheet's font).
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_rows()
        super().changeEvent(event)
