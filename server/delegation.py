"""Delegated tasks between users of this server (RFC 5545 VTODO ORGANIZER/ATTENDEE, with the
RFC 5546 roles: the organizer owns the task, each attendee answers only for themselves).

* A task stored for a user that names that user as ORGANIZER and other users of this server
  as ATTENDEEs (by e-mail, ``mailto:``, or user name) is placed in each assignee's todos; later
  versions follow it there, keeping the assignee's own PARTSTAT.
* An assignee's answer — PARTSTAT (ACCEPTED, DECLINED, IN-PROCESS, COMPLETED) and, when they
  are the only assignee, the completion — is written into the organizer's copy. Deleting
  their copy declines it.
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
        for change in latest.values():
            if change.uid is None:
                continue
            key = (change.user_id, change.datastore)
            delegated = self._delegated(scope, key)
            received = self._received(scope, key)
            if change.uid not in delegated and change.uid not in received and (
                    change.deleted or not _mentions_people(change.data or "")):
                continue
            user = self._users.get_by_id(change.user_id)
            if user is None:
                continue
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
        copy = data
        if existing is not None:
            # The assignee answers for themselves: their PARTSTAT stays theirs.
            own = _parsed(existing.data)
            mine = self._attendee(own, assignee) if own else None
            if mine is not None:
                people = tuple(replace(a, partstat=mine.partstat)
                               if self._is_user(a.email, assignee) else a
                               for a in task.assignees)
                if people != task.assignees:
                    copy = format_task(replace(task, assignees=people), template=data,
                                       now=self._now())
            if self._same(existing.data, copy):
                return
            items.update(existing.guid, copy, uid)
        else:
            # A new delegation: the assignee has not answered yet, whatever the copy says.
            people = tuple(replace(a, partstat=PartStat.NEEDS_ACTION)
                           if self._is_user(a.email, assignee) else a for a in task.assignees)
            if people != task.assignees:
                copy = format_task(replace(task, assignees=people), template=data,
                                   now=self._now())
            items.add(copy, uid)
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
        answered = replace(task, assignees=people)
        if len(people) == 1 and (copy.is_completed != task.is_completed or (
                copy.percent_complete is not None
                and copy.percent_complete != task.percent_complete)):
            # The only assignee's progress is the task's progress (compared, so a client that
            # leaves out STATUS does not undo the organizer's).
            answered = replace(answered, status=copy.status, completed=copy.completed,
                               percent_complete=copy.percent_complete)
        elif people and all(a.partstat is PartStat.COMPLETED for a in people):
            answered = answered.completed_at(copy.completed or self._now())
        self._write_answer(items, original.guid, uid, task, answered, original.data,
                           organizer, assignee, datastore, partstat)

    def _write_answer(self, items: SqlItems, guid: str, uid: str, task: Task, answered: Task,
                      data: str, organizer: User, assignee: User, datastore: str,
                      partstat: PartStat) -> None:
        if answered == task:
            return
        now = self._now().replace(microsecond=0)
        items.update(guid, format_task(replace(answered, last_modified=now), template=data,
                                       now=now), uid)
        self._notify(organizer, datastore, ANSWERED, uid, task.summary, assignee,
                     partstat=partstat.value)
        log.info("Traveler: Task %s answered %s by %s for %s", uid, partstat.value,
                 assignee.name, organizer.name)

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
        people = tuple(a if not self._is_user(a.email, user) or
                       a.partstat is PartStat.COMPLETED else replace(a, partstat=PartStat.DECLINED)
                       for a in task.assignees)
        self._write_answer(items, original.guid, uid, task, replace(task, assignees=people),
                           original.data, organizer, user, datastore, PartStat.DECLINED)

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

    def _attendee(self, task: Task | None, user: User) -> Attendee | None:
        if task is None:
            return None
        return next((a for a in task.assignees if self._is_user(a.email, user)), None)


def _organizer(task: Task) -> str | None:
    return task.organizer.email if task.organizer else None


def _parsed(data: str) -> Task | None:
    try:
        return parse_task(data)
    except TaskFormatError:
        return None
