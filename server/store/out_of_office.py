"""Out-of-office profiles, whom each absence answered, and the log of changes."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.store.database import Database, StoreError, utc_now

__all__ = ["Exclusions", "OutOfOfficeProfile", "OutOfOfficeStore", "ProfileChange"]


@dataclass(frozen=True)
class Exclusions:
    """Mail that never gets a reply: from these addresses or domains, or with these words in
    its subject (case-insensitive)."""

    addresses: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    subject_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutOfOfficeProfile:
    """One user's out-of-office settings. Times are aware UTC datetimes; ``return_at`` None
    means unlimited ("Unendlich"), ``leave_at`` None means from when it was switched on."""

    user_id: int
    enabled: bool = False
    absence: int = 0
    leave_at: datetime | None = None
    return_at: datetime | None = None
    subject: str = ""
    body: str = ""
    internal_body: str | None = None
    external: str = "all"  # none | known | all
    known: tuple[str, ...] = ()
    exclusions: Exclusions = field(default_factory=Exclusions)
    updated: str | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class ProfileChange:
    id: int
    user_id: int
    changed: str
    changed_by: str
    summary: str


def _stamp(when: datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        raise StoreError("out-of-office times must be timezone-aware")
    return when.isoformat(timespec="seconds")


class OutOfOfficeStore:
    """Read and write out-of-office profiles and their reply history."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, user_id: int) -> OutOfOfficeProfile:
        """The user's profile; a user who never set one has a switched-off default."""
        rows = self._db.query("SELECT * FROM ooo_profiles WHERE user_id = ?", (user_id,))
        return _profile(rows[0]) if rows else OutOfOfficeProfile(user_id=user_id)

    def enabled(self) -> list[OutOfOfficeProfile]:
        """Every switched-on profile (for the periodic check of return times)."""
        rows = self._db.query("SELECT * FROM ooo_profiles WHERE enabled = 1 ORDER BY user_id")
        return [_profile(r) for r in rows]

    def save(
        self, profile: OutOfOfficeProfile, *, changed_by: str, summary: str
    ) -> OutOfOfficeProfile:
        """Store the profile and log the change. Switching on starts a new absence (a fresh
        reply history); the caller's ``absence`` is ignored."""
        with self._db.transaction():
            before = self.get(profile.user_id)
            absence = before.absence + 1 if profile.enabled and not before.enabled else (
                before.absence
            )
            now = utc_now()
            row = {
                "user_id": profile.user_id,
                "enabled": int(profile.enabled),
                "absence": absence,
                "leave_at": _stamp(profile.leave_at),
                "return_at": _stamp(profile.return_at),
                "subject": profile.subject,
                "body": profile.body,
                "internal_body": profile.internal_body,
                "external": profile.external,
                "known": json.dumps(list(profile.known)),
                "exclusions": json.dumps(
                    {
                        "addresses": list(profile.exclusions.addresses),
                        "domains": list(profile.exclusions.domains),
                        "subject_words": list(profile.exclusions.subject_words),
                    }
                ),
                "updated": now,
                "updated_by": changed_by,
            }
            columns = ", ".join(row)
            values = ", ".join(f":{k}" for k in row)
            updates = ", ".join(f"{k} = excluded.{k}" for k in row if k != "user_id")
            try:
                self._db.conn.execute(
                    f"INSERT INTO ooo_profiles ({columns}) VALUES ({values})"
                    f" ON CONFLICT (user_id) DO UPDATE SET {updates}",
                    row,
                )
            except sqlite3.IntegrityError as exc:
                raise StoreError(f"the out-of-office profile cannot be stored: {exc}") from None
            self._db.conn.execute(
                "INSERT INTO ooo_changes (user_id, changed, changed_by, summary)"
                " VALUES (?, ?, ?, ?)",
                (profile.user_id, now, changed_by, summary),
            )
        return self.get(profile.user_id)

    def switch_off(self, user_id: int, absence: int, *, changed_by: str, summary: str) -> bool:
        """Switch the profile off if it is still on in that absence; False when it was not
        (someone else switched it off first: the caller must not act as if it had)."""
        with self._db.transaction():
            now = utc_now()
            cursor = self._db.conn.execute(
                "UPDATE ooo_profiles SET enabled = 0, updated = ?, updated_by = ?"
                " WHERE user_id = ? AND absence = ? AND enabled = 1",
                (now, changed_by, user_id, absence),
            )
            if cursor.rowcount == 0:
                return False
            self._db.conn.execute(
                "INSERT INTO ooo_changes (user_id, changed, changed_by, summary)"
                " VALUES (?, ?, ?, ?)",
                (user_id, now, changed_by, summary),
            )
        return True

    def changes(self, user_id: int) -> list[ProfileChange]:
        rows = self._db.query(
            "SELECT * FROM ooo_changes WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [
            ProfileChange(
                id=int(r["id"]),
                user_id=int(r["user_id"]),
                changed=r["changed"],
                changed_by=r["changed_by"],
                summary=r["summary"],
            )
            for r in rows
        ]

    # --- reply history --------------------------------------------------------------------
    def claim_reply(self, user_id: int, absence: int, address: str) -> bool:
        """Record that this absence answers ``address``; False when it already did (the one
        reply per sender). Recording first means two deliveries at once send one reply."""
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "INSERT INTO ooo_replies (user_id, absence, address, replied)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (user_id, absence, address.strip(), utc_now()),
            )
        return cursor.rowcount > 0

    def replied(self, user_id: int, absence: int) -> list[tuple[str, str]]:
        """(address, when) of everyone this absence answered, in order."""
        rows = self._db.query(
            "SELECT address, replied FROM ooo_replies WHERE user_id = ? AND absence = ?"
            " ORDER BY replied, address",
            (user_id, absence),
        )
        return [(r["address"], r["replied"]) for r in rows]


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _profile(row: dict[str, Any]) -> OutOfOfficeProfile:
    exclusions = json.loads(row["exclusions"])
    return OutOfOfficeProfile(
        user_id=int(row["user_id"]),
        enabled=bool(row["enabled"]),
        absence=int(row["absence"]),
        leave_at=_time(row["leave_at"]),
        return_at=_time(row["return_at"]),
        subject=row["subject"],
        body=row["body"],
        internal_body=row["internal_body"],
        external=row["external"],
        known=tuple(json.loads(row["known"])),
        exclusions=Exclusions(
            addresses=tuple(exclusions.get("addresses", ())),
            domains=tuple(exclusions.get("domains", ())),
            subject_words=tuple(exclusions.get("subject_words", ())),
        ),
        updated=row["updated"],
        updated_by=row["updated_by"],
    )
