"""The viewer window: one secure attachment, its built-in viewer, and "Open in…"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QDateTime, QLocale, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import tef
from companion.hand_off import (
    ApprovedApp,
    DesktopApp,
    HandOffRefused,
    hand_off_choices,
    installed_apps,
)
from companion.secure_file import (
    IdentitySource,
    Problem,
    SecureFileError,
    open_secure_file,
    this_device,
)
from companion.ui.content_views import PdfViewer, content_kind, make_viewer
from companion.ui.hand_off_runner import HandOffRunner
from companion.ui.messages import fill, hand_off_refused_text, no_handler_text, problem_text

__all__ = ["ViewerWindow"]


class ViewerWindow(QMainWindow):
    """Shows one .tef at a time; opened from the command line, a drop, or the file dialog."""

    file_opened = Signal(str)
    handed_off = Signal(object)  # the DesktopApp a copy was opened in

    def __init__(
        self,
        identity: IdentitySource = this_device,
        approved: Sequence[ApprovedApp] | None = None,
        apps: Callable[[], dict[str, DesktopApp]] = installed_apps,
        runner: HandOffRunner | None = None,
    ) -> None:
        super().__init__()
        self._identity = identity
        self._approved = approved
        self._apps = apps
        self.runner = runner if runner is not None else HandOffRunner(parent=self)
        self.runner.failed.connect(self._hand_off_failed)
        self.plain: tef.TefFile | None = None
        self.path: Path | None = None
        self.problem: Problem | None = None
        self.setObjectName("viewerWindow")
        self.setWindowTitle(self.tr("Secure attachment — Traveler Companion"))
        self.setAcceptDrops(True)
        self.resize(980, 760)

        toolbar = QToolBar(self.tr("File"))
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(toolbar)
        self.open_action = QAction(self.tr("Open…"), self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_file)
        toolbar.addAction(self.open_action)
        self.open_in_menu = QMenu(self)
        self.open_in_menu.setObjectName("openInMenu")
        self.open_in_menu.aboutToShow.connect(self.fill_open_in_menu)
        self.open_in_button = QToolButton()
        self.open_in_button.setObjectName("openInButton")
        self.open_in_button.setText(self.tr("Open in…"))
        self.open_in_button.setMenu(self.open_in_menu)
        self.open_in_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.open_in_button.setEnabled(False)
        toolbar.addWidget(self.open_in_button)

        self.info = QLabel()
        self.info.setObjectName("fileInfo")
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setContentsMargins(8, 0, 8, 0)
        self.badge = QLabel(self.tr("View only"))
        self.badge.setObjectName("viewOnlyBadge")
        self.badge.setStyleSheet(
            "#viewOnlyBadge { background: #fdecc8; color: #6b4a00; border-radius: 8px;"
            " padding: 2px 8px; }"
        )
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy()
        )
        toolbar.addWidget(spacer)
        self.badge_action = toolbar.addWidget(self.badge)
        self.badge_action.setVisible(False)
        toolbar.addWidget(self.info)

        self.pages = QStackedWidget()
        self.welcome = self._message_page(
            self.tr("Open a secure attachment"),
            self.tr("Drop a .tef file here, or choose Open…"),
        )
        self.pages.addWidget(self.welcome)
        self.setCentralWidget(self.pages)
        self.statusBar().setSizeGripEnabled(False)

    # Opening -----------------------------------------------------------------------------

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open a secure attachment"),
            str(self.path.parent if self.path else Path.home()),
            self.tr("Secure attachments (*.tef);;All files (*)"),
        )
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> bool:
        """Show `path`; on failure show why, in the user's words. True when it is shown."""
        self._close_current()
        self.path = path
        try:
            self.plain = open_secure_file(path, self._identity)
        except SecureFileError as exc:
            self._show_problem(exc.problem, exc.detail)
            return False
        metadata = self.plain.metadata
        view_only = metadata.policy.view_only
        kind = content_kind(metadata)
        if kind == "none":
            viewer: QWidget = self._metadata_page(metadata)
        else:
            try:
                viewer = make_viewer(kind, self.plain, view_only)
            except tef.TefError as exc:
                self._show_problem(Problem.DAMAGED, str(exc))
                return False
            if isinstance(viewer, PdfViewer) and not viewer.ok:
                failure = viewer.device.failure
                problem = Problem.DAMAGED
                self._show_problem(problem, str(failure) if failure else "QtPdf cannot read it")
                return False
        self._show_page(viewer)
        self.setWindowTitle(fill(self.tr("%1 — Traveler Companion"), metadata.name))
        self.info.setText(f"{metadata.name} · {QLocale().formattedDataSize(metadata.size)}")
        self.badge_action.setVisible(view_only)
        self.open_in_button.setEnabled(True)
        self.statusBar().showMessage(self._provenance(metadata))
        self.file_opened.emit(str(path))
        return True

    def _provenance(self, metadata: tef.Metadata) -> str:
        created = locale_time(metadata, QLocale.FormatType.ShortFormat)
        if metadata.server:
            return (
                self.tr("Encrypted by %1 on %2")
                .replace("%1", metadata.server)
                .replace("%2", created)
            )
        return self.tr("Encrypted on %1").replace("%1", created)

    def _close_current(self) -> None:
        current = self.pages.currentWidget()
        if current is not None and current is not self.welcome:
            self.pages.removeWidget(current)
            current.deleteLater()
        if self.plain is not None:
            self.plain.close()
        self.plain = None
        self.problem = None
        self.badge_action.setVisible(False)
        self.info.clear()
        self.open_in_button.setEnabled(False)

    def _show_page(self, page: QWidget) -> None:
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)

    def _show_problem(self, problem: Problem, detail: str) -> None:
        if self.plain is not None:
            self.plain.close()
            self.plain = None
        self.problem = problem
        page = self._message_page(problem_text(problem), detail, error=True)
        self._show_page(page)
        self.open_in_button.setEnabled(False)
        self.statusBar().clearMessage()

    def _message_page(self, title: str, detail: str, error: bool = False) -> QWidget:
        page = QWidget()
        page.setObjectName("problemPage" if error else "messagePage")
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        icon = QLabel()
        pixmap = (
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if error
            else (QStyle.StandardPixmap.SP_DialogOpenButton)
        )
        icon.setPixmap(self.style().standardIcon(pixmap).pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel(title)
        heading.setObjectName("problemText" if error else "messageText")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setWordWrap(True)
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        small = QLabel(detail)
        small.setAlignment(Qt.AlignmentFlag.AlignCenter)
        small.setWordWrap(True)
        small.setStyleSheet("color: #5f6b7a;")
        for widget in (icon, heading, small):
            layout.addWidget(widget)
        layout.addStretch(3)
        return page

    def _metadata_page(self, metadata: tef.Metadata) -> QWidget:
        page = QWidget()
        page.setObjectName("metadataPage")
        outer = QHBoxLayout(page)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        heading = QLabel(self.tr("This file type cannot be shown here."))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        column.addWidget(heading)
        hint = QLabel(
            self.tr(
                "Use “Open in…” to open it in another application, if your administrator allows it."
            )
        )
        hint.setWordWrap(True)
        column.addWidget(hint)
        frame = QFrame()
        form = QFormLayout(frame)
        locale = QLocale()
        rows = [
            (self.tr("Name"), metadata.name),
            (self.tr("Type"), metadata.mime_type),
            (self.tr("Size"), locale.formattedDataSize(metadata.size)),
            (
                self.tr("Created"),
                locale_time(metadata, QLocale.FormatType.LongFormat),
            ),
            (self.tr("Server"), metadata.server or "—"),
            (self.tr("Message"), metadata.message_ref or "—"),
        ]
        for label, value in rows:
            field = QLabel(value)
            field.setTextFormat(Qt.TextFormat.PlainText)
            form.addRow(label + ":", field)
        column.addWidget(frame)
        column.addStretch(2)
        outer.addLayout(column, 3)
        outer.addStretch(1)
        return page

    # Open in… ----------------------------------------------------------------------------

    def fill_open_in_menu(self) -> None:
        menu = self.open_in_menu
        menu.clear()
        if self.plain is None:
            return
        try:
            choices = hand_off_choices(self.plain.metadata, self._apps(), self._approved)
        except HandOffRefused:
            self._disabled(menu, hand_off_refused_text())
            return
        if not choices:
            self._disabled(menu, no_handler_text())
            return
        section = menu.addSection(self.tr("Open a decrypted copy in"))
        section.setObjectName("openInSection")
        for app in choices:
            action = menu.addAction(app.name)
            action.setData(app.app_id)
            action.triggered.connect(lambda _=False, chosen=app: self.hand_off(chosen))

    def _disabled(self, menu: QMenu, text: str) -> None:
        action = menu.addAction(text)
        action.setEnabled(False)

    def hand_off(self, app: DesktopApp) -> None:
        if self.plain is None:
            return
        # The menu only lists allowed applications; check again, the policy is the rule.
        try:
            allowed = {
                a.app_id
                for a in hand_off_choices(self.plain.metadata, self._apps(), self._approved)
            }
        except HandOffRefused:
            allowed = set()
        if app.app_id not in allowed:
            self.statusBar().showMessage(hand_off_refused_text())
            return
        if self.runner.start(app, self.plain) is not None:
            self.statusBar().showMessage(fill(self.tr("Opened in %1"), app.name))
            self.handed_off.emit(app)

    def _hand_off_failed(self, reason: str) -> None:
        self.statusBar().showMessage(
            self.tr("The application could not be started: %1").replace("%1", reason)
        )

    # Drag and drop -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event.mimeData().urls())
        if path is not None:
            event.acceptProposedAction()
            self.open_file(path)

    @staticmethod
    def _dropped_file(urls: list) -> Path | None:  # type: ignore[type-arg]
        for url in urls:
            if url.isLocalFile():
                return Path(url.toLocalFile())
        return None

    def closeEvent(self, event: QCloseEvent) -> None:
        self._close_current()
        self.runner.remove_all()
        super().closeEvent(event)


def locale_time(metadata: tef.Metadata, style: QLocale.FormatType) -> str:
    """When the file was encrypted, in the user's locale and time zone."""
    moment = QDateTime.fromSecsSinceEpoch(int(metadata.created.timestamp())).toLocalTime()
    return QLocale().toString(moment, style)
