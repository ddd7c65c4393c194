"""Register the .tef file type and both apps with the user's desktop (no root needed).

``traveler-companion install-desktop``: the shared-mime-info XML into
``$XDG_DATA_HOME/mime/packages``; the desktop entries of the Companion and the ToDo app into
``$XDG_DATA_HOME/applications`` (with the absolute paths of this ``traveler-companion`` and the
``traveler-todo`` beside it, which may live in a virtualenv); the ToDo icon into the user's
``hicolor`` icon theme and its AppStream description into ``$XDG_DATA_HOME/metainfo``; and the
Companion as the default application for ``application/vnd.traveler.tef`` in
``$XDG_CONFIG_HOME/mimeapps.list``. The files come from the :mod:`traveler_resources` package.
The desktop's caches are refreshed when their tools exist.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

from traveler_resources import ICON_SIZES, resource

__all__ = ["DESKTOP_ID", "TEF_MIME_TYPE", "TODO_DESKTOP_ID", "install_desktop"]

TEF_MIME_TYPE = "application/vnd.traveler.tef"
DESKTOP_ID = "traveler-companion.desktop"
TODO_DESKTOP_ID = "traveler-todo.desktop"
TODO_ICON = "traveler-todo"
TODO_METAINFO = "traveler-todo.metainfo.xml"
MIME_PACKAGE = "traveler-tef.xml"


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def app_command(name: str) -> str:
    """The absolute path of the app's command: beside the running traveler-companion (both
    come with one install), else the one on PATH, else the bare name."""
    here = Path(sys.argv[0])
    if here.name == "traveler-companion" and here.exists():
        beside = here.resolve().with_name(name)
        if beside.exists():
            return str(beside)
    return shutil.which(name) or name


def install_desktop(
    data_home: Path | None = None,
    config_home: Path | None = None,
    command: str | None = None,
    todo_command: str | None = None,
) -> list[Path]:
    """Install the MIME type, both desktop entries, the icon, the AppStream description and
    the default association; the files written."""
    data = data_home if data_home is not None else _data_home()
    config = config_home if config_home is not None else _config_home()
    command = command if command is not None else app_command("traveler-companion")
    if todo_command is None:
        todo_command = app_command("traveler-todo")
    mime_xml = _copy(resource("mime", MIME_PACKAGE).read_bytes(), data / "mime" / "packages",
                     MIME_PACKAGE)
    applications = data / "applications"
    entry = _install_entry(applications, DESKTOP_ID, "traveler-companion", command)
    todo_entry = _install_entry(applications, TODO_DESKTOP_ID, "traveler-todo", todo_command)
    icons = data / "icons" / "hicolor"
    written = [mime_xml, entry, todo_entry]
    written.append(_copy(resource("icons", f"{TODO_ICON}.svg").read_bytes(),
                         icons / "scalable" / "apps", f"{TODO_ICON}.svg"))
    for size in ICON_SIZES:
        png = resource("icons", f"{TODO_ICON}-{size}.png").read_bytes()
        written.append(_copy(png, icons / f"{size}x{size}" / "apps", f"{TODO_ICON}.png"))
    written.append(_copy(resource("metainfo", TODO_METAINFO).read_bytes(), data / "metainfo",
                         TODO_METAINFO))

    mimeapps = config / "mimeapps.list"
    _set_default(mimeapps, TEF_MIME_TYPE, DESKTOP_ID)
    written.append(mimeapps)

    _run_if_present("update-mime-database", str(data / "mime"))
    _run_if_present("update-desktop-database", str(applications))
    return written


def _copy(content: bytes, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(content)
    return target


def _install_entry(applications: Path, desktop_id: str, name: str, command: str) -> Path:
    """The desktop entry with ``Exec``/``TryExec`` naming ``command`` (quoted as the Desktop
    Entry spec asks: the path may hold spaces)."""
    text = resource("applications", desktop_id).read_text(encoding="utf-8")
    quoted = '"' + command.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = []
    for line in text.splitlines():
        if line == f"Exec={name}" or line.startswith(f"Exec={name} "):
            line = f"Exec={quoted}" + line.removeprefix(f"Exec={name}")
        elif line == f"TryExec={name}":
            line = f"TryExec={command}"
        lines.append(line)
    return _copy(("\n".join(lines) + "\n").encode("utf-8"), applications, desktop_id)


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
