"""The list of todos as a Qt model that loads its rows page by page from the store.

A view of 100,000 todos costs one count and one page (``PAGE_SIZE`` rows) when it is shown;
further pages load in the background as the user scrolls to them, and a row whose page is still
loading paints as an empty placeholder for the moment it takes. Nothing creates a widget per row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from todo.ui.background import spawn
from todo.ui.todo_service import ListQuery, Page

if TYPE_CHECKING:  # the store loads on its worker thread, after the window shows
    from todo.store import TodoSummary

PAGE_SIZE = 200

# Qt.ItemDataRole.UserRole + 1: the store's TodoSummary of a row (None while its page loads).
ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 1

FetchPage = Callable[[ListQuery, int, int], Awaitable[Page]]

_Index = QModelIndex | QPersistentModelIndex


class TaskListModel(QAbstractListModel):
    """The rows of one :class:`ListQuery`, fetched lazily through ``fetch_page``."""

    # Emitted when a query's first page is in: the query and how many todos it holds.
    loaded = Signal(object, int)
    failed = Signal(str)

    def __init__(self, fetch_page: FetchPage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch_page = fetch_page
        self._query = ListQuery()
        self._total = 0
        self._pages: dict[int, list[TodoSummary]] = {}
        self._loading: set[int] = set()
        # Bumped by every new query or refresh, so that a late page of an older one is dropped.
        self._generation = 0

    @property
    def query(self) -> ListQuery:
        """The query the model shows (or is loading)."""
        return self._query

    def show(self, query: ListQuery) -> None:
        """Load ``query``; the model resets when its first page is in."""
        self._query = query
        self._generation += 1
        spawn(self._load(self._generation, query, [0]), self._report)

    def refresh(self) -> None:
        """Load the current query again (after a change in the store): the pages on screen are
        fetched anew before the model resets, so the list does not flash empty."""
        self._generation += 1
        pages = sorted(self._pages)[:8] or [0]
        spawn(self._load(self._generation, self._query, pages), self._report)

    async def _load(self, generation: int, query: ListQuery, numbers: list[int]) -> None:
        pages: dict[int, list[TodoSummary]] = {}
        total = 0
        for number in numbers:
            page = await self._fetch_page(query, number * PAGE_SIZE, PAGE_SIZE)
            total = page.total
            pages[number] = list(page.rows)
            if (number + 1) * PAGE_SIZE >= total:
                break
        if generation != self._generation:
            return
        self.beginResetModel()
        self._total = total
        self._pages = pages
        self._loading = set()
        self.endResetModel()
        self.loaded.emit(query, total)

    async def _load_page(self, generation: int, number: int) -> None:
        page = await self._fetch_page(self._query, number * PAGE_SIZE, PAGE_SIZE)
        if generation != self._generation:
            return
        self._loading.discard(number)
        self._pages[number] = list(page.rows)
        first = number * PAGE_SIZE
        last = min(first + PAGE_SIZE, self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first), self.index(last))

    def _report(self, error: BaseException) -> None:
        self.failed.emit(str(error))

    def row_at(self, row: int) -> TodoSummary | None:
        """The todo in ``row``, or None while its page is loading (the load is started)."""
        if not 0 <= row < self._total:
            return None
        number, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            if number not in self._loading:
                self._loading.add(number)
                spawn(self._load_page(self._generation, number), self._report)
            return None
        return page[offset] if offset < len(page) else None

    def row_of(self, todo_id: int) -> int | None:
        """The row of the todo with ``todo_id`` among the loaded pages, if it is loaded."""
        for number, page in self._pages.items():
            for offset, entry in enumerate(page):
                if entry.id == todo_id:
                    return number * PAGE_SIZE + offset
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._total

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.row_at(index.row())
        if role == ROW_ROLE:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.subject if entry is not None else ""
        if role == Qt.ItemDataRole.AccessibleTextRole and entry is not None:
            return entry.subject
        return None
