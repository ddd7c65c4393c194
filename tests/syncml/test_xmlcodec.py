"""XML reader and writer: real captures, namespace tolerance, safety, escaping, round trips."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncml import xmlcodec
from syncml._tree import Element
from syncml.errors import DecodeError, EncodeError, UnsupportedVersion

from .codec_samples import (
    FUZZ_SETTINGS,
    PRETTY_CAPTURES,
    TREE_SETTINGS,
    XML_CAPTURES,
    at,
    capture,
    capture_id,
    devinf_trees,
    leaf,
    node,
    syncml_trees,
    walk,
)

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


def message(body: str, namespace: str = "SYNCML:SYNCML1.2") -> bytes:
    ns = f" xmlns='{namespace}'" if namespace else ""
    return f"<SyncML{ns}>{body}</SyncML>".encode()


# --- real captures -------------------------------------------------------------------


@pytest.mark.parametrize("path", XML_CAPTURES, ids=capture_id)
def test_every_capture_decodes_and_round_trips(path: Path) -> None:
    root = xmlcodec.decode(path.read_bytes())
    assert (root.tag, root.ns) == ("SyncML", "syncml")
    assert at(root, "SyncHdr", "VerDTD").text == "1.2"
    assert xmlcodec.decode(xmlcodec.encode(root, version="1.2")) == root


# libsynthesis writes item data as CDATA where we escape; apart from that, byte-identical.
@pytest.mark.parametrize(
    "path", [p for p in XML_CAPTURES if b"<![CDATA[" not in p.read_bytes()], ids=capture_id
)
def test_captures_without_item_data_re_encode_to_the_same_bytes(path: Path) -> None:
    data = path.read_bytes()
    assert xmlcodec.encode(xmlcodec.decode(data), version="1.2") == data


@pytest.mark.parametrize("path", PRETTY_CAPTURES, ids=capture_id)
def test_pretty_printed_captures_decode_like_the_compact_ones(path: Path) -> None:
    compact = path.with_name(path.name.replace(".pretty.xml", ".xml"))
    assert xmlcodec.decode(path.read_bytes()) == xmlcodec.decode(compact.read_bytes())


def test_inline_devinf_is_a_devinf_child_of_data() -> None:
    root = xmlcodec.decode(capture("3-xml-slow-sync-down/01-request.xml"))
    data = at(root, "SyncBody", "Put", "Item", "Data")
    (devinf,) = data.children
    assert (devinf.tag, devinf.ns) == ("DevInf", "devinf")
    assert devinf.text_of("Mod") == "SyncEvolution"
    assert all(e.ns == "devinf" for e in walk(devinf))
    assert at(devinf, "UTC").text is None


def test_metinf_elements_are_in_the_metinf_vocabulary() -> None:
    root = xmlcodec.decode(capture("3-xml-slow-sync-down/01-request.xml"))
    cred_meta = at(root, "SyncHdr", "Cred", "Meta")
    assert [(e.tag, e.ns, e.text) for e in cred_meta.children] == [
        ("Format", "metinf", "b64"),
        ("Type", "metinf", "syncml:auth-md5"),
    ]


def test_cdata_item_data_is_text_with_xml_line_ends() -> None:
    root = xmlcodec.decode(capture("3-xml-slow-sync-down/02-response-200.xml"))
    data = at(root, "SyncBody", "Sync", "Add", "Item", "Data")
    assert isinstance(data.text, str)
    assert data.text.startswith("BEGIN:VCALENDAR\nVERSION:2.0\n")


# --- namespaces and versions ---------------------------------------------------------


def test_namespace_case_does_not_matter() -> None:
    body = "<SyncHdr><Meta><Type xmlns='SyncML:MetInf'>x</Type></Meta></SyncHdr>"
    root = xmlcodec.decode(message(body, "syncml:syncml1.2"))
    assert at(root, "SyncHdr", "Meta", "Type").ns == "metinf"


def test_syncml_11_namespace() -> None:
    root = xmlcodec.decode(message("<SyncHdr><VerDTD>1.1</VerDTD></SyncHdr>", "SYNCML:SYNCML1.1"))
    assert at(root, "SyncHdr", "VerDTD").text == "1.1"


def test_missing_namespace_is_accepted_when_verdtd_names_a_version() -> None:
    root = xmlcodec.decode(message("<SyncHdr><VerDTD>1.1</VerDTD></SyncHdr><SyncBody/>", ""))
    assert root == node("SyncML", node("SyncHdr", leaf("VerDTD", "1.1")), leaf("SyncBody"))


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (message("<SyncHdr/>", ""), "no SyncHdr/VerDTD"),
        (message("<SyncHdr><VerDTD>1.0</VerDTD></SyncHdr>", ""), "VerDTD '1.0'"),
        (message("<SyncHdr/>", "SYNCML:SYNCML1.0"), "SYNCML:SYNCML1.0"),
    ],
)
def test_versions_we_do_not_speak_raise_unsupported_version(data: bytes, text: str) -> None:
    with pytest.raises(UnsupportedVersion, match=text):
        xmlcodec.decode(data)


def test_metinf_without_its_namespace_is_read_as_metinf() -> None:
    body = "<SyncBody><Alert><Item><Meta><Anchor><Last>1</Last></Anchor></Meta></Item></Alert>"
    root = xmlcodec.decode(message(body + "</SyncBody>"))
    anchor = at(root, "SyncBody", "Alert", "Item", "Meta", "Anchor")
    assert (anchor.ns, anchor.children[0].ns) == ("metinf", "metinf")


def test_devinf_without_namespace_in_an_unqualified_message() -> None:
    body = "<SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody><Put><Item><Data><DevInf>"
    body += "<Man>M</Man></DevInf></Data></Item></Put></SyncBody>"
    root = xmlcodec.decode(message(body, ""))
    devinf = at(root, "SyncBody", "Put", "Item", "Data", "DevInf")
    assert devinf == node("DevInf", leaf("Man", "M", ns="devinf"), ns="devinf")


def test_a_devinf_document_decodes_on_its_own() -> None:
    root = xmlcodec.decode(b"<DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD></DevInf>")
    assert root == node("DevInf", leaf("VerDTD", "1.2", ns="devinf"), ns="devinf")


# --- malformed and hostile input -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", "not well-formed"),
        (b"<SyncML xmlns='SYNCML:SYNCML1.2'>", "not well-formed"),
        (b"<foo/>", "root element is <foo>"),
        (b"<SyncML xmlns='urn:other'/>", "root element is <SyncML> in namespace 'urn:other'"),
        (message("<Bogus/>"), "unknown element <Bogus> in the syncml vocabulary"),
        (message("<Meta><Foo xmlns='syncml:metinf'/></Meta>"), "unknown element <Foo>"),
        (message("<x:Cmd xmlns:x='urn:x'/>"), "unknown namespace 'urn:x'"),
        (message("text<SyncHdr/>"), "mixes child elements and text"),
        (message("<SyncHdr/>tail"), "mixes child elements and text"),
        (b'<?xml version="1.0" encoding="klingon"?><SyncML/>', "XML"),
        (
            b"<!DOCTYPE SyncML PUBLIC '-//SYNCML//DTD SyncML 1.2//EN' 'x.dtd'>"
            b"<SyncML xmlns='SYNCML:SYNCML1.2'/>",
            "DTD",
        ),
        (
            b"<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]>"
            b"<SyncML xmlns='SYNCML:SYNCML1.2'><Data>&b;</Data></SyncML>",
            "DTD",
        ),
    ],
)
def test_malformed_input_raises_a_clear_decode_error(data: bytes, text: str) -> None:
    with pytest.raises(DecodeError, match=text):
        xmlcodec.decode(data)


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    deep = b"<Sequence>" * 100_000 + b"</Sequence>" * 100_000
    with pytest.raises(DecodeError, match="deeper than 64"):
        xmlcodec.decode(message(deep.decode()))


@FUZZ_SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_decode_error(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        xmlcodec.decode(data)


@FUZZ_SETTINGS
@given(st.text(st.sampled_from("<>/='\"!?[]&;# xSyncMLHdrCDATAmetinfdevDataxmlns:"), max_size=80))
def test_random_markup_raises_only_decode_error(text: str) -> None:
    with contextlib.suppress(DecodeError):
        xmlcodec.decode(text.encode())


@FUZZ_SETTINGS
@given(st.sampled_from(XML_CAPTURES), st.data())
def test_truncated_captures_raise_decode_error(path: Path, data: st.DataObject) -> None:
    body = path.read_bytes().rstrip()
    end = data.draw(st.integers(0, len(body) - 1))
    with pytest.raises(DecodeError):
        xmlcodec.decode(body[:end])


@FUZZ_SETTINGS
@given(st.sampled_from(XML_CAPTURES), st.data())
def test_bit_flipped_captures_raise_only_decode_error(path: Path, data: st.DataObject) -> None:
    body = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(body) - 1))
        body[position] ^= 1 << data.draw(st.integers(0, 7))
    with contextlib.suppress(DecodeError):
        xmlcodec.decode(bytes(body))


# --- writer --------------------------------------------------------------------------


def test_writer_style_follows_the_captures() -> None:
    root = node(
        "SyncML",
        node("SyncHdr", leaf("VerDTD", "1.1"), node("Meta", leaf("MaxMsgSize", "1", ns="metinf"))),
        node("SyncBody", node("Results", node("Data", node("DevInf", ns="devinf"))), leaf("Final")),
    )
    assert xmlcodec.encode(root, version="1.1") == DECLARATION + (
        b"<SyncML xmlns='SYNCML:SYNCML1.1'><SyncHdr><VerDTD>1.1</VerDTD><Meta>"
        b"<MaxMsgSize xmlns='syncml:metinf'>1</MaxMsgSize></Meta></SyncHdr><SyncBody><Results>"
        b"<Data><DevInf xmlns='syncml:devinf'/></Data></Results><Final/></SyncBody></SyncML>"
    )


def test_text_is_escaped_and_carriage_returns_survive() -> None:
    text = "a & b < c > d ]]> e\r\nf\t'\"ü"
    root = node("SyncML", leaf("Data", text))
    encoded = xmlcodec.encode(root)
    assert b"a &amp; b &lt; c &gt; d ]]&gt; e&#13;\nf\t'\"\xc3\xbc" in encoded
    assert xmlcodec.decode(encoded) == root


def test_utf8_opaque_data_is_written_as_text() -> None:
    root = node("SyncML", leaf("Data", "BEGIN:VCARD\r\nü".encode()))
    assert xmlcodec.decode(xmlcodec.encode(root)) == node(
        "SyncML", leaf("Data", "BEGIN:VCARD\r\nü")
    )


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (node("SyncML", leaf("Data", b"\x93\xff")), "not UTF-8 text"),
        (node("SyncML", leaf("Data", "a\x00b")), "U\\+0000"),
        (node("SyncML", leaf("Data", "\x1b[0m")), "U\\+001B"),
        (node("SyncML", leaf("Data", "\ud800")), "U\\+D800"),
        (node("SyncML", leaf("Bogus")), "unknown syncml tag <Bogus>"),
        (node("SyncML", Element("Data", "syncml", [leaf("Final")], "x")), "both child elements"),
    ],
)
def test_unwritable_trees_raise_encode_error(tree: Element, text: str) -> None:
    with pytest.raises(EncodeError, match=text):
        xmlcodec.encode(tree)


def test_too_deep_trees_raise_encode_error() -> None:
    deep = leaf("Final")
    for _ in range(200):
        deep = node("Sequence", deep)
    with pytest.raises(EncodeError, match="deeper than 64"):
        xmlcodec.encode(node("SyncML", deep))


# --- round trips and sizes -------------------------------------------------------------


@TREE_SETTINGS
@given(st.sampled_from(["1.1", "1.2"]), st.data())
def test_random_trees_round_trip(version: str, data: st.DataObject) -> None:
    root = data.draw(syncml_trees(version, xml=True))
    assert xmlcodec.decode(xmlcodec.encode(root, version=version)) == root


@TREE_SETTINGS
@given(st.sampled_from(["1.1", "1.2"]), st.data())
def test_random_devinf_documents_round_trip(version: str, data: st.DataObject) -> None:
    root = data.draw(devinf_trees(version, xml=True))
    assert xmlcodec.decode(xmlcodec.encode(root, version=version)) == root


@TREE_SETTINGS
@given(st.sampled_from(["1.1", "1.2"]), st.data())
def test_element_size_matches_the_bytes_written(version: str, data: st.DataObject) -> None:
    tree = data.draw(syncml_trees(version, xml=True))
    empty = xmlcodec.encode(node("SyncML", node("SyncBody", leaf("Final"))), version=version)
    for command in tree.children:
        full = node("SyncML", node("SyncBody", command, leaf("Final")))
        added = len(xmlcodec.encode(full, version=version)) - len(empty)
        assert xmlcodec.element_size(command, version=version) == added
