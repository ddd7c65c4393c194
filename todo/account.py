"""The ToDo app's account: the Companion's default account, with nothing to set up here.

Seed: the ToDo app configures itself (server URL, user name, password) once the Companion has
been used. This reads the Companion's account store and keyring
(:mod:`companion.accounts`) and this installation's device identity (:mod:`companion.device`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from companion.accounts import AccountStore
from companion.device import load_device
from companion.secret_store import SecretStore

__all__ = ["SyncAccount", "sync_account"]


@dataclass(frozen=True)
class SyncAccount:
    """What a sync needs: where, as whom, from which device; ``token`` for the client API
    (None on a plain SyncML server)."""

    account_id: str
    server_url: str
    user: str
    password: str
    device_id: str
    token: str | None
    api_url: str | None


def sync_account(
    ref: str | None = None,
    *,
    home: Path | None = None,
    secrets: SecretStore | None = None,
) -> SyncAccount:
    """The default account (or the one named ``ref``) with its password and device token.

    Raises :class:`companion.accounts.NoAccountError` when the Companion has not been used yet,
    :class:`~companion.accounts.PasswordMissingError` when the keyring lost the password, and
    :class:`companion.secret_store.KeyringUnavailableError` without a usable keyring — each
    with a message that says what to do.
    """
    store = AccountStore(home, secrets)
    credentials = store.credentials(ref)
    account = credentials.account
    device = load_device(store.home, store.secrets)
    return SyncAccount(
        account_id=account.id,
        server_url=account.server_url,
        user=account.user,
        password=credentials.password,
        device_id=device.device_id,
        token=credentials.token,
        api_url=account.api_url,
    )
