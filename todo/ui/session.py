"""What ``traveler-todo`` does on start: use the Companion's default account (no set-up of its
own), or show the sign-in dialog when there is none, then open the window on that account's
store. Without an account (sign-in cancelled) the todos stay on this computer.

What runs for the account — its sync thread and its push channel — belongs to the
:class:`Session` and ends with :meth:`Session.close`, never with ``QApplication.aboutToQuit``:
Qt emits that whenever ``exec()`` returns, which a qasync loop does each time it stops (every
``run_until_complete``), so it would cut the push channel and the sync thread of a session
that goes on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from companion.account_setup import off_thread
from companion.accounts import Account, AccountError, AccountStore
from companion.secret_store import KeyringUnavailableError
from companion.ui.sign_in import SignInDialog
from todo.ui.app import TodoApp, build_window
from todo.ui.background import spawn

if TYPE_CHECKING:
    from todo.ui.account_sync import AccountSync

SYNC_INTERVAL_MS = 5 * 60 * 1000


@dataclass
class Session:
    """The running window and the account it shows (None: not signed in), with the account's
    sync thread and push channel (None: no account, or no push on its server)."""

    todo: TodoApp
    account: Account | None
    syncer: AccountSync | None = None
    push: asyncio.Task[None] | None = None

    async def close(self) -> None:
        """Stop listening for pushes, let a running sync finish, then close the window and
        its store."""
        if self.push is not None:
            self.push.cancel()
            # wait(), not await: the listener's cancellation must not cancel the caller.
            await asyncio.wait([self.push])
        await self.todo.sync.stop()
        if self.syncer is not None:
            await off_thread(self.syncer.close)
        self.todo.close()


async def choose_account(
    store: AccountStore, server_url: str = "", user: str = ""
) -> Account | None:
    """The default account; else ask with the sign-in dialog (None if the user cancels)."""
    loop = asyncio.get_running_loop()
    account = await off_thread(store.default)
    if account is not None:
        return account
    dialog = SignInDialog(store, server_url=server_url, user=user)
    done: asyncio.Future[int] = loop.create_future()

    def finished(code: int) -> None:
        if not done.done():
            done.set_result(code)

    dialog.finished.connect(finished)
    dialog.open()
    code = await done
    return dialog.account if code == QDialog.DialogCode.Accepted else None


async def start_session(app: QApplication, accounts: AccountStore | None = None) -> Session:
    """Open the ToDo window for the default account, signing in first if needed."""
    from todo.store import LOCAL_ACCOUNT, store_path

    store = accounts or AccountStore()
    try:
        account = await choose_account(store)
    except (AccountError, KeyringUnavailableError) as error:
        QMessageBox.warning(None, app.translate("Session", "ToDo"), str(error))
        account = None
    if account is None:
        todo = build_window(store_path(LOCAL_ACCOUNT))
        todo.window.show()
        return Session(todo, account)
    from todo.store import adopt_local_store
    from todo.ui.account_sync import AccountSync

    # The todos kept before signing in become the account's (as the CLI does).
    await off_thread(lambda: adopt_local_store(account.id))
    syncer = AccountSync(account.id)
    lookup = None
    if account.traveler_api:
        from todo.ui.user_lookup import UserLookup

        account_id = account.id

        async def token() -> str | None:
            return (await off_thread(lambda: store.credentials(account_id))).token

        lookup = UserLookup(account.server_url, token)
    todo = build_window(
        store_path(account.id),
        me=account.email or account.user,
        account_label=account.display_name or account.user,
        run_sync=syncer.run,
        lookup=lookup,
    )
    # A sync at start and then every few minutes (push, when the server offers it, comes on
    # top of this); Ctrl+R and Retry sync at once.
    timer = QTimer(todo.window)
    timer.setInterval(SYNC_INTERVAL_MS)
    timer.timeout.connect(todo.sync.sync_now)
    timer.start()
    todo.window.show()
    todo.sync.sync_now()
    push = await _start_push(store, account, todo) if account.traveler_api else None
    return Session(todo, account, syncer, push)


async def _start_push(
    store: AccountStore, account: Account, todo: TodoApp
) -> asyncio.Task[None] | None:
    """Listen on the server's push channel: sync at once when something changed."""
    from todo.push import PushListener
    from todo.ui.push_watch import watch_push

    try:
        credentials = await off_thread(lambda: store.credentials(account.id))
    except (AccountError, KeyringUnavailableError):
        return None  # the sync shows what is wrong with the account
    if credentials.token is None:
        return None
    listener = PushListener(account.server_url, credentials.token)
    return spawn(watch_push(listener, todo.sync.sync_now, todo.notifier.notify, todo.sync.set_push))
