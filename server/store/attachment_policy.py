"""The attachment policy (the seed's "Sicherheitseinstellungen") and the approved applications.

The policy is one row: whether attachments are protected (encrypted into .TEF for the user's
devices), whether only approved applications and the built-in viewer may open them, whether
attachment download is prevented, and whether every attachment is view only. It is stored,
not an ``NTS_*`` setting, so a change takes effect without a restart (the Companion picks it
up at its next refresh) and records who made it and when.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from server.store.database import Database, StoreError, utc_now

__all__ = [
    "AppError",
    "ApprovedApp",
    "AttachmentPolicy",
    "OsType",
    "PolicyStore",
]

MAX_APP_FIELD = 256
_VERSION = re.compile(r"\d+(\.\d+)*")


class AppError(StoreError):
    """An approved application cannot be added or removed; the message says why."""


class OsType(StrEnum):
    """Desktop operating systems an approved application can be for, and its ID's kind."""

    LINUX = "linux"  # freedesktop desktop-file ID, e.g. org.gnome.Evince.desktop
    WINDOWS = "windows"  # the executable's AppUserModelID or file name, e.g. AcroRd32.exe
    MACOS = "macos"  # bundle ID, e.g. com.apple.Preview


@dataclass(frozen=True)
class AttachmentPolicy:
    """What devices may do with attachments."""

    protect_attachments: bool = True
    approved_apps_only: bool = False
    prevent_download: bool = False
    view_only: bool = False
    changed: str | None = None
    changed_by: str | None = None


@dataclass(frozen=True)
class ApprovedApp:
    """An application the administrator allows attachments to be handed to."""

    id: int
    name: str
    app_id: str
    os: OsType
    required_version: str | None
    added: str


def parse_os(text: str) -> OsType:
    """``linux``, ``windows`` or ``macos`` (any case; ``mac``/``osx``/``darwin`` too)."""
    lowered = text.strip().lower()
    aliases = {"mac": "macos", "osx": "macos", "darwin": "macos", "win": "windows"}
    try:
        return OsType(aliases.get(lowered, lowered))
    except ValueError:
        raise AppError(
            f"{text!r} is not an OS type; use one of {', '.join(o.value for o in OsType)}"
        ) from None


def _field(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise AppError(f"the application's {what} is empty")
    if len(value) > MAX_APP_FIELD:
        raise AppError(f"the application's {what} is longer than {MAX_APP_FIELD} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise AppError(f"the application's {what} contains control characters")
    return value


def _version(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _VERSION.fullmatch(value):
        raise AppError(
            f"the required version {value!r} is not a version number like 42 or 3.10.2"
        )
    return value


class PolicyStore:
    """Read and change the attachment policy and the approved applications."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- policy ---------------------------------------------------------------------------
    def policy(self) -> AttachmentPolicy:
        rows = self._db.query("SELECT * FROM attachment_policy WHERE id = 1")
        if not rows:
            return AttachmentPolicy()
        row = rows[0]
        return AttachmentPolicy(
            protect_attachments=bool(row["protect_attachments"]),
            approved_apps_only=bool(row["approved_apps_only"]),
            prevent_download=bool(row["prevent_download"]),
            view_only=bool(row["view_only"]),
            changed=row["changed"],
            changed_by=row["changed_by"],
        )

    def set_policy(self, changed_by: str, **changes: bool) -> AttachmentPolicy:
        """Change some of the four switches; returns the new policy."""
        known = {"protect_attachments", "approved_apps_only", "prevent_download", "view_only"}
        unknown = set(changes) - known
        if unknown:
            raise StoreError(f"not a policy switch: {', '.join(sorted(unknown))}")
        with self._db.transaction():
            new = replace(self.policy(), **changes, changed=utc_now(), changed_by=changed_by)
            self._db.conn.execute(
                "INSERT INTO attachment_policy (id, protect_attachments, approved_apps_only,"
                " prevent_download, view_only, changed, changed_by)"
                " VALUES (1, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET"
                " protect_attachments = excluded.protect_attachments,"
                " approved_apps_only = excluded.approved_apps_only,"
                " prevent_download = excluded.prevent_download,"
                " view_only = excluded.view_only,"
                " changed = excluded.changed, changed_by = excluded.changed_by",
                (
                    int(new.protect_attachments),
                    int(new.approved_apps_only),
                    int(new.prevent_download),
                    int(new.view_only),
                    new.changed,
                    new.changed_by,
                ),
            )
        return new

    # --- approved applications ------------------------------------------------------------
    def add_app(
        self, name: str, app_id: str, os: OsType | str, required_version: str | None = None
    ) -> ApprovedApp:
        """Approve an application, or update the name and version of one already approved
        (the same application ID on the same OS)."""
        os_type = os if isinstance(os, OsType) else parse_os(os)
        row = {
            "name": _field(name, "name"),
            "app_id": _field(app_id, "application ID"),
            "os": os_type.value,
            "required_version": _version(required_version),
            "added": utc_now(),
        }
        with self._db.transaction():
            self._db.conn.execute(
                "INSERT INTO approved_apps (name, app_id, os, required_version, added)"
                " VALUES (:name, :app_id, :os, :required_version, :added)"
                " ON CONFLICT (os, app_id) DO UPDATE SET name = excluded.name,"
                " required_version = excluded.required_version",
                row,
            )
        found = self.app(str(row["app_id"]), os_type)
        assert found is not None
        return found

    def app(self, app_id: str, os: OsType) -> ApprovedApp | None:
        rows = self._db.query(
            "SELECT * FROM approved_apps WHERE app_id = ? AND os = ?", (app_id.strip(), os.value)
        )
        return _app(rows[0]) if rows else None

    def apps(self) -> list[ApprovedApp]:
        """Every approved application, by OS and name."""
        rows = self._db.query("SELECT * FROM approved_apps ORDER BY os, name COLLATE NOCASE, id")
        return [_app(r) for r in rows]

    def remove_app(self, app_id: str, os: OsType | None = None) -> int:
        """Withdraw an approval (on one OS, or on all); returns how many were removed."""
        with self._db.transaction():
            if os is None:
                cursor = self._db.conn.execute(
                    "DELETE FROM approved_apps WHERE app_id = ?", (app_id.strip(),)
                )
            else:
                cursor = self._db.conn.execute(
                    "DELETE FROM approved_apps WHERE app_id = ? AND os = ?",
                    (app_id.strip(), os.value),
                )
        return cursor.rowcount

    def add_apps(self, apps: list[tuple[str, str, OsType, str | None]]) -> None:
        """Add many applications in one transaction (all or none), e.g. from an import."""
        try:
            with self._db.transaction():
                for name, app_id, os, version in apps:
                    self.add_app(name, app_id, os, version)
        except sqlite3.IntegrityError as exc:
            raise AppError(f"the applications cannot be stored: {exc}") from None


def _app(row: dict[str, Any]) -> ApprovedApp:
    return ApprovedApp(
        id=int(row["id"]),
        name=row["name"],
        app_id=row["app_id"],
        os=OsType(row["os"]),
        required_version=row["required_version"],
        added=row["added"],
    )
