"""``traveler-todo``: the ToDo app's entry point (the app itself is not built yet)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Say what the ToDo app will do, and exit 2 (not available yet)."""
    print(
        "traveler-todo will be the ToDo desktop app and its command line: todo lists All, Due "
        "Today, Overdue, By Due Date, By Priority, Completed and your own, kept in step with a "
        "Traveler server over SyncML (`traveler-todo sync`, `list [--view V] [--json]`, "
        "`add TEXT`, `done ID`), configured from the Companion's account. It is not built yet; "
        "`./run demo` starts the server part today.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
