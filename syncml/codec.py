"""The codecs' public front: SyncML message bytes <-> :class:`~syncml._tree.Element` tree.

The format is chosen by the HTTP content type, or sniffed from the first byte when the
content type is missing or unknown. The SyncML version is not kept beside the tree: it
is the text of ``SyncHdr/VerDTD``, which every message carries; :func:`encode` reads it
from there to write the matching namespace (XML) or public ID (WBXML).
"""

from __future__ import annotations

from typing import Final

from . import _wbxml_tokens, xmlcodec
from . import wbxml as wbxml_codec  # the name ``wbxml`` is the encode() flag
from ._tree import NS_SYNCML, Element
from .errors import DecodeError, EncodeError

__all__ = [
    "CONTENT_TYPE_WBXML",
    "CONTENT_TYPE_XML",
    "DEFAULT_VERSION",
    "decode",
    "encode",
    "encoded_size",
    "version_of",
]

CONTENT_TYPE_XML: Final = "application/vnd.syncml+xml"
CONTENT_TYPE_WBXML: Final = "application/vnd.syncml+wbxml"
DEFAULT_VERSION: Final = "1.2"

_XML_START: Final = b"<"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_WHITESPACE: Final = b" \t\r\n"


def decode(body: bytes, content_type: str | None) -> Element:
    """Decode a SyncML message; the content type picks the format (parameters are ignored)."""
    root = wbxml_codec.decode(body) if _is_wbxml(body, content_type) else xmlcodec.decode(body)
    if root.tag != "SyncML" or root.ns != NS_SYNCML:
        raise DecodeError(f"not a SyncML document: root element is <{root.tag}> ({root.ns})")
    return root


def _is_wbxml(body: bytes, content_type: str | None) -> bool:
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if media_type == CONTENT_TYPE_WBXML:
        return True
    if media_type == CONTENT_TYPE_XML:
        return False
    # No usable content type: look at the first non-blank byte.
    start = body.lstrip(_WHITESPACE)
    if start.startswith(_UTF8_BOM):
        start = start[len(_UTF8_BOM) :].lstrip(_WHITESPACE)
    if not start:
        raise DecodeError("empty SyncML message body")
    if start.startswith(_XML_START):
        return False
    if 0x01 <= start[0] <= 0x03:
        return True
    raise DecodeError(
        f"cannot tell XML from WBXML: content type {content_type!r} and the body starts "
        f"with byte 0x{start[0]:02X}"
    )


def version_of(root: Element) -> str:
    """The SyncML version a message tree declares in SyncHdr/VerDTD (1.2 if absent)."""
    header = root.find("SyncHdr")
    declared = header.text_of("VerDTD") if header is not None else None
    return (declared or "").strip() or DEFAULT_VERSION


def encode(root: Element, *, wbxml: bool) -> bytes:
    """Encode a SyncML message tree (root ``SyncML``) as WBXML or XML bytes."""
    if root.tag != "SyncML" or root.ns != NS_SYNCML:
        raise EncodeError(f"not a SyncML message: root element is <{root.tag}> ({root.ns})")
    version = _checked(version_of(root))
    if wbxml:
        return wbxml_codec.encode(root, version=version)
    return xmlcodec.encode(root, version=version)


def encoded_size(element: Element, *, wbxml: bool, version: str) -> int:
    """Bytes a SyncBody command adds to a message in that format.

    Exact when the command is followed by another command or ``Final`` (measure the
    empty message with ``Final`` in its SyncBody); a WBXML command that ends on the
    MetInf page counts the two-byte switch back, which a following tag needs.
    """
    _checked(version)
    if wbxml:
        return wbxml_codec.element_size(element, version=version)
    return xmlcodec.element_size(element, version=version)


def _checked(version: str) -> str:
    if version not in _wbxml_tokens.SUPPORTED_VERSIONS:
        raise EncodeError(f"cannot write SyncML version {version!r}; 1.1 and 1.2 are supported")
    return version
