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
from companion.ooo import (
    EXTERNAL,
    OooError,
    OooState,
    OutOfOffice,
    check_address,
    check_domain,
    parse_when,
)
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
    # Each list flag replaces that list with the values given (repeat the flag or separate
    # them by commas); an empty value ('') empties it. As the screen, which edits whole lists.
    lists = change.add_argument_group(
        "lists", "each replaces the whole list; repeat the flag or separate by commas; '' "
        "empties the list"
    )
    lists.add_argument("--known", metavar="ADDRESS", action="append",
                       help="people outside you know (with --external known, only they get "
                            "a reply)")
    lists.add_argument("--exclude-address", metavar="ADDRESS", action="append",
                       help="never reply to these addresses")
    lists.add_argument("--exclude-domain", metavar="DOMAIN", action="append",
                       help="never reply to senders of these domains (example.org)")
    lists.add_argument("--exclude-subject", metavar="WORDS", action="append",
                       help="never reply to mail whose subject contains these words")
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
    if args.known is not None:
        changes["known"] = [check_address(a) for a in _listed(args.known)]
    exclusions: dict[str, list[str]] = {}
    if args.exclude_address is not None:
        exclusions["addresses"] = [check_address(a) for a in _listed(args.exclude_address)]
    if args.exclude_domain is not None:
        exclusions["domains"] = [check_domain(d) for d in _listed(args.exclude_domain)]
    if args.exclude_subject is not None:
        exclusions["subject_words"] = _listed(args.exclude_subject)
    if exclusions:
        changes["exclusions"] = exclusions
    return changes


def _listed(values: list[str]) -> list[str]:
    """The values of a repeated list flag, commas splitting them too; blanks dropped."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


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
        if profile.get("known"):
            lines.append(f"Known outside: {', '.join(profile['known'])}")
        exclusions = profile.get("exclusions") or {}
        for key, label in (("addresses", "No reply to addresses"),
                           ("domains", "No reply to domains"),
                           ("subject_words", "No reply to subjects with")):
            if exclusions.get(key):
                lines.append(f"{label}: {', '.join(exclusions[key])}")
        if profile.get("updated") and not state.pending:
            changed = _local(profile["updated"])
            lines.append(f"Last changed: {changed} by {profile.get('updated_by')}")
    if not state.online:
        lines.append("Offline: the server could not be reached; this is what was last known.")
    if state.pending:
        lines.append(PENDING_NOTE)
    if state.updated:
        lines.append(f"Sent the change made offline: {state.updated.sentence()}")
    if state.refused:
        lines.append(f"The change made offline was not accepted and is dropped: {state.refused}")
    return "\n".join(lines)


def _json(state: OooState) -> str:
    return json.dumps(
        {
            "account": state.account.id,
            "online": state.online,
            "profile": state.profile,
            "pending": state.pending,
            "refused": state.refused,
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
    if state.updated:
        print(state.updated.sentence())
    if state.pending:
        print(PENDING_NOTE)
    return 0


def _error(message: str) -> None:
    text = message[:1].upper() + message[1:]
    print(f"traveler-companion: {text}", file=sys.stderr)

