"""Sample inputs for the codec tests: the recorded captures and random element trees."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from syncml import _wbxml_tokens as tokens
from syncml import wbxml
from syncml._tree import Element, Vocabulary

CAPTURES = Path(__file__).parent / "captures"

WBXML_CAPTURES = sorted(CAPTURES.glob("*/*.wbxml"))
XML_CAPTURES = sorted(p for p in CAPTURES.glob("*/*.xml") if not p.name.endswith(".pretty.xml"))
PRETTY_CAPTURES = sorted(CAPTURES.glob("*/*.pretty.xml"))


def capture(name: str) -> bytes:
    """Bytes of one capture, e.g. ``capture("1-wbxml-md5-slow-sync-up/01-request.wbxml")``."""
    return (CAPTURES / name).read_bytes()


def capture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def at(root: Element, *tags: str) -> Element:
    """The first element reached by following child tags from root (it must exist)."""
    node = root
    for tag in tags:
        child = node.find(tag)
        assert child is not None, f"no <{tag}> in <{node.tag}>"
        node = child
    return node


def leaf(tag: str, text: str | bytes | None = None, ns: Vocabulary = "syncml") -> Element:
    return Element(tag, ns, text=text)


def node(tag: str, *children: Element, ns: Vocabulary = "syncml") -> Element:
    return Element(tag, ns, list(children))


def walk(root: Element) -> list[Element]:
    """Every element of a tree, depth first."""
    out = [root]
    for child in root.children:
        out.extend(walk(child))
    return out


# --- hypothesis settings -----------------------------------------------------------

# Building trees is the slow part, and the machine may be busy: no per-example deadline.
TREE_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Decoding garbage is cheap: many examples.
FUZZ_SETTINGS = settings(max_examples=300, deadline=None)


# --- random trees built from the real vocabularies -----------------------------------

_SYNCML_NAMES = sorted(tokens.SYNCML_TAGS)
_METINF_NAMES = sorted(tokens.METINF_TAGS)
_DEVINF_NAMES = {
    "1.1": sorted(name for name in tokens.DEVINF_TAGS if name != "MaxSize"),
    "1.2": sorted(name for name in tokens.DEVINF_TAGS if name != "Size"),
}

# Characters XML 1.0 can carry (no C0 controls but tab/LF/CR, no surrogates, no FFFE/FFFF).
_XML_CHARS = st.characters(
    exclude_categories=["Cs"],
    exclude_characters="".join(
        [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + ["\ufffe", "\uffff"]
    ),
)
# WBXML strings carry anything but NUL.
_WBXML_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")


def texts(*, xml: bool) -> st.SearchStrategy[str]:
    return st.text(_XML_CHARS if xml else _WBXML_CHARS, min_size=1, max_size=40)


def opaque() -> st.SearchStrategy[bytes]:
    # A payload that happened to start like a WBXML DevInf document would decode as one.
    return st.binary(min_size=1, max_size=40).filter(lambda b: not wbxml._is_devinf_document(b))


def _leaves(
    names: list[str], ns: str, content: st.SearchStrategy[str | bytes | None]
) -> st.SearchStrategy[Element]:
    return st.builds(Element, st.sampled_from(names), st.just(ns), st.just([]), content)


def devinf_trees(version: str, *, xml: bool) -> st.SearchStrategy[Element]:
    """A DevInf document root with random DevInf content."""
    names = _DEVINF_NAMES[version]
    content = st.none() | texts(xml=xml)
    leaf = _leaves(names, "devinf", content)
    inner = st.recursive(
        leaf,
        lambda kids: st.builds(
            Element,
            st.sampled_from(names),
            st.just("devinf"),
            st.lists(kids, min_size=1, max_size=4),
        ),
        max_leaves=12,
    )
    return st.builds(Element, st.just("DevInf"), st.just("devinf"), st.lists(inner, max_size=4))


def syncml_trees(version: str, *, xml: bool, binary: bool = False) -> st.SearchStrategy[Element]:
    """A SyncML root with random SyncML/MetInf content and DevInf embedded in some Data."""
    content: st.SearchStrategy[str | bytes | None] = st.none() | texts(xml=xml)
    if binary:
        content = content | opaque()
    leaf = _leaves(_SYNCML_NAMES, "syncml", content) | _leaves(_METINF_NAMES, "metinf", content)
    with_devinf = st.builds(
        Element,
        st.just("Data"),
        st.just("syncml"),
        st.lists(devinf_trees(version, xml=xml), min_size=1, max_size=1),
    )

    def parents(kids: st.SearchStrategy[Element]) -> st.SearchStrategy[Element]:
        children = st.lists(kids | with_devinf, min_size=1, max_size=4)
        return st.builds(Element, st.sampled_from(_SYNCML_NAMES), st.just("syncml"), children) | (
            st.builds(Element, st.sampled_from(_METINF_NAMES), st.just("metinf"), children)
        )

    body = st.recursive(leaf, parents, max_leaves=25)
    return st.builds(Element, st.just("SyncML"), st.just("syncml"), st.lists(body, max_size=5))


def messages(version: str, *, xml: bool, binary: bool = False) -> st.SearchStrategy[Element]:
    """A random SyncML tree whose SyncHdr/VerDTD names the version (what codec.encode reads)."""

    def with_header(root: Element) -> Element:
        header = Element("SyncHdr", children=[Element("VerDTD", text=version)])
        return Element("SyncML", children=[header, *root.children])

    return syncml_trees(version, xml=xml, binary=binary).map(with_header)
