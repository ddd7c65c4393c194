"""The ToDo app's first start against a real traveler-server: sign in, the window syncs the
account's todos, a change goes to the server; a server that stops shows the error with Retry,
and Retry syncs once it is back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from companion.accounts import AccountStore
from companion.ui.sign_in import SignInDialog
from tests.interop.traveler_server import TravelerServer
from tests.todo.ui.conftest import close_session, subjects, until
from todo.store import TodoStore, store_path
from todo.ui.session import start_session
from todo.ui.sync_status import SyncPhase


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TravelerServer]:
    traveler = TravelerServer(tmp_path / "server")
    traveler.cli(
        "user", "add", "alice", "--email", "alice@example.org", "--full-name", "Alice Arden",
        "--password-stdin", stdin="alice-pw\n",
    )  # fmt: skip
    with traveler:
        yield traveler


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder and a file keyring, as a user's desktop would have them."""
    home = tmp_path / "home"
    monkeypatch.setenv("TRAVELER_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    return home


async def test_first_start_signs_in_syncs_and_recovers_from_a_stopped_server(
    qapp: QApplication, english: None, qtbot: QtBot, home: Path, server: TravelerServer
) -> None:
    session_task = asyncio.ensure_future(start_session(qapp, AccountStore()))
    await until(lambda: isinstance(qapp.activeModalWidget(), SignInDialog), "the sign-in dialog")
    dialog = qapp.activeModalWidget()
    assert isinstance(dialog, SignInDialog)
    qtbot.keyClicks(dialog.server, server.url)
    qtbot.keyClicks(dialog.user, "alice")
    qtbot.keyClicks(dialog.password, "alice-pw")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    session = await session_task
    try:
        window = session.todo.window
        assert session.account is not None and window.windowTitle() == "ToDo — Alice Arden"
        sync = session.todo.sync
        # (the push channel's connecting asks for a sync too: the second may follow the first)
        await until(lambda: window.sync_status.label.text() == "Synced just now", "the sync")

        qtbot.keyClicks(window.quick_add.field, "Call Frank tomorrow !high")
        await until(lambda: "Call Frank" in window.quick_add.preview.text(), "the preview")
        qtbot.keyClick(window.quick_add.field, Qt.Key.Key_Return)
        await until(lambda: subjects(session.todo) == ["Call Frank"], "the new todo")
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        path = store_path(session.account.id)

        def unsent() -> int:
            with TodoStore.open(path) as store:
                return len(store.pending_changes())

        await until(lambda: sync.state.phase is SyncPhase.DONE and unsent() == 0, "the upload")

        server.stop()
        sync.sync_now()
        status = window.sync_status
        await until(lambda: status.retry.isVisible(), "the error")
        assert status.label.text().startswith("Sync failed: ")
        assert "127.0.0.1" in status.label.text()
        server.start()
        qtbot.mouseClick(status.retry, Qt.MouseButton.LeftButton)
        await until(lambda: sync.state.phase is SyncPhase.DONE, "the retry")
        assert not status.retry.isVisible()
    finally:
        await close_session(session)
