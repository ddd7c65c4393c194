"""Edge cases a real fleet brings, our client against our server in process: an item with
an empty LocURI, a client that ignores the RespURI, a device holding two copies of one UID."""

from __future__ import annotations

from collections.abc import Callable

from syncml import codec
from syncml.model import Location, Message, Status, Sync, decode_message, encode_message
from syncml.server import Reply
from tests.syncml.host import Host
from tests.syncml.test_client import Rig, config, device_with


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
