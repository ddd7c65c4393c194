"""Exceptions of the ToDo package.

Tree::

    TodoError
    └── TaskFormatError     bytes / text that are not a usable iCalendar 2.0 or vCalendar 1.0
                            VTODO (no VTODO, unbalanced BEGIN/END, a value that cannot be read,
                            an unsupported content type); the message says what is wrong
"""

from __future__ import annotations


class TodoError(Exception):
    """Base class of everything the ToDo package raises on purpose."""


class TaskFormatError(TodoError, ValueError):
    """An item could not be read as a task; the message says why."""
