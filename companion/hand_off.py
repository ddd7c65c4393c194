"""Handing a decrypted attachment to another application, only as the policy allows.

Which applications: installed ones (XDG desktop entries) that handle the MIME type, and when
the policy says "approved applications only", only those the administrator approved for Linux
with at least the required version. Where: a private 0700 folder in the runtime directory,
one per Companion process, removed when the handler exits or the Companion closes.
No Qt here; companion/ui/ starts the handler and watches it.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped,unused-ignore]

import tef

__all__ = [
    "ApprovedApp",
    "DesktopApp",
    "HandOffFolder",
    "HandOffRefused",
    "exec_argv",
    "hand_off_choices",
    "handlers_for",
    "installed_apps",
]

LINUX = "linux"
_COPY_SIZE = 1 << 20


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class HandOffRefused(Exception):
    """The policy does not allow opening this file in other applications."""


@dataclass(frozen=True)
class ApprovedApp:
    """One entry of the administrator's approved-applications list."""

    name: str
    app_id: str
    os: str
    min_version: str | None = None


@dataclass(frozen=True)
class DesktopApp:
    """An installed application, from its desktop entry."""

    app_id: str  # the desktop file ID, e.g. org.gnome.Evince.desktop
    name: str
    exec_line: str
    mime_types: tuple[str, ...]
    path: Path
    version: str | None


def data_dirs() -> list[Path]:
    """XDG data directories, most important first."""
    home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    others = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(home)] + [Path(d) for d in others.split(":") if d]


def config_dirs() -> list[Path]:
    home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    others = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return [Path(home)] + [Path(d) for d in others.split(":") if d]


def installed_apps(dirs: Sequence[Path] | None = None) -> dict[str, DesktopApp]:
    """Every visible application by desktop file ID; an earlier data dir hides a later one."""
    apps: dict[str, DesktopApp] = {}
    seen: set[str] = set()
    for data_dir in dirs if dirs is not None else data_dirs():
        root = data_dir / "applications"
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.desktop")):
            app_id = "-".join(path.relative_to(root).parts)
            if app_id in seen:
                continue
            seen.add(app_id)
            app = _read_desktop_entry(path, app_id, data_dir)
            if app is not None:
                apps[app_id] = app
    return apps


def handlers_for(mime_type: str, apps: dict[str, DesktopApp]) -> list[DesktopApp]:
    """Applications for a MIME type: mimeapps.list defaults and additions first, then the rest."""
    added: list[str] = []
    removed: set[str] = set()
    for directory in config_dirs():
        for section, ids in _mimeapps(directory / "mimeapps.list", mime_type):
            if section == "Removed Associations":
                removed.update(ids)
            else:
                added.extend(ids)
    ordered = [apps[i] for i in dict.fromkeys(added) if i in apps and i not in removed]
    rest = sorted(
        (
            app
            for app in apps.values()
            if mime_type in app.mime_types and app.app_id not in removed and app not in ordered
        ),
        key=lambda app: app.name.casefold(),
    )
    return ordered + rest


def hand_off_choices(
    metadata: tef.Metadata,
    apps: dict[str, DesktopApp],
    approved: Sequence[ApprovedApp] | None = None,
    os_type: str = LINUX,
) -> list[DesktopApp]:
    """The applications this file may be opened in; HandOffRefused when none may be.

    `approved` is the server's list (with OS and versions) when known; without it only the
    application IDs the file's policy names are checked.
    """
    policy = metadata.policy
    if policy.view_only:
        raise HandOffRefused("the file is view only")
    handlers = handlers_for(metadata.mime_type, apps)
    if not policy.approved_apps_only:
        return handlers
    allowed = set(policy.allowed_apps)
    if approved is not None:
        rules = {app.app_id: app for app in approved if app.os.lower() == os_type}
        allowed &= set(rules)
    else:
        rules = {}
    if not allowed:
        raise HandOffRefused("no application is approved for this file")
    chosen = []
    for app in handlers:
        rule = rules.get(app.app_id)
        if app.app_id not in allowed:
            continue
        if rule is not None and rule.min_version and not _at_least(app.version, rule.min_version):
            continue
        chosen.append(app)
    return chosen


def exec_argv(app: DesktopApp, path: Path) -> list[str]:
    """The command line for opening `path` (Desktop Entry spec, "The Exec key")."""
    out: list[str] = []
    for word in shlex.split(app.exec_line):
        if word in ("%f", "%F"):
            out.append(str(path))
        elif word in ("%u", "%U"):
            out.append(path.as_uri())
        elif word in ("%i", "%c", "%k"):
            continue
        else:
            # Deprecated and unknown field codes go; %% is a literal percent sign.
            out.append(re.sub(r"%[^%]", "", word).replace("%%", "%"))
    if not any(word in app.exec_line for word in ("%f", "%F", "%u", "%U")):
        out.append(str(path))
    return out


class HandOffFolder:
    """This process's private folder for decrypted copies (0700, in the runtime directory)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else runtime_root()
        self.folder = self.root / str(os.getpid())

    def write_copy(self, name: str, plaintext: Readable) -> Path:
        """Write one decrypted copy (0600) in a fresh 0700 sub-folder; returns its path."""
        _private_dir(self.root)
        _private_dir(self.folder)
        slot = Path(tempfile.mkdtemp(dir=self.folder))
        target = slot / name
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                while block := plaintext.read(_COPY_SIZE):
                    out.write(block)
        except BaseException:
            shutil.rmtree(slot, ignore_errors=True)
            raise
        return target

    def remove(self, copy: Path) -> None:
        """Remove one copy and its sub-folder."""
        if copy.parent.parent == self.folder:
            shutil.rmtree(copy.parent, ignore_errors=True)

    def remove_all(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def remove_stale(self) -> None:
        """Remove folders left by Companion processes that are gone (after a crash)."""
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if entry.name.isdigit() and entry != self.folder and not _alive(int(entry.name)):
                shutil.rmtree(entry, ignore_errors=True)


def runtime_root() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "traveler-companion"
    # No runtime directory (e.g. a bare container): a per-user folder in the temp directory,
    # still 0700 and checked to be ours.
    return Path(os.environ.get("TMPDIR", "/tmp")) / f"traveler-companion-{os.getuid()}"


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.lstat()
    if path.is_symlink() or info.st_uid != os.getuid():
        raise PermissionError(f"{path} is not a private folder of this user")
    if info.st_mode & 0o077:
        path.chmod(0o700)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_desktop_entry(path: Path, app_id: str, data_dir: Path) -> DesktopApp | None:
    parser = configparser.RawConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return None
    if not parser.has_section("Desktop Entry"):
        return None
    entry = parser["Desktop Entry"]
    if entry.get("Type") != "Application" or entry.get("Hidden") == "true":
        return None
    exec_line = entry.get("Exec")
    if not exec_line:
        return None
    try_exec = entry.get("TryExec")
    if try_exec and shutil.which(try_exec) is None:
        return None
    mime_types = tuple(m for m in entry.get("MimeType", "").split(";") if m)
    return DesktopApp(
        app_id=app_id,
        name=entry.get("Name", app_id),
        exec_line=exec_line,
        mime_types=mime_types,
        path=path,
        version=_appstream_version(data_dir, app_id),
    )


def _mimeapps(path: Path, mime_type: str) -> Iterable[tuple[str, list[str]]]:
    parser = configparser.RawConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []
    found = []
    for section in ("Default Applications", "Added Associations", "Removed Associations"):
        if parser.has_option(section, mime_type):
            ids = [i for i in parser.get(section, mime_type).split(";") if i]
            found.append((section, ids))
    return found


def _appstream_version(data_dir: Path, app_id: str) -> str | None:
    """The newest release in the application's AppStream metainfo, if it ships one."""
    stem = app_id.removesuffix(".desktop")
    for folder in ("metainfo", "appdata"):
        for name in (f"{stem}.metainfo.xml", f"{stem}.appdata.xml", f"{app_id}.metainfo.xml"):
            path = data_dir / folder / name
            if path.is_file():
                try:
                    root = SafeET.parse(path).getroot()
                except (SafeET.ParseError, OSError, ValueError):
                    return None
                versions = [r.get("version") for r in root.iter("release") if r.get("version")]
                return max(versions, key=_version_key) if versions else None
    return None


def _version_key(version: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version or ""))


def _at_least(version: str | None, required: str) -> bool:
    if version is None:
        return False
    return _version_key(version) >= _version_key(required)
