"""python -m tests.shots [OUT]: screenshots of the ToDo app as a user sees it, in English and
German, against a real traveler-server process with the demo organisation.

Run it under a real X server to see the windows as a desktop draws them::

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1400x900x24" python -m tests.shots /tmp/shots

It signs in through the sign-in dialog (first a wrong password, to show the error), waits for
the first sync (the demo's delegated todo brings its notification), then shows every list,
the editor, a delegated todo, a conflict and the sync error state with Retry. Each PNG is the
window as Qt renders it; ``screen-*.png`` is the whole screen (where the notification sits).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QLocale
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from companion.accounts import AccountStore
from companion.ui.sign_in import SignInDialog
from tests.interop.traveler_server import TravelerServer
from todo.store import TodoStore
from todo.ui.app import TodoApp, make_application, new_loop
from todo.ui.i18n import install_translations
from todo.ui.main_window import TodoWindow
from todo.ui.session import Session, start_session
from todo.ui.sidebar import SPEC_ROLE
from todo.ui.sync_status import SyncPhase

LANGUAGES = {
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
    "de": QLocale(QLocale.Language.German, QLocale.Country.Germany),
}


async def until(predicate: Callable[[], object], what: str, timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while not predicate():
        if loop.time() > give_up:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def settle() -> None:
    """Let pending paints and queued signals run (through the loop: processEvents() inside a
    coroutine would run other tasks re-entrantly)."""
    await asyncio.sleep(0.3)


class Shots:
    def __init__(self, out: Path, language: str) -> None:
        self.out = out
        self.language = language

    async def grab(self, widget: QWidget, name: str) -> None:
        await settle()
        widget.grab().save(str(self.out / f"{name}-{self.language}.png"))
        screen = QGuiApplication.primaryScreen()
        if os.environ.get("QT_QPA_PLATFORM") == "xcb" and screen is not None:
            screen.grabWindow(0).save(str(self.out / f"screen-{name}-{self.language}.png"))


def _dialog() -> SignInDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SignInDialog) and widget.isVisible():
            return widget
    return None


async def sign_in(shots: Shots, server: TravelerServer) -> Session:
    starting = asyncio.ensure_future(start_session(QApplication.instance(), AccountStore()))  # type: ignore[arg-type]
    await until(lambda: _dialog() is not None, "the sign-in dialog")
    dialog = _dialog()
    assert dialog is not None
    await shots.grab(dialog, "sign-in")
    dialog.server.setText(server.url)
    dialog.user.setText("alice")
    dialog.password.setText("not-her-password")
    dialog.sign_in_button.click()
    await until(lambda: dialog.sign_in_button.isEnabled(), "the error")  # the test is over
    await shots.grab(dialog, "sign-in-wrong-password")
    dialog.password.setText("alice-demo-1")
    dialog.sign_in_button.click()
    session = await starting
    return session


async def show_in_editor(window: TodoWindow, row: int) -> None:
    entry = window.model.row_at(row)
    assert entry is not None
    window.list.setCurrentIndex(window.model.index(row))
    await until(lambda: window.editor.subject.text() == entry.subject, "the editor")


async def window_shots(shots: Shots, session: Session, server: TravelerServer) -> None:
    todo: TodoApp = session.todo
    window = todo.window
    window.resize(1180, 740)
    await until(lambda: todo.sync.state.phase is SyncPhase.DONE, "the first sync")
    await until(lambda: todo.notifier.shown, "the delegated todo's notification")
    popup = todo.notifier.popup
    if popup.isVisible():
        await shots.grab(popup, "notification")
    loaded = asyncio.Event()
    window.list_loaded.connect(lambda *_: loaded.set())
    for row in range(window.sidebar.count()):
        spec = window.sidebar.item(row).data(SPEC_ROLE)
        if spec is None:
            continue
        if window.sidebar.currentRow() != row:
            loaded.clear()
            window.sidebar.setCurrentRow(row)
            await asyncio.wait_for(loaded.wait(), 30)
        await shots.grab(window, f"list-{spec.name.replace(':', '-')}")
    window.sidebar.setCurrentRow(0)
    await asyncio.sleep(0.3)

    # the editor on an ordinary todo, then on the todo Bob delegated
    model = window.model
    rows = [model.row_at(i) for i in range(model.rowCount())]
    plain = next(i for i, r in enumerate(rows) if r is not None and not r.assignees)
    await show_in_editor(window, plain)
    await shots.grab(window, "editor")
    delegated = next(
        (i for i, r in enumerate(rows) if r is not None and r.organizer and r.assignees), None
    )
    if delegated is not None:
        await show_in_editor(window, delegated)
        await shots.grab(window, "editor-delegated")

    # a conflict: the server's answer overrode a local edit (the store's own sync path)
    assert session.account is not None
    entry = rows[plain]
    assert entry is not None

    def conflict(store: TodoStore) -> None:
        record = store.get(entry.id)
        store.save(entry.id, replace(record.task, summary=record.task.summary + " (my edit)"))
        theirs = store.get(entry.id).data.replace(" (my edit)", " — changed on the phone")
        store.apply_remote(theirs, entry.id)

    await todo.service.run(conflict)
    todo.service.changed.emit([entry.id])  # what a sync's writes tell the window
    await until(lambda: (r := window.model.row_at(plain)) is not None and r.conflict, "the row")
    window.list.setCurrentIndex(window.model.index(plain))
    await until(lambda: window.editor.conflict.isVisible(), "the conflict notice", 10)
    await shots.grab(window, "conflict")

    # the server goes away: the error with its reason and Retry
    server.stop()
    todo.sync.sync_now()
    await until(lambda: todo.sync.state.phase is SyncPhase.FAILED, "the sync error")
    await shots.grab(window, "sync-error")
    server.start()


async def companion_shot(shots: Shots) -> None:
    """The Companion's main window with the account the sign-in added (shared store)."""
    from companion.ui.main_window import CompanionWindow

    window = CompanionWindow(AccountStore())
    window.resize(760, 460)
    window.show()
    await until(lambda: window.selected() is not None, "the account in the Companion")
    await shots.grab(window, "companion")
    window.close()
    window.deleteLater()


async def run(out: Path, root: Path) -> None:
    server = TravelerServer(root / "server", run_args=["--demo"])
    server.start()
    try:
        for language, locale in LANGUAGES.items():
            home = root / language
            for key, sub in (
                ("TRAVELER_HOME", "home"),
                ("XDG_DATA_HOME", "data"),
                ("XDG_CONFIG_HOME", "config"),
            ):
                os.environ[key] = str(home / sub)
            app = QApplication.instance()
            assert isinstance(app, QApplication)
            QLocale.setDefault(locale)
            install_translations(app, locale)
            shots = Shots(out, language)
            session = await sign_in(shots, server)
            await companion_shot(shots)
            try:
                await window_shots(shots, session, server)
            finally:
                await session.close()  # its push channel and sync thread with it
                await asyncio.sleep(0.2)
            if not server.running:
                server.start()
    finally:
        server.stop()


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "/tmp/traveler-shots")
    out.mkdir(parents=True, exist_ok=True)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    app = make_application(["traveler-todo"])
    app.setQuitOnLastWindowClosed(False)
    loop = new_loop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="traveler-shots-") as tmp, loop:
        loop.run_until_complete(run(out, Path(tmp)))
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
