"""Delegated tasks between users of this server (RFC 5545 VTODO ORGANIZER/ATTENDEE, with the
RFC 5546 roles: the organizer owns the task, each attendee answers only for themselves).

* A task stored for a user that names that user as ORGANIZER and other users of this server
  as ATTENDEEs (by e-mail, ``mailto:``, or user name) is placed in each assignee's todos; later
  versions follow it there, keeping the assignee's own PARTSTAT.
* An assignee's answer — PARTSTAT (ACCEPTED, DECLINED, IN-PROCESS, COMPLETED) — is written
  into the organizer's copy, on that assignee's ATTENDEE line only. With one assignee their
  progress (STATUS, COMPLETED, PERCENT-COMPLETE) is the task's; with several, the organizer's
  copy is IN-PROCESS with PERCENT-COMPLETE the share of assignees who completed, and it
  completes when the last one does (docs/delegation.md). Deleting their copy declines it.
* Copies are edited line by line, never rewritten: every parameter of every ATTENDEE (RSVP,
  EMAIL, DELEGATED-FROM/TO, X- parameters) and every property the organizer's client wrote,
  unknown ones included, goes through delegation round trips unchanged; only PARTSTAT of the
  answering assignee and the progress properties change.
* A recurring delegated task: when its occurrence completes, the organizer's copy of it is
  completed and stops repeating, and the series goes on in a new todo (new UID, RRULE with
  the rest of the rule) — what the todo store does when a user completes a recurring todo.
  The assignee's store makes that next todo on their side; the server adopts it as the
  series' next occurrence (placed in the organizer's todos and delegated to the other
  assignees), so both sides hold the same UID. A later assignee's own next todo of the same
  series is a twin and is removed from their todos in favour of the adopted one.
* An attendee dropped from the task, or the organizer deleting it, cancels the assignee's copy
  (STATUS:CANCELLED, as an iTIP CANCEL would; their copy stays).
* An attendee that is not a user of this server is refused before anything is stored: the
  device gets SyncML status 403 for that item and the log says why.

Each change is a push event for the user it reaches (``server.store.push_events``).
:class:`Delegation` runs inside the sync service's transaction, so a message's items and all
their delegated copies are committed together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from server.store.database import Database
from server.store.delegations import DelegationStore
from server.store.push_events import PushEventStore
from server.store.sync_store import ItemChange, SqlItems
from server.store.users import User, UserStore
from server.task_content import TaskContent
from syncml.codes import StatusCode
from syncml.errors import ItemRefused
from todo._content_lines import Property, param, read, write
from todo.calendar_format import ICALENDAR, detect_media_type, master_todo
from todo.errors import TaskFormatError
from todo.task import Attendee, PartStat, Status, Task
from todo.task_format import format_task, parse_task

__all__ = ["Delegation"]

log = logging.getLogger("traveler.delegation")

# Event kinds, as push clients see them.
DELEGATED = "delegated"  # a task was delegated to the user
UPDATED = "updated"  # the organizer changed a task delegated to the user
ANSWERED = "answered"  # an assignee answered (accepted, declined, completed, ...)
CANCELLED = "cancelled"  # the organizer withdrew the task from the user


def _mentions_people(data: str) -> bool:
    # A cheap test first: a 10,000-item slow sync must not parse every task.
    upper = data.upper()
    return "ATTENDEE" in upper or "ORGANIZER" in upper


def display_name(user: User) -> str:
    return user.full_name or user.name


@dataclass
class _Scope:
    """Lookups of one message, so each is made once."""

    delegated: dict[tuple[int, str], set[str]] = field(default_factory=dict)
    received: dict[tuple[int, str], set[str]] = field(default_factory=dict)


class Delegation:
    """Places delegated tasks and carries the answers back; see the module docstring."""

    def __init__(self, database: Database, users: UserStore, *,
                 events: PushEventStore | None = None,
                 links: DelegationStore | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._db = database
        self._users = users
        self._events = events or PushEventStore(database)
        self._links = links or DelegationStore(database)
        self._now = clock
        self._same = TaskContent().same

    # -- before an item is stored ---------------------------------------------------------
    def check(self, user_id: int, datastore: str, data: str, uid: str | None) -> None:
        """The item guard: refuse a task delegated to someone who is not a user here."""
        if not _mentions_people(data):
            return
        task = _parsed(data)
        user = self._users.get_by_id(user_id)
        if task is None or user is None or not self._is_user(_organizer(task), user):
            return
        for attendee in task.assignees:
            if self._is_user(attendee.email, user):
                continue
            found = self._users.find(attendee.email)
            if len(found) != 1:
                why = ("is not a user of this server" if not found else
                       "names several users of this server (their e-mail is shared)")
                reason = (f"task {uid or '(no UID)'} of {user.name}: the assignee "
                          f"{attendee.email!r} {why}; tasks can only be delegated to users of "
                          "this server")
                log.warning("Traveler: Refused a delegated task: %s", reason)
                raise ItemRefused(StatusCode.FORBIDDEN, reason)
            if uid and not self._links.is_linked(user.id, found[0].id, datastore, uid):
                other = SqlItems(self._db, found[0].id, datastore).find_uid(uid)
                if other is not None:
                    reason = (f"task {uid} of {user.name}: {found[0].name} already has a task "
                              "with this UID that was not delegated by them")
                    log.warning("Traveler: Refused a delegated task: %s", reason)
                    raise ItemRefused(StatusCode.ALREADY_EXISTS, reason)

    # -- after a message's items are stored -----------------------------------------------
    def apply(self, changes: Iterable[ItemChange]) -> None:
        """Carry a message's item changes to the other users they concern."""
        scope = _Scope()
        latest: dict[tuple[int, str, str], ItemChange] = {}
        for change in changes:
            latest[(change.user_id, change.datastore, change.guid)] = change
        unknown: list[ItemChange] = []
        for change in latest.values():
            if change.uid is None:
                continue
            key = (change.user_id, change.datastore)
            delegated = self._delegated(scope, key)
            received = self._received(scope, key)
            if change.uid not in delegated and change.uid not in received:
                if change.deleted or not _mentions_people(change.data or ""):
                    continue
                # An assignee's next occurrence of a series comes after the completion of
                # the occurrence before it, even within one message.
                unknown.append(change)
                continue
            self._dispatch(change, delegated, received)
        for change in unknown:
            key = (change.user_id, change.datastore)
            self._dispatch(change, self._delegated(scope, key), self._received(scope, key))

    def _dispatch(self, change: ItemChange, delegated: set[str], received: set[str]) -> None:
        assert change.uid is not None
        user = self._users.get_by_id(change.user_id)
        if user is None:
            return
        if change.deleted:
            self._deleted(user, change.datastore, change.uid, delegated, received)
        else:
            self._changed(user, change.datastore, change.uid, change.data or "", delegated,
                          received)

    def _delegated(self, scope: _Scope, key: tuple[int, str]) -> set[str]:
        if key not in scope.delegated:
            scope.delegated[key] = self._links.delegated_uids(*key)
        return scope.delegated[key]

    def _received(self, scope: _Scope, key: tuple[int, str]) -> set[str]:
        if key not in scope.received:
            scope.received[key] = self._links.received_uids(*key)
        return scope.received[key]

    def _changed(self, user: User, datastore: str, uid: str, data: str, delegated: set[str],
                 received: set[str]) -> None:
        task = _parsed(data)
        if task is None:
            return
        if self._is_user(_organizer(task), user):
            self._organizer_changed(user, datastore, uid, task, data)
            delegated.add(uid)
        elif uid in received:
            organizer_id = self._links.organizer_of(user.id, datastore, uid)
            organizer = self._users.get_by_id(organizer_id) if organizer_id else None
            if organizer is not None:
                self._answer(user, organizer, datastore, uid, task)
        elif uid in delegated:
            # The organizer's copy no longer names them as organizer: withdrawn from all.
            self._withdraw(user, datastore, uid, self._links.assignees(user.id, datastore, uid))
        elif task.recurrence and self._attendee(task, user) is not None:
            self._next_occurrence(user, datastore, uid, task, data, received)

    def _organizer_changed(self, organizer: User, datastore: str, uid: str, task: Task,
                           data: str) -> None:
        assignees: dict[int, User] = {}
        for attendee in task.assignees:
            if self._is_user(attendee.email, organizer):
                continue
            found = self._users.find(attendee.email)
            if len(found) == 1:
                assignees[found[0].id] = found[0]
        before = self._links.assignees(organizer.id, datastore, uid)
        for assignee in assignees.values():
            new = self._links.link(organizer.id, assignee.id, datastore, uid)
            self._forward(organizer, assignee, datastore, uid, task, data, new)
        self._withdraw(organizer, datastore, uid, before - assignees.keys())

    def _forward(self, organizer: User, assignee: User, datastore: str, uid: str, task: Task,
                 data: str, new: bool) -> None:
        items = SqlItems(self._db, assignee.id, datastore)
        existing = items.find_uid(uid)
        if existing is not None:
            # The assignee answers for themselves: their PARTSTAT stays theirs.
            own = _parsed(existing.data)
            mine = self._attendee(own, assignee) if own else None
            copy = data if mine is None else self._with_partstat(data, assignee, mine.partstat)
            if self._same(existing.data, copy):
                return
            items.update(existing.guid, copy, uid)
        else:
            # A new delegation: the assignee has not answered yet, whatever the copy says.
            items.add(self._with_partstat(data, assignee, PartStat.NEEDS_ACTION), uid)
        kind = DELEGATED if new or existing is None else UPDATED
        self._notify(assignee, datastore, kind, uid, task.summary, organizer)
        log.info("Traveler: Task %s %s: %s → %s", uid, kind, organizer.name, assignee.name)

    def _answer(self, assignee: User, organizer: User, datastore: str, uid: str,
                copy: Task) -> None:
        items = SqlItems(self._db, organizer.id, datastore)
        original = items.find_uid(uid)
        task = _parsed(original.data) if original else None
        if original is None or task is None:
            return
        mine = self._attendee(copy, assignee)
        partstat = mine.partstat if mine else PartStat.NEEDS_ACTION
        if copy.is_completed:
            partstat = PartStat.COMPLETED
        elif copy.status is Status.IN_PROCESS and partstat is PartStat.NEEDS_ACTION:
            partstat = PartStat.IN_PROCESS
        people = tuple(replace(a, partstat=partstat) if self._is_user(a.email, assignee) else a
                       for a in task.assignees)
        answered = task
        if len(people) == 1:
            if copy.is_completed != task.is_completed or (
                    copy.percent_complete is not None
                    and copy.percent_complete != task.percent_complete):
                # The only assignee's progress is the task's progress (compared, so a client
                # that leaves out STATUS does not undo the organizer's).
                answered = replace(task, status=copy.status, completed=copy.completed,
                                   percent_complete=copy.percent_complete)
        elif people:
            answered = _shared_progress(task, people, copy.completed or self._now())
        if answered.is_completed and not task.is_completed and task.recurrence:
            # As the todo store completes a recurring todo: this occurrence stops repeating,
            # the series goes on in the next todo (the assignee's store makes it).
            answered = replace(answered, recurrence=None)
        self._write_answer(items, original.guid, uid, task, answered, original.data,
                           organizer, assignee, datastore, partstat)

    def _write_answer(self, items: SqlItems, guid: str, uid: str, task: Task, answered: Task,
                      data: str, organizer: User, assignee: User, datastore: str,
                      partstat: PartStat) -> None:
        before = self._attendee(task, assignee)
        if answered == task and (before is None or before.partstat is partstat):
            return
        now = self._now().replace(microsecond=0)
        # The task's own fields through the template (ATTENDEE lines untouched), then the
        # assignee's PARTSTAT on their line alone.
        text = format_task(replace(answered, last_modified=now), template=data, now=now)
        items.update(guid, self._with_partstat(text, assignee, partstat), uid)
        self._notify(organizer, datastore, ANSWERED, uid, task.summary, assignee,
                     partstat=partstat.value)
        log.info("Traveler: Task %s answered %s by %s for %s", uid, partstat.value,
                 assignee.name, organizer.name)

    def _next_occurrence(self, assignee: User, datastore: str, uid: str, task: Task, data: str,
                         received: set[str]) -> None:
        """An assignee's new todo of a series delegated to them: the series' next occurrence
        (adopted for the organizer), or a twin of the one already adopted (removed)."""
        organizer_address = _organizer(task)
        found = self._users.find(organizer_address) if organizer_address else []
        if len(found) != 1 or found[0].id == assignee.id:
            return
        organizer = found[0]
        theirs = SqlItems(self._db, organizer.id, datastore)
        mine = SqlItems(self._db, assignee.id, datastore)
        series = _series(task)
        template: str | None = None  # the organizer's copy of the occurrence it follows
        latest: tuple[str, ...] = ()  # ... the latest one the assignee completed
        twin_of: str | None = None  # this very occurrence, which they already have
        for earlier in self._links.received_uids(assignee.id, datastore):
            if earlier == uid or self._links.organizer_of(
                    assignee.id, datastore, earlier) != organizer.id:
                continue
            own = mine.find_uid(earlier)
            stored = theirs.find_uid(earlier)
            own_task = _parsed(own.data) if own else None
            their_task = _parsed(stored.data) if stored else None
            if stored is None or own_task is None or their_task is None or (
                    their_task.summary != task.summary):
                continue
            if own_task.is_completed:
                when = _sort_key(own_task)
                if template is None or when > latest:
                    template, latest = stored.data, when
            elif their_task.recurrence and _series(their_task) == series and (
                    their_task.due, their_task.start) == (task.due, task.start):
                # the same occurrence (same dates): the next one, adopted already
                twin_of = earlier
        if twin_of is not None:
            twin = mine.find_uid(uid)
            if twin is not None:
                mine.delete(twin.guid)
                log.info("Traveler: Task %s of %s repeats the open occurrence %s of the "
                         "series: removed", uid, assignee.name, twin_of)
            return
        if template is None or theirs.find_uid(uid) is not None:
            return  # not the successor of an occurrence this assignee completed
        before = _parsed(template)
        if before is None:
            return
        # The organizer's next occurrence is their own copy moved on (every line they wrote
        # kept), with the dates and the rest of the rule the assignee's store worked out;
        # nobody has answered it yet.
        now = self._now().replace(microsecond=0)
        following = replace(
            before, uid=uid, start=task.start, due=task.due, recurrence=task.recurrence,
            alarms=task.alarms, status=None, completed=None, percent_complete=None,
            created=now, last_modified=now, sequence=0)
        data = _edit_partstats(format_task(following, template=template, now=now),
                               lambda line: PartStat.NEEDS_ACTION)
        theirs.add(data, uid)
        received.add(uid)
        self._links.link(organizer.id, assignee.id, datastore, uid)
        log.info("Traveler: Task %s is the next occurrence of a series of %s, made by %s",
                 uid, organizer.name, assignee.name)
        parsed = _parsed(data)
        if parsed is not None:
            self._organizer_changed(organizer, datastore, uid, parsed, data)

    def _withdraw(self, organizer: User, datastore: str, uid: str,
                  assignee_ids: Iterable[int]) -> None:
        for assignee_id in assignee_ids:
            self._links.unlink(organizer.id, assignee_id, datastore, uid)
            assignee = self._users.get_by_id(assignee_id)
            if assignee is None:
                continue
            items = SqlItems(self._db, assignee.id, datastore)
            existing = items.find_uid(uid)
            task = _parsed(existing.data) if existing else None
            if existing is None or task is None or task.is_cancelled:
                continue
            now = self._now().replace(microsecond=0)
            items.update(existing.guid, format_task(
                replace(task, status=Status.CANCELLED, last_modified=now),
                template=existing.data, now=now), uid)
            self._notify(assignee, datastore, CANCELLED, uid, task.summary, organizer)
            log.info("Traveler: Task %s withdrawn from %s by %s", uid, assignee.name,
                     organizer.name)

    def _deleted(self, user: User, datastore: str, uid: str, delegated: set[str],
                 received: set[str]) -> None:
        if uid in delegated:
            self._withdraw(user, datastore, uid, self._links.assignees(user.id, datastore, uid))
            delegated.discard(uid)
            return
        organizer_id = self._links.organizer_of(user.id, datastore, uid)
        organizer = self._users.get_by_id(organizer_id) if organizer_id else None
        if organizer is None:
            return
        self._links.unlink(organizer.id, user.id, datastore, uid)
        received.discard(uid)
        items = SqlItems(self._db, organizer.id, datastore)
        original = items.find_uid(uid)
        task = _parsed(original.data) if original else None
        if original is None or task is None:
            return
        mine = self._attendee(task, user)
        if mine is None or mine.partstat is PartStat.COMPLETED:
            return
        self._write_answer(items, original.guid, uid, task, task, original.data, organizer,
                           user, datastore, PartStat.DECLINED)

    # -- helpers --------------------------------------------------------------------------
    def _notify(self, user: User, datastore: str, kind: str, uid: str, summary: str,
                by: User, **extra: str) -> None:
        self._events.record(user.id, datastore, kind, detail={
            "uid": uid, "summary": summary, "by": display_name(by), "by_user": by.name,
            **extra,
        })

    def _is_user(self, address: str | None, user: User) -> bool:
        """Whether a calendar address (e-mail or user name) names ``user``."""
        if not address:
            return False
        text = address.strip()
        if text[:7].lower() == "mailto:":
            text = text[7:]
        return text.lower() in (user.email.lower(), user.name.lower())

    def _with_partstat(self, data: str, user: User, partstat: PartStat) -> str:
        """``data`` with PARTSTAT=``partstat`` on ``user``'s ATTENDEE lines; every other
        line, parameter and property as it was."""
        return _edit_partstats(
            data, lambda line: partstat if self._is_user(line.value, user) else None)

    def _attendee(self, task: Task | None, user: User) -> Attendee | None:
        if task is None:
            return None
        return next((a for a in task.assignees if self._is_user(a.email, user)), None)


def _edit_partstats(data: str, choose: Callable[[Property], PartStat | None]) -> str:
    """``data`` with the PARTSTAT ``choose`` gives each ATTENDEE line of its VTODO (None:
    leave the line be); every other line, parameter and property as it was."""
    if detect_media_type(data) not in (None, ICALENDAR):
        return data  # stored items are iCalendar; anything else is left alone
    try:
        calendars = read(data)
    except TaskFormatError:
        return data
    changed = False
    for calendar in calendars:
        todo = master_todo(calendar)
        if todo is None:
            continue
        for line in todo.properties("ATTENDEE"):
            partstat = choose(line)
            if partstat is not None and line.param("PARTSTAT") != partstat.value:
                _set_param(line, "PARTSTAT", partstat.value)
                changed = True
    return write(calendars) if changed else data


def _set_param(line: Property, name: str, value: str) -> None:
    """Set one parameter of a content line where it stands (or append it)."""
    new = param(name, value)
    if any(key == name for key, _ in line.params):
        line.params = tuple(new if key == name else (key, raw) for key, raw in line.params)
    else:
        line.params = (*line.params, new)


def _shared_progress(task: Task, people: tuple[Attendee, ...], at: datetime) -> Task:
    """The organizer's copy of a task with several assignees: complete when all completed,
    otherwise in process as far as the share of those who completed."""
    done = sum(1 for a in people if a.partstat is PartStat.COMPLETED)
    if done == len(people):
        return task if task.is_completed else task.completed_at(at)
    started = done or any(a.partstat is PartStat.IN_PROCESS for a in people)
    if not started:
        return task
    status = Status.IN_PROCESS if not task.is_cancelled else task.status
    return replace(task, status=status, completed=None,
                   percent_complete=done * 100 // len(people))


def _sort_key(task: Task) -> tuple[str, ...]:
    """Orders the occurrences of one series: by due (or start), then completion."""
    moment = task.due or task.start
    return (moment.isoformat() if moment else "", task.completed.isoformat()
            if task.completed else "")


def _series(task: Task) -> tuple[str, str]:
    """What the occurrences of one recurring task share: summary and rule (without the
    COUNT/UNTIL that count down)."""
    parts = [p for p in (task.recurrence or "").upper().split(";")
             if p and not p.startswith(("COUNT=", "UNTIL="))]
    return (task.summary, ";".join(sorted(parts)))


def _organizer(task: Task) -> str | None:
    return task.organizer.email if task.organizer else None


def _parsed(data: str) -> Task | None:
    try:
        return parse_task(data)
    except TaskFormatError:
        return None
