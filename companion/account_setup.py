"""Signing in to a server, once for every front end: ``traveler-companion account add`` and the
sign-in dialog both apps show run this.

Signing in is: a usable server URL, user name and password; no such account yet (or, for the
CLI, signing in again to the listed one); a keyring to keep the password in; the connection
test (a SyncML probe, then on a Traveler server the device registration,
:func:`companion.api_client.check_account`); then the account into the account store and its
secrets into the keyring. Whatever fails is a :class:`companion.errors.SignInError` naming the
:class:`~companion.errors.Problem`, which each front end words itself.

Account file and keyring work runs on a worker thread (:func:`off_thread`), so an event loop
(the windows' qasync loop) never waits on the disk or a keyring's D-Bus round trips.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from companion.accounts import (
    Account,
    AccountError,
    AccountExistsError,
    AccountStore,
    ServerUrlError,
    check_server_url,
)
from companion.api_client import (
    DEFAULT_TIMEOUT,
    AccessRevokedError,
    AccountCheck,
    CertificateUntrustedError,
    DeviceRevokedError,
    NotSyncMLServerError,
    RedirectedError,
    SecureConnectionError,
    ServerError,
    ServerTimeoutError,
    ServerUnavailableError,
    ServerUnreachableError,
    TooManyAttemptsError,
    WhoAmI,
    WrongPasswordError,
    check_account,
)
from companion.device import DeviceError, DeviceIdentity, load_device
from companion.errors import Problem, SignInError
from companion.secret_store import KeyringUnavailableError

__all__ = ["Request", "SignedIn", "check_request", "off_thread", "sign_in"]

_T = TypeVar("_T")

# A plain thread pool of our own rather than the loop's default executor: qasync's default runs
# on QThreads that die with their loop. One thread, so account file and keyring work is done
# in the order it was asked for.
_ACCOUNT_WORK = ThreadPoolExecutor(max_workers=1, thread_name_prefix="accounts")


async def off_thread(call: Callable[[], _T]) -> _T:
    """``call()`` on the accounts' worker thread."""
    return await asyncio.get_running_loop().run_in_executor(_ACCOUNT_WORK, call)


@dataclass(frozen=True)
class Request:
    """A sign-in that passed the checks before the server is asked: the URL and user name
    trimmed, and the listed account it signs in again to (None: a new account)."""

    server_url: str
    user: str
    existing: Account | None


@dataclass(frozen=True)
class SignedIn:
    """The account signed in. ``whoami`` is None on a plain SyncML server; ``note`` then says
    what that means."""

    account: Account
    again: bool
    device: DeviceIdentity
    whoami: WhoAmI | None
    note: str | None


def check_request(store: AccountStore, server_url: str, user: str, *, again: bool) -> Request:
    """What can be checked before a password is asked for: the URL, the user name, that the
    account is not there yet (unless ``again``: then it is signed in again) and that there is
    a keyring. Blocks on the account file and the keyring."""
    url = server_url.strip()
    if not url:
        raise SignInError(Problem.MISSING_SERVER, "the server URL is empty")
    try:
        url = check_server_url(url)
    except ServerUrlError as exc:
        raise SignInError(exc.problem, str(exc), url=url) from exc
    user = user.strip()
    where = _where(url)
    if not user:
        raise SignInError(Problem.MISSING_USER, "the user name is empty", url=url, server=where)
    try:
        existing = store.find(url, user)
        # Before the password is asked for or the server contacted: is there a keyring?
        store.secrets.backend  # noqa: B018
    except (AccountError, KeyringUnavailableError) as exc:
        raise problem_of(exc, url, user, None) from exc
    if existing is not None and not again:
        raise SignInError(
            Problem.ALREADY_SIGNED_IN,
            f"{existing.user} on {url} is signed in already; to sign in again, remove the "
            "account first",
            url=url,
            server=where,
            user=existing.user,
        )
    return Request(url, user, existing)


async def sign_in(
    store: AccountStore,
    server_url: str,
    user: str,
    password: str,
    *,
    again: bool = False,
    email: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SignedIn:
    """Check, test the connection and keep the account; raises :class:`SignInError`.

    ``again``: a listed account is signed in again (a changed password, a new device key) and
    keeps its ID; otherwise it is :attr:`Problem.ALREADY_SIGNED_IN`. ``email`` overrides the
    e-mail address the server tells.
    """
    request = await off_thread(lambda: check_request(store, server_url, user, again=again))
    url = request.server_url
    if not password:
        raise SignInError(
            Problem.MISSING_PASSWORD,
            "the password is empty",
            url=url,
            server=_where(url),
            user=request.user,
        )
    try:
        device = await off_thread(lambda: load_device(store.home, store.secrets))
        check = await check_account(
            url, request.user, password, device, timeout=timeout, transport=transport
        )
        account = await off_thread(lambda: _keep(store, request, password, email, check))
    except (ServerError, AccountError, DeviceError, KeyringUnavailableError) as exc:
        raise problem_of(exc, url, request.user, timeout) from exc
    return SignedIn(account, request.existing is not None, device, check.whoami, check.note)


def _keep(
    store: AccountStore, request: Request, password: str, email: str | None, check: AccountCheck
) -> Account:
    who = check.whoami
    token = check.registration.token if check.registration else None
    email = email or (who.email if who else None)
    display_name = who.display_name if who else None
    server_name = who.server if who else None
    traveler_api = check.registration is not None
    if request.existing is not None:
        # Signing in again keeps the account's ID and the ToDo app's store that hangs on it.
        return store.sign_in_again(
            request.existing,
            password=password,
            token=token,
            email=email,
            display_name=display_name,
            server_name=server_name,
            traveler_api=traveler_api,
        )
    return store.add(
        server_url=request.server_url,
        user=who.user if who else request.user,
        password=password,
        token=token,
        email=email,
        display_name=display_name,
        server_name=server_name,
        traveler_api=traveler_api,
    )


def _where(url: str) -> str:
    return urlsplit(url).netloc or url


# The first class the error is an instance of names the problem (subclasses before their base).
_PROBLEMS: tuple[tuple[type[Exception], Problem], ...] = (
    (CertificateUntrustedError, Problem.TLS_UNTRUSTED),
    (SecureConnectionError, Problem.TLS_FAILED),
    (ServerUnreachableError, Problem.UNREACHABLE),
    (ServerTimeoutError, Problem.TIMEOUT),
    (RedirectedError, Problem.REDIRECTED),
    (NotSyncMLServerError, Problem.NOT_SYNCML),
    (WrongPasswordError, Problem.WRONG_PASSWORD),
    (DeviceRevokedError, Problem.DEVICE_REVOKED),
    (AccessRevokedError, Problem.ACCESS_REFUSED),
    (TooManyAttemptsError, Problem.TOO_MANY_ATTEMPTS),
    (ServerUnavailableError, Problem.SERVER_UNAVAILABLE),
    (ServerError, Problem.SERVER_FAILED),
    (KeyringUnavailableError, Problem.KEYRING_UNAVAILABLE),
    # Added by another app between the check and now.
    (AccountExistsError, Problem.ALREADY_SIGNED_IN),
    (AccountError, Problem.LOCAL_DATA),
    (DeviceError, Problem.LOCAL_DATA),
)


def problem_of(exc: Exception, url: str, user: str, timeout: float | None) -> SignInError:
    """``exc`` (an error of the server, the keyring or the local files) as the problem it is,
    with the facts its translated text needs; the ToDo window words a failed sync with it."""
    problem = next(problem for kind, problem in _PROBLEMS if isinstance(exc, kind))
    detail = exc.detail if isinstance(exc, ServerError) else ""
    retry_after = (
        exc.retry_after if isinstance(exc, TooManyAttemptsError | ServerUnavailableError) else None
    )
    return SignInError(
        problem,
        str(exc),
        url=url,
        server=_where(url),
        user=user,
        detail=detail or str(exc),
        target=exc.target if isinstance(exc, RedirectedError) else "",
        retry_after=retry_after,
        timeout=timeout,
    )
