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

A failure a client repeats at once (SyncEvolution retries a wrong md5 password four times per
sync) is logged once, then summed up in one line when ``NTS_LOG_REPEAT_WINDOW`` seconds have
passed since the first (:class:`RepeatedLines`); a different failure is logged at once.

Besides the console, records go to ``traveler.log`` in the data folder, rotated at
``NTS_LOG_FILE_SIZE`` bytes with ``NTS_LOG_FILE_COUNT`` older files kept.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

__all__ = [
    "FINE",
    "FINEST",
    "LEVELS",
    "LOG_FILENAME",
    "PREFIX",
    "RepeatedLines",
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


@dataclass
class _Burst:
    first: float
    last: float
    level: int
    line: str
    repeats: int = 0


class RepeatedLines:
    """Logs the first line of each key, and repeats of it within ``window`` seconds as one
    summary line ("... (repeated 3 more times in 2 s)") when the window has passed.

    The key says what counts as the same event (for a failed login: user, device, client
    address and reason), so a different one is never held back. The summary comes from a
    timer thread, so it appears even if nothing else is logged; :meth:`flush` writes what is
    pending (at shutdown). ``window`` 0 logs every line.
    """

    def __init__(self, logger: logging.Logger, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._log = logger
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._bursts: dict[Hashable, _Burst] = {}
        self._timer: threading.Timer | None = None

    def log(self, key: Hashable, level: int, msg: str, *args: object) -> None:
        if self._window <= 0:
            self._log.log(level, msg, *args)
            return
        now = self._clock()
        with self._lock:
            due = self._take_due(now)
            burst = self._bursts.get(key)
            if burst is not None:
                burst.repeats += 1
                burst.last = now
            else:
                self._bursts[key] = _Burst(now, now, level, msg % args if args else msg)
                self._arm()
        self._write(due)
        if burst is None:
            self._log.log(level, msg, *args)

    def flush(self) -> None:
        """Write the summaries of every pending burst now."""
        with self._lock:
            due = list(self._bursts.values())
            self._bursts.clear()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        self._write(due)

    def _take_due(self, now: float) -> list[_Burst]:
        due = [b for b in self._bursts.values() if now - b.first >= self._window]
        self._bursts = {k: b for k, b in self._bursts.items() if now - b.first < self._window}
        return due

    def _arm(self) -> None:
        """One timer for the earliest pending window (not one thread per burst)."""
        if self._timer is not None or not self._bursts:
            return
        earliest = min(b.first for b in self._bursts.values())
        delay = max(0.0, earliest + self._window - self._clock())
        self._timer = threading.Timer(delay + 0.01, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            due = self._take_due(self._clock())
            self._arm()
        self._write(due)

    def _write(self, bursts: list[_Burst]) -> None:
        for burst in bursts:
            if burst.repeats:
                times = "time" if burst.repeats == 1 else "times"
                self._log.log(burst.level, "%s (repeated %d more %s within %d s)", burst.line,
                              burst.repeats, times, max(1, math.ceil(burst.last - burst.first)))
