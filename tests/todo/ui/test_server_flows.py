"""The window against a real traveler-server process: quick add's ``@name`` looked up on the
server (found, unknown, server stopped), and a todo another user delegates over SyncML that
arrives through the push channel, notification included, without the user pressing sync; the
push channel down while the server is, shown in the status bar, and back when it is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from companion.accounts import AccountStore
from tests.interop.traveler_server import TravelerServer
from tests.todo.test_sync_process import Installation
from tests.todo.ui.conftest import close, close_session, subjects, until
from todo.store import TodoStore, store_path
from todo.task import PartStat
from todo.ui.app import build_window
from todo.ui.i18n import install_translations
from todo.ui.session import Session, start_session
from todo.ui.sync_status import PushPhase, SyncPhase

SHOTS = Path("/tmp/todoui-shots")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TravelerServer]:
    traveler = TravelerServer(tmp_path / "server")
    for user, email, name in (
        ("alice", "alice@example.org", "Alice Arden"),
        ("frank", "frank@example.org", "Frank Adams"),
    ):
        traveler.cli(
            "user", "add", user, "--email", email, "--full-name", name,
            "--password-stdin", stdin=f"{user}-secret-1\n",
        )  # fmt: skip
    with traveler:
        yield traveler


@pytest.fixture
def alice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: TravelerServer) -> Installation:
    """Alice's desktop: this process (the window) and her Companion account."""
    desktop = Installation(tmp_path / "alice")
    for key in ("TRAVELER_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.setenv(key, desktop.env[key])
    added = desktop.run(
        "companion.cli", "account", "add", "--server", server.url, "--user", "alice",
        "--password-stdin", stdin="alice-secret-1\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    return desktop


@pytest_asyncio.fixture(loop_scope="session")
async def session(qapp: QApplication, english: None, alice: Installation) -> AsyncIterator[Session]:
    started = await start_session(qapp, AccountStore())
    sync = started.todo.sync

    def settled() -> bool:
        # Connecting asks for a sync of its own, at once: both done, nothing is under way.
        return sync.push.phase is PushPhase.CONNECTED and sync.state.phase is SyncPhase.DONE

    try:
        # Settled before the test: between the fixture's run of the loop and the test's,
        # pytest-qt processes Qt events with no asyncio loop running, and reading the push
        # stream then fails in anyio (NoEventLoopError). Once connected, the stream is idle
        # but for a keep-alive every 15 s.
        await until(settled, "the first sync and the push channel")
        yield started
    finally:
        await close_session(started)


async def type_quick_add(session: Session, qtbot: QtBot, text: str, shown: str) -> str:
    bar = session.todo.window.quick_add
    bar.field.clear()
    qtbot.keyClicks(bar.field, text)
    await until(lambda: shown in bar.preview.text(), f"{shown!r} in the preview")
    return bar.preview.text()


async def test_quick_add_looks_the_name_up_on_the_server(
    qapp: QApplication, session: Session, server: TravelerServer, qtbot: QtBot, tmp_path: Path
) -> None:
    window = session.todo.window
    bar = window.quick_add
    assert session.account is not None
    path = store_path(session.account.id)
    window.resize(1180, 740)

    preview = await type_quick_add(session, qtbot, "Review the budget @frank tomorrow", "Frank")
    assert "Frank Adams" in preview and "&lt;frank@example.org&gt;" in preview
    assert "Tomorrow" in preview
    window.grab().save(str(SHOTS / "quick-add-resolved-en.png"))
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    await until(lambda: "Review the budget" in subjects(session.todo), "the new todo")
    with TodoStore.open(path) as store:
        [summary] = store.query()
        task = store.get(summary.id).task
    assert [(a.email, a.name, a.partstat) for a in task.assignees] == [
        ("frank@example.org", "Frank Adams", PartStat.NEEDS_ACTION)
    ]
    assert task.organizer is not None and task.organizer.email == "alice@example.org"

    # nobody of that name: the preview says so, and Enter adds nothing
    preview = await type_quick_add(session, qtbot, "Ask @zelda about it", "no user")
    assert "There is no user “zelda” on this server" in preview
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    await until(lambda: "There is no user" in bar.preview.text(), "the refusal")
    assert bar.field.text() == "Ask @zelda about it"
    assert subjects(session.todo) == ["Review the budget"]

    # in German: a window opened in a German locale, asking the same server
    install_translations(qapp, QLocale(QLocale.Language.German, QLocale.Country.Germany))
    german = build_window(tmp_path / "de.db", me="alice@example.org", lookup=bar.lookup)
    try:
        german.window.resize(1180, 740)
        german.window.show()
        field = german.window.quick_add.field
        qtbot.keyClicks(field, "Bericht lesen @frank morgen !hoch")
        shown = german.window.quick_add.preview
        await until(lambda: "Frank Adams" in shown.text() and "Morgen" in shown.text())
        assert "Zugewiesen an:</span> Frank Adams" in shown.text()
        german.window.grab().save(str(SHOTS / "quick-add-resolved-de.png"))
        field.clear()
        qtbot.keyClicks(field, "Frag @zelda")
        await until(lambda: "keinen Benutzer" in shown.text(), "the German refusal")
        assert "Auf diesem Server gibt es keinen Benutzer „zelda“" in shown.text()
    finally:
        await close(german)
        install_translations(qapp, QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))

    # the server stops: the name is kept as typed and checked when the todo syncs
    server.stop()
    preview = await type_quick_add(session, qtbot, "Call @bob today", "cannot be reached")
    assert "bob — the server cannot be reached" in preview
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    await until(lambda: "Call" in subjects(session.todo), "the todo kept as typed")
    with TodoStore.open(path) as store:
        [call] = [s for s in store.query() if s.subject == "Call"]
        assert [a.email for a in store.get(call.id).task.assignees] == ["bob"]


async def frank_delegates(server: TravelerServer, folder: Path, line: str) -> None:
    """Frank signs in on his own desktop (``folder``), adds a todo for Alice and syncs it
    (SyncML), in processes of his own waited for off the loop, so the window keeps running."""
    frank = Installation(folder)

    def delegate() -> None:
        added = frank.run(
            "companion.cli", "account", "add", "--server", server.url, "--user", "frank",
            "--password-stdin", stdin="frank-secret-1\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stdout + added.stderr
        made = frank.todo("add", line)
        assert made.returncode == 0, made.stdout + made.stderr
        synced = frank.todo("sync")
        assert synced.returncode == 0, synced.stdout + synced.stderr

    await asyncio.get_running_loop().run_in_executor(None, delegate)


async def test_a_delegated_todo_arrives_by_push_with_its_notification(
    session: Session, server: TravelerServer, tmp_path: Path
) -> None:
    todo = session.todo
    # The session was started in the fixture, on an earlier run of the loop: what runs for
    # the account must have outlived that run's end (Qt's aboutToQuit once cut it).
    assert session.push is not None and not session.push.done()
    assert not todo.window.sync_status.push.isVisible()
    syncs_before = len(todo.notifier.shown)
    await frank_delegates(server, tmp_path / "frank", "Latest defect count @alice !high")

    # the window learns it through the push channel: no sync_now by the user or the test
    # 20 s: a push takes well under a second (the hang guard of until() is 60 s)
    await asyncio.wait_for(
        until(lambda: "Latest defect count" in subjects(todo), "the delegated todo"), 20
    )
    await until(lambda: len(todo.notifier.shown) > syncs_before, "the notification")
    note = todo.notifier.shown[-1]
    assert note.title == "New delegated todo"
    assert note.body == "Frank Adams delegated “Latest defect count” to you"
    assert note.todo_id is not None


async def test_the_push_channel_comes_back_when_the_server_does(
    session: Session, server: TravelerServer, tmp_path: Path
) -> None:
    todo = session.todo
    shown = todo.window.sync_status.push
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, server.stop)
    await until(lambda: shown.isVisible(), "the interruption in the status bar")
    assert shown.text() == "Live updates interrupted — reconnecting"
    assert "trying again in" in shown.toolTip()
    await loop.run_in_executor(None, server.start)  # the same port

    # the listener tries again (backing off) and is back: the note goes
    await until(lambda: todo.sync.push.phase is PushPhase.CONNECTED, "the reconnection")
    assert not shown.isVisible()
    await frank_delegates(server, tmp_path / "frank", "After the restart @alice")
    await until(lambda: "After the restart" in subjects(todo), "the todo pushed after it")
