"""Large objects (SyncML DS 1.2 section 6.9), for either role: splitting an item too big
for one message into MoreData pieces, and putting received pieces back together.

The first piece carries the object's full size in Meta/Size; every piece but the last
carries MoreData; the receiver answers 213 (chunked item accepted) until the last one.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any

from syncml import codec
from syncml._tree import Element
from syncml.codes import StatusCode
from syncml.model import Item, ItemCommand, Location, Meta, encode_command
from syncml.packing import MIN_CHUNK


@dataclass(slots=True)
class OutgoingObject:
    """An item being sent in pieces.

    ``target``/``source`` are the item's addresses as its command carries them (the
    server sends its GUID as Source and, for a Replace, the client's LUID as Target; the
    client sends its LUID as Source). ``datastore``, ``key`` and ``rev`` are the sender's
    bookkeeping: which of its items this is, to account for the statuses.
    """

    command: str
    data: str
    content_type: str
    target: str | None
    source: str | None
    datastore: str
    key: str
    rev: int = 0
    offset: int = 0

    def _command(self, cmd_id: int, piece: str, more: bool) -> ItemCommand:
        first = self.offset == 0
        item = Item(
            target=Location(self.target) if self.target is not None else None,
            source=Location(self.source) if self.source is not None else None,
            meta=Meta(size=len(self.data.encode())) if first else None,
            data=piece, more_data=more,
        )
        return ItemCommand(name=self.command, cmd_id=cmd_id, items=[item],
                           meta=Meta(type=self.content_type))

    def overhead(self, cmd_id: int, *, wbxml: bool, version: str) -> int:
        """Encoded size of the next piece's command without its data."""
        return codec.encoded_size(encode_command(self._command(cmd_id, "", True)),
                                  wbxml=wbxml, version=version)

    def next_piece(self, cmd_id: int, budget: int, *, wbxml: bool,
                   version: str) -> tuple[Element, int] | None:
        """The next piece's command element and encoded size, fitting into ``budget``;
        None when too little room is left for a useful piece."""
        overhead = self.overhead(cmd_id, wbxml=wbxml, version=version)
        room = budget - overhead
        if room < MIN_CHUNK:
            return None
        offset = self.offset
        # A character takes at least one byte; escaping (&amp; &#13;) and multi-byte
        # UTF-8 take more: shrink in proportion until the encoded command fits.
        length = min(len(self.data) - offset, room)
        while True:
            more = offset + length < len(self.data)
            el = encode_command(self._command(cmd_id, self.data[offset:offset + length], more))
            size = codec.encoded_size(el, wbxml=wbxml, version=version)
            if size <= budget or length == 1:
                break
            length = max(1, min(length - 1, length * room // max(size - overhead, 1)))
        self.offset = offset + length
        return el, size

    @property
    def done(self) -> bool:
        """True once the last piece has been produced."""
        return self.offset >= len(self.data)

    def to_json(self) -> dict[str, Any]:
        """Plain-data form."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutgoingObject:
        """Inverse of :meth:`to_json`."""
        return cls(**data)


@dataclass(slots=True)
class IncomingObject:
    """The pieces of a large object received so far."""

    datastore: str
    command: str
    luid: str
    size: int | None
    target: str | None
    content_type: str | None
    data: bytes

    def continues(self, datastore: str, command: str, luid: str) -> bool:
        """True when a piece for this item (and no other) is the next piece of this object."""
        return (self.datastore, self.command, self.luid) == (datastore, command, luid)

    def to_json(self) -> dict[str, Any]:
        """Plain-data form (the bytes base64'd)."""
        out = asdict(self)
        out["data"] = base64.b64encode(self.data).decode("ascii")
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncomingObject:
        """Inverse of :meth:`to_json`."""
        values = dict(data)
        values["data"] = base64.b64decode(values["data"])
        return cls(**values)


Piece = Item | int | None
"""What :func:`reassemble` makes of a piece: the whole item, a refusal code, or None
while the object is still incomplete (answer 213)."""


def reassemble(pending: IncomingObject | None, datastore: str, command: str, luid: str,
               item: Item, default_type: str | None, default_size: int | None,
               limit: int) -> tuple[IncomingObject | None, Piece]:
    """Take one received item (whole or a piece); returns the object still pending and
    the outcome. ``pending`` must continue with this item (see
    :meth:`IncomingObject.continues`), the caller abandons it otherwise."""
    chunk = item.data_bytes() if not isinstance(item.data, Element) else b""
    if pending is None:
        if not item.more_data:
            if len(chunk) > limit:
                return None, int(StatusCode.REQUEST_ENTITY_TOO_LARGE)
            return None, item
        # The first piece: Meta/Size on the item (or on the command) is the total.
        size = item.meta.size if item.meta and item.meta.size is not None else default_size
        if (size is not None and size > limit) or len(chunk) > limit:
            return None, int(StatusCode.REQUEST_ENTITY_TOO_LARGE)
        started = IncomingObject(
            datastore=datastore, command=command, luid=luid, size=size,
            target=item.target.uri if item.target else None,
            content_type=item.meta.type if item.meta and item.meta.type else default_type,
            data=chunk,
        )
        return started, None
    data = pending.data + chunk
    if len(data) > limit:
        # Without a Size, only the growing object shows that it is too large.
        return None, int(StatusCode.REQUEST_ENTITY_TOO_LARGE)
    if item.more_data:
        pending.data = data
        return pending, None
    size = pending.size
    if size is not None and size != len(data) and size != len(data.replace(b"\n", b"\r\n")):
        return None, int(StatusCode.SIZE_MISMATCH)
    whole = Item(target=item.target, source=item.source, meta=Meta(type=pending.content_type),
                 data=data)
    return None, whole
