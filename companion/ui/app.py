"""The Companion's Qt application: translations, the main window with the tray icon, the
viewer, clean-up on exit, and one running Companion per user.

One instance: the first ``traveler-companion`` listens on a local socket named after the user
and the data folder. A later one — ``traveler-companion`` (the window) or ``traveler-companion
FILE.tef`` (the viewer), e.g. from the desktop entry or a file manager — hands its request to
the running one (which raises its window or opens the file in a new viewer) and exits, so
there is one tray icon, one away state and one set of windows.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import qasync
from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTranslator
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication

import traveler_resources
from companion.accounts import AccountError, AccountStore, data_home
from companion.ui.hand_off_report import HandOffReporter
from companion.ui.inbox_window import InboxWindow
from companion.ui.main_window import CompanionWindow
from companion.ui.tray import CompanionTray, companion_icon
from companion.ui.viewer_window import ViewerWindow

__all__ = [
    "NO_DISPLAY",
    "TRANSLATIONS",
    "CompanionApp",
    "SingleInstance",
    "has_display",
    "install_translators",
    "run_viewer",
    "run_window",
]

TRANSLATIONS = traveler_resources.folder("translations")
HAND_OFF_TIMEOUT_MS = 2000

NO_DISPLAY = (
    "traveler-companion: there is no display to open the window on (neither DISPLAY nor "
    "WAYLAND_DISPLAY is set).\n"
    "Run it in your desktop session, or over SSH with X forwarding (ssh -X). Without a window:\n"
    "  traveler-companion account list         the accounts\n"
    "  traveler-companion ooo show             out of office (ooo set --on/--off …)\n"
    "  traveler-companion inspect FILE.tef     check a secure attachment\n"
)


def install_translators(app: QApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Our catalogue and Qt's own (dialog buttons), for the locale; kept alive by the caller."""
    locale = locale if locale is not None else QLocale()
    installed = []
    for name, folder in (
        ("companion", str(TRANSLATIONS)),
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    ):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            installed.append(translator)
    return installed


def has_display() -> bool:
    """Whether a window can be shown: a desktop session, or a Qt platform chosen on purpose
    (offscreen, for tests and screenshots)."""
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def instance_name(home: Path | None = None) -> str:
    """The local socket's name: one per user and data folder (tests and a second
    TRAVELER_HOME get their own)."""
    folder = str((home or data_home()).resolve())
    digest = hashlib.sha256(folder.encode()).hexdigest()[:16]
    return f"traveler-companion-{os.getuid()}-{digest}"


class SingleInstance(QObject):
    """The running Companion's end of the hand-off; :meth:`hand_off` is the later one's."""

    def __init__(self, name: str, app: CompanionApp) -> None:
        super().__init__(app.window)
        self._app = app
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            # A socket left by a Companion that crashed: nobody answered hand_off, so take it.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._connected)

    @staticmethod
    def hand_off(name: str, request: dict[str, str | None]) -> bool:
        """Give ``request`` to a running Companion; False when none runs."""
        socket = QLocalSocket()
        socket.connectToServer(name)
        if not socket.waitForConnected(HAND_OFF_TIMEOUT_MS):
            return False
        socket.write((json.dumps(request) + "\n").encode())
        socket.flush()
        socket.waitForBytesWritten(HAND_OFF_TIMEOUT_MS)
        # The running one reads to the end of the line, then closes; wait for that.
        socket.waitForDisconnected(HAND_OFF_TIMEOUT_MS)
        return True

    def _connected(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            buffer = bytearray()

            def read(socket: QLocalSocket = socket, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(socket.readAll().data()))
                if b"\n" in buffer:
                    line = bytes(buffer.split(b"\n", 1)[0])
                    socket.disconnectFromServer()
                    self._handle(line)

            socket.readyRead.connect(read)
            socket.disconnected.connect(socket.deleteLater)

    def _handle(self, line: bytes) -> None:
        try:
            request = json.loads(line)
        except ValueError:
            return  # not one of ours: nothing to do
        if not isinstance(request, dict):
            return
        path = request.get("open")
        if isinstance(path, str) and path:
            self._app.open_viewer(Path(path))
        else:
            self._app.show_window()


class CompanionApp:
    """The running Companion: main window, the away states, the tray icon, viewers."""

    def __init__(self, qt: QApplication, store: AccountStore | None = None) -> None:
        self.qt = qt
        self.store = store if store is not None else AccountStore()
        self.window = CompanionWindow(self.store, companion_icon())
        self.tray = CompanionTray(self.window.watch, self.show_window, self.quit)
        self.window.quit_action.triggered.connect(self.quit)
        self.viewers: list[ViewerWindow] = []

    def show_window(self) -> None:
        self.window.show()
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def open_viewer(self, path: Path) -> ViewerWindow:
        viewer = _viewer()
        self.viewers.append(viewer)
        viewer.show()
        viewer.raise_()
        viewer.activateWindow()
        viewer.open_file(path)
        return viewer

    def quit(self) -> None:
        for viewer in self.viewers + self.window.viewers:
            viewer.close()
        if self.window.inbox is not None:
            self.window.inbox.close()
        self.window.close()
        self.tray.hide()
        self.window.watch.wait()
        self.qt.quit()


def _application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Traveler Companion")
    app.setDesktopFileName("traveler-companion")
    app.setWindowIcon(companion_icon())
    from todo.ui.main_thread_gc import collect_on_main_thread
    from todo.ui.style import apply_style  # the look both apps share

    apply_style(app)
    # The Companion works on threads too (accounts, hand-offs): Qt objects die on this one.
    collect_on_main_thread(app)
    return app


def run_window(path: Path | None = None) -> int:
    """The main window (accounts, away banners, the way to out of office and the inbox) with
    its tray icon; with ``path``, a viewer on that file instead of the window (the tray's menu
    opens the window). Handed to a running Companion if there is one."""
    if not has_display():
        sys.stderr.write(NO_DISPLAY)
        return 1
    app = _application()
    name = instance_name()
    request = {"open": str(path.resolve()) if path is not None else None}
    if SingleInstance.hand_off(name, request):
        return 0
    translators = install_translators(app)
    loop = qasync.QEventLoop(app)
    # A plain pool for the loop's executor: qasync's own runs on QThreads that can outlive
    # the loop and crash the process at exit.
    loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="loop"))
    asyncio.set_event_loop(loop)
    companion = CompanionApp(app)
    SingleInstance(name, companion)
    # With a tray, closing the window keeps the Companion (and the away state) there.
    app.setQuitOnLastWindowClosed(not companion.tray.show())
    if path is None:
        companion.show_window()
    else:
        companion.open_viewer(path)
    with loop:
        loop.run_forever()  # Qt's event loop, until the app quits
    del translators
    return 0


def _viewer() -> ViewerWindow:
    viewer = ViewerWindow()
    if _has_inbox():
        reporter = HandOffReporter(AccountStore(), parent=viewer)
        viewer.handed_off.connect(
            lambda app: reporter.report(viewer.plain.metadata, app) if viewer.plain else None
        )
    return viewer


def run_viewer(path: Path | None = None) -> int:
    """The viewer on `path` (in the running Companion when there is one); without a path, the
    inbox (or an empty viewer with no account)."""
    if not has_display():
        sys.stderr.write(NO_DISPLAY)
        return 1
    if path is not None:
        return run_window(path)
    app = _application()
    translators = install_translators(app)
    window: ViewerWindow | InboxWindow
    if _has_inbox():
        window = InboxWindow()
        window.show()
        window.refresh()
    else:
        window = _viewer()
        window.show()
    status = app.exec()
    del translators
    return status


def _has_inbox() -> bool:
    try:
        return any(account.traveler_api for account in AccountStore().accounts())
    except AccountError:
        return False
