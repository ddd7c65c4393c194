"""``traveler-companion ooo show|set``: out of office from the command line.

Exit codes: 0 done (also when a change was kept to be sent later: the output says it is
pending); 1 the setting does not make sense or the server refused it; 2 bad usage; 3 no usable
keyring.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from typing import Any

from companion.accounts import AccountError, AccountStore
from companion.api_client import DEFAULT_TIMEOUT, ServerError
from companion.ooo import EXTERNAL, OooError, OooState, OutOfOffice, parse_when
from companion.secret_store import KeyringUnavailableError

__all__ = ["add_ooo_commands", "render", "run"]

EXIT_FAILED = 1
EXIT_KEYRING = 3

PENDING_NOTE = (
    "Pending: the server could not be reached; this change is kept on this computer and sent "
    "at the next contact with the server."
)


def add_ooo_commands(subcommands: Any) -> None:
    ooo = subcommands.add_parser("ooo", help="out of office: show or change it")
    actions = ooo.add_subparsers(dest="action", metavar="ACTION", required=True)

    show = actions.add_parser("show", help="show the out-of-office settings")
    show.add_argument("--json", action="store_true", help="as JSON, for scripts")

    change = actions.add_parser("set", help="change the out-of-office settings")
    switch = change.add_mutually_exclusive_group()
    switch.add_argument("--on", dest="enabled", action="store_const", const=True,
                        help="switch out of office on")
    switch.add_argument("--off", dest="enabled", action="store_const", const=False,
                        help="switch it off (I'm back)")
    change.add_argument("--from", dest="leave", metavar="WHEN",
                        help="leave (e.g. 2026-12-10 08:00; now: from when it is switched on)")
    change.add_argument("--until", dest="until", metavar="WHEN",
                        help="return (e.g. 2026-12-17 08:00; never: unlimited)")
    change.add_argument("--subject", help="subject of the reply")
    change.add_argument("--body", help="the reply")
    change.add_argument("--internal-body", help="the reply to people of your organisation")
    change.add_argument("--external", choices=EXTERNAL,
                        help="who outside your organisation gets a reply")
    for action in (show, change):
        action.add_argument("--account", metavar="NAME|ID", help="default: the default account")
        action.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                            help=f"how long to wait for the server (default {DEFAULT_TIMEOUT:g})")


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if args.enabled is not None:
        changes["enabled"] = args.enabled
    if args.leave is not None:
        leave = parse_when(args.leave) if args.leave.strip().lower() != "now" else None
        changes["leave"] = leave.isoformat() if leave else None
    if args.until is not None:
        back = parse_when(args.until)
        changes["return"] = back.isoformat() if back else None
    for name, key in (("subject", "subject"), ("body", "body"),
                      ("internal_body", "internal_body"), ("external", "external")):
        value = getattr(args, name)
        if value is not None:
            changes[key] = value
    return changes


def _local(value: Any) -> str:
    if not value:
        return ""
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when.astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


def render(state: OooState) -> str:
    """The human-readable ``ooo show``."""
    profile = {**(state.profile or {}), **(state.pending or {})}
    lines = [f"Account: {state.account.id}"]
    if not profile:
        lines.append("Out of office: off")
    else:
        shown = profile.get("state", "on" if profile.get("enabled") else "off")
        if state.pending:
            shown = "on" if profile.get("enabled") else "off"
        lines.append(f"Out of office: {shown}")
        lines.append(f"From: {_local(profile.get('leave')) or 'when switched on'}")
        lines.append(f"Until: {_local(profile.get('return')) or 'unlimited'}")
        lines.append(f"Subject: {profile.get('subject') or ''}")
        lines.append(f"Reply: {profile.get('body') or ''}")
        if profile.get("internal_body"):
            lines.append(f"Reply inside the organisation: {profile['internal_body']}")
        lines.append(f"Outside the organisation: {profile.get('external', 'all')}")
        if profile.get("updated") and not state.pending:
            changed = _local(profile["updated"])
            lines.append(f"Last changed: {changed} by {profile.get('updated_by')}")
    if not state.online:
        lines.append("Offline: the server could not be reached; this is what was last known.")
    if state.pending:
        lines.append(PENDING_NOTE)
    if state.note:
        lines.append(state.note)
    return "\n".join(lines)


def _json(state: OooState) -> str:
    return json.dumps(
        {
            "account": state.account.id,
            "online": state.online,
            "profile": state.profile,
            "pending": state.pending,
            "note": state.note,
        },
        indent=2,
    )


def run(args: argparse.Namespace, store: AccountStore | None = None) -> int:
    store = store if store is not None else AccountStore()
    service = OutOfOffice(store, timeout=args.timeout)
    try:
        if args.action == "show":
            state = asyncio.run(service.show(args.account))
            print(_json(state) if args.json else render(state))
            return 0
        changes = _changes(args)
        if not changes:
            _error("nothing to change; give --on or --off, or a setting such as --until")
            return 2
        state = asyncio.run(service.set(changes, args.account))
    except KeyringUnavailableError as exc:
        _error(str(exc))
        return EXIT_KEYRING
    except (OooError, AccountError, ServerError) as exc:
        _error(str(exc))
        return EXIT_FAILED
    if state.confirmation:
        print(state.confirmation)
    if state.pending:
        print(PENDING_NOTE)
    return 0


def _error(message: str) -> None:
    text = message[:1].upper() + message[1:]
    print(f"traveler-companion: {text}", file=sys.stderr)

