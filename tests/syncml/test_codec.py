"""The codec front: format choice, version handling, cross-format equivalence, sizes."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncml import codec
from syncml._tree import Element
from syncml.errors import DecodeError, EncodeError

from .codec_samples import (
    FUZZ_SETTINGS,
    TREE_SETTINGS,
    WBXML_CAPTURES,
    XML_CAPTURES,
    at,
    capture,
    capture_id,
    leaf,
    messages,
    node,
)

WBXML_REQUEST = "1-wbxml-md5-slow-sync-up/01-request.wbxml"
XML_REQUEST = "3-xml-slow-sync-down/01-request.xml"


def as_text(element: Element) -> Element:
    """The tree with opaque bytes turned into text, as an XML round trip turns them."""
    text = element.text.decode() if isinstance(element.text, bytes) else element.text
    return Element(element.tag, element.ns, [as_text(c) for c in element.children], text)


def message_with(*commands: Element, version: str = "1.2") -> Element:
    header = node("SyncHdr", leaf("VerDTD", version), leaf("MsgID", "1"))
    return node("SyncML", header, node("SyncBody", *commands))


# --- choosing the format -------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.syncml+wbxml",
        "application/vnd.syncml+wbxml; charset=UTF-8",
        "Application/VND.SyncML+WBXML",
        None,
        "",
        "application/octet-stream",
    ],
)
def test_wbxml_by_content_type_or_sniffing(content_type: str | None) -> None:
    root = codec.decode(capture(WBXML_REQUEST), content_type)
    assert at(root, "SyncHdr", "VerDTD").text == "1.2"


@pytest.mark.parametrize(
    "content_type",
    ["application/vnd.syncml+xml", "application/vnd.syncml+xml;charset=utf-8", None, "text/x"],
)
def test_xml_by_content_type_or_sniffing(content_type: str | None) -> None:
    root = codec.decode(capture(XML_REQUEST), content_type)
    assert at(root, "SyncHdr", "VerDTD").text == "1.2"


@pytest.mark.parametrize("prefix", [b" \r\n", b"\xef\xbb\xbf"], ids=["blank", "bom"])
def test_sniffing_skips_leading_blanks_and_a_byte_order_mark(prefix: bytes) -> None:
    body = prefix + capture(XML_REQUEST)
    assert codec.decode(body, None) == codec.decode(capture(XML_REQUEST), None)


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        (b"", None, "empty"),
        (b"  \n", "application/json", "empty"),
        (b"\x05\x06", None, "cannot tell XML from WBXML.*0x05"),
        (capture(WBXML_REQUEST), "application/vnd.syncml+xml", "not well-formed XML"),
        (capture(XML_REQUEST), "application/vnd.syncml+wbxml", "WBXML version"),
        (
            b"<DevInf xmlns='syncml:devinf'/>",
            None,
            "not a SyncML document: root element is <DevInf>",
        ),
        (
            bytes.fromhex("02 A4 03 6A 00 0A"),
            None,
            "not a SyncML document: root element is <DevInf>",
        ),
    ],
)
def test_undecodable_bodies_raise_decode_error(
    body: bytes, content_type: str | None, text: str
) -> None:
    with pytest.raises(DecodeError, match=text):
        codec.decode(body, content_type)


@FUZZ_SETTINGS
@given(
    st.binary(max_size=200),
    st.sampled_from([None, codec.CONTENT_TYPE_XML, codec.CONTENT_TYPE_WBXML, "text/plain"]),
)
def test_random_bodies_raise_only_decode_error(body: bytes, content_type: str | None) -> None:
    with contextlib.suppress(DecodeError):
        codec.decode(body, content_type)


# --- versions ------------------------------------------------------------------------


def test_encode_takes_the_version_from_verdtd() -> None:
    assert codec.encode(message_with(version="1.1"), wbxml=True).startswith(
        bytes.fromhex("02 9F 53 6A 00 6D")
    )
    assert codec.encode(message_with(version="1.2"), wbxml=True).startswith(
        bytes.fromhex("02 A4 01 6A 00 6D")
    )
    assert b"<SyncML xmlns='SYNCML:SYNCML1.1'>" in codec.encode(
        message_with(version="1.1"), wbxml=False
    )


def test_version_defaults_to_12_without_verdtd() -> None:
    root = node("SyncML", node("SyncBody", leaf("Final")))
    assert codec.version_of(root) == "1.2"
    assert b"SYNCML:SYNCML1.2" in codec.encode(root, wbxml=False)


@pytest.mark.parametrize(
    ("root", "text"),
    [
        (message_with(version="1.0"), "version '1.0'"),
        (node("DevInf", ns="devinf"), "not a SyncML message"),
    ],
)
def test_encode_refuses_what_it_cannot_write(root: Element, text: str) -> None:
    for wbxml in (True, False):
        with pytest.raises(EncodeError, match=text):
            codec.encode(root, wbxml=wbxml)


@TREE_SETTINGS
@given(st.sampled_from(["1.1", "1.2"]), st.booleans(), st.data())
def test_random_messages_round_trip(version: str, wbxml: bool, data: st.DataObject) -> None:
    root = data.draw(messages(version, xml=not wbxml, binary=wbxml))
    content_type = codec.CONTENT_TYPE_WBXML if wbxml else codec.CONTENT_TYPE_XML
    assert codec.decode(codec.encode(root, wbxml=wbxml), content_type) == root


# --- XML and WBXML carry the same trees ----------------------------------------------


@pytest.mark.parametrize("path", WBXML_CAPTURES + XML_CAPTURES, ids=capture_id)
def test_each_capture_survives_a_trip_through_the_other_format(path: Path) -> None:
    root = codec.decode(path.read_bytes(), None)
    wbxml = path.suffix == ".wbxml"
    other = codec.decode(codec.encode(root, wbxml=not wbxml), None)
    assert other == as_text(root)


# Leaves whose values belong to one session (ports, device IDs, anchors, nonces) or to the
# wire format (the DevInf MIME type); everything else must be the same.
SESSION_LEAVES = {
    "LocURI",
    "RespURI",
    "TargetRef",
    "SourceRef",
    "DevID",
    "Next",
    "NextNonce",
    "Type",
    "CmdRef",
}


def differences(a: Element, b: Element, path: str = "") -> list[str]:
    here = f"{path}/{a.tag}"
    if (a.tag, a.ns, len(a.children)) != (b.tag, b.ns, len(b.children)):
        return [f"structure differs at {here}"]
    found = [here] if a.text != b.text else []
    for x, y in zip(a.children, b.children, strict=True):
        found += differences(x, y, here)
    return found


@pytest.mark.parametrize(
    ("wbxml_name", "xml_name"),
    [
        (WBXML_REQUEST, XML_REQUEST),
        (
            "1-wbxml-md5-slow-sync-up/01-response-200.wbxml",
            "3-xml-slow-sync-down/01-response-200.xml",
        ),
        (
            "5-wbxml-small-maxmsgsize-large-object/04-request.wbxml",
            "7-xml-small-maxmsgsize-large-object-down/01-request.xml",
        ),
        (
            "2-wbxml-two-way-add-modify-delete/03-request.wbxml",
            "4-xml-basic-auth-two-way-nothing/03-request.xml",
        ),
    ],
)
def test_wbxml_and_xml_captures_of_the_same_kind_decode_alike(
    wbxml_name: str, xml_name: str
) -> None:
    from_wbxml = codec.decode(capture(wbxml_name), codec.CONTENT_TYPE_WBXML)
    from_xml = codec.decode(capture(xml_name), codec.CONTENT_TYPE_XML)
    found = differences(from_wbxml, from_xml)
    assert {path.rsplit("/", 1)[-1] for path in found} <= SESSION_LEAVES, found


def test_devinf_from_wbxml_and_xml_is_the_same_tree() -> None:
    def devinf(name: str) -> Element:
        root = codec.decode(capture(name), None)
        found = at(root, "SyncBody", "Put", "Item", "Data", "DevInf")
        at(found, "DevID").text = "device"
        return found

    assert devinf(WBXML_REQUEST) == devinf(XML_REQUEST)
    assert len(devinf(XML_REQUEST).children) == 13


# --- encoded_size --------------------------------------------------------------------


@pytest.mark.parametrize("path", WBXML_CAPTURES + XML_CAPTURES, ids=capture_id)
@pytest.mark.parametrize("wbxml", [True, False], ids=["wbxml", "xml"])
def test_encoded_size_adds_up_like_the_engine_fills_a_message(path: Path, wbxml: bool) -> None:
    # The engine measures a message holding only Final, then adds commands while they fit.
    root = codec.decode(path.read_bytes(), None)
    body = at(root, "SyncBody")
    commands = [c for c in body.children if c.tag != "Final"]
    body.children = [leaf("Final")]
    expected = len(codec.encode(root, wbxml=wbxml))
    for count, command in enumerate(commands, start=1):
        expected += codec.encoded_size(command, wbxml=wbxml, version="1.2")
        body.children = [*commands[:count], leaf("Final")]
        assert len(codec.encode(root, wbxml=wbxml)) == expected, command.tag


def test_encoded_size_of_an_add_with_items() -> None:
    add = node(
        "Add",
        leaf("CmdID", "4"),
        node("Meta", leaf("Type", "text/calendar", ns="metinf")),
        node("Item", node("Source", leaf("LocURI", "17")), leaf("Data", "BEGIN:VCALENDAR\r\nü")),
        node("Item", node("Source", leaf("LocURI", "18")), leaf("Data", b"BEGIN:VCALENDAR\r\n")),
    )
    for wbxml in (True, False):
        with_add = len(codec.encode(message_with(add, leaf("Final")), wbxml=wbxml))
        without = len(codec.encode(message_with(leaf("Final")), wbxml=wbxml))
        assert codec.encoded_size(add, wbxml=wbxml, version="1.2") == with_add - without


def test_encoded_size_counts_the_switch_back_from_metinf() -> None:
    alert = node(
        "Alert",
        leaf("CmdID", "1"),
        leaf("Data", "200"),
        node("Item", node("Meta", node("Anchor", leaf("Next", "1", ns="metinf"), ns="metinf"))),
    )
    with_alert = len(codec.encode(message_with(alert, leaf("Final")), wbxml=True))
    without = len(codec.encode(message_with(leaf("Final")), wbxml=True))
    assert codec.encoded_size(alert, wbxml=True, version="1.2") == with_alert - without


def test_encoded_size_refuses_unknown_versions() -> None:
    with pytest.raises(EncodeError, match="version"):
        codec.encoded_size(leaf("Final"), wbxml=True, version="2.0")
