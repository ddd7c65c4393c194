"""Content lines of iCalendar 2.0 and vCalendar 1.0 text: the tree they form, reading, writing.

The reader keeps every property as written (name upper-cased, parameter values and the value
raw), so text can be converted or merged property by property without losing what it does
not understand. It copes with both dialects: RFC 5545 folding (CRLF + one blank), vCalendar
quoted-printable soft line breaks (``=`` at the end of a line), bare LF line ends, nameless
vCalendar parameters (``;QUOTED-PRINTABLE``) and stray lines broken off a value.

What comes from the ``icalendar`` library: folding (:func:`fold` writes exactly what
``Contentline.to_ical`` writes), TEXT unescaping and splitting (``unescape_backslash``,
``split_on_unescaped_comma``/``_semicolon``), parameter quoting and RFC 6868 escapes
(``Parameters``, ``rfc_6868_unescape``). A task's values are read from this tree by
:mod:`todo.task_format`; new lines are written there by ``icalendar``'s components.

What stays here, because ``icalendar`` does not do it:

- the order-preserving tree. ``icalendar.Component`` is a dict: it groups repeated and
  interleaved properties by name, sorts or re-quotes parameters (``CN=Jane Roe`` comes back as
  ``CN="Jane Roe"``) and keeps one value per parameter name, so an item it wrote back would no
  longer be the item the phone sent;
- splitting a line into name, parameters and value. ``Contentline.parts()`` gives the same
  split but not the raw parameters the tree must keep, rejects vCalendar's nameless parameters
  (``;QUOTED-PRINTABLE``) and takes about 8 µs a line against 1.3 µs here (the 61 lines of
  a task with a VTIMEZONE: 480 µs against 80 µs, on every convert and merge);
- joining physical lines: ``Contentlines.from_ical`` unfolds before it splits, which corrupts a
  quoted-printable soft line break followed by a blank (``Zweite=`` / `` Zeile``), and a line
  broken off a value becomes a line of its own that its parser rejects;
- vCalendar 1.0 quoted-printable, BASE64 and CHARSET decoding, quoted-printable encoding and
  soft line breaks, vCalendar escaping — ``icalendar`` reads iCalendar 2.0 only;
- TEXT escaping (:func:`ical_escape`): ``icalendar``'s escaper (``vText.to_ical``) first turns
  a backslash followed by ``N`` into a line break, so ``C:\\New folder`` would come back as
  ``C:`` + line break + ``ew folder``.

``icalendar.parser``'s ``escape_char``, ``unescape_char`` and ``foldline`` are deprecated since
``icalendar`` 7.2 and go in 8; the public functions used here replace them.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from icalendar.parser import (
    Contentline,
    Parameters,
    rfc_6868_unescape,
    split_on_unescaped_comma,
    split_on_unescaped_semicolon,
    unescape_backslash,
)

from todo.errors import TaskFormatError

Param = tuple[str, str]
"""A parameter: upper-cased name, raw value as written (quotes kept)."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})


@dataclass(slots=True)
class Property:
    """One content line: ``NAME;PARAM=VALUE:value`` with the value still encoded."""

    name: str
    params: tuple[Param, ...] = ()
    value: str = ""

    def param(self, name: str) -> str | None:
        """The value of the first parameter called ``name`` (upper case), if any.

        Quotes are removed and RFC 6868 escapes (``^^``, ``^'``, ``^n``) undone, as
        ``icalendar`` does when it reads parameters.
        """
        for key, raw in self.params:
            if key == name:
                value = unquote(raw)
                return rfc_6868_unescape(value) if "^" in value else value
        return None

    def without_params(self, *names: str) -> tuple[Param, ...]:
        """The parameters except those called one of ``names``."""
        return tuple(p for p in self.params if p[0] not in names)

    @property
    def key(self) -> tuple[str, tuple[Param, ...], str]:
        """What identifies the line's meaning: name, parameters in any order, value."""
        params = tuple(sorted((k, unquote(v)) for k, v in self.params))
        return (self.name, params, self.value)


@dataclass(slots=True)
class Component:
    """``BEGIN:NAME`` … ``END:NAME`` with its properties and sub-components in order."""

    name: str
    children: list[Property | Component] = field(default_factory=list)

    def properties(self, name: str) -> list[Property]:
        """All properties called ``name``."""
        return [c for c in self.children if isinstance(c, Property) and c.name == name]

    def first(self, name: str) -> Property | None:
        """The first property called ``name``, if any."""
        for c in self.children:
            if isinstance(c, Property) and c.name == name:
                return c
        return None

    def components(self, name: str | None = None) -> list[Component]:
        """The sub-components, or those called ``name``."""
        return [
            c
            for c in self.children
            if isinstance(c, Component) and (name is None or c.name == name)
        ]


Node = Property | Component


def unquote(raw: str) -> str:
    """A parameter value without its surrounding double quotes."""
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        return raw[1:-1]
    return raw


class IcalParameters(Parameters):
    """``icalendar``'s parameters, with a CN that holds a backslash quoted as well.

    Parameter values have no escapes (RFC 5545 3.2), but ``icalendar``'s line splitter takes a
    backslash outside quotes for one: the ``CN=\\;ROLE=CHAIR`` its own writer makes of the
    name ``\\`` would come back as a CN of ``;ROLE=CHAIR``.
    """

    quote_also = {  # noqa: RUF012 - icalendar's own attribute, a plain dict there too
        **Parameters.quote_also,
        "CN": Parameters.quote_also["CN"] + "\\",
    }


def param(name: str, value: str) -> Param:
    """A parameter as ``icalendar`` writes it: quoted where needed, RFC 6868 escapes applied."""
    rendered = IcalParameters({name: value}).to_ical(sorted=False).decode("utf-8")
    key, _, raw = rendered.partition("=")
    return (key, raw)


def decode_bytes(data: str | bytes) -> str:
    """Text of an item: UTF-8 (with or without BOM), else Latin-1, which cannot fail."""
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read(data: str | bytes) -> list[Component]:
    """The top-level components of ``data``; lines outside any component are ignored."""
    text = decode_bytes(data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    stack: list[Component] = []
    roots: list[Component] = []
    for line in _logical_lines(text.split("\n")):
        prop = _parse_line(line)
        if prop is None:
            if stack:
                _append_stray_line(stack[-1], line)
            continue
        if prop.name == "BEGIN":
            comp = Component(prop.value.strip().upper())
            (stack[-1].children if stack else roots).append(comp)
            stack.append(comp)
        elif prop.name == "END":
            name = prop.value.strip().upper()
            if not stack:
                if roots:  # junk after the item, such as a second END:VCALENDAR
                    continue
                raise TaskFormatError(f"END:{name} without BEGIN:{name}")
            if stack[-1].name != name:
                raise TaskFormatError(f"END:{name} while BEGIN:{stack[-1].name} is still open")
            stack.pop()
        elif stack:
            stack[-1].children.append(prop)
    if stack and (len(stack) > 1 or stack[0].name != "VCALENDAR"):
        raise TaskFormatError(f"BEGIN:{stack[-1].name} is never closed (truncated item?)")
    return roots


def _logical_lines(physical: list[str]) -> list[str]:
    """Join folded and quoted-printable-continued lines into logical lines."""
    logical: list[str] = []
    for raw in physical:
        if not raw:
            continue
        if logical:
            prev = logical[-1]
            if prev[-1] == "=" and _is_quoted_printable(prev):
                logical[-1] = prev[:-1] + raw
                continue
            if raw[0] == " " or raw[0] == "\t":
                logical[-1] = prev + raw[1:]
                continue
        logical.append(raw)
    return logical


def _is_quoted_printable(line: str) -> bool:
    colon = line.find(":")
    return colon > 0 and "QUOTED-PRINTABLE" in line[:colon].upper()


def _append_stray_line(comp: Component, line: str) -> None:
    """A line that is no content line: an unescaped line break inside the previous value."""
    if comp.children and isinstance(comp.children[-1], Property):
        last = comp.children[-1]
        sep = "=0D=0A" if last.param("ENCODING") == "QUOTED-PRINTABLE" else "\\n"
        last.value = f"{last.value}{sep}{line}"


def _parse_line(line: str) -> Property | None:
    """Split a logical line; None if it is not ``NAME[;PARAMS]:value``."""
    colon = line.find(":")
    if colon <= 0:
        return None
    semi = line.find(";", 0, colon)
    if semi == -1:
        name = line[:colon].strip()
        if not _NAME.match(name):
            return None
        return Property(name.upper(), (), line[colon + 1 :])
    name = line[:semi].strip()
    if not _NAME.match(name):
        return None
    if line.find('"', semi, colon) == -1:
        raw_params = line[semi + 1 : colon].split(";")
        value = line[colon + 1 :]
    else:
        split = _split_quoted(line, semi + 1)
        if split is None:
            return None
        raw_params, value = split
    params = tuple(_param(p) for p in raw_params if p.strip())
    return Property(name.upper(), params, value)


def _split_quoted(line: str, start: int) -> tuple[list[str], str] | None:
    """Parameters and value of a line whose parameters hold double quotes."""
    params: list[str] = []
    begin = start
    in_quotes = False
    for i in range(start, len(line)):
        c = line[i]
        if c == '"':
            in_quotes = not in_quotes
        elif not in_quotes and c == ";":
            params.append(line[begin:i])
            begin = i + 1
        elif not in_quotes and c == ":":
            params.append(line[begin:i])
            return params, line[i + 1 :]
    return None


def _param(text: str) -> Param:
    eq = text.find("=")
    if eq == -1:  # vCalendar 1.0 lets the name be left out: ;QUOTED-PRINTABLE, ;WORK
        value = text.strip()
        return ("ENCODING" if value.upper() in _ENCODINGS else "TYPE", value)
    return (text[:eq].strip().upper(), text[eq + 1 :].strip())


# --- writing -----------------------------------------------------------------------------


def line_of(prop: Property) -> str:
    """The unfolded content line of ``prop``."""
    if not prop.params:
        return f"{prop.name}:{prop.value}"
    params = "".join(f";{k}={v}" for k, v in prop.params)
    return f"{prop.name}{params}:{prop.value}"


def write(components: list[Component], *, vcalendar: bool = False) -> str:
    """Text of ``components``: CRLF line ends, iCalendar lines folded as :func:`fold` does.

    vCalendar lines are not folded, because vCalendar 1.0 readers disagree on whether
    unfolding drops the blank; quoted-printable values get soft line breaks instead.
    """
    out: list[str] = []
    for comp in components:
        _write_component(comp, out, vcalendar)
    out.append("")
    return "\r\n".join(out)


def write_component(comp: Component) -> str:
    """iCalendar text of one component (used to carry a component inside a vCalendar value)."""
    return write([comp])


def _write_component(comp: Component, out: list[str], vcalendar: bool) -> None:
    out.append(f"BEGIN:{comp.name}")
    for child in comp.children:
        if isinstance(child, Component):
            _write_component(child, out, vcalendar)
        elif vcalendar:
            if child.param("ENCODING") == "QUOTED-PRINTABLE":
                out.append(_soft_break(child))
            else:
                out.append(line_of(child))
        else:
            out.append(fold(line_of(child)))
    out.append(f"END:{comp.name}")


def fold(line: str) -> str:
    """Fold a content line exactly as ``icalendar`` does (``Contentline.to_ical``).

    Pieces hold at most 74 octets and a piece never ends with the ``\\`` of a TEXT escape
    or the ``^`` of an RFC 6868 escape, so readers that unfold carelessly still see them whole.
    ASCII lines are folded here by slicing: ``icalendar`` looks at every character, which
    takes 1 ms for a 12 KB description (SyncEvolution sends such items) against 20 µs here.
    A test checks that both give the same text.
    """
    if len(line) < 75 and (line.isascii() or len(line.encode("utf-8")) < 75):
        return line
    if not line.isascii():
        folded: bytes = Contentline(line).to_ical()  # type: ignore[no-untyped-call]
        return folded.decode("utf-8")
    chunks = []
    start = 0
    size = len(line)
    while size - start > 74:
        end = start + 74
        if line[end - 1] in "\\^":
            end -= 1
        chunks.append(line[start:end])
        start = end
    chunks.append(line[start:])
    return "\r\n ".join(chunks)


def _soft_break(prop: Property) -> str:
    """A quoted-printable line with soft line breaks so no physical line passes 76 characters."""
    line = line_of(prop)
    if len(line) <= 76:
        return line
    head_len = len(line) - len(prop.value)
    pieces: list[str] = []
    start = 0
    width = max(75 - head_len, 20)
    value = prop.value
    while len(value) - start > width:
        end = start + width
        # never cut an =XX escape in two
        if value[end - 1] == "=":
            end -= 1
        elif value[end - 2] == "=":
            end -= 2
        pieces.append(value[start:end])
        start = end
        width = 75
    pieces.append(value[start:])
    return line[:head_len] + "=\r\n".join(pieces)


# --- value encodings ---------------------------------------------------------------------


def ical_unescape(value: str) -> str:
    r"""TEXT value → text: ``\n``/``\N`` become line breaks, ``\\ \; \, \:`` their character."""
    if "\\" not in value:
        return value
    return str(unescape_backslash(value))


def ical_escape(text: str) -> str:
    """Text → RFC 5545 TEXT value (not ``icalendar``'s escaper: see the module docstring)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "\\n")


def vcal_escape(text: str) -> str:
    """Text → vCalendar 1.0 value (before quoted-printable): ``\\`` and ``;`` escaped."""
    return text.replace("\\", "\\\\").replace(";", "\\;")


def split_text_list(value: str, sep: str = ",") -> list[str]:
    """The items of a TEXT list (``a\\,b,c`` → ``a,b`` and ``c``), each unescaped."""
    if "\\" not in value:  # the common case, without icalendar's character loop
        return value.split(sep)
    split = split_on_unescaped_comma if sep == "," else split_on_unescaped_semicolon
    return [str(item) for item in split(value)]


_QP_TABLE = [chr(b) if 32 <= b <= 126 and b != 61 else f"={b:02X}" for b in range(256)]


def qp_encode(text: str) -> str:
    """Quoted-printable of ``text``'s UTF-8 bytes, line breaks as ``=0D=0A``."""
    if "\n" in text:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    table = _QP_TABLE
    out = "".join([table[b] for b in text.encode("utf-8")])
    if out.endswith((" ", "\t")):  # trailing blanks would be stripped in transit
        out = out[:-1] + f"={ord(out[-1]):02X}"
    return out


def decode_vcal_value(prop: Property) -> str:
    """A vCalendar value as text: quoted-printable/base64 undone, CHARSET applied, LF breaks."""
    encoding = (prop.param("ENCODING") or "").upper()
    if encoding == "QUOTED-PRINTABLE":
        raw = binascii.a2b_qp(prop.value.encode("utf-8"))
    elif encoding in ("BASE64", "B"):
        try:
            raw = base64.b64decode(prop.value.encode("ascii", "replace"), validate=False)
        except (binascii.Error, ValueError):
            return prop.value
    else:
        return prop.value
    charset = prop.param("CHARSET") or "utf-8"
    try:
        text = raw.decode(charset, errors="replace")
    except LookupError:  # a CHARSET Python does not know
        text = raw.decode("utf-8", errors="replace")
    if "\r" in text:  # quoted-printable spells a line break =0D=0A
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
