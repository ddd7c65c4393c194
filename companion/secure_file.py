"""A .tef file on this device: open it with the device key, and say in the user's words why not.

No Qt here: the CLI (`traveler-companion inspect`) and the viewer (companion/ui/) share it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import tef
from tef import errors

__all__ = [
    "ENGLISH",
    "IdentitySource",
    "Inspection",
    "Problem",
    "SecureFileError",
    "inspect",
    "open_secure_file",
    "problem_of",
    "this_device",
]

IdentitySource = Callable[[], tef.Identity]


class Problem(enum.Enum):
    """Why a .tef file cannot be opened, as the user sees it."""

    OTHER_DEVICE = "other-device"
    DAMAGED = "damaged"
    NOT_TEF = "not-tef"
    NEWER_FORMAT = "newer-format"
    NO_DEVICE_KEY = "no-device-key"
    UNREADABLE = "unreadable"


# The CLI's wording; the viewer has the same sentences through tr() (companion/ui/messages.py).
ENGLISH = {
    Problem.OTHER_DEVICE: "This file was encrypted for another device.",
    Problem.DAMAGED: "This file has been altered or is incomplete.",
    Problem.NOT_TEF: "This is not a secure attachment (.tef) file.",
    Problem.NEWER_FORMAT: "This file needs a newer version of the Traveler Companion.",
    Problem.NO_DEVICE_KEY: "This device has no key to open secure attachments. Sign in again "
    "(traveler-companion account add).",
    Problem.UNREADABLE: "The file cannot be read.",
}


class SecureFileError(Exception):
    """Opening failed: `problem` for the user, `detail` (the technical reason) for the log."""

    def __init__(self, problem: Problem, detail: str) -> None:
        super().__init__(f"{ENGLISH[problem]} ({detail})")
        self.problem = problem
        self.detail = detail


def problem_of(error: BaseException) -> Problem:
    if isinstance(error, errors.NoMatchingRecipient):
        return Problem.OTHER_DEVICE
    # WrongKey too: a stanza naming this device's key that does not open with it was altered
    # (a new key of this device would have a new tag, and so be NoMatchingRecipient).
    if isinstance(error, errors.NotATefFile):
        return Problem.NOT_TEF
    if isinstance(error, errors.UnsupportedVersion | errors.UnsupportedAlgorithm):
        return Problem.NEWER_FORMAT
    if isinstance(error, errors.TefError):
        return Problem.DAMAGED
    return Problem.UNREADABLE


def this_device() -> tef.Identity:
    """This installation's device key, from the keyring (companion/device.py)."""
    from companion.device import DeviceError, load_device, private_key
    from companion.secret_store import KeyringUnavailableError

    try:
        return tef.Identity(private_key(load_device()))
    except (DeviceError, KeyringUnavailableError) as exc:
        raise SecureFileError(Problem.NO_DEVICE_KEY, str(exc)) from None


def open_secure_file(path: Path, identity: IdentitySource = this_device) -> tef.TefFile:
    """Random access to the plaintext of `path`; SecureFileError says why not."""
    try:
        source: BinaryIO = path.open("rb")
    except OSError as exc:
        raise SecureFileError(Problem.UNREADABLE, exc.strerror or str(exc)) from None
    try:
        return tef.open(source, identity())
    except BaseException as exc:
        source.close()
        if isinstance(exc, errors.TefError | OSError):
            raise SecureFileError(problem_of(exc), str(exc)) from None
        raise


@dataclass(frozen=True)
class Inspection:
    """What `inspect` found: the header as written, and whether this device can open it."""

    path: Path
    header: tef.Header | None
    metadata: tef.Metadata | None
    metadata_verified: bool
    this_device_tag: bytes | None
    problem: Problem | None
    detail: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def _problem_json(self) -> dict[str, Any]:
        assert self.problem is not None
        return {"kind": self.problem.value, "message": ENGLISH[self.problem], "detail": self.detail}

    def to_json(self) -> dict[str, Any]:
        metadata = self.metadata
        header = self.header
        return {
            "file": str(self.path),
            "ok": self.ok,
            "problem": None if self.problem is None else self._problem_json(),
            "algorithm": header.algorithm.label if header else None,
            "chunks": _chunk_count(metadata.size) if metadata else None,
            "recipients": [
                {"tag": tag.hex(), "this_device": tag == self.this_device_tag}
                for tag in (header.recipient_tags if header else ())
            ],
            "metadata_verified": self.metadata_verified,
            "metadata": None if metadata is None else _metadata_json(metadata),
        }


def inspect(path: Path, identity: IdentitySource = this_device) -> Inspection:
    """Read the header and authenticate every chunk, keeping no plaintext."""
    header: tef.Header | None = None
    metadata: tef.Metadata | None = None
    tag: bytes | None = None
    try:
        with path.open("rb") as source:
            header = tef.read_header(source)
            metadata = _unverified(header)
            device = identity()
            tag = device.recipient.tag
            source.seek(0)
            metadata = tef.verify(source, device)
            return Inspection(path, header, metadata, True, tag, None, None)
    except SecureFileError as exc:
        return Inspection(path, header, metadata, False, tag, exc.problem, exc.detail)
    except (errors.TefError, OSError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Inspection(path, header, metadata, False, tag, problem_of(exc), detail)


def _unverified(header: tef.Header) -> tef.Metadata | None:
    try:
        return header.unverified_metadata()
    except errors.MalformedHeader:
        return None


def _chunk_count(size: int) -> int:
    return max(1, -(-size // tef.CHUNK_SIZE))


def _metadata_json(metadata: tef.Metadata) -> dict[str, Any]:
    return {
        "name": metadata.name,
        "mime_type": metadata.mime_type,
        "size": metadata.size,
        "created": metadata.created.isoformat().replace("+00:00", "Z"),
        "server": metadata.server,
        "message_ref": metadata.message_ref,
        "policy": {
            "view_only": metadata.policy.view_only,
            "approved_apps_only": metadata.policy.approved_apps_only,
            "allowed_apps": list(metadata.policy.allowed_apps),
        },
    }
