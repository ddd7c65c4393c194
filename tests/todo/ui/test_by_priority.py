"""By Priority with High, Medium and Low under it (the seed's "By Priority (High, Medium,
Low)"): each a list like the others, with its count, sorting and search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.todo.ui.conftest import subjects, until
from tests.todo.ui.test_window import read, select
from todo.store import TodoStore
from todo.task import Priority, Task
from todo.ui.app import TodoApp
from todo.ui.sidebar import COUNT_ROLE, SPEC_ROLE
from todo.views import View, ViewSpec, parse_view

Seed = Callable[[Callable[[TodoStore], object]], object]


def fill(store: TodoStore) -> None:
    store.add(Task("", "Fix the roof", due=date(2026, 5, 3), priority=Priority.HIGH))
    store.add(Task("", "Call the bank", due=date(2026, 5, 1), priority=Priority.HIGH))
    store.add(Task("", "Sort the photos", priority=Priority.MEDIUM))
    store.add(Task("", "Read the manual", due=date(2026, 6, 1), priority=Priority.LOW))
    store.add(Task("", "Someday, maybe"))
    done = store.add(Task("", "Paid the rent", priority=Priority.HIGH))
    store.complete(done)


def sidebar_rows(app: TodoApp) -> list[tuple[str, int]]:
    bar = app.window.sidebar
    return [
        (bar.item(row).text(), int(bar.item(row).data(COUNT_ROLE) or 0))
        for row in range(bar.count())
        if bar.item(row).data(SPEC_ROLE) is not None
    ]


def pick(app: TodoApp, name: str) -> None:
    bar = app.window.sidebar
    [row] = [r for r in range(bar.count()) if bar.item(r).text() == name]
    bar.setCurrentRow(row)


def test_the_store_has_a_list_per_priority(tmp_path: Path) -> None:
    with TodoStore.open(tmp_path / "todo.db") as store:
        fill(store)
        high = parse_view("by-priority:high")
        assert high == ViewSpec(View.BY_PRIORITY, priority=Priority.HIGH)
        assert high.name == "by-priority:high"
        assert [t.subject for t in store.query(high)] == ["Call the bank", "Fix the roof"]
        assert store.count(parse_view("by-priority:medium")) == 1
        assert [t.subject for t in store.query(parse_view("BY-PRIORITY:Low"))] == [
            "Read the manual"
        ]
        assert store.count(ViewSpec(View.BY_PRIORITY)) == 5  # the open ones, any priority


def test_a_priority_list_is_only_for_by_priority() -> None:
    import pytest

    with pytest.raises(ValueError, match="only the by-priority view"):
        ViewSpec(View.ALL, priority=Priority.HIGH)
    with pytest.raises(ValueError, match="unknown priority 'urgent'"):
        parse_view("by-priority:urgent")


async def test_high_medium_low_are_lists_with_counts_sort_and_search(
    todo_app: TodoApp, seed: Seed, store_path: Path, qtbot: QtBot
) -> None:
    seed(fill)
    window = todo_app.window
    window.refresh_counts()
    window.model.refresh()
    await until(lambda: ("High", 2) in sidebar_rows(todo_app), "the counts")
    rows = sidebar_rows(todo_app)
    names = [name for name, _ in rows]
    at = names.index("By Priority")
    assert rows[at : at + 4] == [("By Priority", 5), ("High", 2), ("Medium", 1), ("Low", 1)]
    assert names[at + 4] == "Completed"

    pick(todo_app, "High")
    await until(lambda: subjects(todo_app) == ["Call the bank", "Fix the roof"], "High")
    assert window.title.text() == "High priority"
    assert window.count.text() == "2 todos"
    window.sort.setCurrentIndex(window.sort.findText("Sort: Title"))
    await until(lambda: subjects(todo_app) == ["Call the bank", "Fix the roof"], "by title")
    window.sort.setCurrentIndex(window.sort.findText("Sort: Due date"))
    qtbot.keyClicks(window.search, "roof")
    await until(lambda: subjects(todo_app) == ["Fix the roof"], "the search")
    window.search.clear()
    await until(lambda: len(subjects(todo_app)) == 2, "the search cleared")

    # a change of priority moves the todo between the lists, and the counts follow
    await select(todo_app, "Fix the roof")
    editor = window.editor
    editor.priority.setCurrentIndex(editor.priority.findData(Priority.LOW))
    qtbot.mouseClick(editor.save, Qt.MouseButton.LeftButton)
    await until(lambda: subjects(todo_app) == ["Call the bank"], "the todo leaves High")
    await until(lambda: ("Low", 2) in sidebar_rows(todo_app), "the counts to follow")
    assert ("High", 1) in sidebar_rows(todo_app)
    pick(todo_app, "Low")
    await until(lambda: subjects(todo_app) == ["Fix the roof", "Read the manual"], "Low")
    assert read(store_path, lambda s: s.count(parse_view("by-priority:low"))) == 2

    pick(todo_app, "Medium")
    await until(lambda: subjects(todo_app) == ["Sort the photos"], "Medium")
    # completing the last medium todo leaves an empty list that says so
    await select(todo_app, "Sort the photos")
    window.toggle_current()
    await until(lambda: window.stack.currentWidget() is window.empty, "the empty state")
    assert window.empty.text() == "No open todos with this priority."
    await until(lambda: ("Medium", 0) in sidebar_rows(todo_app), "Medium's count")
    window.sidebar.setFocus()
    window.resize(1180, 740)
    window.sidebar.grab().save("/tmp/todoui-shots/sidebar-by-priority-en.png")
