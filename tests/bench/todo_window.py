"""python -m tests.bench.todo_window: the ToDo window with many todos.

Times, against a peer measured in the same run on the same store file:

- **first window** with 10,000 todos (target <= 1.5 s): from the start of a fresh process
  to the window painted with its first rows (imports, Qt, the store, the first page). The peer
  is the simple design: the same process start, then one ``QListWidgetItem`` per todo of the
  view (``store.query`` of all rows), painted.
- **switching lists** and **searching** with 100,000 todos (target <= 100 ms each): from the
  click in the sidebar (or the search text) to the list painted with the new rows. The peer
  fills a ``QListWidget`` with the same view's rows.

Nothing passes or fails on time; the ratios are ours / peer (lower is better).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _fill(path: Path, size: int) -> float:
    from tests.bench.todo_store import ZONE, _calendar, _tasks
    from todo.store import TodoStore

    started = time.perf_counter()
    text = _calendar(_tasks(size))
    with TodoStore.open(path, zone=ZONE) as store:
        store.import_calendar(text)
    return time.perf_counter() - started


def _first_window_ours(path: str) -> None:
    """In a fresh process: open the window and report when its first rows are painted."""
    import qasync

    from todo.ui.app import build_window, make_application

    app = make_application(["bench"])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def run() -> None:
        done = asyncio.Event()
        todo = build_window(path, me="bench@example.com")
        todo.window.list_loaded.connect(lambda *_: done.set())
        todo.window.show()
        await done.wait()
        todo.window.list.viewport().repaint()
        print(f"{time.perf_counter() - START:.4f} {todo.window.model.rowCount()}")
        todo.close()

    with loop:
        loop.run_until_complete(run())


def _first_window_peer(path: str) -> None:
    """In a fresh process: the simple window, one item per todo of the All view."""
    from PySide6.QtWidgets import QApplication, QListWidget

    from todo.store import TodoStore
    from todo.views import ViewSpec

    app = QApplication(["bench"])
    with TodoStore.open(path) as store:
        rows = store.query(ViewSpec())
    widget = QListWidget()
    widget.addItems([row.subject for row in rows])
    widget.resize(1180, 720)
    widget.show()
    widget.viewport().repaint()
    app.processEvents()
    print(f"{time.perf_counter() - START:.4f} {widget.count()}")


def _in_process(kind: str, path: Path) -> tuple[float, int]:
    best = (float("inf"), 0)
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-m", "tests.bench.todo_window", f"--{kind}", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        best = min(best, (float(out[0]), int(out[1])))
    return best


async def _switching(path: Path) -> list[tuple[str, float, float, int]]:
    from PySide6.QtWidgets import QListWidget

    from todo.store import TodoStore
    from todo.ui.app import build_window
    from todo.ui.sidebar import SPEC_ROLE
    from todo.views import View, ViewSpec

    todo = build_window(path, me="bench@example.com")
    window = todo.window
    loaded = asyncio.Event()
    window.list_loaded.connect(lambda *_: loaded.set())
    window.show()
    await loaded.wait()

    def user_lists() -> int:
        specs = [window.sidebar.item(r).data(SPEC_ROLE) for r in range(window.sidebar.count())]
        return sum(1 for spec in specs if spec is not None and spec.view is View.LIST)

    while not user_lists():  # the sidebar's counts and lists arrive after the first page
        await asyncio.sleep(0.05)
    peer_store = TodoStore.open(path)
    peer = QListWidget()
    peer.resize(600, 700)
    peer.show()
    results: list[tuple[str, float, float, int]] = []

    async def ours(change: object) -> float:
        best = float("inf")
        for _ in range(5):
            loaded.clear()
            started = time.perf_counter()
            change()  # type: ignore[operator]
            await loaded.wait()
            window.list.viewport().repaint()
            best = min(best, time.perf_counter() - started)
        return best

    def theirs(spec: ViewSpec, search: str = "") -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            peer.clear()
            peer.addItems([r.subject for r in peer_store.query(spec, search=search)])
            peer.viewport().repaint()
            best = min(best, time.perf_counter() - started)
        return best

    async def switch_to(row: int) -> float:
        """From another list, loaded and painted, to ``row``: the time of that one click."""
        best = float("inf")
        for _ in range(5):
            away = next(r for r in (0, 1, 2) if r not in (row, window.sidebar.currentRow()))
            loaded.clear()
            window.sidebar.setCurrentRow(away)
            await loaded.wait()
            window.list.viewport().repaint()
            loaded.clear()
            started = time.perf_counter()
            window.sidebar.setCurrentRow(row)
            await loaded.wait()
            window.list.viewport().repaint()
            best = min(best, time.perf_counter() - started)
        return best

    for row in range(window.sidebar.count()):
        spec = window.sidebar.item(row).data(SPEC_ROLE)
        if spec is None:
            continue
        mine = await switch_to(row)
        count = window.model.rowCount()
        results.append((f"switch to {spec.name}", mine, theirs(spec), count))
    window.sidebar.setCurrentRow(0)
    await asyncio.sleep(0.2)
    for word in ("paint", "frank invoice", "tiles 4711"):

        def search(word: str = word) -> None:
            window.search.setText(word)
            window.show_list()  # what Enter does; typing waits 150 ms for the next key first

        mine = await ours(search)
        count = window.model.rowCount()
        results.append((f"search {word!r}", mine, theirs(ViewSpec(), word), count))
    peer_store.close()
    todo.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.todo_window", description=__doc__)
    parser.add_argument("--first", type=int, default=10_000, help="todos for the first window")
    parser.add_argument("--many", type=int, default=100_000, help="todos for switching/search")
    parser.add_argument("--ours", help=argparse.SUPPRESS)
    parser.add_argument("--peer", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ours:
        _first_window_ours(args.ours)
        return 0
    if args.peer:
        _first_window_peer(args.peer)
        return 0

    import qasync
    from PySide6.QtWidgets import QApplication

    from todo.ui.app import make_application

    with tempfile.TemporaryDirectory(prefix="traveler-window-bench-") as tmp:
        small, large = Path(tmp) / "small.db", Path(tmp) / "large.db"
        print(f"filling stores: {args.first} todos in {_fill(small, args.first):.1f} s, ", end="")
        print(f"{args.many} todos in {_fill(large, args.many):.1f} s", flush=True)
        ours, rows = _in_process("ours", small)
        peer, peer_rows = _in_process("peer", small)
        lines = [(f"first window, {args.first} todos ({rows}/{peer_rows} rows)", ours, peer, 1.5)]
        app = make_application(["bench"])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            timed = loop.run_until_complete(_switching(large))
        QApplication.processEvents()
        for name, mine, theirs, count in timed:
            lines.append((f"{name}, {args.many} todos ({count} rows)", mine, theirs, 0.1))
    width = max(len(line[0]) for line in lines)
    print(f"{'':{width}}  {'ours':>9}  {'peer':>9}  {'ours/peer':>9}  target")
    for name, mine, theirs, target in lines:
        print(
            f"{name:{width}}  {mine * 1000:7.1f}ms  {theirs * 1000:7.1f}ms  "
            f"{mine / theirs:9.3f}  <= {target * 1000:.0f} ms"
            f"{'' if mine <= target else '  (over)'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
