"""``traveler-companion``: the Companion app's entry point.

``traveler-companion account ...`` manages the accounts both apps use
(:mod:`companion.account_cli`); the window itself is not built yet.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from companion import account_cli

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="traveler-companion",
        description="The Traveler Companion: accounts, secure attachments, out of office.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    account_cli.add_account_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; without one, say what the Companion window will do (exit 2)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in ("account", "-h", "--help"):
        print(
            "traveler-companion will be the Companion desktop app: it opens encrypted .TEF "
            "attachments in its built-in viewer (`traveler-companion FILE.tef`), hands decrypted "
            "files only to approved applications, and sets your Out of Office. The window is not "
            "built yet; accounts work today: `traveler-companion account add --server URL "
            "--user NAME --password-stdin`, `account list`, `account remove`.",
            file=sys.stderr,
        )
        return 2
    args = build_parser().parse_args(args_list)
    return account_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
