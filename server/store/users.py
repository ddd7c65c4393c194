"""Users of the server: names, e-mail, administrator flag and password verifiers.

Two verifiers are kept per user:

* ``password_hash`` — argon2id (argon2-cffi), used for ``syncml:auth-basic`` and the CLI/web.
* ``md5_secret`` — ``base64(md5(b"name:password"))`` as ASCII text, the value SyncML's
  ``syncml:auth-md5`` digests are built on (like HA1 of HTTP Digest). It is
  **password-equivalent**: whoever reads it can answer an md5 challenge as that user, though
  not learn the password. It is stored only while ``md5`` is among ``NTS_SYNCML_AUTH_TYPES``
  (``UserStore(db, store_md5_secret=False)`` otherwise; the flag has no default, so every
  store is built from the settings: ``server.stores.user_store``); see docs/configuration.md.

The md5 secret is computed from the name as stored: an md5 client must send that exact name
(basic auth and :meth:`UserStore.get` ignore ASCII case).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.store.database import Database, StoreError, utc_now

__all__ = ["Removed", "User", "UserError", "UserExistsError", "UserStore", "md5_secret"]

MAX_NAME = 128
MAX_PASSWORD = 1024
# One "@", no spaces, a non-empty local part and a domain of two or more non-empty
# dot-separated labels (a mail system does not deliver to a bare "name@host").
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


class UserError(StoreError):
    """A user cannot be added or changed; the message says which input is wrong and why."""


class UserExistsError(UserError):
    """A user with that name (ignoring ASCII case) already exists."""


@dataclass(frozen=True)
class User:
    """A user as the server sees it. ``md5_secret`` is ASCII base64 text, or None when not kept."""

    id: int
    name: str
    email: str
    full_name: str | None
    is_admin: bool
    md5_secret: str | None = field(repr=False)
    created: str = ""
    # A disabled user keeps their data, but none of their devices gets in (SyncML: 401).
    disabled: bool = False
    disabled_reason: str | None = None


@dataclass(frozen=True)
class Removed:
    """What :meth:`UserStore.remove` deleted with the user."""

    user: User
    devices: int
    items: int


def md5_secret(name: str, password: str) -> str:
    """``base64(md5(b"name:password"))``, UTF-8 encoded — the SyncML auth-md5 user secret."""
    digest = hashlib.md5(f"{name}:{password}".encode(), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise UserError("the user name is empty")
    if name != name.strip():
        raise UserError(f"the user name {name!r} starts or ends with a space")
    if len(name) > MAX_NAME:
        raise UserError(f"the user name is longer than {MAX_NAME} characters")
    # ":" would make "name:password" (basic auth, md5 secret) ambiguous.
    if ":" in name:
        raise UserError(f"the user name {name!r} contains ':', which credentials cannot hold")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise UserError("the user name contains control characters")
    if any(c.isspace() for c in name):
        raise UserError(f"the user name {name!r} contains a space; use e.g. a dot or a dash")
    # Names end up in URLs, file names of exports and SyncML LocNames.
    if "/" in name or "\\" in name:
        raise UserError(f"the user name {name!r} contains a slash")
    return name


def _check_email(email: str) -> str:
    email = (email or "").strip()
    if not _EMAIL.fullmatch(email):
        raise UserError(f"{email!r} is not an e-mail address (expected name@domain)")
    return email


def _check_password(password: str, min_length: int = 1) -> str:
    if not isinstance(password, str) or password == "":
        raise UserError("the password is empty")
    if len(password) < min_length:
        raise UserError(
            f"the password is shorter than {min_length} characters (NTS_MIN_PASSWORD_LENGTH)"
        )
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password is longer than {MAX_PASSWORD} characters")
    if "\n" in password or "\r" in password:
        raise UserError("the password contains a line break")
    return password


class UserStore:
    """Create, find and authenticate users. Thread-safe through :class:`Database`."""

    def __init__(
        self,
        db: Database,
        *,
        store_md5_secret: bool,
        min_password_length: int = 1,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._db = db
        self._store_md5 = store_md5_secret
        # New passwords only (add, set_password): existing ones keep working.
        self._min_password = min_password_length
        # argon2-cffi's defaults follow RFC 9106's "low memory" profile (argon2id).
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def add(
        self,
        name: str,
        email: str,
        password: str,
        full_name: str | None = None,
        admin: bool = False,
    ) -> User:
        """Add a user; raises :class:`UserExistsError` or :class:`UserError` with the reason."""
        name = _check_name(name)
        email = _check_email(email)
        password = _check_password(password, self._min_password)
        full_name = (full_name or "").strip() or None
        row = {
            "name": name,
            "email": email,
            "full_name": full_name,
            "is_admin": 1 if admin else 0,
            "password_hash": self._hasher.hash(password),
            "md5_secret": md5_secret(name, password) if self._store_md5 else None,
            "created": utc_now(),
        }
        with self._db.transaction():
            existing = self.get(name)
            if existing is not None:
                raise UserExistsError(f"a user named {existing.name!r} already exists")
            try:
                cursor = self._db.conn.execute(
                    "INSERT INTO users (name, email, full_name, is_admin, password_hash,"
                    " md5_secret, created) VALUES (:name, :email, :full_name, :is_admin,"
                    " :password_hash, :md5_secret, :created)",
                    row,
                )
            except sqlite3.IntegrityError:
                existing = self.get(name)
                shown = existing.name if existing else name
                raise UserExistsError(f"a user named {shown!r} already exists") from None
            user_id = cursor.lastrowid
        user = self.get_by_id(int(user_id or 0))
        assert user is not None
        return user

    def get(self, name: str) -> User | None:
        """The user of that name, ignoring ASCII case, or None."""
        rows = self._db.query("SELECT * FROM users WHERE name = ? COLLATE NOCASE", (name,))
        return _user(rows[0]) if rows else None

    def get_by_id(self, user_id: int) -> User | None:
        rows = self._db.query("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def find(self, address: str) -> list[User]:
        """The users ``address`` names: a user name (ignoring ASCII case) or an e-mail address
        (``mailto:`` allowed, case ignored). Several when an e-mail is shared."""
        text = address.strip()
        if text[:7].lower() == "mailto:":
            text = text[7:].strip()
        if not text:
            return []
        rows = self._db.query(
            "SELECT * FROM users WHERE name = ? COLLATE NOCASE OR lower(email) = lower(?) "
            "ORDER BY name = ? COLLATE NOCASE DESC, id",
            (text, text, text),
        )
        return [_user(r) for r in rows]

    def list(self) -> list[User]:
        """All users, by name."""
        rows = self._db.query("SELECT * FROM users ORDER BY name COLLATE NOCASE")
        return [_user(r) for r in rows]

    def set_password(self, user: User | str, password: str) -> User:
        """Replace the password (and the md5 secret with it)."""
        current = self._resolve(user)
        password = _check_password(password, self._min_password)
        secret = md5_secret(current.name, password) if self._store_md5 else None
        with self._db.transaction():
            self._db.conn.execute(
                "UPDATE users SET password_hash = ?, md5_secret = ? WHERE id = ?",
                (self._hasher.hash(password), secret, current.id),
            )
        updated = self.get_by_id(current.id)
        assert updated is not None
        return updated

    def set_disabled(self, user: User | str, disabled: bool, reason: str | None = None) -> User:
        """Disable (with an optional reason shown to the operator and logged on each refused
        login) or enable a user; a disabled user's devices are refused with 403, after their
        credentials were checked."""
        current = self._resolve(user)
        reason = (reason or "").strip() or None
        if reason is not None and (len(reason) > MAX_NAME * 2 or not reason.isprintable()):
            raise UserError("the reason must be one printable line of at most 256 characters")
        with self._db.transaction():
            self._db.conn.execute(
                "UPDATE users SET disabled = ?, disabled_reason = ? WHERE id = ?",
                (1 if disabled else 0, reason if disabled else None, current.id),
            )
        updated = self.get_by_id(current.id)
        assert updated is not None
        return updated

    def remove(self, user: User | str) -> Removed:
        """Delete the user with their devices, sync state and items, in one transaction."""
        with self._db.transaction():
            current = self._resolve(user)
            conn = self._db.conn
            devices = conn.execute(
                "SELECT COUNT(*) FROM devices WHERE user_id = ?", (current.id,)
            ).fetchone()[0]
            items = conn.execute(
                "SELECT COUNT(*) FROM items WHERE user_id = ?", (current.id,)
            ).fetchone()[0]
            # item_history has no foreign key (rows outlive nothing but their item).
            conn.execute(
                "DELETE FROM item_history WHERE item_id IN "
                "(SELECT id FROM items WHERE user_id = ?)",
                (current.id,),
            )
            # Nonces are keyed by name (no foreign key): a new user of that name starts afresh.
            conn.execute("DELETE FROM nonces WHERE username = ? COLLATE NOCASE", (current.name,))
            # Devices, their mappings and anchors, and the items go by ON DELETE CASCADE.
            conn.execute("DELETE FROM users WHERE id = ?", (current.id,))
        return Removed(current, int(devices), int(items))

    def verify_password(self, user: User | str, password: str) -> bool:
        """True when ``password`` is the user's; upgrades an outdated hash on success."""
        try:
            current = self._resolve(user)
        except UserError:
            # Spend the same time as for a real user, so timing does not reveal who exists.
            with contextlib.suppress(VerificationError, InvalidHashError):
                self._hasher.verify(self._dummy_hash(), password)
            return False
        rows = self._db.query("SELECT password_hash FROM users WHERE id = ?", (current.id,))
        if not rows:
            return False
        stored = rows[0]["password_hash"]
        try:
            self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        updates: dict[str, Any] = {}
        if self._hasher.check_needs_rehash(stored):
            updates["password_hash"] = self._hasher.hash(password)
        if self._store_md5 and current.md5_secret is None:
            # Users added while md5 was off get their secret at their next good login.
            updates["md5_secret"] = md5_secret(current.name, password)
        if updates:
            assignments = ", ".join(f"{column} = :{column}" for column in updates)
            with self._db.transaction():
                self._db.conn.execute(
                    f"UPDATE users SET {assignments} WHERE id = :id", {**updates, "id": current.id}
                )
        return True

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash("no such user")
        return self._dummy

    def _resolve(self, user: User | str) -> User:
        found = self.get(user) if isinstance(user, str) else self.get_by_id(user.id)
        if found is None:
            shown = user if isinstance(user, str) else user.name
            raise UserError(f"there is no user named {shown!r}")
        return found


def _user(row: dict[str, Any]) -> User:
    return User(
        id=int(row["id"]),
        name=row["name"],
        email=row["email"],
        full_name=row["full_name"],
        is_admin=bool(row["is_admin"]),
        md5_secret=row["md5_secret"],
        created=row["created"],
        disabled=bool(row.get("disabled", 0)),
        disabled_reason=row.get("disabled_reason"),
    )
