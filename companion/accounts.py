"""The accounts both desktop apps use: which servers, as whom; secrets only in the keyring.

An account is a SyncML URL (the full URL a SyncML client posts to, as in the managed
configuration's ``server`` key, e.g. ``http://127.0.0.1:8080/traveler``), a user name, and what
the server told about the user (e-mail, display name). The list is ``accounts.json`` in the
data folder (``$TRAVELER_HOME``, else ``$XDG_DATA_HOME/traveler``), written atomically under a
lock, so two apps adding accounts at once lose nothing and a crash leaves the old or the new
file, never half of one. The password and the device token are in the keyring
(:mod:`companion.secret_store`), never in that file.

The ToDo app reads the same file: an account added with the Companion configures it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from companion.errors import Problem
from companion.secret_store import SecretStore

try:
    import fcntl
except ImportError:  # Windows: one app at a time, no advisory lock to take
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "ACCOUNTS_FILE",
    "Account",
    "AccountError",
    "AccountExistsError",
    "AccountNotFoundError",
    "AccountStore",
    "Credentials",
    "NoAccountError",
    "PasswordMissingError",
    "ServerUrlError",
    "api_url",
    "check_server_url",
    "data_home",
]

ACCOUNTS_FILE = "accounts.json"
FORMAT_VERSION = 1
API_SUFFIX = "/api/v1/"


class AccountError(Exception):
    """An account cannot be added, found or read; the message says which and why."""


class AccountExistsError(AccountError):
    """That user on that server is an account already."""


class AccountNotFoundError(AccountError):
    """No account matches the name or ID given."""


class NoAccountError(AccountNotFoundError):
    """There is no account at all: the user has not signed in with the Companion yet."""


class PasswordMissingError(AccountError):
    """The account is listed, but its password is not in the keyring (any more)."""


class ServerUrlError(AccountError):
    """The server URL cannot be used; ``problem`` says why (for a translated text)."""

    def __init__(self, message: str, problem: Problem) -> None:
        super().__init__(message)
        self.problem = problem


def data_home() -> Path:
    """The desktop apps' data folder: ``$TRAVELER_HOME``, else ``$XDG_DATA_HOME/traveler``."""
    env = os.environ.get("TRAVELER_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "traveler"


def check_server_url(url: str) -> str:
    """The SyncML URL as given (trimmed), or a :class:`ServerUrlError` saying what is wrong."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerUrlError(
            f"{url!r} is not a server URL; give the full SyncML URL, for example "
            "http://traveler.example.com:8080/traveler",
            Problem.BAD_URL,
        )
    if parts.username or parts.password:
        raise ServerUrlError(
            "the server URL must not contain a user name or password; give them with --user "
            "and --password-stdin",
            Problem.URL_WITH_CREDENTIALS,
        )
    if parts.fragment:
        raise ServerUrlError(
            f"the server URL {url!r} has a #fragment, which no server reads",
            Problem.URL_WITH_FRAGMENT,
        )
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked for it
    except ValueError:
        raise ServerUrlError(
            f"the server URL {url!r} has an invalid port", Problem.BAD_PORT
        ) from None
    return url


def api_url(server_url: str) -> str:
    """The client API's base URL of a Traveler server: the SyncML URL + ``/api/v1/``."""
    parts = urlsplit(server_url)
    return parts._replace(path=parts.path.rstrip("/") + API_SUFFIX, query="").geturl()


@dataclass(frozen=True)
class Account:
    """One account. ``traveler_api`` says whether the server has the Traveler client API
    (a plain SyncML server such as SyncEvolution's has not)."""

    id: str
    server_url: str
    user: str
    email: str | None = None
    display_name: str | None = None
    server_name: str | None = None
    traveler_api: bool = False
    added: str = ""

    @property
    def api_url(self) -> str | None:
        return api_url(self.server_url) if self.traveler_api else None

    @property
    def password_key(self) -> str:
        return f"account:{self.id}:password"

    @property
    def token_key(self) -> str:
        return f"account:{self.id}:device-token"


@dataclass(frozen=True)
class Credentials:
    """An account with its secrets from the keyring: what a sync or an API call needs."""

    account: Account
    password: str
    token: str | None


def _account_id(user: str, server_url: str, taken: set[str]) -> str:
    parts = urlsplit(server_url)
    host = parts.hostname or "server"
    if parts.port:
        host += f"-{parts.port}"
    base = re.sub(r"[^a-z0-9@._+-]", "_", f"{user}@{host}".lower())
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _account(entry: Any, path: Path) -> Account:
    if not isinstance(entry, dict):
        raise AccountError(f"{path} is damaged: an account entry is not an object")
    known = {field: entry[field] for field in Account.__dataclass_fields__ if field in entry}
    try:
        account = Account(**known)
    except TypeError as exc:
        raise AccountError(f"{path} is damaged: {exc}") from None
    if not isinstance(account.id, str) or not isinstance(account.server_url, str):
        raise AccountError(f"{path} is damaged: an account has no id or server URL")
    return account


class AccountStore:
    """The accounts of this user, in ``<home>/accounts.json``; secrets in ``secrets``."""

    def __init__(self, home: Path | None = None, secrets: SecretStore | None = None) -> None:
        self.home = home if home is not None else data_home()
        self.path = self.home / ACCOUNTS_FILE
        self.secrets = secrets if secrets is not None else SecretStore()

    # --- reading -------------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        """All accounts, in the order they were added."""
        return self._read()[0]

    def default(self) -> Account | None:
        """The default account: the one chosen, else the first; None with no accounts."""
        accounts, default_id = self._read()
        for account in accounts:
            if account.id == default_id:
                return account
        return accounts[0] if accounts else None

    def get(self, ref: str) -> Account:
        """The account with ID ``ref``, or the only account of user ``ref``."""
        accounts = self.accounts()
        if not accounts:
            raise NoAccountError(_NO_ACCOUNT)
        for account in accounts:
            if account.id == ref:
                return account
        by_user = [a for a in accounts if a.user.casefold() == ref.casefold()]
        if len(by_user) == 1:
            return by_user[0]
        if by_user:
            ids = ", ".join(a.id for a in by_user)
            raise AccountNotFoundError(
                f"{ref!r} is the user of several accounts; give the ID: {ids}"
            )
        ids = ", ".join(a.id for a in accounts)
        raise AccountNotFoundError(f"there is no account {ref!r}; the accounts are: {ids}")

    def credentials(self, ref: str | None = None) -> Credentials:
        """The account (default: the default account) with its password and device token."""
        account = self.get(ref) if ref is not None else self.default()
        if account is None:
            raise NoAccountError(_NO_ACCOUNT)
        password = self.secrets.get(account.password_key)
        if password is None:
            raise PasswordMissingError(
                f"the password of account {account.id} is not in the keyring "
                f"({self.secrets.backend_name}); add the account again: traveler-companion "
                f"account add --server {account.server_url} --user {account.user} "
                "--password-stdin"
            )
        return Credentials(account, password, self.secrets.get(account.token_key))

    # --- changing ------------------------------------------------------------------------------

    def add(
        self,
        *,
        server_url: str,
        user: str,
        password: str,
        token: str | None,
        email: str | None = None,
        display_name: str | None = None,
        server_name: str | None = None,
        traveler_api: bool = False,
    ) -> Account:
        """Add an account; its secrets go to the keyring before the account is listed."""
        server_url = check_server_url(server_url)
        user = user.strip()
        if not user:
            raise AccountError("the user name is empty")
        if not password:
            raise AccountError("the password is empty")
        # Fail before anything is written when there is no usable keyring.
        self.secrets.backend  # noqa: B018
        with self._locked():
            accounts, default_id = self._read()
            for existing in accounts:
                same_user = existing.user.casefold() == user.casefold()
                if existing.server_url == server_url and same_user:
                    raise AccountExistsError(
                        f"{user} on {server_url} is an account already ({existing.id}); "
                        f"remove it first: traveler-companion account remove {existing.id}"
                    )
            account = Account(
                id=_account_id(user, server_url, {a.id for a in accounts}),
                server_url=server_url,
                user=user,
                email=email or None,
                display_name=display_name or None,
                server_name=server_name or None,
                traveler_api=traveler_api,
                added=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            self.secrets.set(account.password_key, password)
            if token is not None:
                self.secrets.set(account.token_key, token)
            else:
                self.secrets.delete(account.token_key)
            self._write([*accounts, account], default_id or account.id)
        return account

    def find(self, server_url: str, user: str) -> Account | None:
        """The account of ``user`` (ASCII case ignored) on exactly that SyncML URL, or None."""
        server_url = server_url.strip()
        for account in self.accounts():
            if account.server_url == server_url and account.user.casefold() == user.casefold():
                return account
        return None

    def sign_in_again(
        self, account: Account, *, password: str, token: str | None, **changes: Any
    ) -> Account:
        """Replace a listed account's password and token (and listed fields) after a new
        sign-in: a changed password, a new device key."""
        if not password:
            raise AccountError("the password is empty")
        self.secrets.set(account.password_key, password)
        self.set_token(account, token)
        return self.update(account, **changes)

    def update(self, account: Account, **changes: Any) -> Account:
        """Change an account's listed fields (not its ID or URL)."""
        with self._locked():
            accounts, default_id = self._read()
            updated = replace(account, **changes, id=account.id, server_url=account.server_url)
            self._write([updated if a.id == account.id else a for a in accounts], default_id)
        return updated

    def set_token(self, account: Account, token: str | None) -> None:
        """Replace (or with None, forget) the account's device token."""
        if token is None:
            self.secrets.delete(account.token_key)
        else:
            self.secrets.set(account.token_key, token)

    def set_default(self, ref: str) -> Account:
        """Make the account the default of both apps."""
        with self._locked():
            account = self.get(ref)
            accounts, _ = self._read()
            self._write(accounts, account.id)
        return account

    def remove(self, ref: str) -> Account:
        """Remove the account and its secrets from the keyring."""
        with self._locked():
            account = self.get(ref)
            accounts, default_id = self._read()
            self.secrets.delete(account.password_key)
            self.secrets.delete(account.token_key)
            remaining = [a for a in accounts if a.id != account.id]
            if default_id == account.id:
                default_id = remaining[0].id if remaining else None
            self._write(remaining, default_id)
        return account

    # --- the file ------------------------------------------------------------------------------

    def _read(self) -> tuple[list[Account], str | None]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], None
        except OSError as exc:
            raise AccountError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise AccountError(
                f"{self.path} is damaged ({exc}); it was left as it is — repair or remove it"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
            raise AccountError(f"{self.path} is damaged: no account list; it was left as it is")
        if data.get("version", 1) > FORMAT_VERSION:
            raise AccountError(
                f"{self.path} was written by a newer version of Traveler; update this app"
            )
        accounts = [_account(entry, self.path) for entry in data["accounts"]]
        default_id = data.get("default")
        return accounts, default_id if isinstance(default_id, str) else None

    def _write(self, accounts: list[Account], default_id: str | None) -> None:
        data = {
            "version": FORMAT_VERSION,
            "default": default_id,
            "accounts": [asdict(a) for a in accounts],
        }
        self.home.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".accounts-", suffix=".tmp", dir=self.home)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, ensure_ascii=False)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):
            # The rename is durable only once the folder's entry is on disk too.
            dir_fd = os.open(self.home, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".accounts.lock", "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            yield


_NO_ACCOUNT = (
    "there is no account yet; sign in once with the Companion: traveler-companion account add "
    "--server URL --user NAME --password-stdin"
)
