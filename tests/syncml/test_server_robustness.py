"""Whatever a client sends, the server session answers and never raises.

Real SyncEvolution messages are mutated element by element (dropped, duplicated,
emptied, given junk text) and byte by byte, then fed to a live session.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from syncml import auth, codec
from syncml._tree import Element
from syncml.errors import EncodeError, SyncMLError
from syncml.model import Cred, decode_message, encode_message
from syncml.server import Reply, ServerConfig, SyncServer
from tests.syncml.codec_samples import capture, walk
from tests.syncml.host import Host
from tests.syncml.memory_backend import LineContent, MemoryBackend

FOLDER = "1-wbxml-md5-slow-sync-up"
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _server() -> tuple[Host, MemoryBackend]:
    backend = MemoryBackend()
    backend.add_user("alice", "secret")
    config = ServerConfig(datastores={"tasks": LineContent()}, aliases={"todo": "tasks"})
    return Host(SyncServer(config, backend)), backend


def _with_basic_auth(body: bytes) -> bytes:
    message = decode_message(codec.decode(body, codec.CONTENT_TYPE_WBXML))
    message.header.cred = Cred(auth.basic_cred_data("alice", "secret"), auth.AUTH_BASIC)
    return codec.encode(encode_message(message), wbxml=True)


def _started_session() -> tuple[Host, MemoryBackend, str]:
    """A session past its first message, and the URL its next message goes to."""
    server, backend = _server()
    first = _with_basic_auth(capture(f"{FOLDER}/01-request.wbxml"))
    reply = server.receive(first, codec.CONTENT_TYPE_WBXML, "http://h/traveler")
    resp_uri = decode_message(codec.decode(reply.body, reply.content_type)).header.resp_uri
    assert resp_uri
    return server, backend, resp_uri


def _answer(server: Host, body: bytes, content_type: str, url: str) -> Reply | None:
    """The reply, or None when the engine refused the message with a SyncMLError (the only
    exception it may raise: anything else escaping is a bug)."""
    try:
        return server.receive(body, content_type, url)
    except SyncMLError as refused:
        assert str(refused)
        return None


def _stored(backend: MemoryBackend) -> int:
    return sum(len(items) for items in backend.w.items.values())


JUNK = st.one_of(st.text(max_size=30), st.binary(max_size=30),
                 st.sampled_from(["", "-1", "0", "99999999999999999999", "abc", "./x"]))


@st.composite
def mutated_tree(draw: st.DrawFn) -> Element:
    root = codec.decode(capture(f"{FOLDER}/02-request.wbxml"), codec.CONTENT_TYPE_WBXML)
    for _ in range(draw(st.integers(1, 4))):
        nodes = walk(root)
        if len(nodes) < 2:
            break
        target = draw(st.sampled_from(nodes[1:]))
        parent = next(n for n in nodes if any(c is target for c in n.children))
        action = draw(st.sampled_from(["drop", "duplicate", "empty", "junk"]))
        if action == "drop":
            parent.children = [c for c in parent.children if c is not target]
        elif action == "duplicate":
            parent.children.append(Element(target.tag, target.ns, list(target.children),
                                           target.text))
        elif action == "empty":
            target.children, target.text = [], None
        elif not target.children:
            target.text = draw(JUNK)
    return root


@FUZZ
@given(mutated_tree())
def test_mutated_messages_get_an_answer_not_an_exception(tree):
    server, backend, url = _started_session()
    try:
        body = codec.encode(tree, wbxml=False)
    except Exception:  # the mutation made something XML cannot carry: try WBXML
        try:
            body = codec.encode(tree, wbxml=True)
        except EncodeError:  # nor WBXML (a VerDTD no encoder writes): no message to send
            reject()
    content_type = codec.CONTENT_TYPE_XML if body[:1] == b"<" else codec.CONTENT_TYPE_WBXML
    reply = _answer(server, body, content_type, url)
    if reply is not None:
        decode_message(codec.decode(reply.body, reply.content_type))
    assert _stored(backend) <= 3


@FUZZ
@given(st.data())
def test_damaged_bytes_get_an_answer_not_an_exception(data):
    server, backend, url = _started_session()
    body = bytearray(capture(f"{FOLDER}/02-request.wbxml"))
    for _ in range(data.draw(st.integers(1, 8))):
        index = data.draw(st.integers(0, len(body) - 1))
        body[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(body)))
    _answer(server, bytes(body[:cut]), codec.CONTENT_TYPE_WBXML, url)
    assert _stored(backend) <= 3


def test_a_refused_message_leaves_the_session_usable():
    server, backend, url = _started_session()
    assert _answer(server, b"<SyncML><broken", codec.CONTENT_TYPE_XML, url) is None
    good = _answer(server, capture(f"{FOLDER}/02-request.wbxml"), codec.CONTENT_TYPE_WBXML, url)
    assert good is not None
    assert _stored(backend) == 3
