"""``traveler-companion``: the Companion app's entry point.

``traveler-companion account ...`` manages the accounts both apps use
(:mod:`companion.account_cli`); ``traveler-companion ooo show|set`` the out of office
(:mod:`companion.ooo_cli`); ``traveler-companion inspect FILE.tef [--json]`` checks a
secure attachment without showing it (:mod:`companion.tef_cli`); ``traveler-companion
[open] [FILE.tef]`` opens the viewer window; ``traveler-companion install-desktop`` registers
the .tef file type and the Companion with the desktop; ``traveler-companion`` alone (or
``traveler-companion window``) opens the main window: the accounts, who is out of the office
and "I'm back", the way to the out-of-office screen and the inbox, and the tray icon.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from companion import account_cli, ooo_cli, tef_cli

__all__ = ["build_parser", "main"]

COMMANDS = ("account", "ooo", "inspect", "open", "window", "install-desktop", "-h", "--help")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="traveler-companion",
        description="The Traveler Companion: accounts, secure attachments, out of office.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "window", help="open the Companion's window (also: traveler-companion without a command)"
    )
    account_cli.add_account_commands(commands)
    tef_cli.add_tef_commands(commands)
    ooo_cli.add_ooo_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; nothing opens the window, a bare file name the viewer."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        args_list = ["window"]
    elif args_list[0] not in COMMANDS:
        args_list = ["open", *args_list]
    args = build_parser().parse_args(args_list)
    if args.command == "account":
        return account_cli.run(args)
    if args.command == "ooo":
        return ooo_cli.run(args)
    if args.command == "window":
        from companion.ui.app import run_window  # Qt only for the windows

        return run_window()
    return tef_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
