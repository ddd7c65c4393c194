"""``traveler-companion account add|list|remove|default``: the accounts both apps use.

Exit codes: 0 done; 1 the server or the account refused (the message says why and what to
do); 2 bad usage; 3 no usable keyring (nothing was stored).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from typing import Any

import httpx

from companion import account_setup
from companion.accounts import Account, AccountError, AccountStore
from companion.api_client import DEFAULT_TIMEOUT, ClientApi, ServerError
from companion.device import DeviceError, load_device
from companion.errors import Problem, SignInError
from companion.secret_store import KeyringUnavailableError

__all__ = ["EXIT_FAILED", "EXIT_KEYRING", "EXIT_USAGE", "add_account_commands", "run"]

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_KEYRING = 3
# Telling the server about a removed account is a courtesy; it must not hold the user up.
SIGN_OUT_TIMEOUT = 5.0
_SIGN_IN_EXIT = {
    Problem.KEYRING_UNAVAILABLE: EXIT_KEYRING,
    Problem.MISSING_SERVER: EXIT_USAGE,
    Problem.MISSING_USER: EXIT_USAGE,
    Problem.MISSING_PASSWORD: EXIT_USAGE,
}


def add_account_commands(subcommands: Any) -> None:
    """Add the ``account`` command and its subcommands to the app's argument parser."""
    account = subcommands.add_parser("account", help="the Traveler accounts of both apps")
    actions = account.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="sign in to a server: check it, register this device, keep the password "
        "in the keyring",
    )
    add.add_argument(
        "--server",
        required=True,
        metavar="URL",
        help="the full SyncML URL, e.g. http://127.0.0.1:8080/traveler",
    )
    add.add_argument("--user", required=True, metavar="NAME", help="user name on the server")
    add.add_argument(
        "--email", metavar="ADDR", help="e-mail address (a Traveler server tells its own)"
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    add.add_argument("--default", action="store_true", help="make it the default account")
    add.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for the server (default {DEFAULT_TIMEOUT:g})",
    )

    listing = actions.add_parser("list", help="list the accounts")
    listing.add_argument("--json", action="store_true", help="a JSON array, for scripts")

    remove = actions.add_parser(
        "remove", help="remove an account and its secrets; sign this device out of the server"
    )
    remove.add_argument("account", metavar="NAME|ID", help="account ID, or its user name")

    default = actions.add_parser("default", help="make an account the default of both apps")
    default.add_argument("account", metavar="NAME|ID", help="account ID, or its user name")


def run(args: argparse.Namespace, store: AccountStore | None = None) -> int:
    """Run one ``account`` subcommand; returns the exit code."""
    store = store if store is not None else AccountStore()
    try:
        if args.action == "add":
            return _add(args, store)
        if args.action == "list":
            return _list(args, store)
        if args.action == "remove":
            return _remove(args, store)
        if args.action == "default":
            account = store.set_default(args.account)
            print(f"{account.id} is now the default account.")
            return 0
    except SignInError as exc:
        _error(_sentence(str(exc)))
        return _SIGN_IN_EXIT.get(exc.problem, EXIT_FAILED)
    except KeyringUnavailableError as exc:
        _error(str(exc))
        return EXIT_KEYRING
    except (AccountError, DeviceError, ServerError) as exc:
        _error(_sentence(str(exc)))
        return EXIT_FAILED
    raise AssertionError(f"unknown account action {args.action!r}")


def _error(message: str) -> None:
    print(f"traveler-companion: {message}", file=sys.stderr)


def _sentence(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {args.user}: ")
    return None


def _add(args: argparse.Namespace, store: AccountStore) -> int:
    # What can be wrong before the password is read (the URL, the keyring) is said first.
    account_setup.check_request(store, args.server, args.user, again=True)
    password = _read_password(args)
    if password is None:
        _error("give the password on standard input with --password-stdin")
        return EXIT_USAGE
    done = asyncio.run(
        account_setup.sign_in(
            store,
            args.server,
            args.user,
            password,
            again=True,
            email=args.email,
            timeout=args.timeout,
        )
    )
    account = done.account
    if args.default:
        store.set_default(account.id)
    verb = "Signed in again to account" if done.again else "Added account"
    who = done.whoami
    if who is not None:
        print(
            f"{verb} {account.id}: {who.display_name} <{who.email}> on server "
            f"{who.server} ({account.server_url}); this device ({done.device.name}) is "
            "registered."
        )
    else:
        print(f"{verb} {account.id}: {account.user} on the SyncML server {account.server_url}.")
        print(f"Note: {done.note}")
    default = store.default()
    if default is not None and default.id == account.id:
        print("It is the default account of the Companion and the ToDo app.")
    return 0


def _account_json(account: Account, default_id: str | None) -> dict[str, Any]:
    return {
        "id": account.id,
        "server_url": account.server_url,
        "user": account.user,
        "email": account.email,
        "display_name": account.display_name,
        "server_name": account.server_name,
        "traveler_api": account.traveler_api,
        "api_url": account.api_url,
        "default": account.id == default_id,
        "added": account.added,
    }


def _list(args: argparse.Namespace, store: AccountStore) -> int:
    accounts = store.accounts()
    default = store.default()
    default_id = default.id if default else None
    if args.json:
        print(json.dumps([_account_json(a, default_id) for a in accounts], indent=2))
        return 0
    if not accounts:
        print(
            "No accounts yet. Add one: traveler-companion account add --server URL --user NAME "
            "--password-stdin"
        )
        return 0
    for account in accounts:
        mark = "*" if account.id == default_id else " "
        who = account.display_name or account.user
        email = f" <{account.email}>" if account.email else ""
        kind = account.server_name or ("Traveler" if account.traveler_api else "SyncML only")
        print(f"{mark} {account.id}  {who}{email}  {account.server_url}  ({kind})")
    return 0


def _remove(args: argparse.Namespace, store: AccountStore) -> int:
    account = store.get(args.account)
    note = ""
    if account.traveler_api:
        note = _sign_out(store, account)
    store.remove(account.id)
    print(
        f"Removed account {account.id}; its password and device token were deleted from the "
        f"keyring.{note}"
    )
    return 0


def _sign_out(store: AccountStore, account: Account) -> str:
    """Tell the server this device leaves; what to add to the message when that failed."""
    token = store.secrets.get(account.token_key)
    if token is None:
        return ""
    device = load_device(store.home, store.secrets)

    async def sign_out() -> None:
        async with httpx.AsyncClient() as client:
            api = ClientApi(
                account.server_url, token=token, client=client, timeout=SIGN_OUT_TIMEOUT
            )
            await api.unregister_device(device.device_id)

    try:
        asyncio.run(sign_out())
    except ServerError as exc:
        return (
            f" The server was not told ({exc}); this device stays registered there until an "
            "administrator removes it."
        )
    return " This device is signed out of the server."
