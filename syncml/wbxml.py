"""WBXML (1.1, 1.2, 1.3) reader and writer for SyncML messages and DevInf documents.

The reader accepts what encoders in the field produce: numeric or string-table public
IDs, string tables with ``STR_T`` references, ``ENTITY``, ``OPAQUE``, ``LITERAL`` tags.
The writer produces libsynthesis' style (version 0x02, numeric public ID, UTF-8, no
string table, text as ``STR_I``, a code page switched only when the next tag needs it),
so SyncEvolution sees the bytes it sends itself.

A DevInf document embedded in ``<Data>`` travels as ``OPAQUE`` holding a complete nested
WBXML document; the reader turns it into a child ``DevInf`` element and the writer does
the reverse, so the tree never shows how DevInf was carried.

Any malformed input raises :class:`~syncml.errors.DecodeError` naming the byte offset;
the reader is a loop over tokens (no recursion, so nesting cannot exhaust the stack) and
finds strings with ``bytes.find``, which keeps it linear and fast.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from . import _wbxml_tokens as t
from ._tree import NS_DEVINF, NS_METINF, NS_SYNCML, Element, Vocabulary
from .errors import DecodeError, EncodeError, UnsupportedVersion

__all__ = ["MAX_DEPTH", "decode", "element_size", "encode"]

MAX_DEPTH: Final = 64
"""Deepest element nesting accepted or written (real SyncML stays below 15)."""

_WRITER_WBXML_VERSION: Final = 0x02
# Header after the version byte and public ID: charset UTF-8, empty string table.
_WRITER_HEADER_TAIL: Final = bytes((t.CHARSET_UTF8, 0x00))

_Part = str | bytes

# Characters STR_T references may produce, per input byte. A reference costs two bytes
# but can repeat a string table entry of any length, so without a cap a 150 KB body
# could expand to gigabytes; real encoders stay far below this ratio.
_STR_T_EXPANSION: Final = 64
_STR_T_ALLOWANCE: Final = 64 * 1024


class _Header(NamedTuple):
    public_id: int  # 0 means: given as a string, see public_id_index
    public_id_index: int
    charset: int
    strtbl: bytes
    body_pos: int


# ---------------------------------------------------------------------------------------
# Reading


def decode(data: bytes) -> Element:
    """Decode a WBXML SyncML (or DevInf / MetInf) document into its root element."""
    return _decode_document(bytes(data), 0, 0)


def _truncated(at: int, what: str) -> DecodeError:
    return DecodeError(f"WBXML truncated at byte {at} while reading {what}")


def _read_mb(data: bytes, pos: int, what: str, base: int) -> tuple[int, int]:
    """Read a mb_u_int32 at pos; return (value, position after it)."""
    value = 0
    for i in range(5):
        if pos + i >= len(data):
            raise _truncated(base + pos + i, what)
        byte = data[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            if value > 0xFFFFFFFF:
                raise DecodeError(f"WBXML integer at byte {base + pos} ({what}) exceeds 32 bits")
            return value, pos + i + 1
    raise DecodeError(f"WBXML integer at byte {base + pos} ({what}) is longer than 5 bytes")


def _parse_header(data: bytes, base: int) -> _Header:
    if not data:
        raise DecodeError("empty WBXML document")
    version = data[0]
    if version == 0x00:
        raise DecodeError("WBXML 1.0 documents are not supported (version byte 0x00)")
    if version > 0x03:
        raise DecodeError(f"unknown WBXML version byte 0x{version:02X} at byte {base}")
    public_id, pos = _read_mb(data, 1, "the public identifier", base)
    index = 0
    if public_id == 0:
        index, pos = _read_mb(data, pos, "the public identifier's string index", base)
    charset, pos = _read_mb(data, pos, "the charset", base)
    length, pos = _read_mb(data, pos, "the string table length", base)
    if pos + length > len(data):
        raise _truncated(base + len(data), "the string table")
    return _Header(public_id, index, charset, data[pos : pos + length], pos + length)


def _table_string(strtbl: bytes, index: int, what: str, at: int) -> str:
    if index >= len(strtbl):
        raise DecodeError(
            f"{what} at byte {at} points at string table offset {index}, "
            f"but the table is {len(strtbl)} bytes long"
        )
    end = strtbl.find(b"\x00", index)
    if end < 0:
        raise DecodeError(f"string table entry at offset {index} has no terminating NUL")
    try:
        return strtbl[index:end].decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError(f"string table entry at offset {index} is not valid UTF-8") from None


def _public_id_number(header: _Header, base: int) -> int:
    if header.public_id != 0:
        return header.public_id
    text = _table_string(header.strtbl, header.public_id_index, "the public identifier", base)
    number = t.PUBLIC_ID_STRINGS.get(t.normalize_public_id(text))
    if number is None:
        raise UnsupportedVersion(f"unknown WBXML public identifier {text!r}")
    return number


def _document_kind(header: _Header, base: int) -> tuple[Vocabulary, str]:
    number = _public_id_number(header, base)
    kind = t.PUBLIC_IDS.get(number)
    if kind is not None:
        return kind
    if number in t.UNSUPPORTED_PUBLIC_IDS:
        raise UnsupportedVersion(
            f"{t.UNSUPPORTED_PUBLIC_IDS[number]} (WBXML public ID 0x{number:04X}) is not "
            "supported; SyncML 1.1 and 1.2 are"
        )
    if number == 1:
        raise UnsupportedVersion("WBXML document has an unknown public identifier (0x01)")
    raise UnsupportedVersion(f"WBXML public ID 0x{number:04X} is not a SyncML 1.1/1.2 document")


def _is_devinf_document(payload: bytes) -> bool:
    """True if an opaque payload starts like a WBXML DevInf document."""
    if len(payload) < 4 or not 0x01 <= payload[0] <= 0x03:
        return False
    try:
        header = _parse_header(payload, 0)
        return _document_kind(header, 0)[0] == NS_DEVINF
    except DecodeError:
        return False


def _decode_pages(vocabulary: Vocabulary, version: str) -> t.DecodePages:
    if vocabulary == NS_SYNCML:
        return t.SYNCML_DECODE_PAGES
    if vocabulary == NS_METINF:
        return t.METINF_DECODE_PAGES
    return t.DEVINF_DECODE_PAGES[version]


def _decode_document(data: bytes, base: int, depth: int) -> Element:
    """Decode one complete WBXML document; base is its offset in the outermost message."""
    header = _parse_header(data, base)
    vocabulary, version = _document_kind(header, base)
    if header.charset not in (t.CHARSET_UTF8, t.CHARSET_UNKNOWN):
        raise DecodeError(
            f"WBXML charset {header.charset} (IANA MIBenum) is not supported; "
            f"SyncML over WBXML must be UTF-8 ({t.CHARSET_UTF8})"
        )
    return _Body(data, base, depth, header.strtbl, _decode_pages(vocabulary, version)).read(
        header.body_pos, embeds_devinf=vocabulary == NS_SYNCML
    )


class _Body:
    """The token loop over one document body; one instance per (nested) document."""

    __slots__ = ("base", "budget", "data", "depth", "pages", "strings", "strtbl")

    def __init__(
        self, data: bytes, base: int, depth: int, strtbl: bytes, pages: t.DecodePages
    ) -> None:
        self.data = data
        self.base = base
        self.depth = depth
        self.strtbl = strtbl
        self.pages = pages
        self.strings: dict[int, str] = {}  # string table offset -> decoded entry
        self.budget = _STR_T_EXPANSION * len(data) + _STR_T_ALLOWANCE

    def table_reference(self, index: int, at: int) -> str:
        """The string table entry a STR_T refers to, within the expansion budget."""
        text = self.strings.get(index)
        if text is None:
            text = self.strings[index] = _table_string(self.strtbl, index, "STR_T", at)
        self.budget -= len(text)
        if self.budget < 0:
            raise DecodeError(
                f"STR_T references expand the WBXML document more than {_STR_T_EXPANSION}-fold "
                f"(at byte {at})"
            )
        return text

    def read(self, pos: int, *, embeds_devinf: bool) -> Element:
        data = self.data
        base = self.base
        size = len(data)
        find = data.find
        page = 0
        ns, names = self.pages[0]
        root: Element | None = None
        stack: list[Element] = []
        contents: list[list[_Part] | None] = []  # text pieces of each open element
        max_open = MAX_DEPTH - self.depth

        while True:
            if pos >= size:
                if root is None:
                    raise _truncated(base + pos, "the root element")
                raise _truncated(base + pos, f"<{stack[-1].tag}> (no END yet)")
            token = data[pos]
            pos += 1
            low = token & t.TAG_MASK

            if low > t.LITERAL:  # a tag from the current code page
                name = names.get(low)
                if name is None:
                    raise DecodeError(
                        f"unknown WBXML tag 0x{low:02X} on code page {page} "
                        f"at byte {base + pos - 1}"
                    )
                if token & t.HAS_ATTRIBUTES:
                    raise DecodeError(
                        f"WBXML tag <{name}> at byte {base + pos - 1} has attributes, "
                        "which SyncML does not define"
                    )
                element = Element(name, ns)
            elif token == t.END:
                if not stack:
                    raise DecodeError(f"unexpected WBXML END at byte {base + pos - 1}")
                element = stack.pop()
                parts = contents.pop()
                if parts is not None:
                    _set_content(element, parts, base + pos - 1)
                if not stack:
                    break
                continue
            elif token == t.STR_I:
                end = find(b"\x00", pos)
                if end < 0:
                    raise _truncated(base + size, f"a string that starts at byte {base + pos}")
                try:
                    text = data[pos:end].decode("utf-8")
                except UnicodeDecodeError:
                    raise DecodeError(f"string at byte {base + pos} is not valid UTF-8") from None
                _add_part(stack, contents, text, base + pos - 1)
                pos = end + 1
                continue
            elif token == t.OPAQUE:
                start = pos - 1
                length, pos = _read_mb(data, pos, "an OPAQUE length", base)
                if pos + length > size:
                    raise _truncated(base + size, f"OPAQUE data that starts at byte {base + pos}")
                payload = data[pos : pos + length]
                if (
                    embeds_devinf
                    and stack
                    and stack[-1].tag == "Data"
                    and stack[-1].ns == NS_SYNCML
                    and _is_devinf_document(payload)
                ):
                    nested = _decode_document(payload, base + pos, self.depth + len(stack))
                    stack[-1].children.append(nested)
                else:
                    _add_part(stack, contents, payload, base + start)
                pos += length
                continue
            elif token == t.SWITCH_PAGE:
                if pos >= size:
                    raise _truncated(base + pos, "a code page number")
                page = data[pos]
                entry = self.pages.get(page)
                if entry is None:
                    raise DecodeError(f"unknown WBXML code page {page} at byte {base + pos}")
                ns, names = entry
                pos += 1
                continue
            elif token == t.STR_T:
                index, pos = _read_mb(data, pos, "a string table reference", base)
                text = self.table_reference(index, base + pos)
                _add_part(stack, contents, text, base + pos)
                continue
            elif token == t.ENTITY:
                start = pos - 1
                code, pos = _read_mb(data, pos, "an ENTITY", base)
                if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise DecodeError(f"ENTITY at byte {base + start} is not a character: {code}")
                _add_part(stack, contents, chr(code), base + start)
                continue
            elif token in (t.LITERAL, t.LITERAL_C, t.LITERAL_A, t.LITERAL_AC):
                start = pos - 1
                if token & t.HAS_ATTRIBUTES:
                    raise DecodeError(
                        f"WBXML literal tag at byte {base + start} has attributes, "
                        "which SyncML does not define"
                    )
                index, pos = _read_mb(data, pos, "a literal tag name", base)
                name = _table_string(self.strtbl, index, "LITERAL", base + start)
                if name not in t.TAG_NAMES[ns]:
                    raise DecodeError(
                        f"unknown literal tag <{name}> on code page {page} at byte {base + start}"
                    )
                element = Element(name, ns)
            else:
                raise DecodeError(
                    f"WBXML token {t.GLOBAL_NAMES.get(token, hex(token))} at byte {base + pos - 1}"
                    " is not used by SyncML"
                )

            # A new element (from a tag token or a literal).
            if stack:
                stack[-1].children.append(element)
            elif root is None:
                root = element
            else:  # pragma: no cover - the loop ends when the root closes
                raise DecodeError(f"second root element at byte {base + pos - 1}")
            if token & t.HAS_CONTENT:
                if len(stack) >= max_open:
                    raise DecodeError(
                        f"WBXML elements nested deeper than {MAX_DEPTH} at byte {base + pos - 1}"
                    )
                stack.append(element)
                contents.append(None)
            elif not stack:
                break  # an empty root element is the whole document

        if pos != size:
            raise DecodeError(
                f"{size - pos} unexpected byte(s) after the end of the WBXML document "
                f"at byte {base + pos}"
            )
        assert root is not None
        return root


def _add_part(
    stack: list[Element], contents: list[list[_Part] | None], part: _Part, at: int
) -> None:
    if not stack:
        raise DecodeError(f"WBXML content outside the root element at byte {at}")
    parts = contents[-1]
    if parts is None:
        contents[-1] = [part]
    else:
        parts.append(part)


def _set_content(element: Element, parts: list[_Part], at: int) -> None:
    """Give a closed element its text; pieces of one kind join, whitespace beside children goes."""
    strings = [part for part in parts if isinstance(part, str)]
    if element.children:
        if len(strings) == len(parts) and not "".join(strings).strip():
            return
        raise DecodeError(f"<{element.tag}> ending at byte {at} mixes child elements and text")
    if len(strings) == len(parts):
        element.text = "".join(strings) or None
    elif not strings:
        element.text = b"".join(part for part in parts if isinstance(part, bytes)) or None
    else:
        raise DecodeError(f"<{element.tag}> ending at byte {at} mixes text and OPAQUE data")


# ---------------------------------------------------------------------------------------
# Writing


def _mb(value: int) -> bytes:
    """mb_u_int32 encoding of value."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _mb_len(value: int) -> int:
    return max(1, (value.bit_length() + 6) // 7)


def _check_version(version: str) -> None:
    if version not in t.SUPPORTED_VERSIONS:
        raise EncodeError(f"cannot write SyncML version {version!r}; 1.1 and 1.2 are supported")


def _public_id(vocabulary: Vocabulary, version: str) -> bytes:
    number = t.PUBLIC_ID_FOR.get((vocabulary, version))
    if number is None or vocabulary == NS_METINF:
        raise EncodeError(
            f"cannot write a WBXML document whose root is in the {vocabulary} vocabulary"
        )
    return _mb(number)


def encode(root: Element, *, version: str = "1.2") -> bytes:
    """Encode a SyncML (root ``SyncML``) or DevInf tree as a libsynthesis-style WBXML document."""
    _check_version(version)
    return _encode_document(root, version, 0)


def _encode_document(root: Element, version: str, depth: int) -> bytes:
    out = bytearray((_WRITER_WBXML_VERSION,))
    out += _public_id(root.ns, version)
    out += _WRITER_HEADER_TAIL
    _Writer(out, root.ns, version).write(root, depth)
    return bytes(out)


def element_size(element: Element, *, version: str = "1.2") -> int:
    """Bytes one element (e.g. a command under SyncBody) adds to a WBXML SyncML message.

    Counted as if written on code page 0 and followed by a page-0 tag, so a switch back
    from the MetInf page is included: exact for a command followed by another command
    or ``Final``, two bytes too many for the last element before the closing ENDs.
    """
    _check_version(version)
    sizer = _Writer(bytearray(), NS_SYNCML, version)
    size = sizer.size(element, 0)
    return size + 2 if sizer.page != 0 else size


def _nested_header_size(vocabulary: Vocabulary, version: str) -> int:
    return 1 + len(_public_id(vocabulary, version)) + len(_WRITER_HEADER_TAIL)


class _Writer:
    """Writes (or sizes) one document's body, tracking the current code page."""

    __slots__ = ("document", "out", "page", "pages", "version")

    def __init__(self, out: bytearray, document: Vocabulary, version: str) -> None:
        self.out = out
        self.document = document
        self.version = version
        self.pages = t.SYNCML_ENCODE_PAGES if document == NS_SYNCML else t.DEVINF_ENCODE_PAGES
        self.page = 0

    def _token(self, element: Element, depth: int) -> tuple[int, int]:
        """(page, token) of an element, or EncodeError."""
        if depth >= MAX_DEPTH:
            raise EncodeError(f"elements nested deeper than {MAX_DEPTH} at <{element.tag}>")
        entry = self.pages.get(element.ns)
        if entry is None:
            where = (
                "a DevInf document can only be embedded directly in <Data>"
                if element.ns == NS_DEVINF
                else "only devinf elements belong in a DevInf document"
            )
            raise EncodeError(f"<{element.tag}> ({element.ns}) cannot be written here: {where}")
        page, table = entry
        token = table.get(element.tag)
        if token is None:
            raise EncodeError(f"unknown {element.ns} tag <{element.tag}>")
        if element.children and element.text not in (None, "", b""):
            raise EncodeError(f"<{element.tag}> has both child elements and text")
        return page, token

    def _embeds(self, parent: Element, child: Element) -> bool:
        return (
            child.ns == NS_DEVINF
            and self.document == NS_SYNCML
            and parent.tag == "Data"
            and parent.ns == NS_SYNCML
        )

    def write(self, element: Element, depth: int) -> None:
        page, token = self._token(element, depth)
        out = self.out
        if page != self.page:
            out += bytes((t.SWITCH_PAGE, page))
            self.page = page
        text = element.text
        if element.children:
            out.append(token | t.HAS_CONTENT)
            for child in element.children:
                if self._embeds(element, child):
                    nested = _encode_document(child, self.version, depth + 1)
                    out.append(t.OPAQUE)
                    out += _mb(len(nested))
                    out += nested
                else:
                    self.write(child, depth + 1)
            out.append(t.END)
        elif not text:
            out.append(token)
        elif isinstance(text, str):
            out += bytes((token | t.HAS_CONTENT, t.STR_I))
            out += _utf8(text, element.tag)
            out += b"\x00\x01"  # string terminator, END
        else:
            out += bytes((token | t.HAS_CONTENT, t.OPAQUE))
            out += _mb(len(text))
            out += text
            out.append(t.END)

    def size(self, element: Element, depth: int) -> int:
        """Byte count write() would produce, without building the bytes."""
        page, _ = self._token(element, depth)
        size = 1
        if page != self.page:
            size += 2
            self.page = page
        text = element.text
        if element.children:
            size += 1  # END
            for child in element.children:
                if self._embeds(element, child):
                    nested = _nested_header_size(child.ns, self.version)
                    nested += _Writer(bytearray(), child.ns, self.version).size(child, depth + 1)
                    size += 1 + _mb_len(nested) + nested
                else:
                    size += self.size(child, depth + 1)
        elif not text:
            pass
        elif isinstance(text, str):
            if text.isascii():
                if "\x00" in text:
                    raise _nul_error(element.tag)
                size += len(text) + 3  # STR_I, NUL, END
            else:
                size += len(_utf8(text, element.tag)) + 3
        else:
            size += 2 + _mb_len(len(text)) + len(text)  # OPAQUE, END
        return size


def _nul_error(tag: str) -> EncodeError:
    return EncodeError(
        f"text of <{tag}> contains a NUL character, which WBXML strings cannot carry"
    )


def _utf8(text: str, tag: str) -> bytes:
    if "\x00" in text:
        raise _nul_error(tag)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EncodeError(f"text of <{tag}> is not encodable as UTF-8: {exc.reason}") from None
