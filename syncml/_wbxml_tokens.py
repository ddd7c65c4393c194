"""The SyncML, MetInf and DevInf vocabularies with their WBXML tag tokens and public IDs.

Both codecs take their list of known tag names from here, so a tree the XML reader
accepts can always be written as WBXML and the other way round. SyncML 1.2 and DevInf
1.2 are supersets of 1.1; one table serves both versions (libwbxml does the same, and
Nokia phones send the 1.2 tag SourceParent in 1.1 messages), except DevInf token 0x1C,
which is ``Size`` in 1.1 and ``MaxSize`` in 1.2.
"""

from __future__ import annotations

from typing import Final

from ._tree import NS_DEVINF, NS_METINF, NS_SYNCML, Vocabulary

# Global tokens (WBXML 1.3, section 7.1). Every one has a value <= 4 in its low six bits,
# which is how the reader tells them from tags with a single mask.
SWITCH_PAGE: Final = 0x00
END: Final = 0x01
ENTITY: Final = 0x02
STR_I: Final = 0x03
LITERAL: Final = 0x04
PI: Final = 0x43
LITERAL_C: Final = 0x44
STR_T: Final = 0x83
LITERAL_A: Final = 0x84
OPAQUE: Final = 0xC3
LITERAL_AC: Final = 0xC4
GLOBAL_NAMES: Final[dict[int, str]] = {
    0x40: "EXT_I_0",
    0x41: "EXT_I_1",
    0x42: "EXT_I_2",
    PI: "PI",
    0x80: "EXT_T_0",
    0x81: "EXT_T_1",
    0x82: "EXT_T_2",
    0xC0: "EXT_0",
    0xC1: "EXT_1",
    0xC2: "EXT_2",
}

TAG_MASK: Final = 0x3F
HAS_CONTENT: Final = 0x40
HAS_ATTRIBUTES: Final = 0x80

CHARSET_UNKNOWN: Final = 0
CHARSET_UTF8: Final = 106  # IANA MIBenum

SYNCML_TAGS: Final[dict[str, int]] = {
    "Add": 0x05,
    "Alert": 0x06,
    "Archive": 0x07,
    "Atomic": 0x08,
    "Chal": 0x09,
    "Cmd": 0x0A,
    "CmdID": 0x0B,
    "CmdRef": 0x0C,
    "Copy": 0x0D,
    "Cred": 0x0E,
    "Data": 0x0F,
    "Delete": 0x10,
    "Exec": 0x11,
    "Final": 0x12,
    "Get": 0x13,
    "Item": 0x14,
    "Lang": 0x15,
    "LocName": 0x16,
    "LocURI": 0x17,
    "Map": 0x18,
    "MapItem": 0x19,
    "Meta": 0x1A,
    "MsgID": 0x1B,
    "MsgRef": 0x1C,
    "NoResp": 0x1D,
    "NoResults": 0x1E,
    "Put": 0x1F,
    "Replace": 0x20,
    "RespURI": 0x21,
    "Results": 0x22,
    "Search": 0x23,
    "Sequence": 0x24,
    "SessionID": 0x25,
    "SftDel": 0x26,
    "Source": 0x27,
    "SourceRef": 0x28,
    "Status": 0x29,
    "Sync": 0x2A,
    "SyncBody": 0x2B,
    "SyncHdr": 0x2C,
    "SyncML": 0x2D,
    "Target": 0x2E,
    "TargetRef": 0x2F,
    "VerDTD": 0x31,
    "VerProto": 0x32,
    "NumberOfChanges": 0x33,
    "MoreData": 0x34,
    # SyncML 1.2
    "Field": 0x35,
    "Filter": 0x36,
    "Record": 0x37,
    "FilterType": 0x38,
    "SourceParent": 0x39,
    "TargetParent": 0x3A,
    "Move": 0x3B,
    "Correlator": 0x3C,
}

METINF_TAGS: Final[dict[str, int]] = {
    "Anchor": 0x05,
    "EMI": 0x06,
    "Format": 0x07,
    "FreeID": 0x08,
    "FreeMem": 0x09,
    "Last": 0x0A,
    "Mark": 0x0B,
    "MaxMsgSize": 0x0C,
    "Mem": 0x0D,
    "MetInf": 0x0E,
    "Next": 0x0F,
    "NextNonce": 0x10,
    "SharedMem": 0x11,
    "Size": 0x12,
    "Type": 0x13,
    "Version": 0x14,
    "MaxObjSize": 0x15,
    "FieldLevel": 0x16,  # 1.2
}

_DEVINF_COMMON: Final[dict[str, int]] = {
    "CTCap": 0x05,
    "CTType": 0x06,
    "DataStore": 0x07,
    "DataType": 0x08,
    "DevID": 0x09,
    "DevInf": 0x0A,
    "DevTyp": 0x0B,
    "DisplayName": 0x0C,
    "DSMem": 0x0D,
    "Ext": 0x0E,
    "FwV": 0x0F,
    "HwV": 0x10,
    "Man": 0x11,
    "MaxGUIDSize": 0x12,
    "MaxID": 0x13,
    "MaxMem": 0x14,
    "Mod": 0x15,
    "OEM": 0x16,
    "ParamName": 0x17,
    "PropName": 0x18,
    "Rx": 0x19,
    "Rx-Pref": 0x1A,
    "SharedMem": 0x1B,
    "SourceRef": 0x1D,
    "SwV": 0x1E,
    "SyncCap": 0x1F,
    "SyncType": 0x20,
    "Tx": 0x21,
    "Tx-Pref": 0x22,
    "ValEnum": 0x23,
    "VerCT": 0x24,
    "VerDTD": 0x25,
    "XNam": 0x26,
    "XVal": 0x27,
    "UTC": 0x28,
    "SupportNumberOfChanges": 0x29,
    "SupportLargeObjs": 0x2A,
    # DevInf 1.2
    "Property": 0x2B,
    "PropParam": 0x2C,
    "MaxOccur": 0x2D,
    "NoTruncate": 0x2E,
    "Filter-Rx": 0x30,
    "FilterCap": 0x31,
    "FilterKeyword": 0x32,
    "FieldLevel": 0x33,
    "SupportHierarchicalSync": 0x34,
}
_DEVINF_SIZE_TOKEN: Final = 0x1C
DEVINF_TAGS: Final[dict[str, int]] = {
    **_DEVINF_COMMON,
    "Size": _DEVINF_SIZE_TOKEN,
    "MaxSize": _DEVINF_SIZE_TOKEN,
}

# Tag names each vocabulary knows, for the XML reader and writer.
TAG_NAMES: Final[dict[Vocabulary, frozenset[str]]] = {
    NS_SYNCML: frozenset(SYNCML_TAGS),
    NS_METINF: frozenset(METINF_TAGS),
    NS_DEVINF: frozenset(DEVINF_TAGS),
}


def _invert(table: dict[str, int]) -> dict[int, str]:
    return {token: name for name, token in table.items()}


_SYNCML_BY_TOKEN: Final = _invert(SYNCML_TAGS)
_METINF_BY_TOKEN: Final = _invert(METINF_TAGS)
_DEVINF11_BY_TOKEN: Final = {**_invert(_DEVINF_COMMON), _DEVINF_SIZE_TOKEN: "Size"}
_DEVINF12_BY_TOKEN: Final = {**_invert(_DEVINF_COMMON), _DEVINF_SIZE_TOKEN: "MaxSize"}

# page -> (vocabulary, token -> tag name): what a reader of one document type sees.
DecodePages = dict[int, tuple[Vocabulary, dict[int, str]]]
# vocabulary -> (page, tag name -> token): what a writer of one document type may write.
EncodePages = dict[Vocabulary, tuple[int, dict[str, int]]]

SYNCML_DECODE_PAGES: Final[DecodePages] = {
    0: (NS_SYNCML, _SYNCML_BY_TOKEN),
    1: (NS_METINF, _METINF_BY_TOKEN),
}
# A stand-alone MetInf document has its tags on page 1 (libwbxml); page 0 is accepted too
# because nothing else could be meant there.
METINF_DECODE_PAGES: Final[DecodePages] = {
    0: (NS_METINF, _METINF_BY_TOKEN),
    1: (NS_METINF, _METINF_BY_TOKEN),
}
DEVINF_DECODE_PAGES: Final[dict[str, DecodePages]] = {
    "1.1": {0: (NS_DEVINF, _DEVINF11_BY_TOKEN)},
    "1.2": {0: (NS_DEVINF, _DEVINF12_BY_TOKEN)},
}

SYNCML_ENCODE_PAGES: Final[EncodePages] = {
    NS_SYNCML: (0, SYNCML_TAGS),
    NS_METINF: (1, METINF_TAGS),
}
DEVINF_ENCODE_PAGES: Final[EncodePages] = {NS_DEVINF: (0, DEVINF_TAGS)}

# Public identifiers: number -> (vocabulary of the document, SyncML version).
PUBLIC_IDS: Final[dict[int, tuple[Vocabulary, str]]] = {
    0x0FD3: (NS_SYNCML, "1.1"),
    0x0FD4: (NS_DEVINF, "1.1"),
    0x1201: (NS_SYNCML, "1.2"),
    0x1202: (NS_METINF, "1.2"),
    0x1203: (NS_DEVINF, "1.2"),
}
UNSUPPORTED_PUBLIC_IDS: Final[dict[int, str]] = {
    0x0FD1: "SyncML 1.0",
    0x0FD2: "DevInf 1.0",
}
PUBLIC_ID_FOR: Final[dict[tuple[Vocabulary, str], int]] = {
    kind: number for number, kind in PUBLIC_IDS.items()
}


def normalize_public_id(text: str) -> str:
    """Public ID string in the form the lookup tables use (case and spacing ignored)."""
    return " ".join(text.split()).casefold()


PUBLIC_ID_STRINGS: Final[dict[str, int]] = {
    normalize_public_id(text): number
    for text, number in {
        "-//SYNCML//DTD SyncML 1.0//EN": 0x0FD1,
        "-//SYNCML//DTD DevInf 1.0//EN": 0x0FD2,
        "-//SYNCML//DTD SyncML 1.1//EN": 0x0FD3,
        "-//SYNCML//DTD DevInf 1.1//EN": 0x0FD4,
        "-//SYNCML//DTD SyncML 1.2//EN": 0x1201,
        "-//SYNCML//DTD MetInf 1.2//EN": 0x1202,
        "-//SYNCML//DTD DevInf 1.2//EN": 0x1203,
    }.items()
}

SUPPORTED_VERSIONS: Final = ("1.1", "1.2")
