"""Register the .tef file type and the Companion with the user's desktop (no root needed).

``traveler-companion install-desktop``: the shared-mime-info XML into
``$XDG_DATA_HOME/mime/packages``, the desktop entry into ``$XDG_DATA_HOME/applications`` (with
the absolute path of this ``traveler-companion``, which may live in a virtualenv), and the
Companion as the default application for ``application/vnd.traveler.tef`` in
``$XDG_CONFIG_HOME/mimeapps.list``. The desktop's caches are refreshed when their tools exist.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["DESKTOP_ID", "RESOURCES", "TEF_MIME_TYPE", "install_desktop"]

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
TEF_MIME_TYPE = "application/vnd.traveler.tef"
DESKTOP_ID = "traveler-companion.desktop"
MIME_PACKAGE = "traveler-tef.xml"


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def companion_command() -> str:
    """The absolute path of the running traveler-companion (or the one on PATH)."""
    here = Path(sys.argv[0])
    if here.name == "traveler-companion" and here.exists():
        return str(here.resolve())
    return shutil.which("traveler-companion") or "traveler-companion"


def install_desktop(
    data_home: Path | None = None, config_home: Path | None = None, command: str | None = None
) -> list[Path]:
    """Install the MIME type, the desktop entry and the default association; the files written."""
    data = data_home if data_home is not None else _data_home()
    config = config_home if config_home is not None else _config_home()
    command = command if command is not None else companion_command()
    packages = data / "mime" / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    mime_xml = packages / MIME_PACKAGE
    shutil.copyfile(RESOURCES / "mime" / MIME_PACKAGE, mime_xml)

    applications = data / "applications"
    applications.mkdir(parents=True, exist_ok=True)
    entry = applications / DESKTOP_ID
    text = (RESOURCES / "applications" / DESKTOP_ID).read_text(encoding="utf-8")
    quoted = '"' + command.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = []
    for line in text.splitlines():
        if line.startswith("Exec=traveler-companion"):
            line = f"Exec={quoted}" + line.removeprefix("Exec=traveler-companion")
        elif line == "TryExec=traveler-companion":
            line = f"TryExec={command}"
        lines.append(line)
    entry.write_text("\n".join(lines) + "\n", encoding="utf-8")

    mimeapps = config / "mimeapps.list"
    _set_default(mimeapps, TEF_MIME_TYPE, DESKTOP_ID)

    _run_if_present("update-mime-database", str(data / "mime"))
    _run_if_present("update-desktop-database", str(applications))
    return [mime_xml, entry, mimeapps]


def _set_default(path: Path, mime_type: str, desktop_id: str) -> None:
    parser = configparser.RawConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    for section in ("Default Applications", "Added Associations"):
        if not parser.has_section(section):
            parser.add_section(section)
    parser.set("Default Applications", mime_type, desktop_id)
    added = [i for i in parser.get("Added Associations", mime_type, fallback="").split(";") if i]
    if desktop_id not in added:
        parser.set("Added Associations", mime_type, ";".join([desktop_id, *added]) + ";")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        parser.write(out, space_around_delimiters=False)


def _run_if_present(tool: str, argument: str) -> None:
    found = shutil.which(tool)
    if found is not None:
        subprocess.run([found, argument], check=False, capture_output=True)
