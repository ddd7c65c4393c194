"""The lists on the left: All, Due Today, Overdue, By Due Date, By Priority (with High, Medium
and Low under it, as the seed's "By Priority (High, Medium, Low)"), Completed, then the user's
own lists, each with how many open todos it holds."""

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
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from todo.task import Priority
from todo.views import PRIORITY_LISTS, View, ViewSpec

if TYPE_CHECKING:  # the store loads on its worker thread, after the window shows
    from todo.store import ListInfo

SPEC_ROLE = int(Qt.ItemDataRole.UserRole) + 1
COUNT_ROLE = int(Qt.ItemDataRole.UserRole) + 2
HEADER_ROLE = int(Qt.ItemDataRole.UserRole) + 3
CHILD_ROLE = int(Qt.ItemDataRole.UserRole) + 4  # a list under another one (High under By Priority)

_Index = QModelIndex | QPersistentModelIndex


def view_title(spec: ViewSpec) -> str:
    """The name of a list as the sidebar and the list header show it."""
    if spec.view is View.LIST:
        return spec.list_name
    if spec.priority is not None:
        return QCoreApplication.translate("Sidebar", str(_PRIORITY_TITLES[spec.priority]))
    return QCoreApplication.translate("Sidebar", str(_NAMES[spec.view]))


def _item_name(spec: ViewSpec) -> str:
    """The name in the sidebar (a priority under By Priority is just "High")."""
    if spec.priority is not None:
        return QCoreApplication.translate("Sidebar", str(_PRIORITY_NAMES[spec.priority]))
    return view_title(spec)


def sidebar_specs() -> list[ViewSpec]:
    """The fixed lists in sidebar order, the three priorities after By Priority."""
    specs: list[ViewSpec] = []
    for view in Sidebar.FIXED:
        specs.append(ViewSpec(view))
        if view is View.BY_PRIORITY:
            specs += [ViewSpec(view, priority=p) for p in PRIORITY_LISTS]
    return specs


_NAMES = {
    View.ALL: QT_TRANSLATE_NOOP("Sidebar", "All"),
    View.TODAY: QT_TRANSLATE_NOOP("Sidebar", "Due Today"),
    View.OVERDUE: QT_TRANSLATE_NOOP("Sidebar", "Overdue"),
    View.BY_DUE: QT_TRANSLATE_NOOP("Sidebar", "By Due Date"),
    View.BY_PRIORITY: QT_TRANSLATE_NOOP("Sidebar", "By Priority"),
    View.COMPLETED: QT_TRANSLATE_NOOP("Sidebar", "Completed"),
}
_PRIORITY_NAMES = {
    Priority.HIGH: QT_TRANSLATE_NOOP("Sidebar", "High"),
    Priority.MEDIUM: QT_TRANSLATE_NOOP("Sidebar", "Medium"),
    Priority.LOW: QT_TRANSLATE_NOOP("Sidebar", "Low"),
}
_PRIORITY_TITLES = {
    Priority.HIGH: QT_TRANSLATE_NOOP("Sidebar", "High priority"),
    Priority.MEDIUM: QT_TRANSLATE_NOOP("Sidebar", "Medium priority"),
    Priority.LOW: QT_TRANSLATE_NOOP("Sidebar", "Low priority"),
}
# The coloured dot before a priority's name (the list's own priority colours).
_PRIORITY_DOTS = {Priority.HIGH: "#d13438", Priority.MEDIUM: "#ca8a04", Priority.LOW: "#2b88d8"}


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
        indent = 16
        spec = index.data(SPEC_ROLE)
        if index.data(CHILD_ROLE) and isinstance(spec, ViewSpec) and spec.priority is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(_PRIORITY_DOTS[spec.priority]))
            painter.drawEllipse(rect.left() + 32, rect.center().y() - 3, 7, 7)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            indent = 48
        name_rect = rect.adjusted(indent, 0, -(16 + count_width), 0)
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
        for spec in sidebar_specs():
            self._add(spec).setData(CHILD_ROLE, spec.priority is not None)
        self._header = QListWidgetItem(QCoreApplication.translate("Sidebar", "My lists"))
        self._header.setData(HEADER_ROLE, True)
        self._header.setFlags(Qt.ItemFlag.NoItemFlags)
        self.addItem(self._header)
        self._header.setHidden(True)
        self.currentItemChanged.connect(self._picked)
        self.setCurrentRow(0)

    def _add(self, spec: ViewSpec) -> QListWidgetItem:
        item = QListWidgetItem(_item_name(spec))
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

    def select_view(
        self, view: View, list_name: str = "", priority: Priority | None = None
    ) -> None:
        """Select a list by view (and name, for a user list; priority, under By Priority)."""
        for row in range(self.count()):
            spec = self.item(row).data(SPEC_ROLE)
            if isinstance(spec, ViewSpec) and _same_list(
                spec, ViewSpec(view, list_name, priority=priority)
            ):
                self.setCurrentRow(row)
                return

    def set_counts(self, counts: dict[ViewSpec, int], lists: list[ListInfo]) -> None:
        """Show the counts and the user's lists (keeping the selection)."""
        current = self.current_spec()
        self.blockSignals(True)
        header_row = self.row(self._header)
        while self.count() > header_row + 1:
            self.takeItem(header_row + 1)
        for row in range(header_row):
            item = self.item(row)
            item.setData(COUNT_ROLE, counts.get(item.data(SPEC_ROLE), 0))
        for info in lists:
            item = self._add(ViewSpec(View.LIST, info.name))
            item.setData(COUNT_ROLE, info.open_count)
        self._header.setHidden(not lists)
        self.blockSignals(False)
        for row in range(self.count()):
            spec = self.item(row).data(SPEC_ROLE)
            if spec is not None and _same_list(spec, current):
                self.blockSignals(True)
                self.setCurrentRow(row)
                self.blockSignals(False)
                return
        self.setCurrentRow(0)


def _same_list(a: ViewSpec, b: ViewSpec) -> bool:
    """Whether two specs name the same sidebar entry (whatever their sort)."""
    return (a.view, a.list_name, a.priority) == (b.view, b.list_name, b.priority)
