"""The window's one door to part 1's store: every call is a coroutine that runs on the store's
worker thread, so a widget never touches SQLite and never blocks the UI thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from todo.task import PartStat, Task
from todo.ui.background import StoreRunner
from todo.views import PRIORITY_LISTS, View, ViewSpec

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the list shows: one of the store's views (with its sort) and a search text."""

    spec: ViewSpec = field(default_factory=ViewSpec)
    search: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """Rows ``offset`` … of a query, and how many rows the whole query has."""

    total: int
    offset: int
    rows: Sequence[TodoSummary]


# The sidebar's fixed lists, in order (user-defined lists follow them).
FIXED_VIEWS: tuple[View, ...] = (
    View.ALL,
    View.TODAY,
    View.OVERDUE,
    View.BY_DUE,
    View.BY_PRIORITY,
    View.COMPLETED,
)

if TYPE_CHECKING:  # the store loads on its worker thread, after the window shows
    from todo.store import Completion, ListInfo, TodoRecord, TodoStore, TodoSummary


class TodoService(QObject):
    """Async operations of the window on the store; ``changed`` fires after every write with
    the ids it touched, so the list, the counts and the undo action catch up."""

    changed = Signal(object)  # list[int]

    def __init__(self, runner: StoreRunner[TodoStore], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner

    async def page(self, query: ListQuery, offset: int, limit: int) -> Page:
        """One page of a view, with the view's size."""

        def read(store: TodoStore) -> Page:
            total = store.count(query.spec, search=query.search)
            rows = store.query(query.spec, search=query.search, limit=limit, offset=offset)
            return Page(total, offset, rows)

        return await self._runner.run(read)

    async def counts(self) -> tuple[dict[ViewSpec, int], list[ListInfo]]:
        """How many todos each fixed list (and each priority under By Priority) has, and the
        user's lists."""

        def read(store: TodoStore) -> tuple[dict[ViewSpec, int], list[ListInfo]]:
            specs = [ViewSpec(view) for view in FIXED_VIEWS]
            specs += [ViewSpec(View.BY_PRIORITY, priority=p) for p in PRIORITY_LISTS]
            counts = {spec: store.count(spec) for spec in specs}
            return counts, store.lists()

        return await self._runner.run(read)

    async def run(self, call: Callable[[TodoStore], T]) -> T:
        """``call(store)`` on the store's thread (for the reminders and delegation notices,
        which use the store's companion modules)."""
        return await self._runner.run(call)

    async def record(self, todo_id: int) -> TodoRecord:
        """A todo in full (for the editor)."""
        return await self._runner.run(lambda store: store.get(todo_id))

    async def add(self, task: Task) -> int:
        """Store a new todo; returns its id."""
        todo_id = await self._runner.run(lambda store: store.add(task))
        self.changed.emit([todo_id])
        return todo_id

    async def save(self, todo_id: int, task: Task) -> TodoRecord:
        """Store an edit."""
        record = await self._runner.run(lambda store: store.save(todo_id, task))
        self.changed.emit([todo_id])
        return record

    async def complete(self, todo_id: int) -> Completion:
        """Mark done (a recurring todo gets its next occurrence)."""
        done = await self._runner.run(lambda store: store.complete(todo_id))
        self.changed.emit([i for i in (done.done_id, done.next_id) if i is not None])
        return done

    async def reopen(self, todo_id: int) -> TodoRecord:
        """Mark a done todo as open again."""
        record = await self._runner.run(lambda store: store.reopen(todo_id))
        self.changed.emit([todo_id])
        return record

    async def delete(self, todo_id: int) -> None:
        """Delete (undo brings it back)."""
        await self._runner.run(lambda store: store.delete(todo_id))
        self.changed.emit([todo_id])

    async def restore(self, todo_id: int) -> TodoRecord:
        """Bring back the user's version that the server's answer overrode."""
        record = await self._runner.run(lambda store: store.restore(todo_id))
        self.changed.emit([todo_id])
        return record

    async def undo_label(self) -> str | None:
        """What undo would undo (``add``, ``edit``, ``complete``…), or None."""
        return await self._runner.run(lambda store: store.undo_label())

    async def undo(self) -> list[int]:
        """Undo the last action; the ids it touched."""
        touched = await self._runner.run(lambda store: store.undo())
        self.changed.emit(touched)
        return touched

    async def answer(self, todo_id: int, me: str, partstat: PartStat) -> TodoRecord:
        """Answer a todo delegated to ``me``: accept, decline or complete it (RFC 5546: the
        assignee's ATTENDEE line carries the answer back to the organizer)."""

        def run(store: TodoStore) -> TodoRecord:
            task = store.get(todo_id).task
            assignees = tuple(
                replace(a, partstat=partstat) if a.email.casefold() == me.casefold() else a
                for a in task.assignees
            )
            changed = replace(task, assignees=assignees)
            if partstat is PartStat.COMPLETED:
                changed = changed.completed_at(datetime.now(UTC))
            return store.save(todo_id, changed)

        record = await self._runner.run(run)
        self.changed.emit([todo_id])
        return record
