"""``install-desktop``: the .tef type, the desktop entry and the default, for this user only."""

from __future__ import annotations

import configparser
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

import tef
from companion.desktop_integration import (
    DESKTOP_ID,
    TEF_MIME_TYPE,
    TODO_DESKTOP_ID,
    install_desktop,
)
from companion.hand_off import handlers_for, installed_apps


def test_install_registers_type_entry_and_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, config = tmp_path / "data", tmp_path / "config"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "none"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "none"))
    (config).mkdir()
    (config / "mimeapps.list").write_text("[Default Applications]\ntext/plain=gedit.desktop\n")
    command = tmp_path / "traveler venv" / "bin" / "traveler-companion"
    command.parent.mkdir(parents=True)
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    todo_command = command.with_name("traveler-todo")
    written = install_desktop(command=str(command), todo_command=str(todo_command))
    hicolor = data / "icons" / "hicolor"
    assert written == [
        data / "mime" / "packages" / "traveler-tef.xml",
        data / "applications" / DESKTOP_ID,
        data / "applications" / TODO_DESKTOP_ID,
        hicolor / "scalable" / "apps" / "traveler-todo.svg",
        *(hicolor / f"{n}x{n}" / "apps" / "traveler-todo.png" for n in (16, 32, 48, 64, 128, 256)),
        data / "metainfo" / "traveler-todo.metainfo.xml",
        config / "mimeapps.list",
    ]
    assert f'Exec="{todo_command}"' in written[2].read_text().splitlines()
    mime = SafeET.parse(written[0]).getroot()
    (kind,) = list(mime)
    assert kind.get("type") == TEF_MIME_TYPE
    ns = "{http://www.freedesktop.org/standards/shared-mime-info}"
    assert kind.find(f"{ns}glob").get("pattern") == "*.tef"
    assert kind.find(f"{ns}magic/{ns}match").get("value") == "\\x89TEF\\r\\n\\x1a\\n"
    assert tef.format.MAGIC == b"\x89TEF\r\n\x1a\n"
    app = installed_apps()[DESKTOP_ID]
    assert app.exec_line == f'"{command}" %f'  # the window, or the viewer on a file
    assert [a.app_id for a in handlers_for(TEF_MIME_TYPE, installed_apps())] == [DESKTOP_ID]
    defaults = configparser.RawConfigParser()
    defaults.optionxform = str  # type: ignore[assignment,method-assign]
    defaults.read(written[-1])
    assert defaults.get("Default Applications", TEF_MIME_TYPE) == DESKTOP_ID
    assert defaults.get("Default Applications", "text/plain") == "gedit.desktop"
    # Running it again changes nothing.
    before = [p.read_bytes() for p in written]
    install_desktop(command=str(command), todo_command=str(todo_command))
    assert [p.read_bytes() for p in written] == before
