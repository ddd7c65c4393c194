"""The authenticated header metadata: what the file is, where it came from, and its policy."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from tef.errors import MalformedHeader
from tef.format import MAX_METADATA_SIZE, MAX_SIZE

__all__ = ["Metadata", "Policy"]

_CREATED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# RFC 6838 type/subtype with restricted-name characters; parameters are not carried.
_MIME_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
)
_MAX_NAME_BYTES = 255
_MAX_TEXT = 1024
_MAX_APPS = 256
_KEYS = {"name", "mime_type", "size", "created", "server", "message_ref", "policy"}
_POLICY_KEYS = {"view_only", "approved_apps_only", "allowed_apps"}

_T = TypeVar("_T")


@dataclass(frozen=True)
class Policy:
    """What the Companion may do with the plaintext.

    view_only: only the built-in viewer, without save, copy, print or drag out.
    approved_apps_only: hand-off only to approved applications (allowed_apps lists their IDs;
    an empty list with approved_apps_only means no hand-off at all).
    """

    view_only: bool = False
    approved_apps_only: bool = False
    allowed_apps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.allowed_apps) > _MAX_APPS:
            raise ValueError(f"at most {_MAX_APPS} allowed application IDs")
        for app in self.allowed_apps:
            _check_text("allowed application ID", app, allow_empty=False)

    @property
    def allows_hand_off(self) -> bool:
        return not self.view_only


@dataclass(frozen=True)
class Metadata:
    """The original file and its provenance; authenticated by the header MAC, not encrypted."""

    name: str
    mime_type: str
    size: int
    created: datetime
    server: str | None = None
    message_ref: str | None = None
    policy: Policy = field(default_factory=Policy)

    def __post_init__(self) -> None:
        _check_name(self.name)
        if not _MIME_TYPE.fullmatch(self.mime_type):
            raise ValueError(f"not a MIME type: {self.mime_type!r}")
        if isinstance(self.size, bool) or not 0 <= self.size < MAX_SIZE:
            raise ValueError("size out of range")
        if self.created.tzinfo is None:
            raise ValueError("created must be timezone-aware")
        for label, value in (("server", self.server), ("message reference", self.message_ref)):
            if value is not None:
                _check_text(label, value, allow_empty=False)

    def to_bytes(self) -> bytes:
        """Canonical JSON: sorted keys, no spaces, UTF-8."""
        document = {
            "name": self.name,
            "mime_type": self.mime_type,
            "size": self.size,
            "created": self.created.astimezone(UTC).strftime(_CREATED_FORMAT),
            "server": self.server,
            "message_ref": self.message_ref,
            "policy": {
                "view_only": self.policy.view_only,
                "approved_apps_only": self.policy.approved_apps_only,
                "allowed_apps": list(self.policy.allowed_apps),
            },
        }
        data = json.dumps(
            document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        if len(data) > MAX_METADATA_SIZE:
            raise ValueError("metadata too large")
        return data

    @classmethod
    def from_bytes(cls, data: bytes) -> Metadata:
        """Parse metadata strictly; anything unexpected is MalformedHeader."""
        try:
            document = json.loads(
                data.decode("utf-8"),
                object_pairs_hook=_no_duplicates,
                parse_constant=_no_constant,
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise MalformedHeader(f"the metadata is not valid JSON: {exc}") from None
        try:
            return cls._from_document(document)
        except (TypeError, ValueError) as exc:
            raise MalformedHeader(f"invalid metadata: {exc}") from None

    @classmethod
    def _from_document(cls, document: Any) -> Metadata:
        _require_keys("metadata", document, _KEYS)
        policy = document["policy"]
        _require_keys("policy", policy, _POLICY_KEYS)
        apps = policy["allowed_apps"]
        if not isinstance(apps, list) or not all(isinstance(app, str) for app in apps):
            raise TypeError("allowed_apps must be a list of strings")
        created = document["created"]
        if not isinstance(created, str):
            raise TypeError("created must be a string")
        try:
            created_at = datetime.strptime(created, _CREATED_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(f"created is not YYYY-MM-DDTHH:MM:SSZ: {created!r}") from None
        return cls(
            name=_typed(document, "name", str),
            mime_type=_typed(document, "mime_type", str),
            size=_typed(document, "size", int),
            created=created_at,
            server=_optional(document, "server"),
            message_ref=_optional(document, "message_ref"),
            policy=Policy(
                view_only=_typed(policy, "view_only", bool),
                approved_apps_only=_typed(policy, "approved_apps_only", bool),
                allowed_apps=tuple(apps),
            ),
        )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def _require_keys(label: str, document: Any, keys: set[str]) -> None:
    if not isinstance(document, dict):
        raise TypeError(f"{label} must be an object")
    if set(document) != keys:
        missing = sorted(keys - set(document))
        unknown = sorted(set(document) - keys)
        raise ValueError(f"{label} keys: missing {missing}, unknown {unknown}")


def _typed(document: dict[str, Any], key: str, kind: type[_T]) -> _T:
    value = document[key]
    # bool is an int subclass; a size of true is not a size.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{key} must be {kind.__name__}")
    return value


def _optional(document: dict[str, Any], key: str) -> str | None:
    value = document[key]
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key} must be a string or null")
    return value


def _check_text(label: str, value: str, *, allow_empty: bool) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{label} must be a string")
    if not value and not allow_empty:
        raise ValueError(f"{label} is empty")
    if len(value) > _MAX_TEXT or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError(f"{label} is too long or holds control characters")


def _check_name(name: str) -> None:
    # The name becomes a file name in the hand-off folder, so it must not be able to leave it.
    _check_text("file name", name, allow_empty=False)
    if name in {".", ".."} or "/" in name or "\\" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    if len(name.encode()) > _MAX_NAME_BYTES:
        raise ValueError("file name longer than 255 bytes")
