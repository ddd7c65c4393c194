"""Syncing the window's account: one session at a time on a thread of its own, with its own
event loop and its own connection to the store, so neither the network nor the store's work
during a sync touches the UI thread."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from companion.account_setup import problem_of
from companion.accounts import AccountError
from companion.api_client import ServerError
from companion.device import DeviceError
from companion.secret_store import KeyringUnavailableError
from syncml.client import ClientConfig
from todo.account import sync_account
from todo.store import TodoStore
from todo.sync import SyncReport, sync_store
from todo.sync_transport import DEFAULT_TIMEOUT


class AccountSync:
    """Syncs the store of one Companion account; call :meth:`run` from the UI's loop."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="todo-sync")

    async def run(self) -> SyncReport:
        """One sync session; a failure is raised as a SignInError naming the problem (its
        message is the English text; the window words it through its Problem)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._sync)

    def _sync(self) -> SyncReport:
        try:
            account = sync_account(self.account_id)  # the password from the keyring, each time
        except (AccountError, KeyringUnavailableError, DeviceError) as exc:
            raise problem_of(exc, "", "", None) from exc
        with TodoStore.for_account(self.account_id) as store:
            config = ClientConfig(
                url=account.server_url,
                username=account.user,
                password=account.password,
                device_id=account.device_id,
            )
            try:
                return asyncio.run(sync_store(store, config))
            except ServerError as exc:
                # As a Problem, so the window says it in the user's language (SignInError).
                raise problem_of(exc, account.server_url, account.user, DEFAULT_TIMEOUT) from exc

    def close(self) -> None:
        """Let a running session finish, then end the thread."""
        self._executor.shutdown(wait=True)
