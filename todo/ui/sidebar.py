"""The lists on the left: All, Due Today, Overdue, By Due Date, By Priority, Completed, then
the user's own lists, each with how many open todos it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from todo.views import View, ViewSpec

if TYPE_CHECKING:  # the store loads on its worker thread, after the window shows
    from todo.store import ListInfo

SPEC_ROLE = int(Qt.ItemDataRole.UserRole) + 1
COUNT_ROLE = int(Qt.ItemDataRole.UserRole) + 2
HEADER_ROLE = int(Qt.ItemDataRole.UserRole) + 3

_Index = QModelIndex | QPersistentModelIndex


def view_title(spec: ViewSpec) -> str:
    """The name of a list as the sidebar and the list header show it."""
    if spec.view is View.LIST:
        return spec.list_name
    return QCoreApplication.translate("Sidebar", str(_NAMES[spec.view]))


_NAMES = {
    View.ALL: QT_TRANSLATE_NOOP("Sidebar", "All"),
    View.TODAY: QT_TRANSLATE_NOOP("Sidebar", "Due Today"),
    View.OVERDUE: QT_TRANSLATE_NOOP("Sidebar", "Overdue"),
    View.BY_DUE: QT_TRANSLATE_NOOP("Sidebar", "By Due Date"),
    View.BY_PRIORITY: QT_TRANSLATE_NOOP("Sidebar", "By Priority"),
    View.COMPLETED: QT_TRANSLATE_NOOP("Sidebar", "Completed"),
}


class _CountDelegate(QStyledItemDelegate):
    """A list name with its count right-aligned; a header in small capitals."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 40, size.height() + (14 if index.data(HEADER_ROLE) else 10))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        painter.save()
        if index.data(HEADER_ROLE):
            font = QFont(opt.font)
            font.setPointSizeF(font.pointSizeF() * 0.85)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                rect.adjusted(14, 6, -10, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                str(index.data(Qt.ItemDataRole.DisplayRole)).upper(),
            )
            painter.restore()
            return
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            highlight = palette.color(QPalette.ColorRole.Highlight)
            highlight.setAlpha(45)
            painter.setBrush(highlight)
            painter.drawRoundedRect(rect.adjusted(6, 2, -6, -2), 6, 6)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        font = QFont(opt.font)
        font.setBold(selected)
        painter.setFont(font)
        count = index.data(COUNT_ROLE)
        count_text = str(count) if count else ""
        count_width = painter.fontMetrics().horizontalAdvance(count_text) + 6
        name_rect = rect.adjusted(16, 0, -(16 + count_width), 0)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                str(index.data(Qt.ItemDataRole.DisplayRole)),
                Qt.TextElideMode.ElideRight,
                name_rect.width(),
            ),
        )
        if count_text:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                rect.adjusted(0, 0, -16, 0),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                count_text,
            )
        painter.restore()


class Sidebar(QListWidget):
    """Emits ``selected`` with the ViewSpec of the list the user picks."""

    selected = Signal(object)  # ViewSpec

    FIXED = (View.ALL, View.TODAY, View.OVERDUE, View.BY_DUE, View.BY_PRIORITY, View.COMPLETED)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setItemDelegate(_CountDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for view in self.FIXED:
            self._add(ViewSpec(view))
        self._header = QListWidgetItem(QCoreApplication.translate("Sidebar", "My lists"))
        self._header.setData(HEADER_ROLE, True)
        self._header.setFlags(Qt.ItemFlag.NoItemFlags)
        self.addItem(self._header)
        self._header.setHidden(True)
        self.currentItemChanged.connect(self._picked)
        self.setCurrentRow(0)

    def _add(self, spec: ViewSpec) -> QListWidgetItem:
        item = QListWidgetItem(view_title(spec))
        item.setData(SPEC_ROLE, spec)
        self.addItem(item)
        return item

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None and item.data(SPEC_ROLE) is not None:
            self.selected.emit(item.data(SPEC_ROLE))

    def current_spec(self) -> ViewSpec:
        """The list selected now."""
        item = self.currentItem()
        spec = item.data(SPEC_ROLE) if item is not None else None
        return spec if isinstance(spec, ViewSpec) else ViewSpec()

    def select_view(self, view: View, list_name: str = "") -> None:
        """Select a list by view (and name, for a user list)."""
        for row in range(self.count()):
            spec = self.item(row).data(SPEC_ROLE)
            if isinstance(spec, ViewSpec) and spec.view is view and spec.list_name == list_name:
                self.setCurrentRow(row)
                return

    def set_counts(self, counts: dict[View, int], lists: list[ListInfo]) -> None:
        """Show the counts and the user's lists (keeping the selection)."""
        current = self.current_spec()
        self.blockSignals(True)
        header_row = self.row(self._header)
        while self.count() > header_row + 1:
            self.takeItem(header_row + 1)
        for row in range(header_row):
            item = self.item(row)
            view = item.data(SPEC_ROLE).view
            item.setData(COUNT_ROLE, counts.get(view, 0))
        for info in lists:
            item = self._add(ViewSpec(View.LIST, info.name))
            item.setData(COUNT_ROLE, info.open_count)
        self._header.setHidden(not lists)
        self.blockSignals(False)
        for row in range(self.count()):
            spec = self.item(row).data(SPEC_ROLE)
            if spec is not None and (spec.view, spec.list_name) == (
                current.view,
                current.list_name,
            ):
                self.blockSignals(True)
                self.setCurrentRow(row)
                self.blockSignals(False)
                return
        self.setCurrentRow(0)
