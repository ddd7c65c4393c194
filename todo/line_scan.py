"""Line scans of stored items: a few keys, and sameness, without parsing.

A slow sync of 10,000 items matches them by UID and compares them; parsing each one would cost
milliseconds, so these functions scan lines. They fall back to the lossless reader
(:mod:`todo._content_lines`) where a line scan cannot be sure (folded or quoted-printable
lines, parameters, old Mac line ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from todo._content_lines import Property, decode_bytes, decode_vcal_value, ical_unescape, read
from todo._date_values import parse_moment, to_instant
from todo.calendar_format import calendar_of, master_todo
from todo.errors import TaskFormatError

__all__ = ["ItemKeys", "extract_keys", "extract_last_modified", "extract_uid", "same_content"]

# Properties that change on every export without a change of content.
_VOLATILE = ("DTSTAMP", "LAST-MODIFIED", "PRODID")


def significant_lines(data: str) -> list[str]:
    """Unfolded content lines without volatile stamps, in a stable order."""
    unfolded = data.replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "")
    lines = []
    for line in unfolded.split("\n"):
        line = line.rstrip("\r")
        if not line:
            continue
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        if name in _VOLATILE:
            continue
        lines.append(line)
    lines.sort()
    return lines


def same_content(a: str, b: str) -> bool:
    """Same item, ignoring DTSTAMP/LAST-MODIFIED/PRODID, folding and line order."""
    return a == b or significant_lines(a) == significant_lines(b)


@dataclass(frozen=True, slots=True)
class ItemKeys:
    """What a slow sync needs to match an item without parsing it."""

    uid: str | None
    last_modified: datetime | None
    sequence: int
    summary: str | None


# The scans look for a line feed followed by a name; the lookahead on the first letter lets the
# regex engine skip most positions quickly (matters for 12 KB items).
_UID_LINE = re.compile(rb"\n(?=[Uu])UID[;:]", re.I)
_VALARM = re.compile(rb"\n(?=[Bb])BEGIN[ \t]*:[ \t]*VALARM", re.I)
_KEY_LINE = re.compile(
    rb"\n(?=[BEULSbeuls])(?:(BEGIN|END)[ \t]*:[ \t]*(VALARM|VTIMEZONE)"
    rb"|(UID|LAST-MODIFIED|SEQUENCE|SUMMARY)[;:])",
    re.I,
)


def _scan_buffer(data: str | bytes) -> bytes:
    """The item as bytes behind a line feed, so the first line is found like any other."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    return b"\n" + raw


def extract_uid(data: str | bytes) -> str | None:
    """The VTODO's UID by a line scan (folded lines handled); None if it has none."""
    buf = _scan_buffer(data)
    m = _UID_LINE.search(buf)
    if m is None:
        return _slow_keys(buf).uid if _old_mac_lines(buf) else None
    if _VALARM.search(buf, 0, m.start()) or _after_soft_break(buf, m.start()):
        return _slow_keys(buf).uid  # a VALARM's UID comes first, or the match is no line start
    value = _value(_line_at(buf, m.start() + 1))
    return value if value is not None else _slow_keys(buf).uid


def extract_last_modified(data: str | bytes) -> datetime | None:
    """The VTODO's LAST-MODIFIED (UTC) by a line scan; None if it has none or it is unreadable."""
    return extract_keys(data).last_modified


def extract_keys(data: str | bytes) -> ItemKeys:
    """UID, LAST-MODIFIED, SEQUENCE and SUMMARY of the VTODO by a line scan."""
    buf = _scan_buffer(data)
    found: dict[str, str] = {}
    depth = 0
    for m in _KEY_LINE.finditer(buf):
        if m.group(1):
            depth += 1 if m.group(1).upper() == b"BEGIN" else -1
            continue
        name = m.group(3).upper().decode()
        if depth > 0 or name in found:
            continue
        if _after_soft_break(buf, m.start()):
            return _slow_keys(buf)
        value = _value(_line_at(buf, m.start() + 1))
        if value is None:
            return _slow_keys(buf)
        found[name] = value
        if len(found) == 4:
            break
    if not found and _old_mac_lines(buf):
        return _slow_keys(buf)
    return _keys(
        found.get("UID"), found.get("LAST-MODIFIED"), found.get("SEQUENCE"), found.get("SUMMARY")
    )


def _old_mac_lines(buf: bytes) -> bool:
    """Lines ended by CR alone, which the line scan (looking for LF) does not see."""
    return b"\r" in buf and buf.find(b"\n", 1) == -1


def _keys(
    uid: str | None, modified: str | None, sequence: str | None, summary: str | None
) -> ItemKeys:
    stamp = to_instant(parse_moment(modified)) if modified else None
    try:
        seq = max(int(sequence), 0) if sequence else 0
    except ValueError:
        seq = 0
    return ItemKeys(uid, stamp, seq, summary)


def _slow_keys(data: bytes) -> ItemKeys:
    """The keys by a real parse, for items the line scan cannot read safely."""
    try:
        roots = read(data)
    except TaskFormatError:
        return ItemKeys(None, None, 0, None)
    calendar = calendar_of(roots)
    todo = master_todo(calendar) if calendar is not None else None
    if todo is None:
        return ItemKeys(None, None, 0, None)
    values = [
        _property_text(todo.first(name)) for name in ("UID", "LAST-MODIFIED", "SEQUENCE", "SUMMARY")
    ]
    return _keys(*values)


def _property_text(prop: Property | None) -> str | None:
    if prop is None:
        return None
    if (prop.param("ENCODING") or "").upper() in ("QUOTED-PRINTABLE", "BASE64", "B"):
        return ical_unescape(decode_vcal_value(prop))
    return ical_unescape(prop.value)


def _after_soft_break(raw: bytes, newline: int) -> bool:
    """Whether the line after the LF at ``newline`` continues a quoted-printable value."""
    end = newline
    if end > 0 and raw[end - 1] == 13:  # CR
        end -= 1
    return end > 0 and raw[end - 1] == 61  # "="


def _line_at(raw: bytes, start: int) -> bytes:
    """The unfolded logical line starting at ``start``, without its line end.

    As the reader does (:func:`todo._content_lines.read`): a quoted-printable line ending in a
    soft break (``=``) goes on with the next physical line whole, a blank included; any other
    line with the lines that start with a blank, without that blank.
    """
    end = raw.find(b"\n", start)
    if end == -1:
        return raw[start:].rstrip(b"\r")
    first = raw[start:end]
    colon = first.find(b":")
    quoted_printable = colon > 0 and b"QUOTED-PRINTABLE" in first[:colon].upper()
    pieces = [first.removesuffix(b"\r")]
    n = len(raw)
    while end + 1 < n:
        soft = quoted_printable and pieces[-1].endswith(b"=")
        if not soft and raw[end + 1] not in (32, 9):
            break
        nxt = raw.find(b"\n", end + 1)
        piece = raw[end + 1 : nxt if nxt != -1 else n].removesuffix(b"\r")
        if soft:
            pieces[-1] = pieces[-1][:-1]
        else:
            piece = piece[1:]  # a folded continuation line: drop its blank
        pieces.append(piece)
        if nxt == -1:
            break
        end = nxt
    return b"".join(pieces)


def _value(line: bytes) -> str | None:
    """The text value of an unfolded line; None if only a real parse can read it."""
    text = decode_bytes(line)
    colon = text.find(":")
    if colon != -1 and ";" not in text[:colon]:
        return ical_unescape(text[colon + 1 :])
    if text.endswith("="):  # a quoted-printable soft line break: the value goes on
        return None
    # parameters (quoted, or an ENCODING): let the real reader take the line
    try:
        children = read(f"BEGIN:X\n{text}\nEND:X")[0].children
    except TaskFormatError:
        return None
    first = children[0] if children else None
    return _property_text(first) if isinstance(first, Property) else None
