"""The todo lists the ToDo app shows, and how each one is asked of the store (SQL lives here).

A :class:`ViewSpec` names a list and how it is sorted; :meth:`todo.store.TodoStore.query` and
:meth:`~todo.store.TodoStore.count` run it. The lists (the talk's "All, Due Today, Overdue, By
Due Date, By Priority, Completed, user-defined"):

- ``all``: every open todo (not completed, not cancelled);
- ``today``: open todos due today (local date; a due moment counts on its local day);
- ``overdue``: open todos whose due moment has passed; an all-day todo from the next day;
- ``by-due``: open todos by due date, the earliest first, those without a due date last;
- ``by-priority``: open todos, High → Medium → Low → None, then by due date;
  ``by-priority:high`` (``medium``, ``low``): only the open todos of that priority, by due date;
- ``completed``: completed and cancelled todos, the most recently completed first;
- ``list:NAME``: open todos in the user's list NAME (an iCalendar CATEGORY).

Every view takes a ``search`` (words, each matched as a word prefix in subject, notes and
lists; accents and case ignored) and a :class:`Sort` that overrides its own order. Each
view's filter and order is served by an index of the ``todos`` table (see
:mod:`todo.store_schema`), so switching views stays fast with 100,000 todos.

This module is part of the store: :mod:`todo.store` runs these queries; :func:`compile_query`
is public so that the tests and the benchmark can check and time the same SQL.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from todo.task import Priority

__all__ = [
    "PRIORITY_LISTS",
    "Sort",
    "View",
    "ViewSpec",
    "compile_query",
    "fts_match",
    "parse_view",
]


class View(enum.StrEnum):
    """The kinds of list; ``LIST`` needs a list name (see :class:`ViewSpec`)."""

    ALL = "all"
    TODAY = "today"
    OVERDUE = "overdue"
    BY_DUE = "by-due"
    BY_PRIORITY = "by-priority"
    COMPLETED = "completed"
    LIST = "list"


class Sort(enum.StrEnum):
    """Orders a view can be sorted by instead of its own."""

    DUE = "due"
    PRIORITY = "priority"
    TITLE = "title"
    CREATED = "created"
    MODIFIED = "modified"


@dataclass(frozen=True, slots=True)
class ViewSpec:
    """One list to show: a :class:`View`, the list name for ``View.LIST``, an optional sort."""

    view: View = View.ALL
    list_name: str = ""
    sort: Sort | None = None
    descending: bool = False
    priority: Priority | None = None
    """With ``View.BY_PRIORITY``: only the todos of this priority (the sidebar's High, Medium
    and Low under By Priority)."""

    def __post_init__(self) -> None:
        if self.view is View.LIST and not self.list_name:
            raise ValueError("a list view needs a list name (list:NAME)")
        if self.priority is not None and self.view is not View.BY_PRIORITY:
            raise ValueError("only the by-priority view takes a priority (by-priority:high)")

    @property
    def name(self) -> str:
        """The view as the CLI spells it (``today``, ``list:Renovation``, ``by-priority:high``)."""
        if self.view is View.LIST:
            return f"list:{self.list_name}"
        if self.priority is not None:
            return f"{self.view.value}:{self.priority.value}"
        return self.view.value


# The priorities By Priority has a list for (a todo without a priority is only in By Priority).
PRIORITY_LISTS: tuple[Priority, ...] = (Priority.HIGH, Priority.MEDIUM, Priority.LOW)


def parse_view(text: str) -> ViewSpec:
    """``all``, ``today``, …, ``list:NAME`` → a :class:`ViewSpec`; ValueError names the choices."""
    if text.lower().startswith("list:"):
        name = text[5:].strip()
        if not name:
            raise ValueError("list: needs a list name, e.g. list:Renovation")
        return ViewSpec(View.LIST, name)
    if text.lower().startswith(f"{View.BY_PRIORITY.value}:"):
        level = text.split(":", 1)[1].strip().lower()
        for priority in PRIORITY_LISTS:
            if priority.value == level:
                return ViewSpec(View.BY_PRIORITY, priority=priority)
        choices = ", ".join(p.value for p in PRIORITY_LISTS)
        raise ValueError(f"unknown priority {level!r} in {text!r}; choose one of {choices}")
    try:
        view = View(text.strip().lower())
    except ValueError:
        choices = ", ".join(v.value for v in View if v is not View.LIST)
        raise ValueError(
            f"unknown view {text!r}; choose one of {choices}, by-priority:high (medium, low) "
            "or list:NAME"
        ) from None
    if view is View.LIST:
        raise ValueError("list: needs a list name, e.g. list:Renovation")
    return ViewSpec(view)


# Each sort's columns; ``id`` last makes the order total, so paging never skips or repeats.
_ORDER: dict[Sort, tuple[str, ...]] = {
    Sort.DUE: ("due_key", "priority_rank"),
    Sort.PRIORITY: ("priority_rank", "due_key"),
    Sort.TITLE: ("summary COLLATE NOCASE",),
    Sort.CREATED: ("created_at",),
    Sort.MODIFIED: ("modified_at",),
}
_DEFAULT_SORT: dict[View, tuple[Sort, bool]] = {
    View.ALL: (Sort.DUE, False),
    View.TODAY: (Sort.DUE, False),
    View.OVERDUE: (Sort.DUE, False),
    View.BY_DUE: (Sort.DUE, False),
    View.BY_PRIORITY: (Sort.PRIORITY, False),
    View.LIST: (Sort.DUE, False),
}

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_match(search: str) -> str | None:
    """The FTS5 query for a search box text: every word as a prefix; None if it has no words."""
    words = _WORD.findall(search)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


def compile_query(
    spec: ViewSpec, *, today: str, now: float, search: str = ""
) -> tuple[str, str, dict[str, Any]]:
    """The WHERE clause, ORDER BY clause and parameters of a view over ``todos``.

    ``today`` is the local date (``YYYY-MM-DD``) and ``now`` the time (epoch seconds) the
    view is evaluated at; both come from the store so that tests can fix them.
    """
    params: dict[str, Any] = {}
    view = spec.view
    where = ["done = 1"] if view is View.COMPLETED else ["done = 0"]
    if view is View.TODAY:
        where.append("due_day = :today")
        params["today"] = today
    elif view is View.OVERDUE:
        where.append("due_key < :now")
        params["now"] = now
    elif view is View.LIST:
        where.append(
            "id IN (SELECT todo_id FROM todo_lists WHERE name = :list_name COLLATE NOCASE)"
        )
        params["list_name"] = spec.list_name
    if spec.priority is not None:
        # served by todos_priority (done, priority_rank, due_key, id)
        where.append("priority_rank = :priority_rank")
        params["priority_rank"] = spec.priority.rank
    match = fts_match(search)
    if match is not None:
        where.append("id IN (SELECT rowid FROM todo_search WHERE todo_search MATCH :match)")
        params["match"] = match
    elif search.strip():
        # punctuation only: no word to look for, so nothing matches rather than everything
        where.append("0")
    if spec.sort is not None:
        columns, descending = _ORDER[spec.sort], spec.descending
    elif view is View.COMPLETED:
        columns, descending = ("completed_at",), not spec.descending
    else:
        sort, descending = _DEFAULT_SORT[view]
        columns, descending = _ORDER[sort], descending != spec.descending
    direction = " DESC" if descending else ""
    order = ", ".join(f"{c}{direction}" for c in (*columns, "id"))
    return " AND ".join(where), order, params
