"""The typed SyncML message model, and its mapping to and from the neutral element tree.

Only what SyncML DS needs is modelled; elements the model does not know are ignored on
input (they are optional by the DTD or belong to features we answer with 406). Element
order on output follows the SyncML 1.2 DTD, which strict peers check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from syncml._tree import Element
from syncml.errors import ProtocolError

ItemData: TypeAlias = "str | bytes | Element | None"


# --------------------------------------------------------------------------- building blocks


@dataclass(slots=True)
class Anchor:
    """Sync anchors: the peer's anchor of its previous sync (Last) and of this one (Next)."""

    last: str | None = None
    next: str | None = None


@dataclass(slots=True)
class Meta:
    """MetInf: the subset of meta information SyncML DS uses."""

    type: str | None = None
    format: str | None = None
    size: int | None = None
    max_msg_size: int | None = None
    max_obj_size: int | None = None
    anchor: Anchor | None = None
    next_nonce: str | None = None
    version: str | None = None
    mark: str | None = None
    emi: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when no field is set (the element is then left out)."""
        return not (
            self.type or self.format or self.size is not None or self.max_msg_size
            or self.max_obj_size or self.anchor or self.next_nonce or self.version
            or self.mark or self.emi
        )


@dataclass(slots=True)
class Location:
    """A Target or Source: a URI and an optional display name (the user on md5 auth)."""

    uri: str
    name: str | None = None


@dataclass(slots=True)
class Cred:
    """Credentials: Meta Type/Format say how Data is to be read."""

    data: str | bytes
    type: str = "syncml:auth-basic"
    format: str | None = "b64"


@dataclass(slots=True)
class Chal:
    """A challenge: the auth type the server wants and the nonce for the next md5 digest."""

    meta: Meta


@dataclass(slots=True)
class Item:
    """An item of a command: addressing, meta, data (text, opaque bytes or a nested tree)."""

    target: Location | None = None
    source: Location | None = None
    source_parent: str | None = None
    target_parent: str | None = None
    meta: Meta | None = None
    data: str | bytes | Element | None = None
    more_data: bool = False

    def data_bytes(self) -> bytes:
        """The item's data as bytes (UTF-8 for text); a nested tree is an error here."""
        if self.data is None:
            return b""
        if isinstance(self.data, bytes):
            return self.data
        if isinstance(self.data, str):
            return self.data.encode("utf-8")
        raise ProtocolError("item data is a structured document where content was expected")


# --------------------------------------------------------------------------- header


@dataclass(slots=True)
class Header:
    """SyncHdr."""

    version: str
    session_id: str
    msg_id: int
    target: Location
    source: Location
    resp_uri: str | None = None
    cred: Cred | None = None
    meta: Meta | None = None
    no_resp: bool = False

    @property
    def proto(self) -> str:
        """VerProto for this version."""
        return f"SyncML/{self.version}"


# --------------------------------------------------------------------------- commands


@dataclass(slots=True)
class Status:
    """The answer to one command (or to the header, CmdRef 0)."""

    cmd_id: int
    msg_ref: int
    cmd_ref: int
    cmd: str
    code: int
    target_refs: list[str] = field(default_factory=list)
    source_refs: list[str] = field(default_factory=list)
    chal: Chal | None = None
    items: list[Item] = field(default_factory=list)


@dataclass(slots=True)
class Alert:
    """Alert: a sync mode request for a datastore, or session control (222 next message...)."""

    cmd_id: int
    code: int
    items: list[Item] = field(default_factory=list)
    no_resp: bool = False


@dataclass(slots=True)
class ItemCommand:
    """Add, Replace, Delete and Copy: one operation on one or more items."""

    name: str
    cmd_id: int
    items: list[Item] = field(default_factory=list)
    meta: Meta | None = None
    no_resp: bool = False
    archive: bool = False
    soft_delete: bool = False


@dataclass(slots=True)
class Sync:
    """Sync: the changes for one datastore pair."""

    cmd_id: int
    target: Location | None = None
    source: Location | None = None
    meta: Meta | None = None
    number_of_changes: int | None = None
    commands: list[ItemCommand | UnsupportedCommand] = field(default_factory=list)
    no_resp: bool = False


@dataclass(slots=True)
class MapItem:
    """One pairing of a server GUID (target) with a client LUID (source)."""

    target: str
    source: str


@dataclass(slots=True)
class Map:
    """Map: the client tells the server the LUIDs it gave to the server's Adds."""

    cmd_id: int
    target: Location
    source: Location
    items: list[MapItem] = field(default_factory=list)


@dataclass(slots=True)
class Put:
    """Put: the sender's device information."""

    cmd_id: int
    items: list[Item] = field(default_factory=list)
    meta: Meta | None = None
    no_resp: bool = False


@dataclass(slots=True)
class Get:
    """Get: asks for the peer's device information."""

    cmd_id: int
    items: list[Item] = field(default_factory=list)
    meta: Meta | None = None
    no_resp: bool = False


@dataclass(slots=True)
class Results:
    """Results: the answer to a Get."""

    cmd_id: int
    msg_ref: int
    cmd_ref: int
    items: list[Item] = field(default_factory=list)
    meta: Meta | None = None
    target_ref: str | None = None
    source_ref: str | None = None


@dataclass(slots=True)
class UnsupportedCommand:
    """A command this engine does not execute (Exec, Search, Atomic...): answered with 406."""

    name: str
    cmd_id: int
    no_resp: bool = False


Command: TypeAlias = (
    "Status | Alert | Sync | Map | Put | Get | Results | ItemCommand | UnsupportedCommand"
)


@dataclass(slots=True)
class Message:
    """One SyncML message: header, body commands in order, and whether it ends a package."""

    header: Header
    commands: list[Command] = field(default_factory=list)
    final: bool = False


# =========================================================================== decoding

_ITEM_COMMANDS = frozenset({"Add", "Replace", "Delete", "Copy", "Move"})
_UNSUPPORTED = frozenset({"Exec", "Search", "Atomic", "Sequence"})


def _int(text: str | None, what: str) -> int:
    if text is None:
        raise ProtocolError(f"{what} is missing")
    try:
        return int(text.strip())
    except ValueError:
        raise ProtocolError(f"{what} is not a number: {text[:40]!r}") from None


def _opt_int(text: str | None, what: str) -> int | None:
    return None if text is None or not text.strip() else _int(text, what)


def _location(el: Element | None, *, of_item: bool = False) -> Location | None:
    if el is None:
        return None
    uri = el.text_of("LocURI")
    if uri is None and of_item and el.find("LocURI") is not None:
        # An empty <LocURI/> of one item is that item's fault: it gets a status of its
        # own, and the message's other items still go through.
        uri = ""
    if uri is None:
        raise ProtocolError(f"<{el.tag}> has no <LocURI>")
    return Location(uri=uri, name=el.text_of("LocName"))


def _meta(el: Element | None) -> Meta | None:
    if el is None:
        return None
    meta = Meta()
    for child in el.children:
        _meta_field(meta, child)
    return meta


def _meta_field(meta: Meta, child: Element) -> None:
    tag = child.tag
    if tag == "MetInf":  # some encoders wrap the fields in a MetInf element
        for grandchild in child.children:
            _meta_field(meta, grandchild)
        return
    text = child.text.decode("utf-8", "replace") if isinstance(child.text, bytes) else child.text
    if tag == "Type":
        meta.type = text
    elif tag == "Format":
        meta.format = text
    elif tag == "Size":
        meta.size = _opt_int(text, "Meta/Size")
    elif tag == "MaxMsgSize":
        meta.max_msg_size = _opt_int(text, "Meta/MaxMsgSize")
    elif tag == "MaxObjSize":
        meta.max_obj_size = _opt_int(text, "Meta/MaxObjSize")
    elif tag == "Anchor":
        meta.anchor = Anchor(last=child.text_of("Last"), next=child.text_of("Next"))
    elif tag == "NextNonce":
        meta.next_nonce = text
    elif tag == "Version":
        meta.version = text
    elif tag == "Mark":
        meta.mark = text
    elif tag == "EMI" and text is not None:
        meta.emi.append(text)


def _item(el: Element) -> Item:
    data_el = el.find("Data")
    data: str | bytes | Element | None = None
    if data_el is not None:
        data = data_el.children[0] if data_el.children else data_el.text
        if data is None:
            data = ""
    source_parent = el.find("SourceParent")
    target_parent = el.find("TargetParent")
    return Item(
        target=_location(el.find("Target"), of_item=True),
        source=_location(el.find("Source"), of_item=True),
        source_parent=source_parent.text_of("LocURI") if source_parent else None,
        target_parent=target_parent.text_of("LocURI") if target_parent else None,
        meta=_meta(el.find("Meta")),
        data=data,
        more_data=el.find("MoreData") is not None,
    )


def _items(el: Element) -> list[Item]:
    return [_item(child) for child in el.children if child.tag == "Item"]


def _cmd_id(el: Element) -> int:
    return _int(el.text_of("CmdID"), f"{el.tag}/CmdID")


def _cred(el: Element | None) -> Cred | None:
    if el is None:
        return None
    meta = _meta(el.find("Meta")) or Meta()
    data_el = el.find("Data")
    data = data_el.text if data_el is not None and data_el.text is not None else ""
    return Cred(data=data, type=meta.type or "syncml:auth-basic", format=meta.format)


def decode_header(el: Element) -> Header:
    """SyncHdr element → Header; ProtocolError names the first missing required field."""
    version = el.text_of("VerDTD")
    if version is None:
        raise ProtocolError("SyncHdr has no <VerDTD>")
    session_id = el.text_of("SessionID")
    if session_id is None:
        raise ProtocolError("SyncHdr has no <SessionID>")
    target = _location(el.find("Target"))
    source = _location(el.find("Source"))
    if target is None:
        raise ProtocolError("SyncHdr has no <Target>")
    if source is None:
        raise ProtocolError("SyncHdr has no <Source>")
    return Header(
        version=version.strip(),
        session_id=session_id.strip(),
        msg_id=_int(el.text_of("MsgID"), "SyncHdr/MsgID"),
        target=target,
        source=source,
        resp_uri=el.text_of("RespURI"),
        cred=_cred(el.find("Cred")),
        meta=_meta(el.find("Meta")),
        no_resp=el.find("NoResp") is not None,
    )


def _item_command(el: Element) -> ItemCommand:
    return ItemCommand(
        name=el.tag,
        cmd_id=_cmd_id(el),
        items=_items(el),
        meta=_meta(el.find("Meta")),
        no_resp=el.find("NoResp") is not None,
        archive=el.find("Archive") is not None,
        soft_delete=el.find("SftDel") is not None,
    )


def decode_command(el: Element) -> Command:
    """One SyncBody child → its command object."""
    tag = el.tag
    no_resp = el.find("NoResp") is not None
    if tag == "Status":
        chal_el = el.find("Chal")
        return Status(
            cmd_id=_cmd_id(el),
            msg_ref=_int(el.text_of("MsgRef"), "Status/MsgRef"),
            cmd_ref=_int(el.text_of("CmdRef"), "Status/CmdRef"),
            cmd=el.text_of("Cmd") or "",
            code=_int(el.text_of("Data"), "Status/Data"),
            target_refs=[c.text for c in el.findall("TargetRef") if isinstance(c.text, str)],
            source_refs=[c.text for c in el.findall("SourceRef") if isinstance(c.text, str)],
            chal=Chal(meta=_meta(chal_el.find("Meta")) or Meta()) if chal_el else None,
            items=_items(el),
        )
    if tag == "Alert":
        return Alert(
            cmd_id=_cmd_id(el),
            code=_int(el.text_of("Data"), "Alert/Data"),
            items=_items(el),
            no_resp=no_resp,
        )
    if tag == "Sync":
        commands: list[ItemCommand | UnsupportedCommand] = []
        for child in el.children:
            if child.tag in _ITEM_COMMANDS:
                commands.append(_item_command(child))
            elif child.tag in _UNSUPPORTED:
                commands.append(UnsupportedCommand(child.tag, _cmd_id(child)))
        return Sync(
            cmd_id=_cmd_id(el),
            target=_location(el.find("Target")),
            source=_location(el.find("Source")),
            meta=_meta(el.find("Meta")),
            number_of_changes=_opt_int(el.text_of("NumberOfChanges"), "Sync/NumberOfChanges"),
            commands=commands,
            no_resp=no_resp,
        )
    if tag in _ITEM_COMMANDS:
        return _item_command(el)
    if tag == "Map":
        target = _location(el.find("Target"))
        source = _location(el.find("Source"))
        if target is None or source is None:
            raise ProtocolError("Map needs a <Target> and a <Source>")
        items = []
        for map_item in el.findall("MapItem"):
            item_target = _location(map_item.find("Target"))
            item_source = _location(map_item.find("Source"))
            if item_target is None or item_source is None:
                raise ProtocolError("MapItem needs a <Target> and a <Source>")
            items.append(MapItem(target=item_target.uri, source=item_source.uri))
        return Map(cmd_id=_cmd_id(el), target=target, source=source, items=items)
    if tag == "Put":
        return Put(_cmd_id(el), _items(el), _meta(el.find("Meta")), no_resp)
    if tag == "Get":
        return Get(_cmd_id(el), _items(el), _meta(el.find("Meta")), no_resp)
    if tag == "Results":
        return Results(
            cmd_id=_cmd_id(el),
            msg_ref=_int(el.text_of("MsgRef") or "0", "Results/MsgRef"),
            cmd_ref=_int(el.text_of("CmdRef"), "Results/CmdRef"),
            items=_items(el),
            meta=_meta(el.find("Meta")),
            target_ref=el.text_of("TargetRef"),
            source_ref=el.text_of("SourceRef"),
        )
    return UnsupportedCommand(name=tag, cmd_id=_cmd_id(el), no_resp=no_resp)


def decode_message(root: Element) -> Message:
    """Root SyncML element → Message. Raises ProtocolError for structural violations."""
    if root.tag != "SyncML":
        raise ProtocolError(f"the root element is <{root.tag}>, not <SyncML>")
    header_el = root.find("SyncHdr")
    body_el = root.find("SyncBody")
    if header_el is None:
        raise ProtocolError("the message has no <SyncHdr>")
    if body_el is None:
        raise ProtocolError("the message has no <SyncBody>")
    header = decode_header(header_el)
    commands: list[Command] = []
    final = False
    for child in body_el.children:
        if child.tag == "Final":
            final = True
        else:
            commands.append(decode_command(child))
    return Message(header=header, commands=commands, final=final)


# =========================================================================== encoding


def _el(tag: str, text: str | bytes | None = None, ns: str = "syncml") -> Element:
    return Element(tag, ns, [], text)  # type: ignore[arg-type]


def _location_el(tag: str, loc: Location) -> Element:
    el = Element(tag, "syncml", [_el("LocURI", loc.uri)])
    if loc.name is not None:
        el.children.append(_el("LocName", loc.name))
    return el


def _metinf(tag: str, text: str) -> Element:
    return Element(tag, "metinf", [], text)


def encode_meta(meta: Meta, tag: str = "Meta") -> Element:
    """Meta → element (MetInf children in DTD order)."""
    el = Element(tag, "syncml", [])
    add = el.children.append
    if meta.format is not None:
        add(_metinf("Format", meta.format))
    if meta.type is not None:
        add(_metinf("Type", meta.type))
    if meta.mark is not None:
        add(_metinf("Mark", meta.mark))
    if meta.size is not None:
        add(_metinf("Size", str(meta.size)))
    if meta.anchor is not None:
        anchor = Element("Anchor", "metinf", [])
        if meta.anchor.last is not None:
            anchor.children.append(_metinf("Last", meta.anchor.last))
        if meta.anchor.next is not None:
            anchor.children.append(_metinf("Next", meta.anchor.next))
        add(anchor)
    if meta.version is not None:
        add(_metinf("Version", meta.version))
    if meta.next_nonce is not None:
        add(_metinf("NextNonce", meta.next_nonce))
    if meta.max_msg_size is not None:
        add(_metinf("MaxMsgSize", str(meta.max_msg_size)))
    if meta.max_obj_size is not None:
        add(_metinf("MaxObjSize", str(meta.max_obj_size)))
    for emi in meta.emi:
        add(_metinf("EMI", emi))
    return el


def encode_item(item: Item) -> Element:
    """Item → element."""
    el = Element("Item", "syncml", [])
    add = el.children.append
    if item.target is not None:
        add(_location_el("Target", item.target))
    if item.source is not None:
        add(_location_el("Source", item.source))
    if item.source_parent is not None:
        add(Element("SourceParent", "syncml", [_el("LocURI", item.source_parent)]))
    if item.target_parent is not None:
        add(Element("TargetParent", "syncml", [_el("LocURI", item.target_parent)]))
    if item.meta is not None and not item.meta.is_empty():
        add(encode_meta(item.meta))
    if item.data is not None:
        if isinstance(item.data, Element):
            add(Element("Data", "syncml", [item.data]))
        else:
            add(_el("Data", item.data))
    if item.more_data:
        add(_el("MoreData"))
    return el


def _common(el: Element, cmd_id: int, no_resp: bool) -> None:
    el.children.append(_el("CmdID", str(cmd_id)))
    if no_resp:
        el.children.append(_el("NoResp"))


def encode_command(cmd: Command) -> Element:
    """A command object → its element."""
    if isinstance(cmd, Status):
        el = Element("Status", "syncml", [])
        add = el.children.append
        add(_el("CmdID", str(cmd.cmd_id)))
        add(_el("MsgRef", str(cmd.msg_ref)))
        add(_el("CmdRef", str(cmd.cmd_ref)))
        add(_el("Cmd", cmd.cmd))
        for ref in cmd.target_refs:
            add(_el("TargetRef", ref))
        for ref in cmd.source_refs:
            add(_el("SourceRef", ref))
        if cmd.chal is not None:
            add(Element("Chal", "syncml", [encode_meta(cmd.chal.meta)]))
        add(_el("Data", str(cmd.code)))
        el.children.extend(encode_item(item) for item in cmd.items)
        return el
    if isinstance(cmd, Alert):
        el = Element("Alert", "syncml", [])
        _common(el, cmd.cmd_id, cmd.no_resp)
        el.children.append(_el("Data", str(cmd.code)))
        el.children.extend(encode_item(item) for item in cmd.items)
        return el
    if isinstance(cmd, ItemCommand):
        el = Element(cmd.name, "syncml", [])
        _common(el, cmd.cmd_id, cmd.no_resp)
        if cmd.archive:
            el.children.append(_el("Archive"))
        if cmd.soft_delete:
            el.children.append(_el("SftDel"))
        if cmd.meta is not None and not cmd.meta.is_empty():
            el.children.append(encode_meta(cmd.meta))
        el.children.extend(encode_item(item) for item in cmd.items)
        return el
    if isinstance(cmd, Sync):
        el = encode_sync_open(cmd)
        el.children.extend(encode_command(sub) for sub in cmd.commands)
        return el
    if isinstance(cmd, Map):
        el = Element("Map", "syncml", [_el("CmdID", str(cmd.cmd_id))])
        el.children.append(_location_el("Target", cmd.target))
        el.children.append(_location_el("Source", cmd.source))
        for map_item in cmd.items:
            el.children.append(
                Element("MapItem", "syncml", [
                    _location_el("Target", Location(map_item.target)),
                    _location_el("Source", Location(map_item.source)),
                ])
            )
        return el
    if isinstance(cmd, Put | Get):
        el = Element(type(cmd).__name__, "syncml", [])
        _common(el, cmd.cmd_id, cmd.no_resp)
        if cmd.meta is not None and not cmd.meta.is_empty():
            el.children.append(encode_meta(cmd.meta))
        el.children.extend(encode_item(item) for item in cmd.items)
        return el
    if isinstance(cmd, Results):
        el = Element("Results", "syncml", [])
        add = el.children.append
        add(_el("CmdID", str(cmd.cmd_id)))
        add(_el("MsgRef", str(cmd.msg_ref)))
        add(_el("CmdRef", str(cmd.cmd_ref)))
        if cmd.meta is not None and not cmd.meta.is_empty():
            add(encode_meta(cmd.meta))
        if cmd.target_ref is not None:
            add(_el("TargetRef", cmd.target_ref))
        if cmd.source_ref is not None:
            add(_el("SourceRef", cmd.source_ref))
        el.children.extend(encode_item(item) for item in cmd.items)
        return el
    el = Element(cmd.name, "syncml", [])
    _common(el, cmd.cmd_id, cmd.no_resp)
    return el


def encode_sync_open(cmd: Sync) -> Element:
    """A Sync element with its own fields but none of its item commands."""
    el = Element("Sync", "syncml", [])
    _common(el, cmd.cmd_id, cmd.no_resp)
    if cmd.target is not None:
        el.children.append(_location_el("Target", cmd.target))
    if cmd.source is not None:
        el.children.append(_location_el("Source", cmd.source))
    if cmd.meta is not None and not cmd.meta.is_empty():
        el.children.append(encode_meta(cmd.meta))
    if cmd.number_of_changes is not None:
        el.children.append(_el("NumberOfChanges", str(cmd.number_of_changes)))
    return el


def encode_header(header: Header) -> Element:
    """Header → SyncHdr element."""
    el = Element("SyncHdr", "syncml", [
        _el("VerDTD", header.version),
        _el("VerProto", header.proto),
        _el("SessionID", header.session_id),
        _el("MsgID", str(header.msg_id)),
        _location_el("Target", header.target),
        _location_el("Source", header.source),
    ])
    if header.resp_uri is not None:
        el.children.append(_el("RespURI", header.resp_uri))
    if header.no_resp:
        el.children.append(_el("NoResp"))
    if header.cred is not None:
        cred_meta = Meta(type=header.cred.type, format=header.cred.format)
        el.children.append(
            Element("Cred", "syncml", [encode_meta(cred_meta), _el("Data", header.cred.data)])
        )
    if header.meta is not None and not header.meta.is_empty():
        el.children.append(encode_meta(header.meta))
    return el


def encode_message(message: Message) -> Element:
    """Message → root SyncML element."""
    body = Element("SyncBody", "syncml", [encode_command(cmd) for cmd in message.commands])
    if message.final:
        body.children.append(_el("Final"))
    return Element("SyncML", "syncml", [encode_header(message.header), body])
