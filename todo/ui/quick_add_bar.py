"""The quick-add field: type "Call Frank tomorrow 9:00 !high #Renovation" (or "Bericht morgen
17 Uhr !hoch #Renovierung") and see what the parser understood before pressing Enter.

Parsing runs on a worker thread (a date parser can take a while on its first use), a moment
after the last key press; Enter adds the todo as the parser reads the text at that point.
Each ``@name`` is looked up on the server (:mod:`todo.ui.user_lookup`) and the preview shows
who it is, or says that the server has no such user (Enter then adds nothing), or that the
server cannot be asked now (the name is kept as typed and checked when the todo syncs).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from todo.task import Attendee, Priority, Task
from todo.ui import texts
from todo.ui.background import spawn
from todo.ui.user_lookup import Found, Person, UserLookup

Parse = Callable[[str], Task]


class QuickAddBar(QWidget):
    """Emits ``add_requested`` with the parsed task when the user presses Enter."""

    add_requested = Signal(object)  # Task
    previewed = Signal(object)  # Task | None: what the preview shows now

    def __init__(
        self, parse: Parse, parent: QWidget | None = None, lookup: UserLookup | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quickAdd")
        self._parse = parse
        self.lookup = lookup
        self._people: dict[str, Person] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quick-add")
        self._generation = 0
        self._parsed: tuple[str, Task] | None = None
        self.now = datetime.now
        self.field = QLineEdit(self)
        self.field.setPlaceholderText(
            self.tr("Add a todo — e.g. “Call Frank tomorrow 9:00 !high #Renovation”")
        )
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName(self.tr("Add a todo"))
        self.preview = QLabel(self)
        self.preview.setObjectName("quickAddPreview")
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.preview.setWordWrap(True)
        self.preview.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QHBoxLayout()
        row.addWidget(self.field)
        layout.addLayout(row)
        layout.addWidget(self.preview)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._start_parse)
        self.field.textChanged.connect(self._text_changed)
        self.field.returnPressed.connect(self._enter)

    def close_parser(self) -> None:
        """End the parser's worker thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _text_changed(self, text: str) -> None:
        self._generation += 1
        if not text.strip():
            self._timer.stop()
            self.preview.hide()
            self.previewed.emit(None)
            return
        self._timer.start()

    def _start_parse(self) -> None:
        spawn(self._parse_and_show(self._generation, self.field.text()))

    async def _parse_text(self, text: str) -> Task:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._parse, text)

    async def _parse_and_show(self, generation: int, text: str) -> None:
        try:
            task = await self._parse_text(text)
        except ValueError as error:
            if generation == self._generation:
                self.preview.setText(f"<span style='color:#c0392b'>{_escape(str(error))}</span>")
                self.preview.show()
            return
        if generation != self._generation:
            return
        self._parsed = (text, task)
        self.preview.setText(self.describe(task))
        self.preview.show()
        self.previewed.emit(task)
        if self.lookup is None:
            return
        for attendee in task.assignees:
            self._people[attendee.email.casefold()] = await self.lookup.find(attendee.email)
            if generation != self._generation:
                return
            self.preview.setText(self.describe(task))
            self.previewed.emit(task)

    def describe(self, task: Task) -> str:
        """The preview line: the subject and each thing the parser recognised, as chips."""
        now = self.now()
        chips: list[tuple[str, str]] = []
        if task.due is not None:
            chips.append((self.tr("Due"), texts.moment_text(task.due, now.date())))
        if task.start is not None:
            chips.append((self.tr("Start"), texts.moment_text(task.start, now.date())))
        if task.priority is not Priority.NONE:
            chips.append((self.tr("Priority"), texts.priority_text(task.priority)))
        chips.extend((self.tr("List"), name) for name in task.categories)
        if task.recurrence:
            chips.append((self.tr("Repeats"), texts.recurrence_text(task.recurrence)))
        parts = [
            f"<b>{_escape(task.summary or QCoreApplication.translate('Texts', '(no subject)'))}</b>"
        ]
        parts += [
            f"<span style='color:#5b5fc7'>{_escape(label)}:</span> {_escape(value)}"
            for label, value in chips
        ]
        parts += [self._person_chip(a.email) for a in task.assignees]
        return " &nbsp;·&nbsp; ".join(parts)

    def _person_chip(self, typed: str) -> str:
        assigned = self.tr("Assigned to")  # outside the f-string, where lupdate finds it
        label = f"<span style='color:#5b5fc7'>{_escape(assigned)}:</span> "
        person = self._people.get(typed.casefold())
        if self.lookup is None:
            return label + _escape(self.tr("%1 (checked when the todo syncs)").replace("%1", typed))
        if person is None:
            return label + _escape(self.tr("%1 (looking up…)").replace("%1", typed))
        if person.found is Found.USER:
            who = f"{_escape(person.name or person.email)}"
            if person.name and person.email:
                who += f" <span style='color:#6b7280'>&lt;{_escape(person.email)}&gt;</span>"
            return label + who
        if person.found is Found.UNKNOWN:
            return (
                "<span style='color:#c0392b'>"
                + _escape(
                    self.tr(
                        "There is no user “%1” on this server: a todo can only be delegated "
                        "to users of the same server"
                    ).replace("%1", typed)
                )
                + "</span>"
            )
        return label + _escape(
            self.tr(
                "%1 — the server cannot be reached, so the name is kept as typed and "
                "checked when the todo syncs"
            ).replace("%1", typed)
        )

    def _enter(self) -> None:
        text = self.field.text()
        if not text.strip():
            return
        spawn(self._add(text))

    async def _add(self, text: str) -> None:
        if self._parsed is not None and self._parsed[0] == text:
            task = self._parsed[1]
        else:
            try:
                task = await self._parse_text(text)
            except ValueError as error:
                self.preview.setText(f"<span style='color:#c0392b'>{_escape(str(error))}</span>")
                self.preview.show()
                return
        if self.lookup is not None and task.assignees:
            people = [await self.lookup.find(a.email) for a in task.assignees]
            self._people.update((p.typed.casefold(), p) for p in people)
            if any(p.found is Found.UNKNOWN for p in people):
                self.preview.setText(self.describe(task))  # says who is unknown; nothing added
                self.preview.show()
                return
            task = replace(
                task,
                assignees=tuple(
                    Attendee(p.email, p.name) if p.found is Found.USER else a
                    for p, a in zip(people, task.assignees, strict=True)
                ),
            )
        if self.field.text() == text:
            self.field.clear()
        self.add_requested.emit(task)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
