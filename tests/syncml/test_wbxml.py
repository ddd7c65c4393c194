"""WBXML reader and writer: real captures, encoder variants, malformed input, round trips."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncml import wbxml
from syncml._tree import Element
from syncml.errors import DecodeError, EncodeError, UnsupportedVersion

from .codec_samples import (
    FUZZ_SETTINGS,
    TREE_SETTINGS,
    WBXML_CAPTURES,
    at,
    capture,
    capture_id,
    devinf_trees,
    leaf,
    node,
    syncml_trees,
    walk,
)

HEADER_12 = bytes.fromhex("02 A4 01 6A 00")
HEADER_11 = bytes.fromhex("02 9F 53 6A 00")


def small_message(version: str = "1.2") -> Element:
    return node(
        "SyncML",
        node(
            "SyncHdr",
            leaf("VerDTD", version),
            node("Meta", leaf("MaxMsgSize", "150000", ns="metinf")),
        ),
        node("SyncBody", leaf("Final")),
    )


# --- real captures -------------------------------------------------------------------


@pytest.mark.parametrize("path", WBXML_CAPTURES, ids=capture_id)
def test_every_capture_decodes_to_a_syncml_tree(path: Path) -> None:
    root = wbxml.decode(path.read_bytes())
    assert (root.tag, root.ns) == ("SyncML", "syncml")
    assert at(root, "SyncHdr", "VerDTD").text == "1.2"
    assert root.find("SyncBody") is not None


@pytest.mark.parametrize("path", WBXML_CAPTURES, ids=capture_id)
def test_every_capture_re_encodes_to_the_same_bytes(path: Path) -> None:
    # Our writer follows libsynthesis byte for byte, opaque item data included.
    data = path.read_bytes()
    root = wbxml.decode(data)
    assert wbxml.encode(root, version="1.2") == data
    assert wbxml.decode(wbxml.encode(root, version="1.2")) == root


def test_nested_devinf_becomes_a_devinf_child_of_data() -> None:
    root = wbxml.decode(capture("1-wbxml-md5-slow-sync-up/01-request.wbxml"))
    put = at(root, "SyncBody", "Put")
    assert at(put, "Meta", "Type").text == "application/vnd.syncml-devinf+wbxml"
    data = at(put, "Item", "Data")
    assert data.text is None
    (devinf,) = data.children
    assert (devinf.tag, devinf.ns) == ("DevInf", "devinf")
    assert devinf.text_of("Man") == "Patrick Ohly"
    assert devinf.text_of("DevTyp") == "workstation"
    assert [e.tag for e in devinf.children[9:12]] == [
        "UTC",
        "SupportNumberOfChanges",
        "SupportLargeObjs",
    ]
    assert all(e.ns == "devinf" for e in walk(devinf))
    assert at(devinf, "DataStore").text_of("SourceRef") == "./todo"


def test_item_data_sent_as_opaque_stays_bytes() -> None:
    root = wbxml.decode(capture("2-wbxml-two-way-add-modify-delete/02-request.wbxml"))
    data = at(root, "SyncBody", "Sync", "Add", "Item", "Data")
    assert isinstance(data.text, bytes)
    assert data.text.startswith(b"BEGIN:VCALENDAR\r\n")


def test_metinf_elements_come_from_code_page_one() -> None:
    root = wbxml.decode(capture("1-wbxml-md5-slow-sync-up/01-request.wbxml"))
    meta = at(root, "SyncHdr", "Meta")
    assert [(e.tag, e.ns, e.text) for e in meta.children] == [
        ("MaxMsgSize", "metinf", "150000"),
        ("MaxObjSize", "metinf", "4000000"),
    ]


# --- writer --------------------------------------------------------------------------


def test_a_12_message_starts_like_libsynthesis() -> None:
    assert wbxml.encode(small_message("1.2"), version="1.2").startswith(
        bytes.fromhex("02 A4 01 6A 00 6D")
    )


def test_a_11_message_uses_the_11_public_id() -> None:
    assert wbxml.encode(small_message("1.1"), version="1.1").startswith(
        bytes.fromhex("02 9F 53 6A 00 6D")
    )


def test_writer_switches_code_page_only_when_the_next_tag_needs_it() -> None:
    assert wbxml.encode(small_message()) == HEADER_12 + bytes.fromhex(
        "6D"  # SyncML
        "6C 71 03 312E32 00 01"  # SyncHdr, VerDTD "1.2"
        "5A 00 01 4C 03 313530303030 00 01 01 01"  # Meta, page 1, MaxMsgSize, END x3
        "00 00 6B 12 01 01"  # page 0, SyncBody, Final (empty), END x2
    )


def test_bytes_are_written_as_opaque_and_empty_elements_without_content() -> None:
    root = node("SyncML", node("SyncBody", leaf("Data", b"\x00\xff"), leaf("Final")))
    assert wbxml.encode(root) == HEADER_12 + bytes.fromhex("6D 6B 4F C3 02 00FF 01 12 01 01")


def test_nested_devinf_is_written_as_a_complete_opaque_document() -> None:
    devinf = node("DevInf", leaf("VerDTD", "1.2", ns="devinf"), ns="devinf")
    root = node("SyncML", node("SyncBody", node("Results", node("Item", node("Data", devinf)))))
    nested = bytes.fromhex("02 A4 03 6A 00 4A 65 03 312E32 00 01 01")
    expected = HEADER_12 + bytes.fromhex("6D 6B 62 54 4F C3") + bytes([len(nested)]) + nested
    assert wbxml.encode(root) == expected + bytes.fromhex("01 01 01 01 01")
    assert wbxml.decode(expected + bytes.fromhex("01 01 01 01 01")) == root


def test_devinf_11_uses_size_and_12_maxsize_for_token_1c() -> None:
    for version, name in (("1.1", "Size"), ("1.2", "MaxSize")):
        devinf = node("DevInf", leaf("MaxSize", "10", ns="devinf"), ns="devinf")
        decoded = wbxml.decode(wbxml.encode(devinf, version=version))
        assert decoded.children[0].tag == name


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        (node("SyncML", leaf("Bogus")), "unknown syncml tag <Bogus>"),
        (node("SyncML", leaf("Data", "a\x00b")), "NUL"),
        (node("SyncML", leaf("Data", "\ud800")), "UTF-8"),
        (node("SyncML", node("Item", leaf("Man", ns="devinf"))), "embedded directly in <Data>"),
        (node("SyncML", Element("Data", "syncml", [leaf("Final")], "x")), "both child elements"),
    ],
)
def test_unwritable_trees_raise_encode_error(tree: Element, message: str) -> None:
    with pytest.raises(EncodeError, match=message):
        wbxml.encode(tree)
    with pytest.raises(EncodeError, match=message):
        wbxml.element_size(tree)


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        (node("DevInf", leaf("Type", ns="metinf"), ns="devinf"), "DevInf document"),
        (node("MetInf", ns="metinf"), "metinf vocabulary"),
    ],
)
def test_documents_need_a_syncml_or_devinf_root(tree: Element, message: str) -> None:
    with pytest.raises(EncodeError, match=message):
        wbxml.encode(tree)


def test_too_deep_trees_raise_encode_error() -> None:
    deep = leaf("Final")
    for _ in range(200):
        deep = node("Sequence", deep)
    with pytest.raises(EncodeError, match="deeper than 64"):
        wbxml.encode(node("SyncML", deep))


def test_unsupported_version_is_refused_on_encode() -> None:
    with pytest.raises(EncodeError, match=r"'1\.0'"):
        wbxml.encode(small_message(), version="1.0")


# --- reader: what other encoders send ------------------------------------------------


def test_wbxml_13_with_string_table_public_id_and_str_t() -> None:
    public_id = b"-//SYNCML//DTD SyncML 1.1//EN\x00"
    table = public_id + b"./contacts\x00"
    doc = (
        bytes([0x03, 0x00, 0x00, 0x6A, len(table)])
        + table
        + bytes.fromhex("6D 6B 4F 83")
        + bytes([len(public_id)])  # STR_T -> "./contacts"
        + bytes.fromhex("01 01 01")
    )
    root = wbxml.decode(doc)
    assert at(root, "SyncBody", "Data").text == "./contacts"


def test_entity_and_split_strings_join_into_one_text() -> None:
    body = bytes.fromhex("6D 4F 03 4100 02 81 5C 03 4200 01 01")  # "A" &#220; "B"
    assert at(wbxml.decode(HEADER_12 + body), "Data").text == "A\u00dcB"


def test_charset_unknown_is_read_as_utf8() -> None:
    doc = bytes.fromhex("02 A4 01 00 00 6D 4F 03") + "ü".encode() + bytes.fromhex("00 01 01")
    assert at(wbxml.decode(doc), "Data").text == "ü"


def test_literal_tags_name_a_known_tag() -> None:
    doc = bytes.fromhex("02 A4 01 6A 06") + b"Final\x00" + bytes.fromhex("6D 04 00 01")
    assert wbxml.decode(doc) == node("SyncML", leaf("Final"))


def test_devinf_as_a_string_public_id_inside_opaque() -> None:
    table = b"-//SYNCML//DTD DevInf 1.2//EN\x00"
    nested = (
        bytes([0x03, 0x00, 0x00, 0x6A, len(table)]) + table + bytes.fromhex("4A 51 03 4D00 01 01")
    )
    body = bytes.fromhex("6D 4F C3") + bytes([len(nested)]) + nested + bytes.fromhex("01 01")
    root = wbxml.decode(HEADER_12 + body)
    devinf = node("DevInf", leaf("Man", "M", ns="devinf"), ns="devinf")
    assert at(root, "Data").children == [devinf]


def test_whitespace_text_beside_children_is_dropped() -> None:
    body = bytes.fromhex("6D 03 0A2000 12 01")  # "\n " then <Final/>
    assert wbxml.decode(HEADER_12 + body) == node("SyncML", leaf("Final"))


def test_long_opaque_uses_multi_byte_length() -> None:
    payload = b"x" * 300
    root = node("SyncML", leaf("Data", payload))
    data = wbxml.encode(root)
    assert bytes.fromhex("C3 82 2C") in data
    assert wbxml.decode(data) == root


# --- reader: malformed input ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", DecodeError, "empty"),
        (bytes.fromhex("00 01 6A 00"), DecodeError, "WBXML 1.0"),
        (bytes.fromhex("07 01 6A 00"), DecodeError, "unknown WBXML version"),
        (bytes.fromhex("02 9F 51 6A 00 6D 01"), UnsupportedVersion, "SyncML 1.0"),
        (bytes.fromhex("02 01 6A 00 6D 01"), UnsupportedVersion, "unknown public identifier"),
        (bytes.fromhex("02 85 05 6A 00 6D 01"), UnsupportedVersion, "0x0285"),
        (bytes.fromhex("02 A4 01 04 00 6D 01"), DecodeError, "charset 4"),
        (
            HEADER_12 + bytes.fromhex("6D 00 01 7F 01"),
            DecodeError,
            "unknown WBXML tag 0x3F on code page 1",
        ),
        (HEADER_12 + bytes.fromhex("6D 00 05 01"), DecodeError, "unknown WBXML code page 5"),
        (
            HEADER_12 + bytes.fromhex("6D 03 4142"),
            DecodeError,
            "truncated at byte 9 while reading a string",
        ),
        (HEADER_12 + bytes.fromhex("6D 4F C3 05 4142 01 01"), DecodeError, "truncated"),
        (HEADER_12 + bytes.fromhex("6D 4F 03 FF00 01 01"), DecodeError, "not valid UTF-8"),
        (HEADER_12 + bytes.fromhex("ED 01 01"), DecodeError, "attributes"),
        (HEADER_12 + bytes.fromhex("6D 01 01"), DecodeError, "after the end"),
        (HEADER_12 + bytes.fromhex("01"), DecodeError, "unexpected WBXML END"),
        (HEADER_12 + bytes.fromhex("03 4100 6D 01"), DecodeError, "outside the root"),
        (HEADER_12 + bytes.fromhex("6D 40 01"), DecodeError, "EXT_I_0"),
        (HEADER_12 + bytes.fromhex("6D 83 05 01"), DecodeError, "string table"),
        (HEADER_12 + bytes.fromhex("6D 02 80 80 80 80 80 01"), DecodeError, "longer than 5 bytes"),
        (HEADER_12 + bytes.fromhex("6D 02 00 01"), DecodeError, "not a character"),
        (
            HEADER_12 + bytes.fromhex("6D 03 4100 12 01"),
            DecodeError,
            "mixes child elements and text",
        ),
        (
            HEADER_12 + bytes.fromhex("6D 4F 03 4100 C3 01 41 01 01"),
            DecodeError,
            "mixes text and OPAQUE",
        ),
        (HEADER_12 + bytes.fromhex("6D 4F C3 06 02 A4 03 6A 00 4A 01"), DecodeError, "truncated"),
    ],
)
def test_malformed_input_raises_a_clear_decode_error(
    data: bytes, error: type[DecodeError], message: str
) -> None:
    with pytest.raises(error, match=message):
        wbxml.decode(data)


def test_every_truncation_of_a_real_message_says_truncated() -> None:
    data = capture("1-wbxml-md5-slow-sync-up/01-request.wbxml")
    for end in range(len(data)):
        with pytest.raises(DecodeError, match=r"truncated|empty"):
            wbxml.decode(data[:end])


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    with pytest.raises(DecodeError, match="deeper than 64"):
        wbxml.decode(HEADER_12 + b"\x6d" * 100_000)


def test_string_table_expansion_is_capped() -> None:
    table = b"x" * 20_000 + b"\x00"
    refs = b"\x83\x00" * 10_000  # 200 MB of text if expanded
    doc = bytes([0x03, 0xA4, 0x01, 0x6A]) + bytes([0x81, 0x9C, 0x21]) + table
    with pytest.raises(DecodeError, match="expand"):
        wbxml.decode(doc + b"\x6d\x4f" + refs + b"\x01\x01")


@FUZZ_SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_decode_error(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        wbxml.decode(data)


@FUZZ_SETTINGS
@given(st.binary(max_size=300))
def test_random_bodies_after_a_valid_header_raise_only_decode_error(body: bytes) -> None:
    with contextlib.suppress(DecodeError):
        wbxml.decode(HEADER_12 + body)


@FUZZ_SETTINGS
@given(st.sampled_from(WBXML_CAPTURES), st.data())
def test_truncated_captures_raise_decode_error(path: Path, data: st.DataObject) -> None:
    body = path.read_bytes()
    end = data.draw(st.integers(0, len(body) - 1))
    with pytest.raises(DecodeError):
        wbxml.decode(body[:end])


@FUZZ_SETTINGS
@given(st.sampled_from(WBXML_CAPTURES), st.data())
def test_bit_flipped_captures_raise_only_decode_error(path: Path, data: st.DataObject) -> None:
    body = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(body) - 1))
        body[position] ^= 1 << data.draw(st.integers(0, 7))
    with contextlib.suppress(DecodeError):
        wbxml.decode(bytes(body))


# --- round trips and sizes -------------------------------------------------------------


@TREE_SETTINGS
@given(st.sampled_from(["1.1", "1.2"]), st.data())
def test_random_trees_round_trip(version: str, data: st.DataObject) -> None:
    root = data.draw(syncml_trees(version, xml=False, binary=True))
    assert wbxml.decode(wbxml.encode(root, version=version)) == root


@TREE_SETTINGS
@given(st.sampled_from(["1.1", "1.2"]), st.data())
def test_random_devinf_documents_round_trip(version: str, data: st.DataObject) -> None:
    root = data.draw(devinf_trees(version, xml=False))
    assert wbxml.decode(wbxml.encode(root, version=version)) == root


@TREE_SETTINGS
@given(st.sampled_from(["1.1", "1.2"]), st.data())
def test_element_size_matches_the_bytes_written(version: str, data: st.DataObject) -> None:
    tree = data.draw(syncml_trees(version, xml=False, binary=True))
    for command in tree.children:
        empty = Element("SyncML", children=[Element("SyncBody", children=[Element("Final")])])
        full = Element(
            "SyncML", children=[Element("SyncBody", children=[command, Element("Final")])]
        )
        added = len(wbxml.encode(full, version=version)) - len(wbxml.encode(empty, version=version))
        assert wbxml.element_size(command, version=version) == added
