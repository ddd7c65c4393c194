"""The neutral document tree both codecs produce and consume.

XML and WBXML decode to the same :class:`Element` tree, so the message model never
knows which wire format a message came in. Namespaces are reduced to the three
vocabularies SyncML uses (:data:`NS_SYNCML`, :data:`NS_METINF`, :data:`NS_DEVINF`);
the SyncML version lives on the root ``SyncML`` element's ``version`` only.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Vocabulary = Literal["syncml", "metinf", "devinf"]

NS_SYNCML: Final = "syncml"
NS_METINF: Final = "metinf"
NS_DEVINF: Final = "devinf"


@dataclass(slots=True)
class Element:
    """One element: a tag in a vocabulary, with either children or content.

    ``text`` is ``str`` for character data and ``bytes`` for WBXML opaque data. An
    element that holds a nested document (DevInf inside ``Data``) has it as a child,
    whatever the wire format did with it (inline XML, or an opaque nested WBXML doc).
    """

    tag: str
    ns: Vocabulary = "syncml"
    children: list[Element] = field(default_factory=list)
    text: str | bytes | None = None

    def find(self, tag: str) -> Element | None:
        """First direct child with this tag, or None."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[Element]:
        """All direct children with this tag, in document order."""
        return [child for child in self.children if child.tag == tag]

    def text_of(self, tag: str) -> str | None:
        """Text of the first direct child with this tag (opaque bytes decoded as UTF-8)."""
        child = self.find(tag)
        if child is None or child.text is None:
            return None
        if isinstance(child.text, bytes):
            return child.text.decode("utf-8", "replace")
        return child.text


def element_to_json(el: Element) -> list[Any]:
    """An element as nested lists: [tag, ns, text, children...]; bytes text tagged (for
    saved session states, which hold commands queued for a later message)."""
    text: Any = el.text
    if isinstance(text, bytes):
        text = {"b64": base64.b64encode(text).decode("ascii")}
    return [el.tag, el.ns, text, [element_to_json(c) for c in el.children]]


def element_from_json(data: list[Any]) -> Element:
    """Inverse of :func:`element_to_json`."""
    tag, ns, text, children = data
    if isinstance(text, dict):
        text = base64.b64decode(text["b64"])
    vocabulary: Vocabulary = ns
    return Element(tag, vocabulary, [element_from_json(c) for c in children], text)
