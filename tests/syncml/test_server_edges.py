"""Edge cases a real fleet brings, our client against our server in process: an item with
an empty LocURI, a client that ignores the RespURI, a device holding two copies of one UID."""

from __future__ import annotations

from collections.abc import Callable

from syncml import codec
from syncml.model import Location, Message, Status, Sync, decode_message, encode_message
from syncml.server import Reply
from tests.syncml.host import Host
from tests.syncml.test_client import URL, Rig, config, device_with


class Rewriting:
    """The server behind a hook that may change each client message (and sees replies)."""

    def __init__(self, plain: Host, change: Callable[[Message], None],
                 replies: list[Message] | None = None) -> None:
        self.plain, self.change, self.replies = plain, change, replies

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        message = decode_message(codec.decode(body, content_type))
        self.change(message)
        body = codec.encode(encode_message(message), wbxml="wbxml" in content_type)
        reply = self.plain.receive(body, content_type, url)
        if self.replies is not None:
            self.replies.append(decode_message(codec.decode(reply.body, reply.content_type)))
        return reply


def test_an_item_with_an_empty_locuri_gets_its_own_status_and_the_rest_goes_through():
    rig = Rig()
    replies: list[Message] = []

    def empty_first_source(message: Message) -> None:
        for command in message.commands:
            if isinstance(command, Sync) and command.commands:
                command.commands[0].items[0].source = Location("")

    plain = rig.host()
    rig.host = lambda: Rewriting(plain, empty_first_source, replies)  # type: ignore[assignment,method-assign,return-value]
    rig.sync(config(), device_with("one", "two", "three"))
    statuses = [c for r in replies for c in r.commands
                if isinstance(c, Status) and c.cmd in ("Add", "Replace")]
    codes = sorted(s.code for s in statuses)
    assert codes[:2] == [201, 201] and codes[2] >= 400, codes
    assert len(rig.server_items()) == 2


def test_a_client_that_ignores_the_respuri_continues_its_session_without_new_challenges():
    rig = Rig(max_msg_size=4096)
    replies: list[Message] = []
    urls: list[str] = []
    plain = rig.host()

    class IgnoringRespUri:
        """Every message goes to the session-less URL, as from a client that never
        reads the RespURI."""

        def receive(self, body: bytes, content_type: str, url: str) -> Reply:
            urls.append(url)
            reply = plain.receive(body, content_type, URL)
            replies.append(decode_message(codec.decode(reply.body, reply.content_type)))
            return reply

    rig.host = lambda: IgnoringRespUri()  # type: ignore[assignment,method-assign,return-value]
    laptop = device_with(*[f"task {i} " + "x" * 200 for i in range(20)])
    done = rig.sync(config(max_msg_size=4096), laptop)
    assert len(replies) > 4 and any("sid=" in url for url in urls)
    header_codes = [c.code for r in replies for c in r.commands
                    if isinstance(c, Status) and c.cmd == "SyncHdr"]
    # One challenge-and-login at most at the start; then the session just goes on.
    assert all(code == 200 for code in header_codes[2:]), header_codes
    assert done.sent.total == 20 and len(rig.server_items()) == 20


def test_a_stranger_cannot_continue_a_session_by_its_device_and_session_id():
    from syncml.model import Header
    from syncml.server import SyncServer
    rig = Rig()
    plain = rig.host()
    bodies: list[tuple[bytes, str]] = []

    class Recording:
        def receive(self, body: bytes, content_type: str, url: str) -> Reply:
            bodies.append((body, content_type))
            return plain.receive(body, content_type, URL)

    rig.host = lambda: Recording()  # type: ignore[assignment,method-assign,return-value]
    rig.sync(config(), device_with("mine"))
    body, content_type = bodies[-1]
    message = decode_message(codec.decode(body, content_type))
    header: Header = message.header
    header.source = Location(header.source.uri, "mallory")
    header.msg_id += 1
    forged = codec.encode(encode_message(message), wbxml="wbxml" in content_type)
    assert isinstance(plain.engine, SyncServer)
    reply = plain.receive(forged, content_type, URL)
    answer = decode_message(codec.decode(reply.body, reply.content_type))
    hdr = next(c for c in answer.commands if isinstance(c, Status) and c.cmd == "SyncHdr")
    assert hdr.code in (401, 407)


def test_a_second_copy_of_an_item_on_a_device_is_paired_and_the_older_deleted():
    from tests.syncml.items import vtodo
    rig = Rig()
    laptop, phone = device_with("original"), device_with()
    rig.sync(config(), laptop)
    rig.sync(config("phone"), phone)
    # A re-import: the laptop adds the same item (same UID) again, a little changed.
    laptop.create(vtodo("uid-original", "original, re-imported"))
    assert len(laptop.items) == 2
    rig.sync(config(), laptop)
    assert len(laptop.items) == 1 and len(rig.server_items()) == 1
    assert "re-imported" in laptop.data()[0]
    rig.sync(config("phone"), phone)
    assert phone.data() == laptop.data() == rig.server_items()
    done = rig.sync(config(), laptop)
    assert done.sent.total == done.received.total == 0
    # The copy kept is the one mapped: a change on the phone reaches it.
    luid = next(iter(phone.items))
    phone.edit(luid, vtodo("uid-original", "changed on the phone"))
    rig.sync(config("phone"), phone)
    rig.sync(config(), laptop)
    assert len(laptop.items) == 1 and "changed on the phone" in laptop.data()[0]
