"""python -m tests.bench.todo_store: the ToDo store with 100,000 todos against plain sqlite3.

Fills a store (one import of an .ics file of N todos), then times, each the best of a few runs:

- view switching: the first page (200 rows) and the count of every view, as the window asks;
- a whole view (every open todo) as the list command reads it, and as ``list --json`` prints it;
- search: a word in the subject or notes;
- add: one todo at a time (one durable transaction each) and completing one.

The peer, measured in the same run on the same data, is a plain ``sqlite3`` query of the same
rows: the same file and indexes for the views (so the ratio is what the store's Python costs on
top of SQLite), and ``LIKE '%word%'`` for search (what a store without a full-text index
would do). Ratios ours/peer are printed; nothing passes or fails on time.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from todo.calendar_files import join_calendars
from todo.store import TodoStore
from todo.task import Priority, Task
from todo.task_format import format_task
from todo.views import Sort, View, ViewSpec, compile_query

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Berlin")
WORDS = [
    "call",
    "paint",
    "order",
    "check",
    "write",
    "review",
    "plan",
    "fix",
    "send",
    "buy",
    "tiles",
    "report",
    "frank",
    "invoice",
]
LISTS = ["Renovation", "Work", "Home", "Shopping", "Garden"]


def _tasks(n: int, seed: int = 7) -> list[Task]:
    rng = random.Random(seed)
    tasks = []
    for i in range(n):
        due: date | datetime | None = None
        roll = rng.random()
        if roll < 0.4:
            due = date(2026, 12, 2) + timedelta(days=rng.randint(-30, 60))
        elif roll < 0.8:
            due = datetime(2026, 12, 2, 9, 0, tzinfo=ZONE) + timedelta(hours=rng.randint(-500, 900))
        words = rng.sample(WORDS, 3)
        tasks.append(
            Task(
                uid=f"bench-{i}",
                summary=" ".join(words).capitalize() + f" {i}",
                description="notes about " + rng.choice(WORDS),
                due=due,
                priority=rng.choice(list(Priority)),
                categories=tuple(rng.sample(LISTS, rng.randint(0, 2))),
                created=NOW - timedelta(minutes=i),
                completed=NOW if rng.random() < 0.2 else None,
            )
        )
    return tasks


def _calendar(tasks: list[Task]) -> str:
    """One .ics of ``tasks``, as an export from another app would be (written by template:
    format_task's icalendar writer takes milliseconds a todo, too long for 100,000)."""
    timed = next(t for t in tasks if isinstance(t.due, datetime))
    zone = join_calendars([format_task(timed, now=NOW)]).split("BEGIN:VTODO")[0]
    out = [zone]
    for t in tasks:
        lines = [
            "BEGIN:VTODO",
            f"UID:{t.uid}",
            "DTSTAMP:20261202T150000Z",
            f"CREATED:{(t.created or NOW):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{t.summary}",
            f"DESCRIPTION:{t.description}",
        ]
        if isinstance(t.due, datetime):
            lines.append(f"DUE;TZID={ZONE.key}:{t.due:%Y%m%dT%H%M%S}")
        elif t.due is not None:
            lines.append(f"DUE;VALUE=DATE:{t.due:%Y%m%d}")
        if t.priority is not Priority.NONE:
            lines.append(f"PRIORITY:{t.priority.ical_value}")
        if t.categories:
            lines.append("CATEGORIES:" + ",".join(t.categories))
        if t.completed is not None:
            lines += [f"COMPLETED:{t.completed:%Y%m%dT%H%M%SZ}", "STATUS:COMPLETED"]
        lines.append("END:VTODO")
        out.append("\r\n".join(lines) + "\r\n")
    out.append("END:VCALENDAR\r\n")
    return "".join(out)


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


VIEWS = [
    ViewSpec(View.ALL),
    ViewSpec(View.TODAY),
    ViewSpec(View.OVERDUE),
    ViewSpec(View.BY_DUE),
    ViewSpec(View.BY_PRIORITY),
    ViewSpec(View.COMPLETED),
    ViewSpec(View.LIST, "Renovation"),
    ViewSpec(sort=Sort.TITLE),
]

# The peer's SQL: the same rows the store's views return, read by plain sqlite3.
_PEER_COLUMNS = (
    "id, uid, summary, due, due_tz, priority, done, completed_at, status, categories, "
    "assignees, organizer, recurring, created_at, modified_at"
)


def _peer_sql(spec: ViewSpec, today: str, now: float) -> tuple[str, dict[str, object]]:
    where, order, params = compile_query(spec, today=today, now=now)
    return f"SELECT {_PEER_COLUMNS} FROM todos WHERE {where} ORDER BY {order}", params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.todo_store", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="todos (default 100000)")
    args = parser.parse_args(argv)
    rows: list[tuple[str, float, float]] = []

    with tempfile.TemporaryDirectory(prefix="traveler-store-bench-") as tmp:
        path = Path(tmp) / "todo.db"
        tasks = _tasks(args.size)
        start = time.perf_counter()
        text = _calendar(tasks)
        made = time.perf_counter() - start
        store = TodoStore.open(path, clock=lambda: NOW, zone=ZONE)
        start = time.perf_counter()
        store.import_calendar(text)
        imported = time.perf_counter() - start
        assert len(store) == args.size
        print(
            f"{args.size} todos: .ics written in {made:.1f} s, imported in {imported:.1f} s "
            f"({imported / args.size * 1e6:.0f} µs a todo)"
        )
        peer = sqlite3.connect(path)
        today = NOW.astimezone(ZONE).date().isoformat()
        now = NOW.timestamp()

        for spec in VIEWS:
            label = spec.name + (f" sort={spec.sort.value}" if spec.sort else "")

            def ours(spec: ViewSpec = spec) -> None:
                store.query(spec, limit=200)
                store.count(spec)

            def theirs(spec: ViewSpec = spec) -> None:
                sql, params = _peer_sql(spec, today, now)
                peer.execute(sql + " LIMIT 200", params).fetchall()
                where, _, params = compile_query(spec, today=today, now=now)
                peer.execute(f"SELECT COUNT(*) FROM todos WHERE {where}", params).fetchone()

            rows.append((f"switch to {label} (page + count)", _best(ours), _best(theirs)))

        spec = ViewSpec(View.ALL)
        sql, params = _peer_sql(spec, today, now)
        rows.append(
            (
                "whole 'all' view",
                _best(lambda: store.query(spec), 3),
                _best(lambda: peer.execute(sql, params).fetchall(), 3),
            )
        )
        rows.append(
            (
                "list --json of 'all'",
                _best(lambda: json.dumps([r.as_json() for r in store.query(spec)]), 3),
                _best(lambda: json.dumps(peer.execute(sql, params).fetchall()), 3),
            )
        )
        rows.append(
            (
                "search 'invoice' (first page)",
                _best(lambda: store.query(search="invoice", limit=200)),
                _best(
                    lambda: peer.execute(
                        f"SELECT {_PEER_COLUMNS} FROM todos WHERE done = 0 AND (summary LIKE ?"
                        " OR data LIKE ?) ORDER BY due_key, id LIMIT 200",
                        ("%invoice%", "%invoice%"),
                    ).fetchall()
                ),
            )
        )

        counter = iter(range(10**9))

        def add_one() -> None:
            store.add(Task(uid="", summary=f"added {next(counter)}", priority=Priority.HIGH))

        def peer_add() -> None:
            peer.execute(
                "INSERT INTO todos (uid, data, summary, due_key, priority, priority_rank, done,"
                " created_at, modified_at) VALUES (?, ?, ?, 1e18, 'high', 0, 0, 0, 0)",
                (f"peer-{next(counter)}", "x", "added"),
            )
            peer.commit()

        peer.execute("PRAGMA synchronous = FULL")
        rows.append(("add one todo (durable)", _best(add_one, 20), _best(peer_add, 20)))
        open_ids = store.ids(ViewSpec(View.ALL))
        done = iter(open_ids)
        rows.append(
            (
                "complete one todo (durable)",
                _best(lambda: store.complete(next(done)), 20),
                _best(
                    lambda: (
                        peer.execute("UPDATE todos SET done = 1 WHERE id = ?", (next(done),)),
                        peer.commit(),
                    ),
                    20,
                ),
            )
        )
        store.close()
        peer.close()

    width = max(len(r[0]) for r in rows)
    print(f"\n{'operation':<{width}}  {'ours ms':>9}  {'sqlite3 ms':>10}  {'ratio':>6}")
    for name, ours_s, theirs_s in rows:
        ratio = ours_s / theirs_s if theirs_s else float("inf")
        print(f"{name:<{width}}  {ours_s * 1e3:9.2f}  {theirs_s * 1e3:10.2f}  {ratio:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
