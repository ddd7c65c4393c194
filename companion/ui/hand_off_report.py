"""Reports a hand-off of a .tef opened from a file (not from the inbox) to the server."""

from __future__ import annotations

import httpx
from PySide6.QtCore import QObject

import tef
from companion.accounts import AccountError, AccountStore
from companion.api_client import ClientApi
from companion.hand_off import DesktopApp
from companion.inbox import attachment_of, report_hand_off
from companion.secret_store import KeyringUnavailableError
from companion.ui.background import Background

__all__ = ["HandOffReporter"]


class HandOffReporter(QObject):
    """Reports to the default account's server, off the UI thread. A report that fails is
    kept in `failures`: the hand-off itself already happened, as the file's policy allowed."""

    def __init__(
        self,
        store: AccountStore,
        transport: httpx.AsyncBaseTransport | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__()
        if parent is not None:
            self.setParent(parent)
        self._store = store
        self._transport = transport
        self.background = Background(self)
        self.failures: list[Exception] = []

    def report(self, metadata: tef.Metadata, app: DesktopApp) -> None:
        try:
            credentials = self._store.credentials()
        except (AccountError, KeyringUnavailableError) as exc:
            self.failures.append(exc)
            return
        transport = self._transport
        where = attachment_of(metadata.message_ref)

        async def call() -> None:
            async with httpx.AsyncClient(transport=transport) as client:
                api = ClientApi(
                    credentials.account.server_url, token=credentials.token, client=client
                )
                await report_hand_off(api, where, metadata.name, app)

        self.background.run(call, lambda _: None, self.failures.append)
