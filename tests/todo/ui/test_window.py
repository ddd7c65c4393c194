"""The ToDo window's main flows, driven through its widgets (pytest-qt, offscreen) on the
real store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.todo.ui.conftest import ME, close, subjects, until
from todo.store import TodoStore
from todo.task import Attendee, Organizer, PartStat, Priority, Task
from todo.ui.app import TodoApp
from todo.ui.sidebar import view_title
from todo.views import View, ViewSpec

Seed = Callable[[Callable[[TodoStore], object]], object]


def read(store_path: Path, fill: Callable[[TodoStore], object]) -> object:
    with TodoStore.open(store_path) as store:
        return fill(store)


async def select(app: TodoApp, subject: str) -> None:
    """Select the row with ``subject`` and wait for the editor to show it."""
    await until(lambda: subject in subjects(app), f"{subject!r} in the list")
    row = subjects(app).index(subject)
    app.window.list.setCurrentIndex(app.window.model.index(row))
    await until(lambda: app.window.editor.subject.text() == subject, "the editor")


async def test_quick_add_in_english_previews_then_adds(
    todo_app: TodoApp, qtbot: QtBot, store_path: Path
) -> None:
    bar = todo_app.window.quick_add
    qtbot.keyClicks(bar.field, "Call Frank tomorrow 9:00 !high #Renovation")
    await until(lambda: "Renovation" in bar.preview.text(), "the preview")
    preview = bar.preview.text()
    assert "Call Frank" in preview and "High" in preview and "Tomorrow 9:00" in preview

    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    await until(lambda: "Call Frank" in subjects(todo_app), "the new todo")
    assert bar.field.text() == ""
    [summary] = read(store_path, lambda s: s.query(ViewSpec(View.ALL)))  # type: ignore[misc]
    assert summary.priority is Priority.HIGH and summary.categories == ("Renovation",)
    due = summary.due
    assert isinstance(due, datetime)
    assert due.astimezone().date() == date.today() + timedelta(days=1)
    assert (due.astimezone().hour, due.minute) == (9, 0)


async def test_quick_add_in_german(todo_app: TodoApp, qtbot: QtBot, store_path: Path) -> None:
    bar = todo_app.window.quick_add
    qtbot.keyClicks(bar.field, "Bericht morgen 17 Uhr !hoch #Renovierung jeden Montag")
    await until(lambda: "Renovierung" in bar.preview.text(), "the preview")
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    await until(lambda: "Bericht" in subjects(todo_app), "the new todo")
    [summary] = read(store_path, lambda s: s.query(ViewSpec(View.ALL)))  # type: ignore[misc]
    assert summary.priority is Priority.HIGH
    assert summary.categories == ("Renovierung",)
    assert summary.recurring


async def test_edit_every_field(
    todo_app: TodoApp, seed: Seed, store_path: Path, qtbot: QtBot
) -> None:
    todo_id = seed(lambda s: s.add(Task("", "Old subject")))
    todo_app.window.model.refresh()
    await select(todo_app, "Old subject")
    editor = todo_app.window.editor
    editor.subject.setText("Paint the hallway")
    editor.notes.setPlainText("Two coats.\nBuy white paint first.")
    editor.start.set_date(date(2027, 3, 1))
    editor.due.set_date(datetime(2027, 3, 5, 17, 30, tzinfo=UTC))
    editor.priority.setCurrentIndex(editor.priority.findData(Priority.MEDIUM))
    editor.lists.setText("Home, Renovation")
    editor.reminder.setCurrentIndex(editor.reminder.findData(60))
    editor.recurrence.setCurrentIndex(editor.recurrence.findData("FREQ=MONTHLY"))
    editor.assignees.setText("bob@demo.traveler.test")
    qtbot.mouseClick(editor.save, Qt.MouseButton.LeftButton)

    def saved() -> Task:
        return read(store_path, lambda s: s.get(todo_id).task)  # type: ignore[return-value]

    await until(lambda: saved().summary == "Paint the hallway", "the save")
    task = saved()
    assert task.description == "Two coats.\nBuy white paint first."
    assert task.start == date(2027, 3, 1)
    assert task.due == datetime(2027, 3, 5, 17, 30, tzinfo=UTC)
    assert task.priority is Priority.MEDIUM
    assert task.categories == ("Home", "Renovation")
    assert len(task.alarms) == 1 and task.alarms[0].trigger == -timedelta(hours=1)
    assert task.recurrence == "FREQ=MONTHLY"
    assert [a.email for a in task.assignees] == ["bob@demo.traveler.test"]
    # the editor shows what was stored
    await until(lambda: editor.lists.text() == "Home, Renovation", "the editor to reload")
    assert editor.reminder.currentData() == 60


async def test_completing_a_recurring_todo_yields_the_next(
    todo_app: TodoApp, seed: Seed, store_path: Path, qtbot: QtBot
) -> None:
    seed(
        lambda s: s.add(
            Task("", "Water the plants", due=date(2026, 1, 5), recurrence="FREQ=WEEKLY")
        )
    )
    window = todo_app.window
    window.model.refresh()
    await until(lambda: subjects(todo_app) == ["Water the plants"], "the todo")
    rect = window.list.visualRect(window.model.index(0))
    qtbot.mouseClick(
        window.list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(rect.left() + 19, rect.center().y()),
    )
    await until(lambda: window.undo_note.isVisible(), "the note")
    assert "next one" in window.undo_note.text()
    done = read(store_path, lambda s: s.query(ViewSpec(View.COMPLETED)))
    open_ = read(store_path, lambda s: s.query(ViewSpec(View.ALL)))
    assert [t.subject for t in done] == ["Water the plants"]  # type: ignore[attr-defined]
    [following] = open_  # type: ignore[misc]
    assert following.due == date(2026, 1, 12) and following.recurring


async def test_each_list_shows_the_stores_view(
    todo_app: TodoApp, seed: Seed, store_path: Path
) -> None:
    today = date.today()

    def fill(store: TodoStore) -> None:
        store.add(Task("", "due today", due=today, priority=Priority.LOW))
        store.add(Task("", "overdue", due=today - timedelta(days=2), priority=Priority.HIGH))
        store.add(Task("", "next week", due=today + timedelta(days=7), categories=("Home",)))
        store.add(Task("", "someday", priority=Priority.MEDIUM, categories=("Home", "Garden")))
        done = store.add(Task("", "finished"))
        store.complete(done)

    seed(fill)
    window = todo_app.window
    window.refresh_counts()
    window.model.refresh()
    await until(lambda: window.sidebar.count() > 11, "the user's lists in the sidebar")
    seen: dict[str, list[str]] = {}
    for row in range(window.sidebar.count()):
        item = window.sidebar.item(row)
        spec = item.data(Qt.ItemDataRole.UserRole + 1)
        if spec is None:
            continue
        window.sidebar.setCurrentRow(row)
        expected = [t.subject for t in read(store_path, lambda s, v=spec: s.query(v))]  # type: ignore[attr-defined]
        title = view_title(spec)
        await until(
            lambda e=expected, t=title: subjects(todo_app) == e and window.title.text() == t,
            spec.name,
        )
        seen[spec.name] = expected
    assert seen["today"] == ["due today"]
    assert seen["overdue"] == ["overdue"]
    assert seen["completed"] == ["finished"]
    assert seen["by-priority"][:2] == ["overdue", "someday"]
    assert seen["list:Home"] == ["next week", "someday"]
    assert seen["list:Garden"] == ["someday"]
    assert seen["by-priority:high"] == ["overdue"]
    assert seen["by-priority:medium"] == ["someday"]
    assert seen["by-priority:low"] == ["due today"]
    assert len(seen["all"]) == 4


async def test_search_and_sort(todo_app: TodoApp, seed: Seed, qtbot: QtBot) -> None:
    def fill(store: TodoStore) -> None:
        store.add(Task("", "Buy paint", due=date(2026, 5, 3)))
        store.add(Task("", "Call the painter", due=date(2026, 5, 1)))
        store.add(Task("", "Archive invoices", due=date(2026, 5, 2)))

    seed(fill)
    window = todo_app.window
    window.model.refresh()
    await until(lambda: subjects(todo_app) == ["Call the painter", "Archive invoices", "Buy paint"])
    window.sort.setCurrentIndex(window.sort.findText("Sort: Title"))
    await until(lambda: subjects(todo_app) == ["Archive invoices", "Buy paint", "Call the painter"])
    qtbot.keyClicks(window.search, "pain")
    await until(lambda: subjects(todo_app) == ["Buy paint", "Call the painter"], "the search")
    window.search.clear()
    qtbot.keyClicks(window.search, "nothing like it")
    await until(lambda: window.stack.currentWidget() is window.empty, "the empty state")
    assert "nothing like it" in window.empty.text()


async def test_undo_brings_a_deleted_todo_back(todo_app: TodoApp, seed: Seed, qtbot: QtBot) -> None:
    seed(lambda s: s.add(Task("", "Keep me")))
    window = todo_app.window
    window.model.refresh()
    await select(todo_app, "Keep me")
    window.activateWindow()
    window.list.setFocus()
    await until(lambda: window.list.hasFocus(), "the focus")
    qtbot.keyClick(window.list, Qt.Key.Key_Delete)
    await until(lambda: subjects(todo_app) == [], "the delete")
    assert window.undo_button.isVisible()
    assert window.undo_action.shortcut().matches(QKeySequence("Ctrl+Z")) is not None
    qtbot.mouseClick(window.undo_button, Qt.MouseButton.LeftButton)
    await until(lambda: subjects(todo_app) == ["Keep me"], "the undo")


async def test_conflict_is_shown_and_restored(
    todo_app: TodoApp, seed: Seed, store_path: Path, qtbot: QtBot
) -> None:
    def fill(store: TodoStore) -> int:
        todo_id = store.add(Task("", "Order tiles", priority=Priority.LOW))
        server_copy = store.get(todo_id).data
        store.apply_remote(server_copy, todo_id)  # the server has confirmed this version
        store.save(
            todo_id, Task(store.get(todo_id).task.uid, "Order blue tiles", priority=Priority.HIGH)
        )
        theirs = store.get(todo_id).data.replace("Order blue tiles", "Order green tiles")
        store.apply_remote(theirs.replace("PRIORITY:1", "PRIORITY:9"), todo_id)
        return todo_id

    todo_id = seed(fill)
    window = todo_app.window
    window.model.refresh()
    await until(lambda: subjects(todo_app) == ["Order green tiles"])
    assert todo_app.window.model.row_at(0).conflict  # type: ignore[union-attr]
    await select(todo_app, "Order green tiles")
    notice = window.editor.conflict
    assert notice.isVisible()
    assert "Changed on another device — your version:" in notice.message.text()
    assert "“Order blue tiles”" in notice.message.text()
    qtbot.mouseClick(notice.restore, Qt.MouseButton.LeftButton)
    await until(lambda: subjects(todo_app) == ["Order blue tiles"], "the restore")
    record = read(store_path, lambda s: s.get(todo_id))
    assert record.task.priority is Priority.HIGH and record.overridden is None  # type: ignore[attr-defined]
    await until(lambda: not notice.isVisible(), "the notice to go")


async def test_accept_and_decline_delegated_todos(
    todo_app: TodoApp, seed: Seed, store_path: Path, qtbot: QtBot
) -> None:
    frank = Organizer("frank@demo.traveler.test", "Frank Adams")

    def fill(store: TodoStore) -> tuple[int, int]:
        first = store.add(
            Task("", "Latest defect count", organizer=frank, assignees=[Attendee(ME, "Alice")])
        )
        second = store.add(
            Task("", "Budget review", organizer=frank, assignees=[Attendee(ME, "Alice")])
        )
        return first, second

    first, second = seed(fill)  # type: ignore[misc]
    window = todo_app.window
    window.model.refresh()
    await select(todo_app, "Latest defect count")
    bar = window.editor.delegation
    assert bar.isVisible() and "Frank Adams delegated this todo to you." in bar.message.text()
    qtbot.mouseClick(bar.accept, Qt.MouseButton.LeftButton)

    def partstat(todo_id: int) -> PartStat:
        return read(store_path, lambda s: s.get(todo_id).task.assignees[0].partstat)  # type: ignore[return-value]

    await until(lambda: partstat(first) is PartStat.ACCEPTED, "the acceptance")
    await until(lambda: "You accepted." in bar.message.text(), "the new state")
    await select(todo_app, "Budget review")
    qtbot.mouseClick(bar.decline, Qt.MouseButton.LeftButton)
    await until(lambda: partstat(second) is PartStat.DECLINED, "the refusal")


async def test_delegated_todo_notifies_once_after_sync(
    qapp: QApplication, english: None, seed: Seed, store_path: Path
) -> None:
    frank = Organizer("frank@demo.traveler.test", "Frank Adams")
    seed(
        lambda s: s.add(Task("", "Latest defect count", organizer=frank, assignees=[Attendee(ME)]))
    )
    syncs: list[int] = []

    async def run_sync() -> str:
        syncs.append(1)
        return "ok"

    from todo.ui.app import build_window

    app = build_window(store_path, me=ME, run_sync=run_sync)
    try:
        app.sync.sync_now()
        await until(lambda: app.notifier.shown, "the notification")
        app.sync.sync_now()
        await until(lambda: len(syncs) == 2 and app.sync.state.phase.value == "done")
        [note] = app.notifier.shown
        assert note.body == "Frank Adams delegated “Latest defect count” to you"
    finally:
        await close(app)


async def test_sync_error_shows_the_reason_and_retry_works(
    qapp: QApplication, english: None, store_path: Path, qtbot: QtBot
) -> None:
    attempts: list[int] = []

    async def run_sync() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("the server at http://127.0.0.1:9/traveler cannot be reached")
        return "ok"

    from todo.ui.app import build_window

    app = build_window(store_path, me=ME, run_sync=run_sync)
    try:
        app.window.show()
        status = app.window.sync_status
        assert status.label.text() == "Never synced"
        app.sync.sync_now()
        await until(lambda: status.retry.isVisible(), "the error")
        assert status.label.text() == (
            "Sync failed: the server at http://127.0.0.1:9/traveler cannot be reached"
        )
        qtbot.mouseClick(status.retry, Qt.MouseButton.LeftButton)
        await until(lambda: status.label.text() == "Synced just now", "the retry")
        assert not status.retry.isVisible()
    finally:
        await close(app)
