"""The server's data folder: where it is, created private, and checked for loose permissions.

The folder holds the database (argon2 hashes and, while md5 is on, password-equivalent md5
secrets), its WAL and SHM files and the log (user names, devices, addresses). Everything in it
is created 0600 and the folder 0700 whatever the umask, and ``run`` warns at start-up about
anything in it that other users can read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = [
    "DataFolderError",
    "default_data_dir",
    "existing_data_dir",
    "permission_warnings",
    "prepare_data_dir",
]

PROG = "traveler-server"
PRIVATE_DIR = 0o700
# Files the server keeps secrets or personal data in (the WAL holds recent database pages).
_PRIVATE_FILES = ("traveler.db", "traveler.db-wal", "traveler.db-shm", "traveler.log")


class DataFolderError(Exception):
    """The data folder cannot be used; the message says why and what to do."""


def default_data_dir() -> Path:
    """$TRAVELER_DATA, else the per-user data folder (XDG: ~/.local/share/traveler-server)."""
    if os.environ.get("TRAVELER_DATA"):
        return Path(os.environ["TRAVELER_DATA"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / PROG


def prepare_data_dir(path: Path) -> Path:
    """Create the folder (0700, and any missing parents) if needed; it must be writable."""
    if not path.exists():
        try:
            path.mkdir(mode=PRIVATE_DIR, parents=True)
            # mkdir's mode passes through the umask; the folder must be 0700 whatever it is.
            path.chmod(PRIVATE_DIR)
        except FileExistsError:
            pass
        except OSError as exc:
            raise DataFolderError(
                f"cannot create the data folder {path}: {exc.strerror}"
            ) from None
    if not path.is_dir():
        raise DataFolderError(f"the data folder {path} is not a folder")
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataFolderError(f"the data folder {path} is not writable")
    return path.resolve()


def existing_data_dir(path: Path, consequence: str = "nothing to show") -> Path:
    """For commands that read or change what is there: the folder must exist, and nothing
    is created. ``consequence`` is what the refusal says it means."""
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise DataFolderError(
            f"the data folder {path} {what}; {consequence} (give the right one with --data, "
            "or add a user first to create it)"
        )
    return path.resolve()


def permission_warnings(path: Path) -> list[str]:
    """One line per thing in the data folder that other users can read, with the fix."""
    warnings = []
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        warnings.append(
            f"the data folder {path} is open to other users (mode {mode:04o}); it holds password "
            f"verifiers and logs: chmod 700 {path}"
        )
    for name in _PRIVATE_FILES:
        file = path / name
        try:
            file_mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if file_mode & 0o077:
            warnings.append(
                f"{file} is readable by other users (mode {file_mode:04o}): chmod 600 {file}"
            )
    return warnings
