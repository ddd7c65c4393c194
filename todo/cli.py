"""``traveler-todo``: the ToDo app's command line, on the same store as the window.

Commands (docs/todo-cli.md has the details, the JSON format and the exit codes)::

    traveler-todo list [--view V] [--search TEXT] [--sort S] [--json]
    traveler-todo add TEXT [--due WHEN] [--priority P] [--list NAME]... [--assign USER]...
    traveler-todo done ID | reopen ID | delete ID | restore ID | show ID | undo
    traveler-todo import FILE.ics | export [FILE.ics]
    traveler-todo sync [--slow] [--watch]
    traveler-todo lists

``--account ID`` (before the command) picks one of the Companion's accounts (by ID or user
name; default ``$TRAVELER_ACCOUNT``, else the Companion's default account); each account has
its own store. Without any account the todos are kept in a ``local`` store, offline. Errors go
to stderr as one line ``traveler-todo: error: …`` and the exit code says which kind
(:class:`Exit`).
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import getpass
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import httpx

from companion.accounts import AccountError, AccountStore
from companion.api_client import (
    ClientApi,
    DirectoryUser,
    ServerError,
    ServerTimeoutError,
    ServerUnreachableError,
    UnknownUserError,
    WrongPasswordError,
)
from companion.secret_store import KeyringUnavailableError
from syncml.client import ClientConfig, Counts
from syncml.codes import AlertCode
from todo.account import SyncAccount, sync_account
from todo.errors import TaskFormatError
from todo.push import PushError, PushListener, PushUnauthorized
from todo.quick_add import parse_due, parse_quick_add
from todo.store import (
    LOCAL_ACCOUNT,
    NoSuchTodoError,
    NothingToRestoreError,
    StoreError,
    TodoStore,
    TodoSummary,
    adopt_local_store,
)
from todo.sync import sync_store
from todo.task import Attendee, Organizer, Priority
from todo.views import Sort, parse_view
from todo.watch import FALLBACK_INTERVAL_S, WatchReport, watch

__all__ = ["Exit", "main"]

PROG = "traveler-todo"


class Exit(enum.IntEnum):
    """Exit codes a script can rely on."""

    OK = 0
    FAILED = 1
    """Something unexpected; the message says what."""
    USAGE = 2
    """Bad command line (unknown command, option or value)."""
    NO_SUCH_TODO = 3
    """No todo with the ID given."""
    BAD_INPUT = 4
    """Unreadable input: a file that is no iCalendar VTODO, a due date that is no date."""
    NOTHING_TO_DO = 5
    """``restore`` of a todo without an overridden version; ``undo`` with nothing to undo."""
    STORE = 6
    """The local store cannot be opened (not a database, written by a newer version)."""
    NO_ACCOUNT = 7
    """No such account; for ``sync``: no account at all, or its password not in the keyring,
    or no usable keyring."""
    WRONG_PASSWORD = 8
    """``sync``: the server refused the user name or password."""
    UNREACHABLE = 9
    """``sync``: the server cannot be reached or did not answer in time."""
    SERVER = 10
    """``sync``: not a SyncML server at that URL, or the server failed or refused the sync."""
    NO_SUCH_USER = 11
    """``add --assign``: the account's server has no (single) user of that name or e-mail."""


class _Failure(Exception):
    def __init__(self, code: Exit, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise _Failure(Exit.USAGE, message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="The Traveler ToDo app's command line.")
    parser.add_argument(
        "--account",
        default=os.environ.get("TRAVELER_ACCOUNT") or None,
        help="the Companion account to use, by ID or user name (default: $TRAVELER_ACCOUNT, "
        "else the Companion's default account)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = commands.add_parser("list", help="list todos")
    p.add_argument(
        "--view",
        default="all",
        help="all, today, overdue, by-due, by-priority, by-priority:high (medium, low), "
        "completed or list:NAME (default: all)",
    )
    p.add_argument("--search", default="", help="only todos with these words (word prefixes)")
    p.add_argument("--sort", choices=[s.value for s in Sort], help="order instead of the view's")
    p.add_argument("--desc", action="store_true", help="reverse the order")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = commands.add_parser("add", help="add a todo (natural language: dates, !prio, #list)")
    p.add_argument("text", help='e.g. "Call Frank tomorrow 9:00 !high #Renovation"')
    p.add_argument("--due", help="due date or time (overrides one in TEXT)")
    p.add_argument(
        "--priority", choices=["high", "medium", "low", "none"], help="overrides one in TEXT"
    )
    p.add_argument("--list", action="append", default=[], metavar="NAME", help="add to a list")
    p.add_argument(
        "--assign", action="append", default=[], metavar="USER", help="delegate to a user"
    )
    p.add_argument("--json", action="store_true", help="print the new todo as JSON")

    for name, text in (
        ("done", "mark a todo completed"),
        ("reopen", "mark a completed todo as needing action"),
        ("delete", "delete a todo"),
        ("restore", "bring back your version a sync replaced"),
        ("show", "print a todo as iCalendar"),
    ):
        p = commands.add_parser(name, help=text)
        p.add_argument("id", type=int, help="the todo's id (from list)")
        if name in ("done", "restore", "reopen"):
            p.add_argument("--json", action="store_true", help="print the todo as JSON")

    p = commands.add_parser("sync", help="sync with the account's server")
    p.add_argument("--watch", action="store_true",
                   help="stay connected and sync on every push from the server (one line per "
                        "sync) until interrupted")
    p.add_argument("--slow", action="store_true", help="compare every todo with the server")
    commands.add_parser("undo", help="undo the last change")
    commands.add_parser("lists", help="the user-defined lists and their open todos")
    p = commands.add_parser("import", help="add the VTODOs of an iCalendar file")
    p.add_argument("file", type=Path)
    p = commands.add_parser("export", help="write all todos as an iCalendar file")
    p.add_argument("file", type=Path, nargs="?", help="the file (default: standard output)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (see :class:`Exit`). ``traveler-todo`` with
    nothing after it opens the window."""
    if argv is None and len(sys.argv) == 1:
        from todo.ui.app import main as window  # Qt loads only for the window

        return window()
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise _Failure(Exit.USAGE, "a command is needed (list, add, done, …; see --help)")
        account = _account(args.account)
        args.organizer = account.organizer
        args.organizer_name = account.organizer_name
        args.store_id = account.store_id
        try:
            store = TodoStore.for_account(account.store_id)
        except ValueError as exc:
            raise _Failure(Exit.USAGE, str(exc)) from exc
        except StoreError as exc:
            raise _Failure(Exit.STORE, str(exc)) from exc
        with store:
            return _run(args, store)
    except _Failure as failure:
        print(f"{PROG}: error: {failure}", file=sys.stderr)
        return failure.code
    except NoSuchTodoError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.NO_SUCH_TODO
    except NothingToRestoreError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.NOTHING_TO_DO
    except TaskFormatError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.BAD_INPUT
    except StoreError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.STORE


@dataclass(frozen=True, slots=True)
class _Account:
    store_id: str
    organizer: str  # how the account's user is named as ORGANIZER of a delegated todo
    # Their name (CN), so the assignees' apps say "Frank Adams delegated …", as the window's
    # own delegations do; empty when the account does not know it.
    organizer_name: str = ""


def _account(ref: str | None) -> _Account:
    """The Companion's account ``ref`` (or its default one); the local store without any."""
    if ref == LOCAL_ACCOUNT:
        return _Account(LOCAL_ACCOUNT, getpass.getuser())
    accounts = AccountStore()
    try:
        account = accounts.get(ref) if ref is not None else accounts.default()
    except AccountError as exc:
        raise _Failure(Exit.NO_ACCOUNT, str(exc)) from exc
    if account is None:
        return _Account(LOCAL_ACCOUNT, getpass.getuser())
    adopt_local_store(account.id)
    return _Account(account.id, account.email or account.user, account.display_name or "")


def _run(args: argparse.Namespace, store: TodoStore) -> int:
    command = args.command
    if command == "list":
        return _list(args, store)
    if command == "add":
        return _add(args, store)
    if command == "done":
        result = store.complete(args.id)
        row = store.summaries([args.id])[args.id]
        if args.json:
            _print_json(row.as_json() | {"next_id": result.next_id})
        else:
            print(f"done: {args.id} {row.subject}")
            if result.next_id is not None:
                following = store.summaries([result.next_id])[result.next_id]
                print(f"next: {following.id} {following.subject} due {_due_text(following)}")
        return Exit.OK
    if command == "reopen":
        store.reopen(args.id)
        return _report(store, args.id, "reopened", args.json)
    if command == "delete":
        subject = store.get(args.id).task.summary
        store.delete(args.id)
        print(f"deleted: {args.id} {subject}")
        return Exit.OK
    if command == "restore":
        store.restore(args.id)
        return _report(store, args.id, "restored", args.json)
    if command == "show":
        sys.stdout.write(store.get(args.id).data.replace("\r\n", "\n"))
        return Exit.OK
    if command == "sync":
        return _sync(args, store)
    if command == "undo":
        label = store.undo_label()
        touched = store.undo()
        if not touched:
            raise _Failure(Exit.NOTHING_TO_DO, "nothing to undo")
        print(f"undone: {label} ({', '.join(map(str, touched))})")
        return Exit.OK
    if command == "lists":
        for info in store.lists():
            print(f"{info.name}\t{info.open_count} open\t{info.total_count} in all")
        return Exit.OK
    if command == "import":
        return _import(args.file, store)
    if command == "export":
        text = store.export_calendar()
        if args.file is None:
            sys.stdout.write(text.replace("\r\n", "\n"))
        else:
            try:
                args.file.write_text(text, encoding="utf-8", newline="")
            except OSError as exc:
                raise _Failure(Exit.BAD_INPUT, f"cannot write {args.file}: {exc}") from exc
            print(f"exported {len(store)} todos to {args.file}")
        return Exit.OK
    raise _Failure(Exit.USAGE, f"unknown command {command!r}")


def _list(args: argparse.Namespace, store: TodoStore) -> int:
    try:
        spec = parse_view(args.view)
    except ValueError as exc:
        raise _Failure(Exit.USAGE, str(exc)) from exc
    if args.sort:
        spec = replace(spec, sort=Sort(args.sort), descending=args.desc)
    elif args.desc:
        spec = replace(spec, descending=True)
    rows = store.query(spec, search=args.search)
    if args.json:
        _print_json([r.as_json() for r in rows])
        return Exit.OK
    for row in rows:
        print(_line(row))
    return Exit.OK


def _add(args: argparse.Namespace, store: TodoStore) -> int:
    parsed = parse_quick_add(args.text, zone=store.zone)
    task = parsed.to_task()
    if args.due:
        try:
            task = replace(task, due=parse_due(args.due, zone=store.zone))
        except ValueError as exc:
            raise _Failure(Exit.BAD_INPUT, str(exc)) from exc
    if args.priority:
        task = replace(task, priority=Priority(args.priority))
    categories = list(task.categories)
    categories += [name for name in args.list if name not in categories]
    assignees = [*parsed.assignees, *(a for a in args.assign if a not in parsed.assignees)]
    if not task.summary.strip():
        raise _Failure(Exit.BAD_INPUT, f"no subject left in {args.text!r} once dates are read")
    task = replace(
        task,
        categories=tuple(categories),
        assignees=_assignees(args.store_id, assignees),
        organizer=Organizer(args.organizer, args.organizer_name) if assignees else None,
    )
    todo_id = store.add(task)
    return _report(store, todo_id, "added", args.json)


def _assignees(store_id: str, addresses: list[str]) -> tuple[Attendee, ...]:
    """The assignees, checked with the account's server when it can be asked: a todo can only
    be delegated to users of the same server. Offline (or without the client API), they are
    taken as written; the server refuses an unknown one at the next sync."""
    if not addresses or store_id == LOCAL_ACCOUNT:
        return tuple(Attendee(email=a) for a in addresses)
    try:
        account = sync_account(store_id)
    except (AccountError, KeyringUnavailableError):
        account = None
    if account is None or account.token is None:
        return tuple(Attendee(email=a) for a in addresses)

    async def look_up() -> list[DirectoryUser]:
        async with httpx.AsyncClient() as client:
            api = ClientApi(account.server_url, token=account.token, client=client)
            return [await api.lookup_user(a) for a in addresses]

    try:
        found = asyncio.run(look_up())
    except UnknownUserError as exc:
        raise _Failure(Exit.NO_SUCH_USER, str(exc)) from exc
    except ServerError as exc:
        print(f"{PROG}: warning: the assignees could not be checked ({exc}); the server "
              "checks them at the next sync", file=sys.stderr)
        return tuple(Attendee(email=a) for a in addresses)
    return tuple(Attendee(email=user.email, name=user.display_name) for user in found)


def _sync(args: argparse.Namespace, store: TodoStore) -> int:
    if args.store_id == LOCAL_ACCOUNT:
        raise _Failure(
            Exit.NO_ACCOUNT,
            "there is no account to sync with; add one with the Companion: traveler-companion "
            "account add --server URL --user NAME --password-stdin",
        )
    try:
        account = sync_account(args.store_id)
    except (AccountError, KeyringUnavailableError) as exc:
        raise _Failure(Exit.NO_ACCOUNT, str(exc)) from exc
    mode = AlertCode.SLOW_SYNC if args.slow else AlertCode.TWO_WAY
    if args.watch:
        return _watch(store, account, mode)
    try:
        summary, notes = asyncio.run(_sync_once(store, account, mode))
    except WrongPasswordError as exc:
        raise _Failure(Exit.WRONG_PASSWORD, str(exc)) from exc
    except (ServerUnreachableError, ServerTimeoutError) as exc:
        raise _Failure(Exit.UNREACHABLE, str(exc)) from exc
    except ServerError as exc:
        raise _Failure(Exit.SERVER, str(exc)) from exc
    print(summary)
    for note in notes:
        print(note)
    return Exit.OK


async def _sync_once(store: TodoStore, account: SyncAccount,
                     mode: AlertCode) -> tuple[str, list[str]]:
    """One session: its summary line and a line per conflict kept for restore."""
    config = ClientConfig(
        url=account.server_url,
        username=account.user,
        password=account.password,
        device_id=account.device_id,
    )
    report = await sync_store(store, config, mode=mode)
    done = report.done
    summary = (
        f"synced with {account.server_url} as {account.user}: "
        f"sent {_counts(done.sent)}, received {_counts(done.received)}"
        + (f", {done.failed} failed (they stay for the next sync)" if done.failed else "")
    )
    rows = store.summaries([*report.overridden, *report.kept])
    notes = [
        f"conflict: {todo_id} {rows[todo_id].subject}: the server's version replaced "
        f"yours; 'traveler-todo restore {todo_id}' brings yours back"
        for todo_id in report.overridden
    ] + [f"kept: {todo_id} {rows[todo_id].subject}: deleted elsewhere, edited here"
         for todo_id in report.kept]
    return summary, notes


def _watch(store: TodoStore, account: SyncAccount, mode: AlertCode) -> int:
    """``sync --watch``: a sync now, then one per push, a line each, until interrupted."""
    first = [mode]

    async def once() -> str:
        # --slow applies to the first sync only; the pushes that follow ask for two-way.
        summary, notes = await _sync_once(store, account, first.pop() if first else
                                          AlertCode.TWO_WAY)
        return "\n".join([summary.replace("synced with ", "", 1), *notes])

    listener = PushListener(account.server_url, account.token) if account.token else None
    if listener is None:
        print(f"{account.server_url} has no Traveler push channel (a plain SyncML server); "
              f"syncing every {FALLBACK_INTERVAL_S:g} s", flush=True)

    def report(line: WatchReport) -> None:
        print(line.line, flush=True)

    try:
        asyncio.run(watch(listener, once, report, fatal=(WrongPasswordError,)))
    except KeyboardInterrupt:
        return Exit.OK
    except WrongPasswordError as exc:
        raise _Failure(Exit.WRONG_PASSWORD, str(exc)) from exc
    except PushUnauthorized as exc:
        raise _Failure(Exit.NO_ACCOUNT, str(exc)) from exc
    except PushError as exc:
        raise _Failure(Exit.SERVER, str(exc)) from exc
    return Exit.OK


def _counts(counts: Counts) -> str:
    return (
        f"{counts.total} ({counts.added} new, {counts.replaced} changed, "
        f"{counts.deleted} deleted)"
    )


def _import(path: Path, store: TodoStore) -> int:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Failure(Exit.BAD_INPUT, f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        ids = store.import_calendar(data)
    except TaskFormatError as exc:
        raise _Failure(Exit.BAD_INPUT, f"{path}: {exc}") from exc
    print(f"imported {len(ids)} todos from {path}")
    return Exit.OK


def _report(store: TodoStore, todo_id: int, verb: str, as_json: bool) -> int:
    row = store.summaries([todo_id])[todo_id]
    if as_json:
        _print_json(row.as_json())
    else:
        print(f"{verb}: {_line(row)}")
    return Exit.OK


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _due_text(row: TodoSummary) -> str:
    due = row.due
    if due is None:
        return "-"
    if isinstance(due, datetime):
        return due.strftime("%Y-%m-%d %H:%M")
    assert isinstance(due, date)
    return due.isoformat()


def _line(row: TodoSummary) -> str:
    """One todo as a line: id, mark, due, priority, subject, lists, assignees, conflict."""
    mark = "x" if row.completed else " "
    parts = [f"{row.id:>5}", f"[{mark}]", f"{_due_text(row):<16}", f"{row.priority.value:<6}"]
    parts.append(row.subject)
    parts += [f"#{c}" for c in row.categories]
    parts += [f"@{a.email}({a.partstat.value.lower()})" for a in row.assignees]
    if row.conflict:
        parts.append("(changed on another device: restore to get yours back)")
    return " ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
