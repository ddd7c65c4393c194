"""What a SyncML message says, told for the log at FINE and FINEST: commands and statuses only.

The summaries name commands, datastores, item IDs, sizes and status codes, never credentials,
nonces or item data: a log at FINEST can be sent to a supporter without leaking a password or a
task. A message that does not decode is described as such (the engine answers it).
"""

from __future__ import annotations

from collections import Counter

from syncml import codec
from syncml._tree import Element
from syncml.errors import SyncMLError

__all__ = ["describe_message"]

_ITEM_COMMANDS = ("Add", "Replace", "Delete", "Copy", "Move")


def describe_message(body: bytes, content_type: str, *, detail: bool) -> list[str]:
    """One summary line; with ``detail`` also one line per command and status."""
    try:
        root = codec.decode(body, content_type)
    except SyncMLError as exc:
        return [f"{len(body)} bytes, not decodable: {exc}"]
    header = root.find("SyncHdr")
    sync_body = root.find("SyncBody")
    head = _header(header, len(body), content_type)
    commands = sync_body.children if sync_body is not None else []
    summary = ", ".join(_summaries(commands)) or "no commands"
    lines = [f"{head}: {summary}"]
    if detail:
        lines += [f"  {line}" for command in commands for line in _details(command)]
    return lines


def _header(header: Element | None, size: int, content_type: str) -> str:
    wire = "WBXML" if content_type.endswith("wbxml") else "XML"
    if header is None:
        return f"{size} bytes {wire}, no SyncHdr"
    session = header.text_of("SessionID") or "?"
    msg = header.text_of("MsgID") or "?"
    return f"session {session} msg {msg} ({size} bytes {wire})"


def _uri(element: Element | None, where: str) -> str | None:
    if element is None:
        return None
    place = element.find(where)
    return place.text_of("LocURI") if place is not None else None


def _summaries(commands: list[Element]) -> list[str]:
    out: list[str] = []
    statuses: Counter[str] = Counter()
    for command in commands:
        if command.tag == "Status":
            statuses[f"{command.text_of('Cmd') or '?'} {command.text_of('Data') or '?'}"] += 1
            continue
        if statuses:
            out.append(_status_summary(statuses))
            statuses = Counter()
        if command.tag == "Sync":
            inner = Counter(c.tag for c in command.children if c.tag in _ITEM_COMMANDS)
            changes = " ".join(f"{tag}×{n}" for tag, n in inner.items()) or "no changes"
            out.append(f"Sync {_uri(command, 'Target') or '?'}: {changes}")
        elif command.tag == "Alert":
            target = _uri(command.find("Item"), "Target")
            out.append(f"Alert {command.text_of('Data') or '?'}" + (f" {target}" if target else ""))
        elif command.tag == "Map":
            out.append(f"Map {_uri(command, 'Target') or '?'}: {len(command.findall('MapItem'))}")
        else:
            out.append(command.tag)
    if statuses:
        out.append(_status_summary(statuses))
    return out


def _status_summary(statuses: Counter[str]) -> str:
    return "Status " + " ".join(
        f"{key}×{n}" if n > 1 else key for key, n in statuses.items()
    )


def _item_line(item: Element) -> str:
    parts = []
    source = _uri(item, "Source")
    target = _uri(item, "Target")
    if source:
        parts.append(f"source {source}")
    if target:
        parts.append(f"target {target}")
    data = item.find("Data")
    if data is not None:
        size = len(data.text) if data.text is not None else 0
        kind = "nested document" if data.children else f"{size} bytes"
        parts.append(f"data {kind}")
    if item.find("MoreData") is not None:
        parts.append("more data follows")
    return ", ".join(parts) or "empty item"


def _no_query(text: str | bytes | None) -> str:
    # A RespURI's query names the session; the log need not hand it out.
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else (text or "")
    return shown.split("?", 1)[0] + ("?…" if "?" in shown else "")


def _details(command: Element) -> list[str]:
    cmd_id = command.text_of("CmdID") or "?"
    if command.tag == "Status":
        refs = [_no_query(r.text) for r in command.children if r.tag in ("SourceRef", "TargetRef")]
        shown = f" for {', '.join(refs)}" if refs else ""
        return [
            f"cmd {cmd_id} Status {command.text_of('Data') or '?'} to {command.text_of('Cmd')} "
            f"(msg {command.text_of('MsgRef')} cmd {command.text_of('CmdRef')}){shown}"
        ]
    if command.tag == "Sync":
        lines = [f"cmd {cmd_id} Sync {_uri(command, 'Target') or '?'}"]
        for inner in command.children:
            if inner.tag in _ITEM_COMMANDS:
                lines += [
                    f"  cmd {inner.text_of('CmdID') or '?'} {inner.tag}: {_item_line(item)}"
                    for item in inner.findall("Item")
                ] or [f"  cmd {inner.text_of('CmdID') or '?'} {inner.tag}: no item"]
        return lines
    if command.tag == "Map":
        return [f"cmd {cmd_id} Map {_uri(command, 'Target') or '?'}"] + [
            f"  {_uri(m, 'Source')} -> {_uri(m, 'Target')}" for m in command.findall("MapItem")
        ]
    if command.tag == "Final":
        return []
    items = command.findall("Item")
    code = command.text_of("Data") if command.tag == "Alert" else None
    head = f"cmd {cmd_id} {command.tag}" + (f" {code}" if code else "")
    return [head] + [f"  {_item_line(item)}" for item in items]
