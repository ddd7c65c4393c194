"""The server's status, Green, Yellow or Red, and the log lines that announce its changes.

As on the seed's server, the status follows the free space of the data folder's disk: Red below
``NTS_DISK_SPACE_THRESHOLD`` MB (``GET /health`` answers 503, so a load balancer takes the server
out of rotation), Yellow below ``NTS_DISK_SPACE_WARNING`` MB, Green otherwise. The status is
logged at start-up and whenever a check finds it changed, with the reason::

    Traveler: WARNING *system Status change from Green to Red: Disk space for /srv/traveler has
    80 MB (4 percent) free, less than the threshold of 100 MB (NTS_DISK_SPACE_THRESHOLD)
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from server.config import Settings

__all__ = ["DiskUsage", "Status", "StatusMonitor", "StatusReport"]

log = logging.getLogger("traveler.status")

MB = 1024 * 1024


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


class Status(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        """As the seed writes it: Green, Yellow, Red."""
        return self.value.capitalize()


_RANK = {Status.GREEN: 0, Status.YELLOW: 1, Status.RED: 2}


@dataclass(frozen=True)
class StatusReport:
    """One check: the status, the free space it rests on and, unless Green, why."""

    status: Status
    free_mb: int
    reason: str | None


class StatusMonitor:
    """Checks the status on demand; logs the first check and every change."""

    def __init__(
        self,
        settings: Settings,
        *,
        disk_usage: Callable[[Path], DiskUsage] | None = None,
    ) -> None:
        self._folder = settings.data_dir
        self._red_mb = settings.disk_space_threshold_mb
        self._yellow_mb = max(settings.disk_space_warning_mb, self._red_mb)
        self._disk_usage = disk_usage or _disk_usage
        self._lock = threading.Lock()
        self._last: Status | None = None

    def check(self) -> StatusReport:
        """Measure now; log the status if this is the first check or it changed."""
        report = self._measure()
        with self._lock:
            previous, self._last = self._last, report.status
        if previous is None:
            level = logging.INFO if report.status is Status.GREEN else logging.WARNING
            detail = f": {report.reason}" if report.reason else ""
            log.log(level, "*system Status is %s%s", report.status.label, detail)
        elif previous is not report.status:
            worse = _RANK[report.status] > _RANK[previous]
            reason = report.reason or (
                f"Disk space for {self._folder} has {report.free_mb} MB free, at or above the "
                f"threshold of {self._yellow_mb} MB"
            )
            log.log(
                logging.WARNING if worse else logging.INFO,
                "*system Status change from %s to %s: %s",
                previous.label,
                report.status.label,
                reason,
            )
        return report

    def _measure(self) -> StatusReport:
        try:
            usage = self._disk_usage(self._folder)
        except OSError as exc:
            return StatusReport(
                Status.RED, 0, f"Disk space for {self._folder} cannot be read: {exc.strerror}"
            )
        free_mb = usage.free // MB
        percent = round(100 * usage.free / usage.total) if usage.total else 0
        for status, threshold, key in (
            (Status.RED, self._red_mb, "NTS_DISK_SPACE_THRESHOLD"),
            (Status.YELLOW, self._yellow_mb, "NTS_DISK_SPACE_WARNING"),
        ):
            if free_mb < threshold:
                reason = (
                    f"Disk space for {self._folder} has {free_mb} MB ({percent} percent) free, "
                    f"less than the threshold of {threshold} MB ({key})"
                )
                return StatusReport(status, free_mb, reason)
        return StatusReport(Status.GREEN, free_mb, None)


def _disk_usage(folder: Path) -> DiskUsage:
    total, used, free = shutil.disk_usage(folder)
    return DiskUsage(total, used, free)
