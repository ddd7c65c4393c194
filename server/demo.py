"""The demo organisation: three users with memorable passwords and a few tasks each.

``traveler-server run --demo`` seeds them and prints a table of the accounts; ``traveler-demo``
(what ``./run demo`` starts) runs that server and opens the ToDo app signed in as a demo user.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from server.store.database import Database
from server.store.sync_store import SqlItems
from server.store.users import UserStore
from todo.line_scan import extract_uid
from todo.task import Attendee, Organizer, PartStat, Priority, Status, Task
from todo.task_format import format_task

__all__ = ["DEMO_USERS", "DemoAccount", "demo_main", "render_demo_banner", "seed_demo"]

log = logging.getLogger("traveler.demo")

# The server-side name of the task datastore a client syncs with (SyncML Target/LocURI).
DEMO_DATASTORE_URI = "tasks"


class DemoAccount(NamedTuple):
    name: str
    password: str
    email: str


class _DemoUser(NamedTuple):
    account: DemoAccount
    full_name: str
    admin: bool


DEMO_DOMAIN = "demo.traveler.test"  # .test is reserved (RFC 2606): mail can never go out

DEMO_USERS: tuple[_DemoUser, ...] = (
    _DemoUser(DemoAccount("alice", "alice-demo-1", f"alice@{DEMO_DOMAIN}"), "Alice Adams", True),
    _DemoUser(DemoAccount("bob", "bob-demo-1", f"bob@{DEMO_DOMAIN}"), "Bob Brown", False),
    _DemoUser(DemoAccount("carol", "carol-demo-1", f"carol@{DEMO_DOMAIN}"), "Carol Clark", False),
)


def seed_demo(database: Database, users: UserStore) -> list[DemoAccount]:
    """Create the demo users that are missing; return the accounts that work with the
    printed passwords. Idempotent. An existing user of a demo name whose password was changed
    is left alone (never reset: this may be someone's real data folder) and not returned."""
    store = users
    usable: list[DemoAccount] = []
    for demo in DEMO_USERS:
        account = demo.account
        existing = store.get(account.name)
        if existing is None:
            store.add(
                account.name,
                account.email,
                account.password,
                full_name=demo.full_name,
                admin=demo.admin,
            )
            usable.append(account)
            user = store.get(account.name)
            assert user is not None
            _seed_tasks(database, user.id, account.name)
        elif store.verify_password(existing, account.password):
            usable.append(account)
        else:
            log.warning(
                "User %s exists with another password; the demo account is not shown",
                existing.name,
            )
    return usable


def _demo_tasks(name: str, today: date) -> list[Task]:
    """A small to-do list that fills each of the ToDo app's lists (today, overdue, by
    priority, completed) whatever the day the demo runs."""
    def uid(n: int) -> str:
        return f"demo-{name}-{n}@{DEMO_DOMAIN}"

    return [
        Task(uid(1), "Prepare the Traveler demo", due=today, priority=Priority.HIGH,
             description="Laptop, projector adapter, demo accounts printed."),
        Task(uid(2), "Renew the server's TLS certificate", due=today - timedelta(days=3),
             priority=Priority.HIGH, categories=("Admin",)),
        Task(uid(3), "Review the approved applications list", due=today + timedelta(days=7),
             priority=Priority.MEDIUM, categories=("Admin", "Security")),
        Task(uid(4), "Read the Traveler 9.0.0.1 release notes", priority=Priority.LOW),
        Task(uid(5), "Install the database fix pack", due=today - timedelta(days=1),
             completed=datetime.combine(today, datetime.min.time(), UTC),
             status=Status.COMPLETED, priority=Priority.MEDIUM),
    ]


# Who delegates a todo to whom in the demo: each user has one waiting for an answer.
_DELEGATIONS = {"alice": "bob", "bob": "carol", "carol": "alice"}  # assignee: organizer
_DELEGATED_SUBJECTS = {
    "alice": "Latest defect count",
    "bob": "Check the push notification settings",
    "carol": "Update the device security policy",
}


def _delegated_task(assignee: _DemoUser, organizer: _DemoUser, today: date) -> Task:
    """The todo ``organizer`` delegated to ``assignee``, as delegation places it (RFC 5545
    ORGANIZER and ATTENDEE; the assignee has not answered yet)."""
    return Task(
        f"demo-delegated-{assignee.account.name}@{DEMO_DOMAIN}",
        _DELEGATED_SUBJECTS[assignee.account.name],
        due=today + timedelta(days=2),
        priority=Priority.MEDIUM,
        organizer=Organizer(organizer.account.email, organizer.full_name),
        assignees=(
            Attendee(assignee.account.email, assignee.full_name, PartStat.NEEDS_ACTION),
        ),
    )


def _seed_tasks(database: Database, user_id: int, name: str) -> None:
    """Give a new demo user a few tasks in the tasks datastore, so a first sync has data: their
    own, the one another demo user delegated to them, and the one they delegated."""
    store = SqlItems(database, user_id, DEMO_DATASTORE_URI)
    today = date.today()
    by_name = {demo.account.name: demo for demo in DEMO_USERS}
    me = by_name[name]
    tasks = _demo_tasks(name, today)
    tasks.append(_delegated_task(me, by_name[_DELEGATIONS[name]], today))
    for assignee, organizer in _DELEGATIONS.items():
        if organizer == name:
            tasks.append(_delegated_task(by_name[assignee], me, today))
    with database.transaction():
        for task in tasks:
            data = format_task(task)
            store.add(data, extract_uid(data))


def _commands() -> tuple[str, str]:
    """How to run SyncEvolution and traveler-server, as printable command words."""
    run_script = os.environ.get("TRAVELER_RUN_SCRIPT")
    # Debian's SyncEvolution needs the libcurl preload; `./run syncevolution` builds and uses it.
    syncevolution = shlex.quote(run_script) + " syncevolution" if run_script else "syncevolution"
    installed = Path(sys.executable).with_name("traveler-server")
    server = shlex.quote(str(installed)) if installed.exists() else "traveler-server"
    return syncevolution, server


def render_demo_banner(
    url: str, accounts: list[DemoAccount], admins: set[str], data_dir: Path
) -> str:
    """The text ``run --demo`` prints once the server listens: the accounts, then a guide for
    SyncEvolution testers whose commands work as printed (copy, paste, in any folder)."""
    rows = [("user", "password", "e-mail", "role")]
    rows += [
        (a.name, a.password, a.email, "admin" if a.name in admins else "user") for a in accounts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    table = "\n".join(
        "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in rows
    )
    first = accounts[0] if accounts else DemoAccount("USER", "PASSWORD", "")
    syncevolution, server = _commands()
    peer = f"traveler-{first.name}"
    folder = "$HOME/traveler-demo-todo"
    se = f"{syncevolution} --daemon=no --keyring=no"
    preload_note = (
        "" if syncevolution.endswith(" syncevolution")
        else "(Debian bookworm's syncevolution 2.0.0 needs a libcurl preload to sync; "
        "`./run syncevolution` in the source tree builds and uses it, see DEVELOPERS.md.)\n"
    )
    return f"""
Traveler demo server: {url}

Demo accounts:
{table}

Try it with SyncEvolution (as {first.name}; the tasks live as files in {folder}):
{preload_note}
1. Configure a client:
  {se} --configure --template SyncEvolution \\
      --sync-property syncURL={url} \\
      --sync-property username={first.name} --sync-property password={first.password} \\
      --source-property backend=file --source-property databaseFormat=text/calendar \\
      --source-property database=file://{folder} \\
      --source-property uri={DEMO_DATASTORE_URI} \\
      {peer} todo

2. First sync (slow): brings {first.name}'s demo tasks down.
  {se} --sync slow {peer} todo

3. Add a task on the client:
  printf '%s\\r\\n' BEGIN:VCALENDAR VERSION:2.0 BEGIN:VTODO UID:added-by-hand-1 \\
      'SUMMARY:Added in SyncEvolution' END:VTODO END:VCALENDAR \\
      > {folder}/added-by-hand-1.ics

4. Two-way sync: sends it up.
  {se} --sync two-way {peer} todo

5. See it on the server:
  {server} --data {shlex.quote(str(data_dir))} task list --user {first.name}

Stop the server with Ctrl+C.
"""


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _demo_environment(home: Path) -> tuple[dict[str, str], str | None]:
    """The apps' environment: their own data folder, and a keyring. With no system keyring
    the demo says so and keeps the printed demo passwords in a keyring file of its own."""
    env = dict(os.environ, TRAVELER_HOME=str(home))
    note = None
    if "PYTHON_KEYRING_BACKEND" not in os.environ:
        from companion.secret_store import KeyringUnavailableError, choose_backend

        try:
            choose_backend()
        except KeyringUnavailableError:
            env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
            env["XDG_DATA_HOME"] = str(home / "keyring")
            note = (
                f"No system keyring here: the demo keeps the demo passwords in a plain-text "
                f"keyring file under {home / 'keyring'} (only for the demo)."
            )
    return env, note


def _start_server(data: Path, host: str, port: int) -> tuple[subprocess.Popen[str], str]:
    """``traveler-server run --demo``; returns the process and its URL once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "--data", str(data), "run", "--demo",
         "--host", host, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )  # fmt: skip
    assert process.stdout is not None
    url = None
    for line in process.stdout:
        print(line, end="", flush=True)
        found = _STARTED.search(line)
        if found:
            url = found.group(1)
        if url is not None and line.startswith("Stop the server with Ctrl+C."):
            return process, url  # the banner with the accounts is out
    process.wait()
    raise RuntimeError(f"the demo server exited with status {process.returncode}")


_STARTED = re.compile(r"Server started on (\S+)")


def _echo(process: subprocess.Popen[str]) -> None:
    """Keep printing the server's log while the app runs."""
    assert process.stdout is not None
    for line in process.stdout:
        print(line, end="", flush=True)


def demo_main(argv: Sequence[str] | None = None) -> int:
    """``traveler-demo``: the server with the demo organisation, then the ToDo app signed in
    as a demo user (with no display: the server alone, and how to open the app)."""
    parser = argparse.ArgumentParser(prog="traveler-demo", description=demo_main.__doc__)
    default_data = Path(os.environ.get("TRAVELER_DATA", ".traveler-demo"))
    parser.add_argument("--data", type=Path, default=default_data,
                        help="the demo's folder (default: ./.traveler-demo)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--user", default=DEMO_USERS[0].account.name,
                        choices=[demo.account.name for demo in DEMO_USERS],
                        help="the demo user the ToDo app signs in as")
    parser.add_argument("--no-app", action="store_true", help="start the server only")
    args = parser.parse_args(argv)  # fmt: skip
    data = args.data.resolve()
    home = data / "apps"
    env, note = _demo_environment(home)
    try:
        server, url = _start_server(data / "server", args.host, args.port)
    except (OSError, RuntimeError) as error:
        print(f"traveler-demo: {error}", file=sys.stderr)
        return 1
    account = next(demo.account for demo in DEMO_USERS if demo.account.name == args.user)
    app_command = f"TRAVELER_HOME={home} traveler-todo"
    try:
        if args.no_app or not _has_display():
            print(
                f"\nNo display: the demo server runs alone. To open the ToDo app on a desktop, "
                f"sign in there as {account.name} / {account.password} at {url}, or run\n  "
                f"printf '%s\\n' {account.password} | TRAVELER_HOME={home} traveler-companion "
                f"account add --server {url} --user {account.name} --password-stdin\n  "
                f"{app_command}\nStop the server with Ctrl+C.",
                flush=True,
            )
            _echo(server)
            return server.wait()
        if note:
            print(note, flush=True)
        added = subprocess.run(
            [sys.executable, "-m", "companion.cli", "account", "add", "--server", url,
             "--user", account.name, "--password-stdin"],
            input=account.password + "\n", text=True, env=env, capture_output=True,
        )  # fmt: skip
        if added.returncode != 0 and "already" not in added.stderr + added.stdout:
            print(f"traveler-demo: signing in failed: {added.stderr.strip()}", file=sys.stderr)
            return 1
        print(f"Opening the ToDo app as {account.name} ({app_command}); close it to stop.")
        echo = threading.Thread(target=_echo, args=(server,), daemon=True)
        echo.start()
        return subprocess.run([sys.executable, "-m", "todo.ui.app"], env=env).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(demo_main())
