"""Item data for SyncML tests: small iCalendar todos as text."""

from __future__ import annotations


def vtodo(uid: str, summary: str, extra: str = "") -> str:
    """A VCALENDAR with one VTODO; ``extra`` are more content lines (CRLF-terminated)."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\n"
        f"UID:{uid}\r\nSUMMARY:{summary}\r\n{extra}END:VTODO\r\nEND:VCALENDAR\r\n"
    )


def big_task(uid: str, size: int, filler: str = "y") -> str:
    """A todo whose DESCRIPTION makes it about ``size`` characters long."""
    return vtodo(uid, "large", "DESCRIPTION:" + filler * (size // len(filler)) + "\r\n")
