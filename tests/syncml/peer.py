"""A scripted SyncML client for unit tests of the server session: message by message.

Whole sessions are run by the real client (:class:`syncml.client.SyncClient`, see
tests/syncml/test_client.py); this peer stays for what a real client never sends: chosen
MsgIDs and CmdIDs, commands out of order, resends of one message, malformed or hostile
input, credentials of another user in the middle of a session.

It builds messages with the model, sends them through the real codecs to the server
engine (through a test :class:`~tests.syncml.host.Host`) and keeps what a client keeps
(RespURI, nonce, anchors, LUIDs), so tests read like the protocol flow they check.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from syncml import auth, codec
from syncml.model import (
    Alert,
    Anchor,
    Command,
    Cred,
    Header,
    Item,
    ItemCommand,
    Location,
    Map,
    MapItem,
    Message,
    Meta,
    Results,
    Status,
    Sync,
    decode_message,
    encode_message,
)
from syncml.server import Reply
from tests.syncml.host import Host

SERVER_URL = "http://127.0.0.1:9/traveler"


@dataclass
class Exchange:
    """One request/reply pair, decoded."""

    reply: Reply
    message: Message

    def statuses(self, cmd: str | None = None) -> list[Status]:
        return [
            c
            for c in self.message.commands
            if isinstance(c, Status) and (cmd is None or c.cmd == cmd)
        ]

    def header_status(self) -> int:
        return self.statuses("SyncHdr")[0].code

    def of(self, kind: type) -> list:
        return [c for c in self.message.commands if isinstance(c, kind)]

    def sync_commands(self) -> list[ItemCommand]:
        return [
            sub for sync in self.of(Sync) for sub in sync.commands if isinstance(sub, ItemCommand)
        ]


@dataclass
class Peer:
    """A client device with a local store of LUID → data."""

    server: Host
    device_id: str = "test-device-1"
    user: str = "alice"
    password: str = "secret"
    auth_type: str = auth.AUTH_BASIC
    wbxml: bool = False
    version: str = "1.2"
    max_msg_size: int = 150_000
    uri: str = "tasks"
    local_uri: str = "./todo"
    items: dict[str, str] = field(default_factory=dict)
    nonce: bytes = b""
    last_anchor: str | None = None
    session: int = 0
    msg_id: int = 0
    url: str = SERVER_URL
    next_luid: int = 1000
    log: list[Exchange] = field(default_factory=list)

    # -- transport ---------------------------------------------------------------------
    def send(
        self,
        commands: list[Command],
        *,
        final: bool = True,
        cred: bool = False,
        raw: bytes | None = None,
    ) -> Exchange:
        self.msg_id += 1
        header = Header(
            version=self.version,
            session_id=str(self.session),
            msg_id=self.msg_id,
            target=Location(self.url),
            source=Location(self.device_id, self.user),
            cred=self._cred() if cred else None,
            meta=Meta(max_msg_size=self.max_msg_size, max_obj_size=4_000_000),
        )
        for index, command in enumerate(commands, start=1):
            command.cmd_id = index
        body = raw or codec.encode(
            encode_message(Message(header, commands, final)), wbxml=self.wbxml
        )
        content_type = codec.CONTENT_TYPE_WBXML if self.wbxml else codec.CONTENT_TYPE_XML
        reply = self.server.receive(body, content_type, self.url)
        assert len(reply.body) <= self.max_msg_size
        message = decode_message(codec.decode(reply.body, reply.content_type))
        if message.header.resp_uri:
            self.url = message.header.resp_uri
        for status in [c for c in message.commands if isinstance(c, Status)]:
            if status.chal is not None and status.chal.meta.next_nonce:
                self.nonce = base64.b64decode(status.chal.meta.next_nonce)
        exchange = Exchange(reply, message)
        self.log.append(exchange)
        return exchange

    def _cred(self) -> Cred:
        if self.auth_type == auth.AUTH_MD5:
            secret = auth.md5_secret(self.user, self.password)
            digest = base64.b64encode(auth.md5_digest(secret, self.nonce)).decode()
            return Cred(digest, auth.AUTH_MD5, "b64")
        return Cred(auth.basic_cred_data(self.user, self.password), auth.AUTH_BASIC, "b64")

    def new_session(self) -> None:
        self.session += 1
        self.msg_id = 0
        self.url = SERVER_URL

    # -- protocol steps ----------------------------------------------------------------
    def init(self, mode: int = 200, next_anchor: str | None = None) -> Exchange:
        """Package 1; returns the server's package 2."""
        self.new_session()
        self.pending_next = next_anchor or f"anchor-{self.session}"
        alert = Alert(
            0,
            mode,
            [
                Item(
                    target=Location(self.uri),
                    source=Location(self.local_uri),
                    meta=Meta(anchor=Anchor(last=self.last_anchor, next=self.pending_next)),
                )
            ],
        )
        return self.send([alert], cred=True)

    def changes(
        self,
        commands: list[ItemCommand],
        *,
        final: bool = True,
        statuses: list[Command] | None = None,
    ) -> Exchange:
        """Package 3 (or part of it)."""
        sync = Sync(
            0, target=Location(self.uri), source=Location(self.local_uri), commands=list(commands)
        )
        return self.send([*(statuses or []), sync], final=final)

    def receive_server_changes(self, exchange: Exchange) -> Exchange:
        """Apply the server's Sync commands, answer with statuses and Map until its Final."""
        while True:
            answers: list[Command] = []
            maps: list[MapItem] = []
            for sync in exchange.of(Sync):
                for sub in sync.commands:
                    if not isinstance(sub, ItemCommand):
                        continue
                    code = self._apply(sub, maps)
                    ref = sub.items[0].source.uri if sub.items[0].source else ""
                    answers.append(
                        Status(
                            0,
                            exchange.message.header.msg_id,
                            sub.cmd_id,
                            sub.name,
                            code,
                            source_refs=[ref],
                        )
                    )
            if maps:
                answers.append(Map(0, Location(self.uri), Location(self.local_uri), maps))
            if exchange.message.final:
                reply = self.send(answers, final=True)
                self.last_anchor = self.pending_next
                return reply
            if not answers:
                answers.append(Alert(0, 222))
            exchange = self.send(answers, final=False)

    _chunk: str = ""

    def _apply(self, cmd: ItemCommand, maps: list[MapItem]) -> int:
        item = cmd.items[0]
        data = item.data_bytes().decode() if item.data is not None else ""
        if item.more_data:
            self._chunk += data
            return 213
        if self._chunk:
            data, self._chunk = self._chunk + data, ""
        if cmd.name == "Add":
            luid = str(self.next_luid)
            self.next_luid += 1
            self.items[luid] = data
            maps.append(MapItem(target=item.source.uri if item.source else "", source=luid))
            return 201
        luid = item.target.uri if item.target else ""
        if cmd.name == "Replace":
            self.items[luid] = data
            return 200
        return 200 if self.items.pop(luid, None) is not None else 211

    def sync(self, mode: int = 200, changes: list[ItemCommand] | None = None) -> list[Exchange]:
        """A whole session: init, changes, server changes, map."""
        start = len(self.log)
        init = self.init(mode)
        assert init.header_status() in (200, 212), init.header_status()
        if mode == 201 or any(s.code == 508 for s in init.statuses("Alert")):
            changes = [add(luid, data, "Replace") for luid, data in self.items.items()]
        reply = self.changes(changes or [])
        self.receive_server_changes(reply)
        return self.log[start:]


def add(luid: str, data: str, name: str = "Add") -> ItemCommand:
    return ItemCommand(
        name, 0, [Item(source=Location(luid), data=data)], meta=Meta(type="text/calendar")
    )


def delete(luid: str) -> ItemCommand:
    return ItemCommand("Delete", 0, [Item(source=Location(luid))])


def vtodo(uid: str, summary: str, extra: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\n"
        f"UID:{uid}\r\nSUMMARY:{summary}\r\n{extra}END:VTODO\r\nEND:VCALENDAR\r\n"
    )


__all__ = ["Exchange", "Peer", "Results", "add", "delete", "vtodo"]
