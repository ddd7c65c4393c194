"""Reminders in the window: every VALARM trigger, any number of todos, recomputed on every
change (the window's, a sync's), once across restarts, missed ones shown at start, snooze."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.todo.ui.conftest import ME, close, until
from tests.todo.ui.test_window import select
from todo.store import TodoStore
from todo.task import Alarm, AlarmRelated, Task
from todo.task_format import format_task
from todo.ui.app import TodoApp, build_window

Seed = Callable[[Callable[[TodoStore], object]], object]


def minute(delta: timedelta) -> datetime:
    return (datetime.now(UTC) + delta).replace(second=0, microsecond=0)


def before_due(minutes: int) -> Alarm:
    return Alarm(-timedelta(minutes=minutes), related=AlarmRelated.END)


async def test_every_kind_of_trigger_fires_once(todo_app: TodoApp, seed: Seed) -> None:
    due = minute(timedelta(hours=2))
    start = minute(timedelta(hours=3))
    fixed = minute(timedelta(hours=4))

    def fill(store: TodoStore) -> None:
        store.add(Task("", "Call Frank", due=due, alarms=[before_due(30)]))
        store.add(Task("", "Start the backup", start=start, alarms=[Alarm(timedelta(0))]))
        # a fixed-time alarm on a todo without a due date (the old scheduler never saw these)
        store.add(Task("", "Renew the passport", alarms=[Alarm(fixed)]))
        done = store.add(Task("", "Already paid", due=due, alarms=[before_due(30)]))
        store.complete(done)
        # relative to a start the todo does not have: nothing to fire
        store.add(Task("", "No anchor", due=due, alarms=[Alarm(timedelta(0))]))

    seed(fill)
    scheduler = todo_app.window.reminders
    notes = todo_app.notifier.shown
    scheduler.clock = lambda: due - timedelta(minutes=31)
    assert await scheduler.check() == []
    assert scheduler.next_at == due - timedelta(minutes=30)  # what the timer waits for

    scheduler.clock = lambda: due - timedelta(minutes=29)
    [call] = await scheduler.check()
    assert (call.subject, call.missed) == ("Call Frank", False)
    assert notes[-1].title == "Reminder: Call Frank" and notes[-1].body.startswith("Due ")
    assert notes[-1].snooze and notes[-1].todo_id == call.todo_id
    assert await scheduler.check() == []  # once

    scheduler.clock = lambda: start + timedelta(seconds=1)
    assert [r.subject for r in await scheduler.check()] == ["Start the backup"]
    scheduler.clock = lambda: fixed + timedelta(seconds=1)
    [passport] = await scheduler.check()
    assert passport.subject == "Renew the passport" and passport.due is None
    assert notes[-1].title == "Reminder: Renew the passport" and notes[-1].body == ""
    scheduler.clock = lambda: fixed + timedelta(days=30)
    assert await scheduler.check() == []
    assert scheduler.next_at is None


async def test_a_restart_neither_repeats_nor_loses_a_reminder_and_shows_the_missed_once(
    qapp: QApplication, english: None, seed: Seed, store_path: Path
) -> None:
    seed(lambda s: s.add(Task("", "Water the plants", alarms=[Alarm(minute(-timedelta(hours=2)))])))

    async def run_window() -> list[str]:
        app = build_window(store_path, me=ME)
        try:
            scheduler = app.window.reminders
            await until(lambda: scheduler.looks, "the first look")
            await scheduler.check()
            return [f"{n.title} | {n.body}" for n in app.notifier.shown]
        finally:
            await close(app)

    [first] = await run_window()
    assert first.startswith("Missed reminder: Water the plants | The reminder was set for ")
    assert await run_window() == []  # the restart does not repeat it
    # a reminder due while the app was closed comes at the next start, as missed, once
    due = minute(-timedelta(minutes=30))
    seed(lambda s: s.add(Task("", "Call the bank", due=due, alarms=[before_due(15)])))
    [second] = await run_window()
    assert second.startswith("Missed reminder: Call the bank | The reminder was set for ")
    assert "· Due " in second
    assert await run_window() == []


async def test_many_missed_reminders_come_as_one_notification(
    todo_app: TodoApp, seed: Seed
) -> None:
    at = minute(timedelta(hours=1))
    seed(lambda s: [s.add(Task("", f"Task {n}", alarms=[Alarm(at)])) for n in range(40)])
    scheduler = todo_app.window.reminders
    scheduler.clock = lambda: at + timedelta(seconds=1)
    assert len(await scheduler.check()) == 40
    [note] = todo_app.notifier.shown
    assert note.title == "40 reminders"
    assert note.body == "“Task 0”, “Task 1”, “Task 2” and 37 more"


async def test_an_edit_and_a_sync_recompute_the_reminders(
    qapp: QApplication, english: None, seed: Seed, store_path: Path, qtbot: QtBot
) -> None:
    due = minute(timedelta(hours=2))
    todo_id = seed(lambda s: s.add(Task("", "Call Frank", due=due, alarms=[before_due(60)])))
    synced = minute(timedelta(hours=5))

    async def run_sync() -> str:
        # what a sync does: the server's version, written through another connection
        with TodoStore.open(store_path) as store:
            store.apply_remote(
                format_task(Task("remote-1", "From the server", alarms=[Alarm(synced)]))
            )
        return "ok"

    app = build_window(store_path, me=ME, run_sync=run_sync)
    try:
        window = app.window
        window.show()
        scheduler = window.reminders
        await until(lambda: scheduler.next_at == due - timedelta(hours=1), "the first look")
        # the user moves the due date an hour on: the reminder moves with it
        await select(app, "Call Frank")
        window.editor.due.set_date(due + timedelta(hours=1))
        qtbot.mouseClick(window.editor.save, Qt.MouseButton.LeftButton)
        await until(lambda: scheduler.next_at == due, "the new reminder time")
        scheduler.clock = lambda: due - timedelta(minutes=1)
        assert await scheduler.check() == []
        scheduler.clock = lambda: due + timedelta(seconds=1)
        [moved] = await scheduler.check()
        assert moved.todo_id == todo_id

        app.sync.sync_now()
        await until(lambda: scheduler.next_at == synced, "the synced todo's reminder")
        scheduler.clock = lambda: synced + timedelta(seconds=1)
        [remote] = await scheduler.check()
        assert remote.subject == "From the server"
    finally:
        await close(app)


async def test_snooze_reminds_again_ten_minutes_later(
    todo_app: TodoApp, seed: Seed, qtbot: QtBot
) -> None:
    at = minute(timedelta(hours=1))
    seed(lambda s: s.add(Task("", "Take the cake out", alarms=[Alarm(at)])))
    scheduler = todo_app.window.reminders
    popup = todo_app.notifier.popup
    now = at + timedelta(seconds=1)
    scheduler.clock = lambda: now
    await scheduler.check()
    await until(lambda: popup.isVisible(), "the notification")
    assert popup.title.text() == "Reminder: Take the cake out"
    assert popup.snooze.isVisible() and popup.snooze.text() == "Snooze 10 min"
    popup.grab().save("/tmp/todoui-shots/reminder-en.png")
    qtbot.mouseClick(popup.snooze, Qt.MouseButton.LeftButton)
    assert not popup.isVisible()
    await until(lambda: scheduler.next_at == now + timedelta(minutes=10), "the snooze")
    scheduler.clock = lambda: now + timedelta(minutes=10, seconds=1)
    [again] = await scheduler.check()
    assert again.subject == "Take the cake out" and not again.missed
