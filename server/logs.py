"""The server's log: one line format for the console and the log file, the seed's levels.

Every line looks like the Traveler console of the seed::

    01.06.2013 15:56:43 Traveler: Server starting...
    01.06.2013 15:57:10 Traveler: WARNING *system Status change from Green to Red: ...

INFO lines carry no severity word (as in the seed); every other line names its severity in the
seed's words: SEVERE, WARNING, FINE, FINEST. Library lines (uvicorn's, Python warnings) go
through the same formatter with their origin in brackets, so nothing reaches the console
unformatted (their chatter below WARNING is left out: it repeats ours). ``NTS_LOG_LEVEL``
takes the seed's levels; ``DEBUG`` and ``ERROR`` are accepted as FINE and SEVERE for
notes.ini files written for earlier versions.

Besides the console, records go to ``traveler.log`` in the data folder, rotated at
``NTS_LOG_FILE_SIZE`` bytes with ``NTS_LOG_FILE_COUNT`` older files kept.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TextIO

__all__ = [
    "FINE",
    "FINEST",
    "LEVELS",
    "LOG_FILENAME",
    "PREFIX",
    "TravelerFormatter",
    "configure_logging",
    "level_number",
]

PREFIX = "Traveler: "
LOG_FILENAME = "traveler.log"

FINE = logging.DEBUG
FINEST = 5
# The seed's names, most severe first; the value is what ``logging`` compares.
LEVELS: dict[str, int] = {
    "SEVERE": logging.ERROR,
    "WARNING": logging.WARNING,
    "INFO": logging.INFO,
    "FINE": FINE,
    "FINEST": FINEST,
}
ALIASES = {"ERROR": "SEVERE", "DEBUG": "FINE", "CRITICAL": "SEVERE"}

# Library loggers and the origin their lines are shown with.
_ORIGINS = {"uvicorn": "HTTP", "py.warnings": "Python"}


def level_number(name: str) -> int:
    """The ``logging`` level of a seed level name (or an accepted alias)."""
    upper = name.strip().upper()
    return LEVELS[ALIASES.get(upper, upper)]


def _severity(levelno: int) -> str:
    if levelno >= logging.ERROR:
        return "SEVERE"
    if levelno >= logging.WARNING:
        return "WARNING"
    if levelno >= logging.INFO:
        return "INFO"
    if levelno >= FINE:
        return "FINE"
    return "FINEST"


class TravelerFormatter(logging.Formatter):
    """``DD.MM.YYYY HH:MM:SS Traveler: [SEVERITY ][[origin] ]message`` for every record."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().removeprefix(PREFIX)
        severity = _severity(record.levelno)
        parts = [self.formatTime(record, "%d.%m.%Y %H:%M:%S"), PREFIX.rstrip()]
        if severity != "INFO":
            parts.append(severity)
        origin = _origin(record.name)
        if origin:
            parts.append(f"[{origin}]")
        parts.append(message)
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _origin(name: str) -> str | None:
    if name == "traveler" or name.startswith("traveler."):
        return None
    top = name.split(".", 1)[0]
    return _ORIGINS.get(name, _ORIGINS.get(top, name))


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Rotating log file created 0600: log lines name users, devices and addresses."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding)


def configure_logging(
    level: str,
    *,
    log_file: Path | None = None,
    max_bytes: int = 0,
    backups: int = 0,
    stream: TextIO | None = None,
) -> None:
    """Route every logger to the console (stderr) and, when given, the rotating log file."""
    for name, number in LEVELS.items():
        logging.addLevelName(number, name)
    logging.addLevelName(logging.CRITICAL, "SEVERE")
    formatter = TravelerFormatter()
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    if log_file is not None:
        handlers.append(
            _PrivateRotatingFileHandler(
                log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=False
            )
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    number = level_number(level)
    root.setLevel(number)
    logging.captureWarnings(True)
    # uvicorn's start-up and shutdown lines duplicate ours and its trace level dumps whole
    # ASGI messages; its warnings and errors (bad requests, protocol errors) stay.
    for name in ("uvicorn", "uvicorn.error", "asyncio"):
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
        library.setLevel(logging.WARNING)
    # The app logs each request itself at FINE (with the sync context uvicorn lacks).
    logging.getLogger("uvicorn.access").disabled = True
