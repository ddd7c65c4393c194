"""Hand-made SyncML messages: what a correct client never sends (chosen MsgIDs, commands
out of order, resent messages, malformed or hostile commands, another user's credentials,
hand-made statuses), built with the engine's model and sent through its codecs.

:class:`RawMessages` only numbers and addresses the messages of one session (MsgID, CmdIDs,
the RespURI the server gave); it applies nothing and answers nothing by itself: every
command in a message is written by the test. Whole sessions are run by the real client
(:class:`tests.syncml.device.Device`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from syncml import auth, codec
from syncml.devinf import DEVINF_XML, ContentType, DataStore, DevInf, build_devinf
from syncml.model import (
    Alert,
    Anchor,
    Command,
    Cred,
    Header,
    Item,
    ItemCommand,
    Location,
    Message,
    Meta,
    Put,
    Status,
    Sync,
    encode_message,
)
from tests.syncml.device import SERVER_URL, Exchange, Server, decode


@dataclass
class RawMessages:
    """The messages of one hand-made session from one device."""

    server: Server
    device_id: str = "test-device-1"
    user: str | None = "alice"
    password: str = "secret"
    wbxml: bool = False
    version: str = "1.2"
    max_msg_size: int = 150_000
    session_id: str = "1"
    msg_id: int = 0
    url: str = SERVER_URL
    log: list[Exchange] = field(default_factory=list)

    def new_session(self) -> None:
        self.session_id = str(int(self.session_id) + 1)
        self.msg_id = 0
        self.url = SERVER_URL

    def basic(self) -> Cred:
        return Cred(auth.basic_cred_data(self.user or "", self.password), auth.AUTH_BASIC, "b64")

    def md5(self, nonce: bytes, user: str | None = None) -> Cred:
        secret = auth.md5_secret(user or self.user or "", self.password)
        digest = base64.b64encode(auth.md5_digest(secret, nonce)).decode()
        return Cred(digest, auth.AUTH_MD5, "b64")

    def send(self, commands: list[Command], *, final: bool = True,
             cred: Cred | None = None) -> Exchange:
        """One message of ``commands`` (CmdIDs numbered 1.. through nested Syncs) with the
        next MsgID, to the RespURI of the session's last reply."""
        self.msg_id += 1
        header = Header(
            version=self.version, session_id=self.session_id, msg_id=self.msg_id,
            target=Location(self.url), source=Location(self.device_id, self.user),
            cred=cred, meta=Meta(max_msg_size=self.max_msg_size, max_obj_size=4_000_000),
        )
        number(commands)
        request = Message(header, commands, final)
        content_type = codec.CONTENT_TYPE_WBXML if self.wbxml else codec.CONTENT_TYPE_XML
        body = codec.encode(encode_message(request), wbxml=self.wbxml)
        url = self.url
        reply = self.server.receive(body, content_type, url)
        assert len(reply.body) <= self.max_msg_size
        message = decode(reply.body, reply.content_type)
        if message.header.resp_uri:
            self.url = message.header.resp_uri
        exchange = Exchange(decode(body, content_type), reply, message, body, content_type, url)
        self.log.append(exchange)
        return exchange



def login(raw: RawMessages, cred: Cred | None = None) -> int:
    """One hand-made login in a new session (an Alert with ``cred``, basic by default): the
    header status. Tries exactly once, where our client would retry on a challenge."""
    raw.new_session()
    return raw.send([sync_alert(201)], cred=cred or raw.basic()).header_status()


def nonce_of(exchange: Exchange) -> bytes:
    """The NextNonce of the header status's challenge."""
    chal = exchange.statuses("SyncHdr")[0].chal
    assert chal is not None and chal.meta.next_nonce
    return base64.b64decode(chal.meta.next_nonce)


def number(commands: list[Command]) -> None:
    """CmdIDs 1.. in message order, the commands inside a Sync included."""
    next_id = 1
    for command in commands:
        command.cmd_id = next_id
        next_id += 1
        if isinstance(command, Sync):
            for sub in command.commands:
                sub.cmd_id = next_id
                next_id += 1


# -- commands -------------------------------------------------------------------------------


def sync_alert(mode: int, target: str = "tasks", source: str = "./todo",
               last: str | None = None, nxt: str = "n1") -> Alert:
    return Alert(0, mode, [Item(target=Location(target), source=Location(source),
                                meta=Meta(anchor=Anchor(last=last, next=nxt)))])


def sync(commands: list[ItemCommand], target: str = "tasks", source: str = "./todo") -> Sync:
    return Sync(0, target=Location(target), source=Location(source), commands=list(commands))


def add(luid: str, data: str, name: str = "Add") -> ItemCommand:
    return ItemCommand(name, 0, [Item(source=Location(luid), data=data)],
                       meta=Meta(type="text/calendar"))


def delete(luid: str) -> ItemCommand:
    return ItemCommand("Delete", 0, [Item(source=Location(luid))])


def chunked(luid: str, data: str | bytes, size: int, name: str = "Add",
            total: int | None = None) -> list[ItemCommand]:
    """``data`` as large-object chunks of ``size`` (characters or bytes)."""
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    out = []
    whole = len(data.encode()) if isinstance(data, str) else len(data)
    for index, piece in enumerate(pieces):
        first, last = index == 0, index == len(pieces) - 1
        meta = Meta(size=total if total is not None else whole) if first else None
        item = Item(source=Location(luid), data=piece, more_data=not last, meta=meta)
        out.append(ItemCommand(name, 0, [item], meta=Meta(type="text/calendar")))
    return out


def devinf_put(*, large_objects: bool = True, rx_pref: str = "text/calendar",
               source_ref: str = "./todo") -> Put:
    info = DevInf(
        man="Test", mod="raw", dev_id="raw", dev_type="workstation", utc=True,
        large_objects=large_objects, number_of_changes=True,
        datastores=[DataStore(source_ref=source_ref, rx_pref=ContentType(rx_pref, ""),
                              tx_pref=ContentType(rx_pref, ""), sync_types=[1, 2])],
    )
    return Put(0, [Item(source=Location("./devinf12"), data=build_devinf(info))],
               meta=Meta(type=DEVINF_XML))


def status_for(exchange: Exchange, command: Command, code: int, *,
               source: str | None = None) -> Status:
    """A status, coded by the test, for a command of the server's reply in ``exchange``."""
    return Status(0, exchange.message.header.msg_id, command.cmd_id,
                  type(command).__name__ if not isinstance(command, ItemCommand) else command.name,
                  code, source_refs=[source] if source else [])


def codes(exchange: Exchange, cmd: str) -> list[int]:
    return [s.code for s in exchange.statuses(cmd)]
