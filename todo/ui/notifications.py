"""Desktop notifications (reminders, todos delegated to the user) and the tray icon.

Where the desktop has a tray with a notification service, notifications go through
``QSystemTrayIcon.showMessage`` (on Linux: org.freedesktop.Notifications). Without one (a bare
X server, some Wayland sessions) the app shows its own small notification window in the
screen's top right corner, so a reminder is never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True, slots=True)
class Notification:
    """What a notification says, and the todo it is about (clicking it opens that todo)."""

    title: str
    body: str
    todo_id: int | None = None
    snooze: bool = False
    """A reminder: the app's own notification offers "Snooze 10 min"."""


class NotificationPopup(QFrame):
    """The app's own notification window (when the desktop has no notification service)."""

    clicked = Signal()
    snoozed = Signal()

    def __init__(self, icon: QIcon, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("notification")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(360)
        self.icon = QLabel(self)
        self.icon.setPixmap(icon.pixmap(32, 32))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title = QLabel(self)
        self.title.setObjectName("notificationTitle")
        self.title.setWordWrap(True)
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.open = QPushButton(self.tr("Open"), self)
        self.open.clicked.connect(self._open)
        self.dismiss = QPushButton(self.tr("Dismiss"), self)
        self.dismiss.clicked.connect(self.hide)
        self.snooze = QPushButton(self.tr("Snooze 10 min"), self)
        self.snooze.clicked.connect(self._snooze)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.title)
        text.addWidget(self.body)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.snooze)
        buttons.addWidget(self.dismiss)
        buttons.addWidget(self.open)
        text.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(12)
        layout.addWidget(self.icon)
        layout.addLayout(text, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(10_000)
        self._timer.timeout.connect(self.hide)

    def _open(self) -> None:
        self.hide()
        self.clicked.emit()

    def _snooze(self) -> None:
        self.hide()
        self.snoozed.emit()

    def show_notification(self, notification: Notification) -> None:
        """Show ``notification`` in the top right corner of the screen (ten seconds; a
        reminder stays until it is answered, as reminders in calendar apps do)."""
        self.title.setText(notification.title)
        self.body.setText(notification.body)
        self.body.setVisible(bool(notification.body))
        self.snooze.setVisible(notification.snooze and notification.todo_id is not None)
        # The height the texts need at the popup's fixed width (adjustSize would ask the
        # word-wrapped labels at their own preferred width and leave a gap).
        layout = self.layout()
        assert layout is not None
        layout.activate()
        self.resize(self.width(), layout.totalHeightForWidth(self.width()))
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(QPoint(area.right() - self.width() - 16, area.top() + 16))
        self.show()
        if notification.snooze:
            self._timer.stop()
        else:
            self._timer.start()


class Notifier(QObject):
    """Shows notifications and the tray icon; ``activated`` carries the todo a click opens
    (None: just the window)."""

    activated = Signal(object)  # int | None
    snooze_requested = Signal(int)  # the todo of the reminder
    sync_requested = Signal()
    quit_requested = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shown: list[Notification] = []
        self._last: Notification | None = None
        self.popup = NotificationPopup(icon)
        self.popup.clicked.connect(
            lambda: self.activated.emit(self._last.todo_id if self._last else None)
        )
        self.popup.snoozed.connect(self._snoozed)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip(self.tr("ToDo"))
            menu = QMenu()
            show = QAction(self.tr("Show ToDo"), menu)
            show.triggered.connect(lambda: self.activated.emit(None))
            sync = QAction(self.tr("Sync now"), menu)
            sync.triggered.connect(self.sync_requested)
            leave = QAction(self.tr("Quit"), menu)
            leave.triggered.connect(self.quit_requested)
            menu.addActions([show, sync])
            menu.addSeparator()
            menu.addAction(leave)
            self._menu = menu
            self.tray.setContextMenu(menu)
            self.tray.activated.connect(self._tray_activated)
            self.tray.messageClicked.connect(
                lambda: self.activated.emit(self._last.todo_id if self._last else None)
            )
            self.tray.show()

    def _snoozed(self) -> None:
        if self._last is not None and self._last.todo_id is not None:
            self.snooze_requested.emit(self._last.todo_id)

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.activated.emit(None)

    def notify(self, notification: Notification) -> None:
        """Show ``notification`` the way the desktop allows."""
        self.shown.append(notification)
        self._last = notification
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(
                notification.title,
                notification.body,
                QSystemTrayIcon.MessageIcon.Information,
                10_000,
            )
        else:
            self.popup.show_notification(notification)

    def close(self) -> None:
        """Remove the tray icon and the popup."""
        if self.tray is not None:
            self.tray.hide()
        self.popup.close()
