"""The ToDo window in tests: real widgets (offscreen), the real store in a temporary folder,
all on a qasync loop so that the window's background work runs as it does in the app."""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import pytest_asyncio
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from tests.qt_garbage import collect_garbage_on_the_ui_thread  # noqa: F401 - autouse
from todo.store import TodoStore
from todo.ui.app import TodoApp, build_window, new_loop
from todo.ui.i18n import install_translations
from todo.ui.style import apply_style

if TYPE_CHECKING:
    from todo.ui.session import Session

ME = "alice@demo.traveler.test"


def _qasync_loop() -> asyncio.AbstractEventLoop:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    # As in the app: closing a dialog or window must not stop the loop under the test.
    app.setQuitOnLastWindowClosed(False)
    return new_loop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, object]:
    """Async tests here run on a qasync loop (Qt's event loop drives asyncio), as the app does."""
    return {"qasync": _qasync_loop}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """One qasync loop for all of these async tests, as the app has one for its life (a new
    loop for each test crashed now and then in Qt's timer dispatch)."""
    here = Path(__file__).parent
    for item in items:
        function = getattr(item, "function", None)
        if here in Path(str(item.fspath)).parents and inspect.iscoroutinefunction(function):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


async def until(predicate: Callable[[], object], what: str = "the condition") -> None:
    """Let the loop run until ``predicate()`` is true (fails after 60 s: a hang, not a limit
    on speed; a first sync against a server process on a loaded CI machine took over 10 s)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 60
    while not predicate():
        if loop.time() > give_up:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    """The window in English (whatever the machine's locale)."""
    install_translations(qapp, QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    apply_style(qapp)
    yield
    install_translations(qapp, QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "todo.db"


@pytest.fixture
def seed(store_path: Path) -> Callable[[Callable[[TodoStore], object]], object]:
    """Write to the store before the window opens: ``seed(lambda store: store.add(...))``."""

    def run(fill: Callable[[TodoStore], object]) -> object:
        with TodoStore.open(store_path) as store:
            return fill(store)

    return run


@pytest_asyncio.fixture(loop_scope="session")
async def todo_app(qapp: QApplication, english: None, store_path: Path) -> AsyncIterator[TodoApp]:
    """The window on the store at ``store_path``, shown and with its first list loaded."""
    app = build_window(store_path, me=ME, account_label="alice")
    loaded: list[int] = []
    app.window.list_loaded.connect(lambda _query, total: loaded.append(total))
    app.window.show()
    await until(lambda: loaded, "the first list")
    yield app
    await close(app)


async def close(app: TodoApp) -> None:
    """Let a running sync finish (its end updates the window), close the window and let the
    loop delete its widgets."""
    await app.sync.stop()
    app.close()
    await asyncio.sleep(0.05)


async def close_session(session: Session) -> None:
    """End the session (its push channel and sync thread with it), then let the loop delete
    its widgets."""
    await session.close()
    await asyncio.sleep(0.05)


def subjects(app: TodoApp) -> list[str]:
    """The subjects of the rows the list shows, top to bottom (those loaded)."""
    model = app.window.model
    rows = [model.row_at(i) for i in range(model.rowCount())]
    return [row.subject for row in rows if row is not None]
