"""Notifications of todos delegated to the user: a cursor over the store's revisions, so
however many todos a sync brings or changes, each delegation is announced once (also across
restarts) and none is missed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

from tests.todo.ui.conftest import ME, close, until
from todo.store import TodoStore
from todo.task import Attendee, Organizer, PartStat, Task
from todo.task_format import format_task
from todo.ui.app import build_window
from todo.ui.notifications import Notification

Seed = Callable[[Callable[[TodoStore], object]], object]
FRANK = Organizer("frank@demo.traveler.test", "Frank Adams")


def delegated(uid: str, subject: str, partstat: PartStat = PartStat.NEEDS_ACTION) -> str:
    return format_task(
        Task(uid, subject, organizer=FRANK, assignees=[Attendee(ME, "Alice", partstat)])
    )


async def test_each_delegation_is_announced_once_however_many_todos_change(
    qapp: QApplication, english: None, store_path: Path
) -> None:
    batches: list[list[str]] = [
        # the first sync: 600 of Frank's todos already answered, and one waiting
        [delegated(f"old-{n}", f"Old {n}", PartStat.ACCEPTED) for n in range(600)]
        + [delegated("new-1", "Latest defect count")],
        # the next: the waiting one again (Frank edited it), then 700 changes after it
        [delegated("new-1", "Latest defect count (v2)")]
        + [delegated(f"old-{n}", f"Old {n}!", PartStat.ACCEPTED) for n in range(600)]
        + [format_task(Task(f"mine-{n}", f"Mine {n}")) for n in range(100)]
        + [delegated("new-2", "Budget review")],
        [],
    ]

    async def run_sync() -> str:
        with TodoStore.open(store_path) as store, store.transaction():
            for data in batches.pop(0):
                store.apply_remote(data)
        return "ok"

    async def session(syncs: int) -> list[Notification]:
        app = build_window(store_path, me=ME, run_sync=run_sync)
        try:
            for _ in range(syncs):
                before = app.sync.state
                app.sync.sync_now()
                await until(
                    lambda b=before: (
                        app.sync.state is not b and app.sync.state.phase.value == "done"
                    ),
                    "the sync",
                )
                await app.window.notify_delegated()
            return list(app.notifier.shown)
        finally:
            await close(app)

    notes = await session(2)
    assert [n.body for n in notes] == [
        "Frank Adams delegated “Latest defect count” to you",
        "Frank Adams delegated “Budget review” to you",
    ]
    assert all(n.todo_id is not None for n in notes)
    assert await session(1) == []  # a restart does not tell again


async def test_many_new_delegations_come_as_one_notification(
    qapp: QApplication, english: None, seed: Seed, store_path: Path
) -> None:
    seed(lambda s: [s.apply_remote(delegated(f"d-{n}", f"Job {n}")) for n in range(25)])
    app = build_window(store_path, me=ME)
    try:
        await until(lambda: app.notifier.shown, "the notification")
        [note] = app.notifier.shown
        assert (note.title, note.body) == ("25 new delegated todos", "From Frank Adams and others")
        assert app.window.delegate.names["frank@demo.traveler.test"] == "Frank Adams"
    finally:
        await close(app)
