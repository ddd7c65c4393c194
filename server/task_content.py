"""How the tasks datastore reads, stores, compares and merges its items.

Items are stored as iCalendar 2.0 text exactly as received (so unknown and X-
properties survive untouched); vCalendar 1.0 is converted on the way in and out.
The hot paths of a 10,000-item slow sync (UID, sameness) scan lines instead of
parsing, and full parsing happens only for conversions and conflicts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from syncml.server.backend import Merge, MergeOutcome, StoredItem
from todo import calendar_format, line_scan, merge
from todo.errors import TaskFormatError

ICALENDAR = "text/calendar"
VCALENDAR = "text/x-vcalendar"

class TaskContent:
    """The ContentHandler of the tasks datastore."""

    storage_type = ICALENDAR
    # Annotated: a protocol's attribute is invariant, and (a, b) alone would be tuple[str, str].
    supported_types: tuple[str, ...] = (ICALENDAR, VCALENDAR)

    def uid_of(self, data: str) -> str | None:
        """The VTODO's UID (fast line scan)."""
        return line_scan.extract_uid(data)

    def to_storage(self, data: str, content_type: str) -> str:
        """Validate and, for vCalendar, convert to iCalendar; ValueError names the problem."""
        try:
            if content_type == VCALENDAR or "VERSION:1.0" in data:
                return calendar_format.convert_item(data, VCALENDAR, ICALENDAR)
            if "BEGIN:VTODO" not in data.upper():
                raise ValueError("not an iCalendar VTODO: no BEGIN:VTODO found")
            return data
        except TaskFormatError as exc:
            raise ValueError(str(exc)) from exc

    def from_storage(self, data: str, content_type: str) -> str:
        """Stored iCalendar → what the device wants."""
        if content_type == VCALENDAR:
            return calendar_format.convert_item(data, ICALENDAR, VCALENDAR)
        return data

    def same(self, a: str, b: str) -> bool:
        """Same content, ignoring DTSTAMP/LAST-MODIFIED/PRODID, folding and line order."""
        return line_scan.same_content(a, b)

    def merge(self, base: str | None, server: StoredItem, client: str) -> Merge:
        """Field-level three-way merge; colliding fields go to the later change."""
        try:
            result = merge.merge_items(
                base, server.data, client,
                # The server's version was made when its author edited it, not when it
                # reached the server; the author's LAST-MODIFIED says when that was.
                server_modified=line_scan.extract_last_modified(server.data)
                or datetime.fromtimestamp(server.modified, UTC),
                client_modified=line_scan.extract_last_modified(client),
                content_type=ICALENDAR,
            )
        except TaskFormatError:
            # The stored copy cannot be parsed any more (it came from an older, laxer
            # version): the client's validated version is the one to keep.
            return Merge(client, MergeOutcome.CLIENT)
        return Merge(result.data, _OUTCOMES[result.kind])


_OUTCOMES = {
    merge.MergeKind.SERVER: MergeOutcome.SERVER,
    merge.MergeKind.CLIENT: MergeOutcome.CLIENT,
    merge.MergeKind.MERGED: MergeOutcome.MERGED,
}
