"""The Companion's Qt application: translations, the viewer window, clean-up on exit."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

import traveler_resources
from companion.accounts import AccountError, AccountStore
from companion.ui.hand_off_report import HandOffReporter
from companion.ui.inbox_window import InboxWindow
from companion.ui.viewer_window import ViewerWindow

__all__ = ["TRANSLATIONS", "install_translators", "run_viewer"]

TRANSLATIONS = traveler_resources.folder("translations")


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


def run_viewer(path: Path | None = None) -> int:
    """The viewer on `path`; without one, the inbox (or an empty viewer with no account)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Traveler Companion")
    app.setDesktopFileName("traveler-companion")
    translators = install_translators(app)
    window: ViewerWindow | InboxWindow
    if path is None and _has_inbox():
        window = InboxWindow()
        window.show()
        window.refresh()
    else:
        viewer = window = ViewerWindow()
        if _has_inbox():
            reporter = HandOffReporter(AccountStore(), parent=viewer)
            viewer.handed_off.connect(
                lambda app: reporter.report(viewer.plain.metadata, app) if viewer.plain else None
            )
        viewer.show()
        if path is not None:
            viewer.open_file(path)
    status = app.exec()
    del translators
    return status


def _has_inbox() -> bool:
    try:
        return any(account.traveler_api for account in AccountStore().accounts())
    except AccountError:
        return False
