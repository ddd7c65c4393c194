"""The Companion's tray icon: the away state at a glance (its own icon and a tooltip naming
each account that is away), and a menu with a one-click "I'm back" per away account, the
window, and Quit. The state is :class:`AwayWatch`'s, the same the window's banners show."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from companion.ooo import OooState
from companion.ui.messages import fill
from companion.ui.out_of_office import AwayWatch, away_until

__all__ = ["CompanionTray", "companion_icon"]

_BLUE = QColor("#3b5bdb")
_AMBER = QColor("#f08c00")


def _paint(size: int, away: bool) -> QPixmap:
    """A rounded tile with an envelope; while away, an amber tile with a moon badge, so the
    state shows even in a monochrome-ish panel by its shape."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = size / 32.0
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_AMBER if away else _BLUE)
    painter.drawRoundedRect(QRectF(1 * unit, 1 * unit, 30 * unit, 30 * unit), 7 * unit, 7 * unit)
    # The envelope.
    envelope = QRectF(6 * unit, 9 * unit, 20 * unit, 14 * unit)
    painter.setBrush(QColor("white"))
    painter.drawRoundedRect(envelope, 2 * unit, 2 * unit)
    pen = QPen(_AMBER if away else _BLUE, max(1.0, 1.8 * unit))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    flap = QPainterPath(QPointF(7 * unit, 10.5 * unit))
    flap.lineTo(16 * unit, 17 * unit)
    flap.lineTo(25 * unit, 10.5 * unit)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(flap)
    if away:
        # A crescent moon on a dark disc at the lower right: "out of the office".
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#343a40"))
        painter.drawEllipse(QRectF(17 * unit, 17 * unit, 15 * unit, 15 * unit))
        moon = QPainterPath()
        moon.addEllipse(QRectF(20 * unit, 20 * unit, 9 * unit, 9 * unit))
        bite = QPainterPath()
        bite.addEllipse(QRectF(23 * unit, 18.5 * unit, 8 * unit, 8 * unit))
        painter.setBrush(QColor("#ffd43b"))
        painter.drawPath(moon.subtracted(bite))
    painter.end()
    return pixmap


def companion_icon(away: bool = False) -> QIcon:
    """The Companion's icon; ``away`` gives the out-of-office variant."""
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64, 128):
        icon.addPixmap(_paint(size, away))
    return icon


class CompanionTray(QObject):
    """The tray icon over ``watch``; ``open_window`` and ``quit`` are the app's."""

    def __init__(
        self,
        watch: AwayWatch,
        open_window: Callable[[], None],
        quit: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.watch = watch
        self._icons = {False: companion_icon(False), True: companion_icon(True)}
        self.icon = QSystemTrayIcon(self._icons[False], self)
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        # Owned by the tray, not the menu: the menu's clear() deletes the actions it owns.
        self.open_action = QAction(self.tr("Open Traveler Companion"), self)
        self.open_action.triggered.connect(open_window)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.triggered.connect(quit)
        self.back_actions: dict[str, QAction] = {}
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(
            lambda reason: open_window()
            if reason == QSystemTrayIcon.ActivationReason.Trigger
            else None
        )
        watch.changed.connect(self.update)
        watch.confirmed.connect(self._confirmed)
        self.update()

    @property
    def away(self) -> bool:
        return bool(self.watch.away())

    def update(self) -> None:
        """Icon, tooltip and menu after the watch learnt something."""
        away = self.watch.away()
        self.icon.setIcon(self._icons[bool(away)])
        lines = self.tooltip(away).splitlines()
        self.icon.setToolTip("\n".join(lines))
        self.menu.clear()
        self.back_actions = {}
        # The state first, as a heading the user reads (not an action).
        for line in lines[1:]:
            heading = self.menu.addAction(line)
            heading.setEnabled(False)
        if len(lines) > 1:
            self.menu.addSeparator()
        for state in away:
            action = QAction(self._back_label(state, len(away) > 1), self.menu)
            account_id = state.account.id
            action.triggered.connect(lambda _=False, ref=account_id: self.watch.im_back(ref))
            self.menu.addAction(action)
            self.back_actions[account_id] = action
        if away:
            self.menu.addSeparator()
        self.menu.addAction(self.open_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)

    def tooltip(self, away: list[OooState]) -> str:
        lines = [self.tr("Traveler Companion")]
        for state in away:
            account = state.account
            back = away_until(state)
            who = account.display_name or account.user
            if back is None:
                lines.append(fill(self.tr("%1: out of the office"), who))
            else:
                lines.append(
                    fill(
                        self.tr("%1: out of the office until %2"),
                        who,
                        QLocale().toString(back, QLocale.FormatType.ShortFormat),
                    )
                )
        if not away and self.watch.states:
            lines.append(self.tr("Automatic replies are off."))
        return "\n".join(lines)

    def _back_label(self, state: OooState, named: bool) -> str:
        if not named:
            return self.tr("I'm back")
        account = state.account
        return fill(self.tr("I'm back (%1)"), account.display_name or account.user)

    def _confirmed(self, _account_id: str, text: str) -> None:
        if self.icon.isVisible():
            self.icon.showMessage(
                self.tr("Out of office"), text, self._icons[self.away], 8000
            )

    def show(self) -> bool:
        """Show the icon where the desktop has a tray; whether it does."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.icon.show()
        return True

    def hide(self) -> None:
        self.icon.hide()
