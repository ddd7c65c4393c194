"""Installed applications for the hand-off tests: desktop entries in a private XDG data dir.

The handler is a real program (handler.py): it records what it was given and stays open until
the test lets it go, like a viewer the user closes.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

HANDLER = Path(__file__).with_name("handler.py")


def install_app(
    data_home: Path,
    app_id: str,
    name: str,
    mime_types: list[str],
    *,
    version: str | None = None,
    report: Path | None = None,
) -> Path:
    """A desktop entry whose Exec runs handler.py (reporting to `report`)."""
    applications = data_home / "applications"
    applications.mkdir(parents=True, exist_ok=True)
    report = report if report is not None else data_home / f"{app_id}.report"
    command = " ".join(shlex.quote(part) for part in (sys.executable, str(HANDLER), str(report)))
    entry = applications / app_id
    entry.write_text(
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={name}\n"
        f"Exec={command} %f\n"
        f"MimeType={';'.join(mime_types)};\n",
        encoding="utf-8",
    )
    if version is not None:
        metainfo = data_home / "metainfo"
        metainfo.mkdir(parents=True, exist_ok=True)
        (metainfo / f"{app_id.removesuffix('.desktop')}.metainfo.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<component type="desktop-application"><id>{app_id}</id>'
            f'<releases><release version="{version}" date="2026-01-01"/>'
            '<release version="1.0" date="2020-01-01"/></releases></component>\n',
            encoding="utf-8",
        )
    return entry
