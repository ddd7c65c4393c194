"""``traveler-companion inspect FILE.tef [--json]`` and ``traveler-companion open FILE.tef``.

inspect exits 0 only for an intact file this device can open; otherwise 1, with the reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from companion.secure_file import ENGLISH, IdentitySource, Inspection, inspect, this_device

__all__ = ["EXIT_NOT_OPENABLE", "add_tef_commands", "print_inspection", "run", "run_inspect"]

EXIT_NOT_OPENABLE = 1


def add_tef_commands(subcommands: Any) -> None:
    """Add ``inspect`` and ``open`` to the app's argument parser."""
    check = subcommands.add_parser(
        "inspect",
        help="show a .tef file's header, recipients and policy, and verify every chunk",
        description="Show the header, recipients and policy of a secure attachment and "
        "authenticate every chunk without writing any plaintext. Exit 0 only for an intact "
        "file this device can open.",
    )
    check.add_argument("file", type=Path, metavar="FILE.tef")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    view = subcommands.add_parser("open", help="open a .tef file in the built-in viewer")
    view.add_argument("file", type=Path, metavar="FILE.tef", nargs="?")
    subcommands.add_parser(
        "install-desktop",
        help="register the .tef file type and the Companion with your desktop (no root needed)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``inspect``, ``open`` or ``install-desktop``."""
    if args.command == "inspect":
        return run_inspect(args)
    if args.command == "install-desktop":
        from companion.desktop_integration import install_desktop

        for path in install_desktop():
            print(f"wrote {path}")
        return 0
    # Qt is imported only for the window, so the other commands never load it.
    from companion.ui.app import run_viewer

    return run_viewer(args.file)


def run_inspect(args: argparse.Namespace, identity: IdentitySource = this_device) -> int:
    result = inspect(args.file, identity)
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_inspection(result, sys.stdout)
    if not result.ok:
        assert result.problem is not None
        print(f"traveler-companion: {ENGLISH[result.problem]} ({result.detail})", file=sys.stderr)
        return EXIT_NOT_OPENABLE
    return 0


def print_inspection(result: Inspection, out: TextIO) -> None:
    rows: list[tuple[str, str]] = [("File", str(result.path))]
    metadata, header = result.metadata, result.header
    if metadata is not None:
        note = "" if result.metadata_verified else " (not verified)"
        rows += [
            ("Name", metadata.name + note),
            ("Type", metadata.mime_type),
            ("Size", f"{metadata.size} bytes"),
            ("Created", metadata.created.strftime("%Y-%m-%d %H:%M UTC")),
            ("Server", metadata.server or "-"),
            ("Message", metadata.message_ref or "-"),
        ]
        policy = metadata.policy
        rows += [
            ("View only", "yes" if policy.view_only else "no"),
            ("Approved apps only", "yes" if policy.approved_apps_only else "no"),
            ("Allowed apps", ", ".join(policy.allowed_apps) or "-"),
        ]
    if header is not None:
        rows.append(("Algorithm", header.algorithm.label))
        for number, tag in enumerate(header.recipient_tags, 1):
            mine = " (this device)" if tag == result.this_device_tag else ""
            rows.append((f"Recipient {number}", tag.hex() + mine))
    if result.ok:
        assert metadata is not None
        chunks = max(1, -(-metadata.size // 65536))
        rows.append(("Verified", f"all {chunks} chunks are authentic; this device can open it"))
    else:
        assert result.problem is not None
        rows.append(("Problem", ENGLISH[result.problem]))
    width = max(len(label) for label, _ in rows) + 1
    for label, value in rows:
        out.write(f"{label + ':':<{width}} {value}\n")
