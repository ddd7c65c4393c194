"""Packing commands into one message within the peer's MaxMsgSize, for either role.

A sender queues the commands it owes (statuses first, then its own commands) and fills
a :class:`MessagePacker`; what does not fit stays queued for its next message. Sizes are
the exact encoded sizes of the chosen wire format (:func:`syncml.codec.encoded_size`), so
a message never exceeds the limit, whatever escaping or WBXML tokens cost.
"""

from __future__ import annotations

from syncml import codec
from syncml._tree import Element
from syncml.cmdids import CmdIds
from syncml.model import Header, encode_header

# Bytes kept free in every message for the header, the Final and encoder slack.
MESSAGE_RESERVE = 1024
# Below a few KB not even one status with its header fits; no real peer asks for less
# (libsynthesis floors its own at 10 KB).
MIN_MSG_SIZE = 4096
# Below this much room left, a large object is not started in the current message.
MIN_CHUNK = 512
# The most any message may be, whatever a peer announces.
MAX_MSG_SIZE = 10_000_000


def message_limit(peer_max: int | None, own_max: int) -> int:
    """The size a message to a peer may have: its MaxMsgSize, never more than our own."""
    peer = max(peer_max or own_max, MIN_MSG_SIZE)
    return min(peer, max(own_max, MIN_MSG_SIZE), MAX_MSG_SIZE)


class MessagePacker:
    """One outgoing message being filled: header, body commands with their CmdIDs, budget."""

    def __init__(self, header: Header, *, wbxml: bool, limit: int) -> None:
        self.wbxml = wbxml
        self.version = header.version
        self.header = header
        self.header_el = encode_header(header)
        self.ids = CmdIds()
        self.body: list[Element] = []
        self.budget = limit - MESSAGE_RESERVE - self.size(self.header_el)

    def size(self, el: Element) -> int:
        """Encoded size of a body command in this message's format."""
        return codec.encoded_size(el, wbxml=self.wbxml, version=self.version)

    def add_queue(self, queue: list[Element]) -> list[Element]:
        """Add queued commands in order while they fit (the first always goes, so a
        message never comes out empty); returns the ones left for the next message."""
        for index, el in enumerate(queue):
            el.children[0].text = str(self.ids.peek())  # CmdID is every command's first child
            size = self.size(el)
            if size > self.budget and self.body:
                return queue[index:]
            self.append(el, size)
        return []

    def append(self, el: Element, size: int) -> None:
        """Add a command whose CmdID is already the next one, at a measured size."""
        self.ids.next()
        self.budget -= size
        self.body.append(el)

    def encode(self, *, final: bool) -> bytes:
        """The message's bytes."""
        sync_body = Element("SyncBody", "syncml", list(self.body))
        if final:
            sync_body.children.append(Element("Final", "syncml", []))
        root = Element("SyncML", "syncml", [self.header_el, sync_body])
        return codec.encode(root, wbxml=self.wbxml)

    @property
    def content_type(self) -> str:
        """The HTTP content type of this message's format."""
        return codec.CONTENT_TYPE_WBXML if self.wbxml else codec.CONTENT_TYPE_XML
