"""XML reader and writer for SyncML 1.1/1.2 messages and DevInf documents.

Reading goes through :mod:`defusedxml` with DTDs, entity declarations and external
references forbidden: a SyncML body comes from the network and needs none of them.
Namespaces are matched case-insensitively (``SYNCML:SYNCML1.2``, ``syncml:metinf``,
``syncml:devinf``); a root without a namespace is accepted when ``SyncHdr/VerDTD`` names
a version we speak; a MetInf element that a sloppy peer left in the SyncML namespace
(``<Meta><Type>`` without ``xmlns='syncml:metinf'``) is read as MetInf.

Writing follows libsynthesis: compact, ``xmlns`` with single quotes on the root, on each
outermost MetInf element and on ``DevInf``. Text is escaped, and ``\\r`` is written as
``&#13;`` so CRLF line ends in vCalendar data survive the XML line-end normalisation.

Opaque data (``bytes`` text, which only the WBXML reader produces) is written as text
when it is valid UTF-8, and is otherwise refused with :class:`EncodeError`: XML has no
opaque type, and base64-ing silently would change the meaning of the field. Binary fields
(an md5 digest in ``Cred/Data``) are base64-encoded by the session layer, as SyncML's
``Format b64`` says. Characters XML 1.0 cannot carry at all (NUL, most C0 controls,
lone surrogates) are refused the same way.
"""

from __future__ import annotations

import re
from typing import Final
from xml.etree.ElementTree import Element as XmlElement
from xml.etree.ElementTree import ParseError

# No stubs in the test extras; the two calls used here are typed at the call site.
import defusedxml  # type: ignore[import-untyped,unused-ignore]
import defusedxml.ElementTree as safe_etree  # type: ignore[import-untyped,unused-ignore]

from . import _wbxml_tokens as tokens
from ._tree import NS_DEVINF, NS_METINF, NS_SYNCML, Element, Vocabulary
from .errors import DecodeError, EncodeError, UnsupportedVersion

__all__ = ["MAX_DEPTH", "decode", "element_size", "encode"]

MAX_DEPTH: Final = 64
"""Deepest element nesting accepted or written (real SyncML stays below 15)."""

_DECLARATION: Final = '<?xml version="1.0" encoding="UTF-8"?>'

# Lower-cased namespace URI -> vocabulary; the SyncML ones also name the version.
_NAMESPACES: Final[dict[str, Vocabulary]] = {
    "syncml:syncml1.1": NS_SYNCML,
    "syncml:syncml1.2": NS_SYNCML,
    "syncml:metinf": NS_METINF,
    "syncml:devinf": NS_DEVINF,
}
_SYNCML_VERSIONS: Final[dict[str, str]] = {
    "syncml:syncml1.1": "1.1",
    "syncml:syncml1.2": "1.2",
}
_WRITTEN_NAMESPACES: Final[dict[Vocabulary, str]] = {
    NS_METINF: "syncml:metinf",
    NS_DEVINF: "syncml:devinf",
}

_NOT_XML_CHAR: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ---------------------------------------------------------------------------------------
# Reading


def decode(data: bytes) -> Element:
    """Decode an XML SyncML (or DevInf) document into its root element."""
    if data[:1].isspace():
        # Blank lines before the XML declaration are not well-formed, but harmless.
        data = data.lstrip()
    try:
        root: XmlElement = safe_etree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden:
        raise DecodeError(
            "XML document has a DTD (<!DOCTYPE ...>), which is not accepted"
        ) from None
    except defusedxml.EntitiesForbidden:
        raise DecodeError("XML document declares entities, which is not accepted") from None
    except defusedxml.ExternalReferenceForbidden:
        raise DecodeError("XML document references external entities") from None
    except ParseError as exc:
        raise DecodeError(f"not well-formed XML: {exc}") from None
    except (ValueError, LookupError, UnicodeError) as exc:
        # e.g. an encoding declaration expat cannot use
        raise DecodeError(f"unreadable XML document: {exc}") from None
    vocabulary = _root_vocabulary(root)
    return _Reader().convert(root, vocabulary, "SyncML" if vocabulary == NS_SYNCML else "DevInf", 0)


def _split(tag: str) -> tuple[str | None, str]:
    """(namespace URI or None, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return None, tag


def _root_vocabulary(root: XmlElement) -> Vocabulary:
    uri, local = _split(root.tag)
    key = uri.lower() if uri is not None else None
    if local == "SyncML":
        if key in _SYNCML_VERSIONS:
            return NS_SYNCML
        if key is None:
            _check_unqualified_version(root)
            return NS_SYNCML
        if key.startswith("syncml:syncml"):
            raise UnsupportedVersion(
                f"SyncML namespace {uri!r} is not supported; SYNCML:SYNCML1.1 and 1.2 are"
            )
    if local == "DevInf" and key in (None, "syncml:devinf"):
        return NS_DEVINF
    shown = f"<{local}>" if uri is None else f"<{local}> in namespace {uri!r}"
    raise DecodeError(f"not a SyncML document: root element is {shown}")


def _check_unqualified_version(root: XmlElement) -> None:
    """A root without namespace is SyncML only if its VerDTD says a version we speak."""
    verdtd = root.find("SyncHdr/VerDTD")
    version = (verdtd.text or "").strip() if verdtd is not None else None
    if version is None:
        raise UnsupportedVersion("SyncML root element has no namespace and no SyncHdr/VerDTD")
    if version not in tokens.SUPPORTED_VERSIONS:
        raise UnsupportedVersion(
            f"SyncML root element has no namespace and VerDTD {version!r}; 1.1 and 1.2 "
            "are supported"
        )


class _Reader:
    """Turns an ElementTree tree into the neutral tree, resolving vocabularies once per tag."""

    __slots__ = ("resolved",)

    def __init__(self) -> None:
        # (ElementTree tag, parent vocabulary) -> (vocabulary, local name); per document,
        # so a peer cannot grow it beyond the tags of one message.
        self.resolved: dict[tuple[str, Vocabulary], tuple[Vocabulary, str]] = {}

    def resolve(self, tag: str, parent: Vocabulary) -> tuple[Vocabulary, str]:
        key = (tag, parent)
        found = self.resolved.get(key)
        if found is None:
            found = self.resolved[key] = _resolve(tag, parent)
        return found

    def convert(self, node: XmlElement, vocabulary: Vocabulary, local: str, depth: int) -> Element:
        element = Element(local, vocabulary)
        if len(node):
            if node.text and not node.text.isspace():
                raise _mixed(local)
            if depth + 1 >= MAX_DEPTH:
                raise DecodeError(f"XML elements nested deeper than {MAX_DEPTH} under <{local}>")
            children = element.children
            for child in node:
                child_vocabulary, child_local = self.resolve(child.tag, vocabulary)
                children.append(self.convert(child, child_vocabulary, child_local, depth + 1))
                if child.tail and not child.tail.isspace():
                    raise _mixed(local)
        else:
            element.text = node.text or None
        return element


def _mixed(tag: str) -> DecodeError:
    return DecodeError(f"<{tag}> mixes child elements and text")


def _resolve(tag: str, parent: Vocabulary) -> tuple[Vocabulary, str]:
    uri, local = _split(tag)
    if uri is None:
        vocabulary = parent
    else:
        found = _NAMESPACES.get(uri.lower())
        if found is None:
            raise DecodeError(f"element <{local}> is in unknown namespace {uri!r}")
        vocabulary = found
    if local in tokens.TAG_NAMES[vocabulary]:
        return vocabulary, local
    # Peers that leave out the MetInf / DevInf namespace declarations.
    if vocabulary == NS_SYNCML and local in tokens.TAG_NAMES[NS_METINF]:
        return NS_METINF, local
    if uri is None and local == "DevInf":
        return NS_DEVINF, local
    raise DecodeError(f"unknown element <{local}> in the {vocabulary} vocabulary")


# ---------------------------------------------------------------------------------------
# Writing


def _check_version(version: str) -> None:
    if version not in tokens.SUPPORTED_VERSIONS:
        raise EncodeError(f"cannot write SyncML version {version!r}; 1.1 and 1.2 are supported")


def encode(root: Element, *, version: str = "1.2") -> bytes:
    """Encode a SyncML (or DevInf) tree as a compact XML document in UTF-8."""
    _check_version(version)
    parts = [_DECLARATION]
    _write(parts, root, None, version, 0)
    return "".join(parts).encode("utf-8")


def element_size(element: Element, *, version: str = "1.2") -> int:
    """Exact bytes one element (e.g. a command under SyncBody) adds to an XML message."""
    _check_version(version)
    parts: list[str] = []
    _write(parts, element, NS_SYNCML, version, 0)
    text = "".join(parts)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _xmlns(vocabulary: Vocabulary, parent: Vocabulary | None, version: str) -> str:
    if vocabulary == parent:
        return ""
    uri = _WRITTEN_NAMESPACES.get(vocabulary) or f"SYNCML:SYNCML{version}"
    return f" xmlns='{uri}'"


def _write(
    parts: list[str], element: Element, parent: Vocabulary | None, version: str, depth: int
) -> None:
    tag = element.tag
    if depth >= MAX_DEPTH:
        raise EncodeError(f"elements nested deeper than {MAX_DEPTH} at <{tag}>")
    vocabulary = element.ns
    names = tokens.TAG_NAMES.get(vocabulary)
    if names is None or tag not in names:
        raise EncodeError(f"unknown {vocabulary} tag <{tag}>")
    text = element.text
    start = f"<{tag}{_xmlns(vocabulary, parent, version)}"
    if element.children:
        if text:
            raise EncodeError(f"<{tag}> has both child elements and text")
        parts.append(start + ">")
        for child in element.children:
            _write(parts, child, vocabulary, version, depth + 1)
        parts.append(f"</{tag}>")
    elif text:
        parts.append(f"{start}>{_escape(_as_text(text, tag), tag)}</{tag}>")
    else:
        parts.append(start + "/>")


def _as_text(text: str | bytes, tag: str) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise EncodeError(
            f"opaque data of <{tag}> is not UTF-8 text; XML cannot carry binary data "
            "(base64 it and say so in Meta/Format)"
        ) from None


def _escape(text: str, tag: str) -> str:
    bad = _NOT_XML_CHAR.search(text)
    if bad is not None:
        raise EncodeError(
            f"text of <{tag}> contains U+{ord(bad.group()):04X}, which XML 1.0 cannot carry"
        )
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text
