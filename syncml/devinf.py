"""Device information (DevInf): what a peer tells about itself and its datastores."""

from __future__ import annotations

from dataclasses import dataclass, field

from syncml._tree import Element

DEVINF_XML = "application/vnd.syncml-devinf+xml"
DEVINF_WBXML = "application/vnd.syncml-devinf+wbxml"


def devinf_uri(version: str) -> str:
    """The LocURI of the DevInf document for a SyncML version (./devinf12, ./devinf11)."""
    return "./devinf" + version.replace(".", "")


@dataclass(slots=True)
class ContentType:
    """A content type and its version, as in Rx/Tx/Rx-Pref/Tx-Pref."""

    type: str
    version: str = ""


@dataclass(slots=True)
class DataStore:
    """One datastore of a device."""

    source_ref: str
    display_name: str | None = None
    max_guid_size: int | None = None
    rx_pref: ContentType | None = None
    rx: list[ContentType] = field(default_factory=list)
    tx_pref: ContentType | None = None
    tx: list[ContentType] = field(default_factory=list)
    sync_types: list[int] = field(default_factory=list)


@dataclass(slots=True)
class DevInf:
    """A device's information document."""

    ver_dtd: str = "1.2"
    man: str | None = None
    mod: str | None = None
    oem: str | None = None
    fw_v: str | None = None
    sw_v: str | None = None
    hw_v: str | None = None
    dev_id: str = ""
    dev_type: str = "workstation"
    utc: bool = False
    large_objects: bool = False
    number_of_changes: bool = False
    datastores: list[DataStore] = field(default_factory=list)


def _content_type(el: Element | None) -> ContentType | None:
    if el is None:
        return None
    return ContentType(el.text_of("CTType") or "", el.text_of("VerCT") or "")


def parse_devinf(el: Element) -> DevInf:
    """DevInf element → DevInf; tolerant: unknown or malformed parts are skipped."""
    info = DevInf(
        ver_dtd=el.text_of("VerDTD") or "1.2",
        man=el.text_of("Man"),
        mod=el.text_of("Mod"),
        oem=el.text_of("OEM"),
        fw_v=el.text_of("FwV"),
        sw_v=el.text_of("SwV"),
        hw_v=el.text_of("HwV"),
        dev_id=el.text_of("DevID") or "",
        dev_type=el.text_of("DevTyp") or "",
        utc=el.find("UTC") is not None,
        large_objects=el.find("SupportLargeObjs") is not None,
        number_of_changes=el.find("SupportNumberOfChanges") is not None,
    )
    for ds_el in el.findall("DataStore"):
        max_guid = ds_el.text_of("MaxGUIDSize")
        sync_types = []
        sync_cap = ds_el.find("SyncCap")
        for st in sync_cap.findall("SyncType") if sync_cap else []:
            text = st.text if isinstance(st.text, str) else ""
            if text.strip().isdigit():
                sync_types.append(int(text))
        info.datastores.append(
            DataStore(
                source_ref=ds_el.text_of("SourceRef") or "",
                display_name=ds_el.text_of("DisplayName"),
                max_guid_size=int(max_guid) if max_guid and max_guid.isdigit() else None,
                rx_pref=_content_type(ds_el.find("Rx-Pref")),
                rx=[ct for ct in map(_content_type, ds_el.findall("Rx")) if ct],
                tx_pref=_content_type(ds_el.find("Tx-Pref")),
                tx=[ct for ct in map(_content_type, ds_el.findall("Tx")) if ct],
                sync_types=sync_types,
            )
        )
    return info


def _d(tag: str, text: str | None = None) -> Element:
    return Element(tag, "devinf", [], text)


def _ct(tag: str, ct: ContentType) -> Element:
    return Element(tag, "devinf", [_d("CTType", ct.type), _d("VerCT", ct.version)])


def build_devinf(info: DevInf) -> Element:
    """DevInf → element, children in DTD order."""
    el = Element("DevInf", "devinf", [_d("VerDTD", info.ver_dtd)])
    add = el.children.append
    for tag, value in (("Man", info.man), ("Mod", info.mod), ("OEM", info.oem),
                       ("FwV", info.fw_v), ("SwV", info.sw_v), ("HwV", info.hw_v)):
        if value is not None:
            add(_d(tag, value))
    add(_d("DevID", info.dev_id))
    add(_d("DevTyp", info.dev_type))
    if info.utc:
        add(_d("UTC"))
    if info.number_of_changes:
        add(_d("SupportNumberOfChanges"))
    if info.large_objects:
        add(_d("SupportLargeObjs"))
    for ds in info.datastores:
        ds_el = Element("DataStore", "devinf", [_d("SourceRef", ds.source_ref)])
        if ds.display_name is not None:
            ds_el.children.append(_d("DisplayName", ds.display_name))
        if ds.max_guid_size is not None:
            ds_el.children.append(_d("MaxGUIDSize", str(ds.max_guid_size)))
        if ds.rx_pref:
            ds_el.children.append(_ct("Rx-Pref", ds.rx_pref))
        ds_el.children.extend(_ct("Rx", ct) for ct in ds.rx)
        if ds.tx_pref:
            ds_el.children.append(_ct("Tx-Pref", ds.tx_pref))
        ds_el.children.extend(_ct("Tx", ct) for ct in ds.tx)
        if ds.sync_types:
            ds_el.children.append(
                Element("SyncCap", "devinf", [_d("SyncType", str(t)) for t in ds.sync_types])
            )
        add(ds_el)
    return el
