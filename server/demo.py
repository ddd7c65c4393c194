"""The demo organisation: three users with memorable passwords and a few tasks each.

``traveler-server run --demo`` (what ``./run demo`` starts) seeds them and prints a table of the
accounts; ``traveler-demo`` will one day start server, demo data and both apps in one go.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from server.store.database import Database
from server.store.sync_store import SqlItems
from server.store.users import UserStore
from todo.line_scan import extract_uid
from todo.task import Priority, Status, Task
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


def _seed_tasks(database: Database, user_id: int, name: str) -> None:
    """Give a new demo user a few tasks in the tasks datastore, so a first sync has data."""
    store = SqlItems(database, user_id, DEMO_DATASTORE_URI)
    with database.transaction():
        for task in _demo_tasks(name, date.today()):
            data = format_task(task)
            store.add(data, extract_uid(data))


def render_demo_banner(url: str, accounts: list[DemoAccount], admins: set[str]) -> str:
    """The text ``run --demo`` prints once the server listens."""
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
    return f"""
Traveler demo server: {url}

Demo accounts:
{table}

Sync a SyncEvolution client with it (as {first.name}; tasks kept in a local folder):
  syncevolution --daemon=no --keyring=no --configure --template SyncEvolution \\
      --sync-property syncURL={url} \\
      --sync-property username={first.name} --sync-property password={first.password} \\
      --source-property backend=file --source-property databaseFormat=text/calendar \\
      --source-property database=file://$HOME/traveler-demo-todo \\
      --source-property uri={DEMO_DATASTORE_URI} \\
      traveler-{first.name} todo
  syncevolution --daemon=no --keyring=no --sync slow traveler-{first.name} todo
(Debian bookworm's syncevolution 2.0.0 needs a libcurl preload to sync; see DEVELOPERS.md.)

Stop the server with Ctrl+C.
"""


def demo_main() -> int:
    """Entry point of ``traveler-demo`` (not built yet): say what it will do and exit 2."""
    print(
        "traveler-demo will start a local Traveler server with the demo organisation, then the "
        "Companion and ToDo apps signed in as a demo user, all with one command. The desktop "
        "apps are not built yet; for now run `./run demo` in the source tree, or "
        "`traveler-server run --demo`, to start the server with the demo accounts.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(demo_main())
