"""How the Companion's accounts list paints an account: the name in bold (with "used by ToDo"
as a badge), then the user and server URL and the kind of server in grey, on a light
selection colour that keeps the text readable."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

# Qt.ItemDataRole.UserRole + 2: (name, badge or "", details lines) of an account row.
LINES_ROLE = int(Qt.ItemDataRole.UserRole) + 2

_PAD_X, _PAD_Y, _GAP = 12, 9, 3

_Index = QModelIndex | QPersistentModelIndex


class AccountDelegate(QStyledItemDelegate):
    """Paints the rows of the accounts list."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        lines = index.data(LINES_ROLE)
        details = len(lines[2]) if lines else 1
        metrics = QFontMetrics(option.font)
        height = 2 * _PAD_Y + (1 + details) * metrics.height() + details * _GAP
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        lines = index.data(LINES_ROLE)
        if not lines:
            super().paint(painter, option, index)
            return
        name, badge, details = lines
        rect: QRect = option.rect
        palette: QPalette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if option.state & QStyle.StateFlag.State_Selected:
            accent = palette.color(QPalette.ColorRole.Highlight)
            painter.fillRect(rect, accent.lighter(178))
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), accent)
        else:
            painter.setPen(QColor("#e1e4e8"))
            painter.drawLine(
                rect.left() + _PAD_X, rect.bottom(), rect.right() - _PAD_X, rect.bottom()
            )
        font = QFont(option.font)
        bold = QFont(font)
        bold.setBold(True)
        metrics, bold_metrics = QFontMetrics(font), QFontMetrics(bold)
        x, y = rect.left() + _PAD_X, rect.top() + _PAD_Y
        width = rect.width() - 2 * _PAD_X
        badge_width = metrics.horizontalAdvance(badge) + 16 if badge else 0
        painter.setFont(bold)
        painter.setPen(QColor("#1f2328"))
        shown = bold_metrics.elidedText(name, Qt.TextElideMode.ElideRight, width - badge_width)
        painter.drawText(QRect(x, y, width, metrics.height()), Qt.AlignmentFlag.AlignLeft, shown)
        if badge:
            left = x + bold_metrics.horizontalAdvance(shown) + 8
            pill = QRect(left, y, badge_width - 8, metrics.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e7e8f7"))
            painter.drawRoundedRect(pill, 4, 4)
            painter.setFont(font)
            painter.setPen(QColor("#4f52b2"))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, badge)
        painter.setFont(font)
        painter.setPen(QColor("#57606a"))
        for line in details:
            y += metrics.height() + _GAP
            text = metrics.elidedText(line, Qt.TextElideMode.ElideMiddle, width)
            painter.drawText(QRect(x, y, width, metrics.height()), Qt.AlignmentFlag.AlignLeft, text)
        painter.restore()
