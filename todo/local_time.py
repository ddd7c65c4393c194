"""The machine's local time zone, which "today" and "overdue" are judged in."""

from __future__ import annotations

import contextlib
import os
import zoneinfo
from datetime import UTC, datetime, tzinfo

__all__ = ["local_zone"]


def local_zone() -> tzinfo:
    """The system's zone as a ``ZoneInfo`` where it can be found (so DST is right)."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        with contextlib.suppress(Exception):
            return zoneinfo.ZoneInfo(name)
    # /etc/localtime is normally a link into the zone database, whose path names the zone
    target = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in target:
        with contextlib.suppress(Exception):
            return zoneinfo.ZoneInfo(target.split("zoneinfo/", 1)[1])
    with contextlib.suppress(Exception), open("/etc/localtime", "rb") as f:
        return zoneinfo.ZoneInfo.from_file(f, key="localtime")
    return datetime.now().astimezone().tzinfo or UTC
