"""``traveler-companion``: the Companion app's entry point (the app itself is not built yet)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Say what the Companion will do, and exit 2 (not available yet)."""
    print(
        "traveler-companion will be the Companion desktop app: it signs in to a Traveler server "
        "(`traveler-companion account add --server URL --user NAME --password-stdin`), opens "
        "encrypted .TEF attachments in its built-in viewer (`traveler-companion FILE.tef`), "
        "hands decrypted files only to approved applications, and sets your Out of Office. "
        "It is not built yet; `./run demo` starts the server part today.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
