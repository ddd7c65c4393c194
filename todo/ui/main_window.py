"""The ToDo main window: lists on the left, the todos of the chosen list (search, sort, quick
add) in the middle, the editor on the right, the sync state in the status bar."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from todo.task import Organizer, PartStat, Task
from todo.ui import texts
from todo.ui.background import spawn
from todo.ui.editor import TaskEditor
from todo.ui.notifications import Notification, Notifier
from todo.ui.quick_add_bar import Parse, QuickAddBar
from todo.ui.reminders import ReminderScheduler, reminder_body
from todo.ui.sidebar import Sidebar, view_title
from todo.ui.sync_status import SyncController, SyncStatus
from todo.ui.task_delegate import TaskDelegate
from todo.ui.task_list_view import TaskListView
from todo.ui.task_model import ROW_ROLE, TaskListModel
from todo.ui.todo_service import ListQuery, TodoService
from todo.ui.user_lookup import UserLookup
from todo.views import Sort, View, ViewSpec

# More reminders (or delegations) at once than this come as one notification that counts them.
_AT_ONCE = 3

_SORTS: tuple[Sort | None, ...] = (
    None,
    Sort.DUE,
    Sort.PRIORITY,
    Sort.TITLE,
    Sort.CREATED,
    Sort.MODIFIED,
)

if TYPE_CHECKING:  # the store loads on its worker thread, after the window shows
    from todo.delegated import NewDelegation
    from todo.reminders import DueReminder
    from todo.store import TodoRecord, TodoStore, TodoSummary


class TodoWindow(QMainWindow):
    """The window; every action goes through ``service`` (the store, off the UI thread) and
    ``sync`` (the sync client, in the background)."""

    # The list finished loading (tests and benchmarks wait for it): the query and its size.
    list_loaded = Signal(object, int)
    # An action finished and the window caught up (tests wait for it).
    action_done = Signal(str)

    def __init__(
        self,
        service: TodoService,
        parse: Parse,
        sync: SyncController,
        notifier: Notifier,
        *,
        me: str = "",
        account_label: str = "",
        icon: QIcon | None = None,
        lookup: UserLookup | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("TodoWindow")
        self.service = service
        self.sync = sync
        self.notifier = notifier
        self.me = me
        self.my_name = account_label
        self._editing_id: int | None = None
        self._record: TodoRecord | None = None
        self.setWindowTitle(
            self.tr("ToDo — %1").replace("%1", account_label) if account_label else self.tr("ToDo")
        )
        if icon is not None:
            self.setWindowIcon(icon)
        self.resize(1180, 740)

        self.sidebar = Sidebar(self)
        self.title = QLabel(self)
        self.title.setObjectName("listTitle")
        self.count = QLabel(self)
        self.count.setObjectName("listCount")
        self.search = QLineEdit(self)
        self.search.setMinimumWidth(160)  # the German sort names are long
        self.search.setPlaceholderText(self.tr("Search"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search todos"))
        self.sort = QComboBox(self)
        self.sort.setAccessibleName(self.tr("Sort by"))
        for sort in _SORTS:
            self.sort.addItem(self._sort_name(sort), sort)
        self.quick_add = QuickAddBar(parse, self, lookup)

        self.model = TaskListModel(service.page, self)
        self.delegate = TaskDelegate(self)
        self.delegate.me = me
        self.list = TaskListView(self)
        self.list.setObjectName("todoList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty)

        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.title)
        header.addWidget(self.count)
        header.addStretch(1)
        header.addWidget(self.search, 2)
        header.addWidget(self.sort)
        centre = QWidget(self)
        centre.setObjectName("centre")
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(18, 14, 18, 8)
        centre_layout.setSpacing(10)
        centre_layout.addLayout(header)
        centre_layout.addWidget(self.quick_add)
        centre_layout.addWidget(self.stack, 1)

        self.editor = TaskEditor(self)
        self.editor.set_me(me)
        self.editor.setMinimumWidth(430)
        self.editor.hide()

        self.splitter = QSplitter(self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([200, 540, 440])
        self.sidebar.setMinimumWidth(170)
        self.setCentralWidget(self.splitter)

        self.sync_status = SyncStatus(self)
        self.undo_note = QLabel(self)
        self.undo_note.setObjectName("undoNote")
        self.undo_button = QPushButton(self.tr("Undo"), self)
        self.undo_button.setObjectName("undoButton")
        self.undo_button.clicked.connect(self.undo)
        self.statusBar().addWidget(self.sync_status, 1)
        self.statusBar().addPermanentWidget(self.undo_note)
        self.statusBar().addPermanentWidget(self.undo_button)
        self.statusBar().setSizeGripEnabled(False)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(10_000)
        self._undo_timer.timeout.connect(self._hide_undo_note)
        self._hide_undo_note()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self.show_list)

        self._make_actions()
        self.sidebar.selected.connect(lambda _spec: self.show_list())
        self.sort.currentIndexChanged.connect(lambda _i: self.show_list())
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.show_list)
        self.model.loaded.connect(self._list_loaded)
        self.model.failed.connect(self.show_error)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.list.activated.connect(lambda _index: self.editor.subject.setFocus())
        self.delegate.toggle_requested.connect(self.toggle_done)
        self.quick_add.add_requested.connect(self.add_task)
        self.editor.save_requested.connect(self.save_task)
        self.editor.delete_requested.connect(lambda record: self.delete_todo(record.id))
        self.editor.restore_requested.connect(lambda record: self.restore_todo(record.id))
        self.editor.answer_requested.connect(self.answer)
        self.editor.closed.connect(self.close_editor)
        self.service.changed.connect(self._store_changed)
        self.sync.state_changed.connect(self.sync_status.show_state)
        self.sync.finished.connect(lambda _result: self._after_sync())
        self.sync_status.retry_requested.connect(self.sync.sync_now)
        self.sync_status.show_state(self.sync.state)
        self.sync.push_changed.connect(self.sync_status.show_push)
        self.sync_status.show_push(self.sync.push)
        self.notifier.activated.connect(self._notification_activated)
        self.notifier.sync_requested.connect(self.sync.sync_now)
        self.reminders = ReminderScheduler(service, self)
        self.reminders.fired.connect(self._remind)
        self.notifier.snooze_requested.connect(
            lambda todo_id: self._run(self.reminders.snooze(todo_id))
        )
        self.show_list()
        self.refresh_counts()
        self._run(self._show_delegators())
        self._run(self.notify_delegated())
        self.reminders.start()

    # --- actions and shortcuts ------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(
            text: str,
            shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
            slot: Callable[[], object],
        ) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(lambda _checked=False: slot())
            self.addAction(act)
            return act

        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.sync_action = action(self.tr("&Sync now"), "Ctrl+R", self.sync.sync_now)
        file_menu.addAction(self.sync_action)
        file_menu.addSeparator()
        file_menu.addAction(action(self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close))

        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        self.undo_action = action(self.tr("&Undo"), QKeySequence.StandardKey.Undo, self.undo)
        self.undo_action.setEnabled(False)
        edit_menu.addAction(self.undo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(
            action(self.tr("&New todo"), QKeySequence.StandardKey.New, self.focus_quick_add)
        )
        self.complete_action = action(self.tr("&Complete"), "Ctrl+D", self.toggle_current)
        edit_menu.addAction(self.complete_action)
        self.delete_action = action(
            self.tr("&Delete"), QKeySequence.StandardKey.Delete, self.delete_current
        )
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.list.addAction(self.delete_action)
        edit_menu.addAction(self.delete_action)
        edit_menu.addSeparator()
        edit_menu.addAction(
            action(self.tr("&Find"), QKeySequence.StandardKey.Find, self.focus_search)
        )

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for number, view in enumerate(Sidebar.FIXED, start=1):
            view_menu.addAction(
                action(
                    view_title(ViewSpec(view)),
                    f"Ctrl+{number}",
                    partial(self.sidebar.select_view, view),
                )
            )

    @staticmethod
    def _sort_name(sort: Sort | None) -> str:
        names = {
            None: QCoreApplication.translate("Texts", "List order"),
            Sort.DUE: QCoreApplication.translate("Texts", "Due date"),
            Sort.PRIORITY: QCoreApplication.translate("Texts", "Priority"),
            Sort.TITLE: QCoreApplication.translate("Texts", "Title"),
            Sort.CREATED: QCoreApplication.translate("Texts", "Created"),
            Sort.MODIFIED: QCoreApplication.translate("Texts", "Modified"),
        }
        return QCoreApplication.translate("Texts", "Sort: %1").replace("%1", names[sort])

    def focus_quick_add(self) -> None:
        """Put the cursor in the quick-add field."""
        self.quick_add.field.setFocus()
        self.quick_add.field.selectAll()

    def focus_search(self) -> None:
        """Put the cursor in the search field."""
        self.search.setFocus()
        self.search.selectAll()

    # --- the list ---------------------------------------------------------------------------

    def current_query(self) -> ListQuery:
        """The list, sort and search the window shows."""
        spec = self.sidebar.current_spec()
        sort = self.sort.currentData()
        return ListQuery(
            ViewSpec(spec.view, spec.list_name, sort, priority=spec.priority),
            self.search.text().strip(),
        )

    def show_list(self) -> None:
        """Show the current query (list, sort, search)."""
        query = self.current_query()
        self.title.setText(view_title(query.spec))
        self.model.show(query)

    def _list_loaded(self, query: ListQuery, total: int) -> None:
        self.count.setText(self.tr("%n todo(s)", None, total) if total else "")
        if total == 0:
            self.empty.setText(self._empty_text(query))
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.list)
        if self._editing_id is not None:
            row = self.model.row_of(self._editing_id)
            if row is not None:
                self.list.selectionModel().blockSignals(True)
                self.list.setCurrentIndex(self.model.index(row))
                self.list.selectionModel().blockSignals(False)
        self.list_loaded.emit(query, total)

    def _empty_text(self, query: ListQuery) -> str:
        if query.search:
            return self.tr("No todo matches “%1”.").replace("%1", query.search)
        if query.spec.priority is not None:
            return self.tr("No open todos with this priority.")
        messages = {
            View.ALL: self.tr(
                "Nothing to do. Add a todo above — e.g. “Call Frank tomorrow 9:00 !high”."
            ),
            View.TODAY: self.tr("Nothing is due today."),
            View.OVERDUE: self.tr("Nothing is overdue. Well done!"),
            View.BY_DUE: self.tr("No open todos."),
            View.BY_PRIORITY: self.tr("No open todos."),
            View.COMPLETED: self.tr("No completed todos yet."),
            View.LIST: self.tr("This list has no open todos."),
        }
        return messages[query.spec.view]

    def refresh_counts(self) -> None:
        """Update the numbers in the sidebar and the user's lists."""

        async def run() -> None:
            counts, lists = await self.service.counts()
            self.sidebar.set_counts(counts, lists)
            self.editor.set_known_lists([info.name for info in lists])

        self._run(run())

    def _store_changed(self, _ids: list[int]) -> None:
        self.model.refresh()
        self.refresh_counts()
        self.reminders.check_soon()
        self._run(self._update_undo())

    async def _update_undo(self) -> None:
        label = await self.service.undo_label()
        self.undo_action.setEnabled(label is not None)
        self.undo_action.setText(
            self.tr("&Undo %1").replace("%1", self._action_name(label))
            if label
            else self.tr("&Undo")
        )

    def _action_name(self, label: str) -> str:
        return {
            "add": self.tr("add"),
            "edit": self.tr("edit"),
            "complete": self.tr("complete"),
            "reopen": self.tr("reopen"),
            "delete": self.tr("delete"),
            "restore": self.tr("restore"),
            "import": self.tr("import"),
        }.get(label, label)

    # --- selection and editor ---------------------------------------------------------------

    def current_summary(self) -> TodoSummary | None:
        """The todo selected in the list."""
        index = self.list.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        summary = current.data(ROW_ROLE) if current.isValid() else None
        if summary is not None:
            self.open_todo(summary.id)

    def open_todo(self, todo_id: int) -> None:
        """Load a todo into the editor."""

        async def run() -> None:
            record = await self.service.record(todo_id)
            self._editing_id = todo_id
            self._record = record
            self.editor.show_row(record)
            self.editor.show()
            self.action_done.emit("open")

        self._run(run())

    def close_editor(self) -> None:
        """Hide the editor and go back to the list."""
        self._editing_id = None
        self._record = None
        self.editor.hide()
        self.list.setFocus()

    def _reload_editor(self) -> None:
        """Show the stored version of the todo in the editor, unless the user is mid-edit."""
        if self._editing_id is None or self._record is None:
            return
        if self.editor.edited_task() != self._record.task:
            return
        todo_id = self._editing_id

        async def run() -> None:
            try:
                record = await self.service.record(todo_id)
            except LookupError:
                self.close_editor()
                return
            if self._editing_id == todo_id:
                self._record = record
                self.editor.show_row(record)

        self._run(run())

    # --- what the user does -----------------------------------------------------------------

    def add_task(self, task: Task) -> None:
        """Store a todo from quick add, in the list shown (when it is a user list)."""
        spec = self.sidebar.current_spec()
        if spec.view is View.LIST and spec.list_name.casefold() not in {
            c.casefold() for c in task.categories
        }:
            task = replace(task, categories=(*task.categories, spec.list_name))
        task = self._as_organizer(task)

        async def run() -> None:
            await self.service.add(task)
            self.show_undo_note(self.tr("Added “%1”").replace("%1", task.summary))
            self.action_done.emit("add")

        self._run(run())

    def _as_organizer(self, task: Task) -> Task:
        """A todo the user assigns to others names the user as its organizer (RFC 5546): the
        server places it with the assignees and brings their answers back to the user."""
        if task.assignees and task.organizer is None and self.me:
            return replace(task, organizer=Organizer(self.me, self.my_name))
        return task

    def save_task(self, record: TodoRecord, task: Task) -> None:
        """Store the editor's changes."""
        task = self._as_organizer(task)

        async def run() -> None:
            saved = await self.service.save(record.id, task)
            if self._editing_id == record.id:
                self._record = saved
                self.editor.show_row(saved)
            self.show_undo_note(self.tr("Saved “%1”").replace("%1", task.summary))
            self.action_done.emit("save")

        self._run(run())

    def toggle_current(self) -> None:
        """Complete (or reopen) the selected todo."""
        summary = self.current_summary()
        if summary is not None:
            self.toggle_done(summary)

    def toggle_done(self, summary: TodoSummary) -> None:
        """Complete an open todo, reopen a done one."""

        async def run() -> None:
            if summary.completed:
                await self.service.reopen(summary.id)
                self.show_undo_note(self.tr("Reopened “%1”").replace("%1", summary.subject))
            else:
                done = await self.service.complete(summary.id)
                if done.next_id is not None:
                    following = await self.service.record(done.next_id)
                    when = following.task.due or following.task.start
                    note = (
                        self.tr("Completed “%1” — the next one is due %2")
                        .replace("%1", summary.subject)
                        .replace(
                            "%2", texts.moment_text(when, datetime.now().date()) if when else ""
                        )
                    )
                else:
                    note = self.tr("Completed “%1”").replace("%1", summary.subject)
                self.show_undo_note(note)
            self._reload_editor()
            self.action_done.emit("toggle")

        self._run(run())

    def delete_current(self) -> None:
        """Delete the selected todo (undo brings it back)."""
        summary = self.current_summary()
        if summary is not None:
            self.delete_todo(summary.id)

    def delete_todo(self, todo_id: int) -> None:
        """Delete a todo."""

        async def run() -> None:
            subject = (await self.service.record(todo_id)).task.summary
            await self.service.delete(todo_id)
            if self._editing_id == todo_id:
                self.close_editor()
            self.show_undo_note(self.tr("Deleted “%1”").replace("%1", subject))
            self.action_done.emit("delete")

        self._run(run())

    def restore_todo(self, todo_id: int) -> None:
        """Make the user's overridden version current again."""

        async def run() -> None:
            record = await self.service.restore(todo_id)
            if self._editing_id == todo_id:
                self._record = record
                self.editor.show_row(record)
            self.show_undo_note(
                self.tr("Restored your version of “%1”").replace("%1", record.task.summary)
            )
            self.action_done.emit("restore")

        self._run(run())

    def answer(self, record: TodoRecord, partstat: PartStat) -> None:
        """Accept, decline or complete a todo delegated to the user."""

        async def run() -> None:
            saved = await self.service.answer(record.id, self.me, partstat)
            if self._editing_id == record.id:
                self._record = saved
                self.editor.show_row(saved)
            notes = {
                PartStat.ACCEPTED: self.tr("Accepted “%1”"),
                PartStat.DECLINED: self.tr("Declined “%1”"),
                PartStat.COMPLETED: self.tr("Completed “%1”"),
            }
            self.show_undo_note(notes.get(partstat, "%1").replace("%1", saved.task.summary))
            self.sync.sync_now()  # the organizer learns the answer with the next sync
            self.action_done.emit("answer")

        self._run(run())

    def undo(self) -> None:
        """Undo the last action."""

        async def run() -> None:
            touched = await self.service.undo()
            self._hide_undo_note()
            if self._editing_id in touched:
                self._reload_editor_now()
            self.action_done.emit("undo")

        self._run(run())

    def _reload_editor_now(self) -> None:
        if self._editing_id is None:
            return
        todo_id = self._editing_id

        async def run() -> None:
            try:
                record = await self.service.record(todo_id)
            except LookupError:
                self.close_editor()
                return
            self._record = record
            self.editor.show_row(record)

        self._run(run())

    def show_undo_note(self, text: str) -> None:
        """Say what was just done, with an Undo button, for ten seconds."""
        self.undo_note.setText(text)
        self.undo_note.show()
        self.undo_button.show()
        self._undo_timer.start()

    def _hide_undo_note(self) -> None:
        self.undo_note.hide()
        self.undo_button.hide()

    def show_error(self, message: str) -> None:
        """Say that an action failed, and why."""
        self.statusBar().showMessage(
            self.tr("That did not work: %1").replace("%1", message), 15_000
        )

    def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        spawn(coro, lambda error: self.show_error(str(error) or type(error).__name__))

    # --- sync, notifications ------------------------------------------------------------------

    def _after_sync(self) -> None:
        self.model.refresh()
        self.refresh_counts()
        self._reload_editor()
        self.reminders.check_soon()
        self._run(self.notify_delegated())

    async def _show_delegators(self) -> None:
        """The names of the people who delegated todos to the user, for the list's rows."""
        if not self.me:
            return
        from todo import delegated

        me = self.me
        names = await self.service.run(
            lambda store: store.within(lambda conn: delegated.delegators(conn, me))
        )
        self.delegate.names.update(names)
        self.list.viewport().update()

    async def notify_delegated(self) -> None:
        """A notification for each todo delegated to the user since the last look, once
        (across restarts: the store remembers who was told), however many a sync brought."""
        if not self.me:
            return
        from todo import delegated

        me = self.me

        def take(store: TodoStore) -> list[NewDelegation]:
            return store.within(lambda conn: delegated.take_new(conn, me))

        new = await self.service.run(take)
        if not new:
            return
        for item in new:
            self.delegate.names[item.organizer.casefold()] = item.by
        self.list.viewport().update()
        if len(new) > _AT_ONCE:
            self.notifier.notify(
                Notification(
                    self.tr("%n new delegated todo(s)", None, len(new)),
                    self.tr("From %1 and others").replace("%1", new[0].by),
                )
            )
            return
        for item in new:
            self.notifier.notify(
                Notification(
                    self.tr("New delegated todo"),
                    self.tr("%1 delegated “%2” to you")
                    .replace("%1", item.by)
                    .replace("%2", item.subject),
                    item.todo_id,
                )
            )

    def _remind(self, due: list[DueReminder]) -> None:
        today = datetime.now().date()
        if len(due) > _AT_ONCE:
            missed = sum(1 for reminder in due if reminder.missed)
            names = ", ".join(f"“{reminder.subject}”" for reminder in due[:_AT_ONCE])
            self.notifier.notify(
                Notification(
                    self.tr("%n reminder(s)", None, len(due))
                    if not missed
                    else self.tr("%n missed reminder(s)", None, len(due)),
                    self.tr("%1 and %n more", None, len(due) - _AT_ONCE).replace("%1", names),
                )
            )
            return
        for reminder in due:
            body = reminder_body(reminder, today)
            if reminder.missed:
                when = texts.moment_text(reminder.fires_at.astimezone(), today)
                title = self.tr("Missed reminder: %1").replace("%1", reminder.subject)
                text = self.tr("The reminder was set for %1").replace("%1", when)
                if body:
                    text += " · " + self.tr("Due %1").replace("%1", body)
            else:
                title = self.tr("Reminder: %1").replace("%1", reminder.subject)
                text = self.tr("Due %1").replace("%1", body) if body else ""
            self.notifier.notify(Notification(title, text, reminder.todo_id, snooze=True))

    def _notification_activated(self, todo_id: int | None) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        if todo_id is not None:
            self.open_todo(todo_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.reminders.stop()
        self.quick_add.close_parser()
        self.notifier.close()
        super().closeEvent(event)
