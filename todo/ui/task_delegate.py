"""Paints one todo row: a round check button in the priority's colour, the subject, and a line
of details (due, lists, repeat, reminder, delegation, conflict). A click on the circle asks for
the todo to be completed (or reopened)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from todo.task import PartStat, Priority
from todo.ui import texts
from todo.ui.task_model import ROW_ROLE

if TYPE_CHECKING:  # the store loads on its worker thread, after the window shows
    from todo.store import TodoSummary

PRIORITY_COLOURS = {
    Priority.HIGH: QColor("#d1453b"),
    Priority.MEDIUM: QColor("#eb8909"),
    Priority.LOW: QColor("#246fe0"),
    Priority.NONE: QColor("#8a8a8a"),
}
OVERDUE = QColor("#c0392b")
TODAY = QColor("#1a7f37")
WARNING = QColor("#b26a00")

_Index = QModelIndex | QPersistentModelIndex
_MARGIN = 10
_CIRCLE = 18


def row_height(metrics: QFontMetrics) -> int:
    """The height of every row: two lines of text (subject and details) and the padding."""
    return int(metrics.height() * 2 + metrics.height() * 0.4 + 2 * 8)


class TaskDelegate(QStyledItemDelegate):
    """Row painter of the todo list; ``me`` is the signed-in user's e-mail (who "I" am when a
    todo was delegated)."""

    toggle_requested = Signal(object)  # the TodoSummary whose circle was clicked

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.me = ""
        # Display names of the people the user works with, by e-mail (from the todos seen).
        self.names: dict[str, str] = {}
        self.now = datetime.now  # a clock the tests can set

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(200, row_height(QFontMetrics(option.font)))

    def _circle_rect(self, rect: QRect) -> QRectF:
        return QRectF(
            rect.left() + _MARGIN, rect.center().y() - _CIRCLE / 2 + 0.5, _CIRCLE, _CIRCLE
        )

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight).lighter(175))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 0.5))
        painter.drawLine(
            rect.left() + _MARGIN, rect.bottom(), rect.right() - _MARGIN, rect.bottom()
        )
        entry: TodoSummary | None = index.data(ROW_ROLE)
        if entry is not None:
            self._paint_row(painter, rect, palette, opt.font, entry)
        painter.restore()

    def _paint_row(
        self, painter: QPainter, rect: QRect, palette: QPalette, font: QFont, entry: TodoSummary
    ) -> None:
        task = entry
        text_colour = palette.color(QPalette.ColorRole.Text)
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        colour = PRIORITY_COLOURS[task.priority]
        circle = self._circle_rect(rect)
        painter.setPen(QPen(colour, 1.6 if task.priority is Priority.NONE else 2.2))
        if task.completed:
            painter.setBrush(colour)
            painter.drawEllipse(circle)
            check = QPainterPath(QPointF(circle.left() + 4.5, circle.center().y()))
            check.lineTo(circle.left() + 7.8, circle.bottom() - 5)
            check.lineTo(circle.right() - 4, circle.top() + 5.5)
            painter.setPen(QPen(QColor("white"), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(check)
        else:
            fill = QColor(colour)
            fill.setAlpha(28 if task.priority is not Priority.NONE else 0)
            painter.setBrush(fill)
            painter.drawEllipse(circle)
        painter.setBrush(Qt.BrushStyle.NoBrush)

        left = int(circle.right()) + _MARGIN
        width = rect.right() - _MARGIN - left
        metrics = QFontMetrics(font)
        line = metrics.height()
        top = rect.top() + (rect.height() - 2 * line - int(line * 0.25)) // 2

        title_font = QFont(font)
        title_font.setStrikeOut(task.completed)
        painter.setFont(title_font)
        painter.setPen(dim if task.completed else text_colour)
        subject = task.subject or QCoreApplication.translate("Texts", "(no subject)")
        painter.drawText(
            QRect(left, top, width, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(subject, Qt.TextElideMode.ElideRight, width),
        )

        small = QFont(font)
        small.setPointSizeF(font.pointSizeF() * 0.88)
        painter.setFont(small)
        small_metrics = QFontMetrics(small)
        x = left
        y = top + line + int(line * 0.25)
        height = small_metrics.height()
        right = left + width
        for text, text_colour_of_part, chip in self._details(entry, dim):
            if x >= right:
                break
            advance = small_metrics.horizontalAdvance(text)
            room = right - x - (12 if chip else 0)
            shown = small_metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(room, 0))
            shown_width = small_metrics.horizontalAdvance(shown)
            if chip:
                chip_rect = QRectF(x, y - 1, shown_width + 12, height + 2)
                background = QColor(text_colour_of_part)
                background.setAlpha(30)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(background)
                painter.drawRoundedRect(chip_rect, 4, 4)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(text_colour_of_part)
                painter.drawText(chip_rect, Qt.AlignmentFlag.AlignCenter, shown)
                x += shown_width + 12 + 8
            else:
                painter.setPen(text_colour_of_part)
                painter.drawText(
                    QRect(x, y, shown_width + 1, height), Qt.AlignmentFlag.AlignLeft, shown
                )
                x += shown_width + 14
            if shown != text or advance > room:
                break

    def _details(self, entry: TodoSummary, dim: QColor) -> list[tuple[str, QColor, bool]]:
        """The pieces of the second line: text, colour, drawn as a chip or not."""
        task = entry
        now = self.now()
        parts: list[tuple[str, QColor, bool]] = []
        if entry.conflict:
            parts.append(
                (QCoreApplication.translate("Texts", "⚠ Changed on another device"), WARNING, True)
            )
        if task.due is not None:
            state = texts.due_state(task.due, now, not task.completed)
            colour = {texts.DueState.OVERDUE: OVERDUE, texts.DueState.TODAY: TODAY}.get(state, dim)
            parts.append((texts.moment_text(task.due, now.date()), colour, False))
        if task.recurring:
            parts.append(("↻ " + QCoreApplication.translate("Texts", "Repeats"), dim, False))
        delegation = self.delegation_text(entry)
        if delegation:
            parts.append((delegation, dim, False))
        parts.extend((category, QColor("#5b5fc7"), True) for category in task.categories)
        return parts

    def delegation_text(self, entry: TodoSummary) -> str:
        """ "From Frank Adams (waiting for your answer)" or "Assigned to bob (accepted)"."""
        task = entry
        me = self.me.casefold()
        mine = [a for a in task.assignees if a.email.casefold() == me]
        if task.organizer and mine and task.organizer.casefold() != me:
            who = self.names.get(task.organizer.casefold(), task.organizer)
            if mine[0].partstat is PartStat.NEEDS_ACTION:
                return QCoreApplication.translate(
                    "Texts", "From %1 — waiting for your answer"
                ).replace("%1", who)
            return (
                QCoreApplication.translate("Texts", "From %1 — you %2")
                .replace("%1", who)
                .replace("%2", texts.partstat_text(mine[0].partstat))
            )
        others = [a for a in task.assignees if a.email.casefold() != me]
        if others:
            first = others[0]
            name = first.name or first.email
            if len(others) > 1:
                more = len(others) - 1
                text = self.tr("%1 and %n more", None, more)
                name = text.replace("%1", name)
            return (
                QCoreApplication.translate("Texts", "Assigned to %1 (%2)")
                .replace("%1", name)
                .replace("%2", texts.partstat_text(first.partstat))
            )
        return ""

    def editorEvent(
        self, event: QEvent, model: object, option: QStyleOptionViewItem, index: _Index
    ) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            rect: QRect = option.rect
            hit = self._circle_rect(rect).adjusted(-6, -6, 6, 6)
            entry = index.data(ROW_ROLE)
            if entry is not None and hit.contains(event.position()):
                self.toggle_requested.emit(entry)
                return True
        return False
