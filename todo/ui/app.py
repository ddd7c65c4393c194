"""Start the ToDo window: Qt application, translations, the qasync loop, the store's worker
thread, the sync controller and the tray; :func:`build_window` puts them together (the
entry point, the demo, the tests and the benchmarks all use it)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import qasync
from PySide6.QtWidgets import QApplication

from todo.task import Attendee, Task
from todo.ui.background import StoreRunner
from todo.ui.i18n import install_translations
from todo.ui.main_thread_gc import collect_on_main_thread
from todo.ui.main_window import TodoWindow
from todo.ui.notifications import Notifier
from todo.ui.resources import app_icon
from todo.ui.style import apply_style
from todo.ui.sync_status import SyncController
from todo.ui.todo_service import TodoService
from todo.ui.user_lookup import UserLookup

if TYPE_CHECKING:
    from todo.store import TodoStore


def parse_line(text: str) -> Task:
    """A quick-add line as a new todo (the ``@name`` assignees as attendees)."""
    # Imported here, on the quick-add thread: the date parser takes a while to load.
    from todo.quick_add import parse_quick_add

    parsed = parse_quick_add(text)
    task = parsed.to_task()
    return replace(task, assignees=tuple(Attendee(name) for name in parsed.assignees))


@dataclass
class TodoApp:
    """A running window and what it owns (closed together by :meth:`close`)."""

    window: TodoWindow
    runner: StoreRunner[TodoStore]
    service: TodoService
    sync: SyncController
    notifier: Notifier

    def close(self) -> None:
        """Close the window and the store (after the queued store calls).

        The widgets are deleted by Qt's event loop (deleteLater), never by Python's garbage
        collector at some arbitrary moment, which can be in the middle of a Qt event.
        """
        self.window.close()
        self.notifier.close()
        self.notifier.popup.deleteLater()
        self.window.deleteLater()
        self.runner.close()


def build_window(
    store_path: Path | str,
    *,
    me: str = "",
    account_label: str = "",
    run_sync: Callable[[], Awaitable[object]] | None = None,
    open_store: Callable[[], TodoStore] | None = None,
    lookup: UserLookup | None = None,
) -> TodoApp:
    """The ToDo window on the store at ``store_path`` (a QApplication must exist)."""
    icon = app_icon()
    runner: StoreRunner[TodoStore] = StoreRunner(
        open_store or (lambda: _open_store(store_path)), lambda store: store.close()
    )
    service = TodoService(runner)
    sync = SyncController(run_sync)
    notifier = Notifier(icon)
    window = TodoWindow(
        service,
        parse_line,
        sync,
        notifier,
        me=me,
        account_label=account_label,
        icon=icon,
        lookup=lookup,
    )
    # Owned by the window, so that they go with it through deleteLater, between events. Left
    # to Python, the garbage collector deleted them whenever it ran, sometimes in the middle
    # of a Qt event of a later window, which crashed the process.
    for part in (service, sync, notifier):
        part.setParent(window)
    return TodoApp(window, runner, service, sync, notifier)


def _open_store(path: Path | str) -> TodoStore:
    # Imported on the store's thread, so the window is built while the store loads.
    from todo.store import TodoStore

    return TodoStore.open(path)


def make_application(argv: Sequence[str]) -> QApplication:
    """The QApplication with the app's name, icon, style and the user's language."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName("traveler-todo")
    app.setApplicationDisplayName("ToDo")
    app.setOrganizationName("Traveler")
    app.setDesktopFileName("traveler-todo")
    app.setWindowIcon(app_icon())
    install_translations(app)
    apply_style(app)
    return app


def new_loop(app: QApplication) -> qasync.QEventLoop:
    """A qasync loop over ``app`` whose default executor is a plain thread pool: qasync's own
    runs on QThreads that outlive their loop (httpx resolves host names through it) and then
    crash the process when Qt delivers them a timer event."""
    loop = qasync.QEventLoop(app)
    loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="loop"))
    # Work runs on threads from here on: Qt objects must die on this one (see the module).
    collect_on_main_thread(app)
    return loop


class Running(Protocol):
    """What ``start`` opened (a :class:`~todo.ui.session.Session`)."""

    async def close(self) -> None: ...


def run_app(argv: Sequence[str], start: Callable[[QApplication], Awaitable[Running]]) -> int:
    """Run ``start`` on a qasync loop over a new QApplication until the last window closes,
    then close what it opened, still on the running loop (its tasks end as tasks should)."""
    app = make_application(argv)
    loop = new_loop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    app.setQuitOnLastWindowClosed(False)

    async def main() -> None:
        running = await start(app)
        await closed.wait()
        await running.close()

    with loop:
        loop.run_until_complete(main())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``traveler-todo`` without a command: the window."""
    from todo.ui.session import start_session

    return run_app(list(argv) if argv is not None else ["traveler-todo"], start_session)


if __name__ == "__main__":
    sys.exit(main())
