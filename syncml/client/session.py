"""The client side of a SyncML DS session, as a sans-IO engine (the h11 shape).

``start()`` gives the first message to send; ``receive(body, content_type)`` takes the
server's reply and gives the next message to send, or :class:`SyncDone` at the end::

    client = SyncClient(config, backend)
    step = client.start()
    while isinstance(step, Send):
        reply = post(step.url, step.body, step.content_type)   # the host's I/O
        step = client.receive(reply.body, reply.content_type)

The packages of OMA-DS 1.2 in order: 1 (credentials, DevInf Put, Alert with anchors),
2 (the server's statuses and Alert; a 508 makes the sync slow), 3 (our changes, in as
many messages as MaxMsgSize needs), 4 (the server's changes, which we apply and answer per
item), 5 (our statuses and the Map of the server's Adds), 6 (the server's statuses). A
package that needs several messages is continued with Alert 222 by whichever side waits.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections import deque

from syncml import auth, codec
from syncml._tree import Element
from syncml.awaiting import AwaitingStatuses, SentChange
from syncml.chunking import IncomingObject, OutgoingObject, reassemble
from syncml.client.backend import Anchors, ChangeKind, ClientBackend, LocalChange
from syncml.client.config import ClientConfig
from syncml.client.outcome import Counts, Send, SyncDone
from syncml.codes import CLIENT_SENDS, SERVER_SENDS, AlertCode, StatusCode
from syncml.devinf import (
    DEVINF_WBXML,
    DEVINF_XML,
    ContentType,
    DataStore,
    DevInf,
    build_devinf,
    devinf_uri,
)
from syncml.errors import AuthenticationFailed, PeerRefused, ProtocolError
from syncml.model import (
    Alert,
    Anchor,
    Chal,
    Command,
    Cred,
    Get,
    Header,
    Item,
    ItemCommand,
    Location,
    Map,
    MapItem,
    Message,
    Meta,
    Put,
    Results,
    Status,
    Sync,
    UnsupportedCommand,
    decode_message,
    encode_command,
    encode_sync_open,
)
from syncml.packing import MIN_CHUNK, MessagePacker, message_limit
from syncml.phases import Phase, advance

__all__ = ["SyncClient"]

# Modes that exchange only what changed since the last sync: they need saved anchors.
_INCREMENTAL = frozenset(
    {AlertCode.TWO_WAY, AlertCode.ONE_WAY_FROM_CLIENT, AlertCode.ONE_WAY_FROM_SERVER}
)
# A sent change the server answered with one of these needs no resending.
_CONFIRMING = frozenset({
    StatusCode.ALREADY_EXISTS, StatusCode.CONFLICT_RESOLVED_SERVER_WINS,
    StatusCode.ITEM_NOT_DELETED, StatusCode.NOT_FOUND, StatusCode.GONE,
})
_MAX_LOGINS = 3  # tries per sync: a stale nonce, a switch of auth type, then the truth


class _Tally:
    """Items moved one way in this session, by kind."""

    def __init__(self) -> None:
        self.added = self.replaced = self.deleted = 0

    def count(self, kind: str) -> None:
        if kind == "Add":
            self.added += 1
        elif kind == "Replace":
            self.replaced += 1
        else:
            self.deleted += 1

    def freeze(self) -> Counts:
        return Counts(self.added, self.replaced, self.deleted)


class SyncClient:
    """One sync of one datastore with one server; make a new one for the next sync."""

    def __init__(self, config: ClientConfig, backend: ClientBackend,
                 mode: AlertCode = AlertCode.TWO_WAY) -> None:
        self.config = config
        self.backend = backend
        self.requested = mode
        self.auth_type = config.auth_type
        # The md5 nonce the server gave last (in any session, also a cut one): kept by the
        # backend, so the first try of the next sync, after a restart too, is accepted.
        self.nonce = backend.nonce()
        self._nonce_fresh = False  # the nonce came from this sync's previous challenge
        self._logins = 0
        # Anchors the server may hold instead of the saved ones (our last message of a cut
        # session went out): tried when the server's Alert shows it has them.
        self._other_anchors: Anchors | None = None
        self._switch_anchors = False
        self._anchors_tried = False
        self._reset_session()

    def _reset_session(self) -> None:
        self.phase = Phase.INIT
        self.session_id = str(secrets.randbelow(1_000_000))
        self.msg_id = 0
        self.url = self.config.url
        self.mode = self.requested
        self.server_max_msg: int | None = None
        self.server_max_obj: int | None = None
        self.remote_next: str | None = None
        self.authenticated = False
        self.queue: list[Element] = []        # statuses and results owed to the server
        self.outbox: deque[LocalChange] = deque()
        self.outbox_size = 0
        self.sync_opened = False              # the first Sync of package 3 went out
        self.maps: deque[MapItem] = deque()
        self.awaiting = AwaitingStatuses()
        self.chunk_in: IncomingObject | None = None
        self.chunk_out: OutgoingObject | None = None
        self.package_open = False             # our package has parts still to send
        self.sent = _Tally()
        self.received = _Tally()
        self.failed = 0
        self.alert_answered = False

    # ------------------------------------------------------------------ entry points

    def start(self) -> Send:
        """The first message of the session (package 1)."""
        saved = self.backend.anchors()
        unconfirmed = self.backend.unconfirmed_anchors()
        if saved is None:
            saved = unconfirmed  # nothing else to go on: the server may have committed them
        elif not self._anchors_tried:
            self._other_anchors = unconfirmed
        mode = self.requested
        if mode in _INCREMENTAL and saved is None:
            mode = AlertCode.SLOW_SYNC  # nothing to compare against yet
        self.mode = mode
        self.local_next = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + (
            f"-{secrets.token_hex(2)}")
        cfg = self.config
        devinf_type = DEVINF_WBXML if cfg.wbxml else DEVINF_XML
        put = Put(0, [Item(source=Location(devinf_uri(cfg.version)),
                           data=build_devinf(self._devinf()))], meta=Meta(type=devinf_type))
        alert = Alert(0, int(mode), [Item(
            target=Location(cfg.remote_uri), source=Location(cfg.local_uri),
            meta=Meta(anchor=Anchor(last=saved.local if saved else None, next=self.local_next),
                      max_obj_size=cfg.max_obj_size),
        )])
        packer = self._packer(cred=True)
        packer.add_queue([encode_command(put), encode_command(alert)])
        return self._emit(packer, final=True)

    def receive(self, body: bytes, content_type: str) -> Send | SyncDone:
        """Take the server's reply to the last message; what to do next.

        Raises :class:`~syncml.errors.DecodeError` when the reply is no SyncML message,
        :class:`~syncml.errors.AuthenticationFailed` when the credentials are refused,
        :class:`~syncml.errors.PeerRefused` when the server refuses the sync otherwise.
        """
        message = decode_message(codec.decode(body, content_type))
        header = message.header
        if header.resp_uri:
            self.url = header.resp_uri
        if header.meta is not None:
            if header.meta.max_msg_size:
                self.server_max_msg = header.meta.max_msg_size
            if header.meta.max_obj_size:
                self.server_max_obj = header.meta.max_obj_size
        self._status_for(header)
        for command in message.commands:
            if isinstance(command, Status) and command.cmd == "SyncHdr":
                retry = self._on_header_status(command)
                if retry is not None:
                    return retry
            else:
                self._dispatch(command, header.msg_id)
        if self._switch_anchors and self._other_anchors is not None:
            # The server committed the session we never heard the end of: continue from
            # its anchors in a new session rather than comparing everything.
            self.backend.save_anchors(self._other_anchors)
            self.backend.save_unconfirmed_anchors(None)
            self._other_anchors, self._switch_anchors, self._anchors_tried = None, False, True
            self._reset_session()
            return self.start()
        return self._next(message)

    # ------------------------------------------------------------------ what comes next

    def _next(self, message: Message) -> Send | SyncDone:
        phase = self.phase
        if self.package_open:
            return self._package_part()
        if not message.final:
            # The server's package goes on: answer and ask for its next message.
            return self._reply(ask_next=True)
        if phase is Phase.INIT:
            if not self.alert_answered:
                raise ProtocolError("the server's initialisation package has no Alert for "
                                    f"the datastore {self.config.remote_uri}")
            self.phase = advance(phase, Phase.CLIENT_SYNC)
            self._prepare_changes()
            self.package_open = True
            return self._package_part()
        if phase is Phase.SERVER_SYNC:
            if self.chunk_in is not None:
                # The server's package ended before its object's last piece.
                self.chunk_in = None
                self.failed += 1
            self.phase = advance(phase, Phase.MAP)
            self.package_open = True
            return self._package_part()
        if phase is Phase.MAP:
            self.phase = advance(phase, Phase.DONE)
            self.backend.save_anchors(Anchors(self.local_next, self.remote_next or ""))
            self.backend.save_unconfirmed_anchors(None)
            return SyncDone(self.mode, self.sent.freeze(), self.received.freeze(),
                            self.failed)
        raise ProtocolError(f"a server message after the end of the session ({phase.value})")

    def _prepare_changes(self) -> None:
        mode = self.mode
        changes: list[LocalChange] = []
        if mode in (AlertCode.SLOW_SYNC, AlertCode.REFRESH_FROM_CLIENT):
            changes = self.backend.local_items()
        elif mode in CLIENT_SENDS:
            changes = self.backend.local_changes()
        self.outbox = deque(changes)
        self.outbox_size = len(changes)

    # ------------------------------------------------------------------ building messages

    def _packer(self, cred: bool = False) -> MessagePacker:
        cfg = self.config
        self.msg_id += 1
        header = Header(
            version=cfg.version, session_id=self.session_id, msg_id=self.msg_id,
            target=Location(cfg.url), source=Location(cfg.device_id, cfg.username),
            cred=self._cred() if cred else None,
            meta=Meta(max_msg_size=cfg.max_msg_size, max_obj_size=cfg.max_obj_size),
        )
        limit = message_limit(self.server_max_msg, cfg.max_msg_size)
        return MessagePacker(header, wbxml=cfg.wbxml, limit=limit)

    def _cred(self) -> Cred:
        cfg = self.config
        if self.auth_type == auth.AUTH_BASIC:
            return Cred(auth.basic_cred_data(cfg.username, cfg.password), auth.AUTH_BASIC, "b64")
        secret = auth.md5_secret(cfg.username, cfg.password)
        # Without a nonce yet, libsynthesis digests the empty one; the server then answers
        # with the nonce to use (a routine first failure, not a wrong password).
        digest = auth.md5_digest(secret, self.nonce or b"")
        return Cred(base64.b64encode(digest).decode("ascii"), auth.AUTH_MD5, "b64")

    def _emit(self, packer: MessagePacker, *, final: bool) -> Send:
        return Send(packer.encode(final=final), packer.content_type, self.url)

    def _reply(self, *, ask_next: bool) -> Send:
        """Our statuses (as many as fit), and Alert 222 when the server must go on."""
        packer = self._packer()
        self.queue = packer.add_queue(self.queue)
        if ask_next:
            alert = encode_command(Alert(packer.ids.peek(), AlertCode.NEXT_MESSAGE))
            packer.append(alert, packer.size(alert))
        return self._emit(packer, final=False)

    def _package_part(self) -> Send:
        """The next message of our package (3 or 5): statuses first, then changes or Map."""
        packer = self._packer()
        self.queue = packer.add_queue(self.queue)
        done = False
        if not self.queue:
            if self.phase is Phase.CLIENT_SYNC:
                done = self._fill_sync(packer)
            else:
                done = self._fill_map(packer)
        if not done:
            return self._emit(packer, final=False)
        self.package_open = False
        if self.phase is Phase.CLIENT_SYNC:
            self.phase = advance(self.phase, Phase.SERVER_SYNC)
        else:
            # With this message the server commits the session; if its answer is lost, the
            # next sync finds out whether it did (see start and _on_alert).
            self.backend.save_unconfirmed_anchors(
                Anchors(self.local_next, self.remote_next or ""))
        return self._emit(packer, final=True)

    def _fill_sync(self, packer: MessagePacker) -> bool:
        """Our changes into a Sync while they fit; True when all are out."""
        cfg = self.config
        sync = Sync(packer.ids.peek(), target=Location(cfg.remote_uri),
                    source=Location(cfg.local_uri))
        if not self.sync_opened and cfg.version == "1.2":
            sync.number_of_changes = self.outbox_size
        sync_el = encode_sync_open(sync)
        size = packer.size(sync_el) + 8
        if size > packer.budget and packer.body:
            return False
        packer.append(sync_el, size)
        self.sync_opened = True
        msg_id = packer.header.msg_id
        wbxml, version = cfg.wbxml, cfg.version
        best_room = packer.budget  # no later message has more room than this one's start
        max_obj = min(self.server_max_obj or cfg.max_obj_size, cfg.max_obj_size)
        while self.chunk_out is not None or self.outbox:
            chunk = self.chunk_out
            if chunk is not None:
                cmd_id = packer.ids.peek()
                piece = chunk.next_piece(cmd_id, packer.budget, wbxml=wbxml, version=version)
                if piece is None:
                    return False
                el, size = piece
                packer.ids.next()
                packer.budget -= size
                sync_el.children.append(el)
                self.awaiting.expect(msg_id, cmd_id,
                                     SentChange(0, chunk.command, chunk.key, chunk.rev))
                if not chunk.done:
                    return False
                self.chunk_out = None
                continue
            change = self.outbox[0]
            if change.data is not None and len(change.data.encode()) > max_obj:
                self.outbox.popleft()  # the server takes no object this large: it stays
                self.failed += 1       # pending, and is reported
                continue
            cmd_id = packer.ids.peek()
            el = encode_command(_change_command(change, cmd_id))
            size = packer.size(el)
            if size > packer.budget:
                if change.data is None or size <= best_room - MIN_CHUNK:
                    return False  # it fits into a fresh message
                large = OutgoingObject(
                    command=change.kind.value, data=change.data,
                    content_type=change.content_type, target=None, source=change.luid,
                    datastore=cfg.local_uri, key=change.luid, rev=change.version,
                )
                if packer.budget - large.overhead(cmd_id, wbxml=wbxml,
                                                  version=version) < MIN_CHUNK:
                    return False
                self.outbox.popleft()
                self.chunk_out = large
                self.sent.count(change.kind.value)
                continue
            packer.ids.next()
            packer.budget -= size
            sync_el.children.append(el)
            self.outbox.popleft()
            self.sent.count(change.kind.value)
            self.awaiting.expect(msg_id, cmd_id,
                                 SentChange(0, change.kind.value, change.luid, change.version))
        return True

    def _fill_map(self, packer: MessagePacker) -> bool:
        """The Map of the server's Adds, as much as fits; True when all is out."""
        if not self.maps:
            return True
        cfg = self.config
        map_el = encode_command(Map(packer.ids.peek(), Location(cfg.remote_uri),
                                    Location(cfg.local_uri)))
        size = packer.size(map_el)
        if size > packer.budget and packer.body:
            return False
        items: list[Element] = []
        while self.maps:
            entry = self.maps[0]
            item_el = Element("MapItem", "syncml", [
                Element("Target", "syncml", [Element("LocURI", "syncml", [], entry.target)]),
                Element("Source", "syncml", [Element("LocURI", "syncml", [], entry.source)]),
            ])
            item_size = packer.size(item_el)
            if size + item_size > packer.budget and items:
                break
            size += item_size
            items.append(item_el)
            self.maps.popleft()
        map_el.children.extend(items)
        packer.append(map_el, size)
        return not self.maps

    # ------------------------------------------------------------------ the server's commands

    def _status_for(self, header: Header) -> None:
        self._status(header.msg_id, 0, "SyncHdr", StatusCode.OK, [header.target.uri],
                     [header.source.uri])

    def _status(self, msg_ref: int, cmd_ref: int, cmd: str, code: int,
                target_refs: list[str] | None = None, source_refs: list[str] | None = None,
                items: list[Item] | None = None) -> None:
        status = Status(0, msg_ref, cmd_ref, cmd, int(code), target_refs or [],
                        source_refs or [], items=items or [])
        self.queue.append(encode_command(status))

    def _on_header_status(self, status: Status) -> Send | None:
        code = status.code
        chal = status.chal
        used_fresh_nonce = self._nonce_fresh
        if chal is not None and chal.meta.next_nonce:
            self.nonce = _nonce(chal)
            self.backend.save_nonce(self.nonce)
        if code in (StatusCode.OK, StatusCode.AUTHENTICATION_ACCEPTED):
            self.authenticated = True
            self._nonce_fresh = False
            return None
        if code in (StatusCode.INVALID_CREDENTIALS, StatusCode.MISSING_CREDENTIALS):
            return self._login_again(status, chal, used_fresh_nonce)
        raise PeerRefused(f"the server refused the session with status {code}",
                          code=code, command="SyncHdr")

    def _login_again(self, status: Status, chal: Chal | None, used_fresh_nonce: bool) -> Send:
        """A new session with the credentials the challenge asks for, unless these
        credentials were refused already with what the server asked for."""
        wanted = chal.meta.type if chal is not None and chal.meta.type else self.auth_type
        has_nonce = chal is not None and bool(chal.meta.next_nonce)
        if wanted == auth.AUTH_BASIC:
            hopeless = self.auth_type == auth.AUTH_BASIC
        elif wanted == auth.AUTH_MD5:
            hopeless = not has_nonce or (self.auth_type == auth.AUTH_MD5 and used_fresh_nonce)
        else:
            hopeless = True  # an auth type we do not speak
        if hopeless or self.authenticated or self._logins + 1 >= _MAX_LOGINS:
            raise AuthenticationFailed(
                f"the server refused the user name or password for {self.config.username!r} "
                f"(status {status.code})", code=status.code, command="SyncHdr")
        self.auth_type = wanted
        self._logins += 1
        self._reset_session()
        self._nonce_fresh = wanted == auth.AUTH_MD5
        return self.start()

    def _dispatch(self, command: Command, msg_id: int) -> None:
        if isinstance(command, Status):
            self._on_status(command)
        elif isinstance(command, Alert):
            self._on_alert(command, msg_id)
        elif isinstance(command, Sync):
            self._on_sync(command, msg_id)
        elif isinstance(command, Get):
            self._on_get(command, msg_id)
        elif isinstance(command, Put):
            if not command.no_resp:
                self._status(msg_id, command.cmd_id, "Put", StatusCode.OK)
        elif isinstance(command, Results):
            self._status(msg_id, command.cmd_id, "Results", StatusCode.OK)
        elif isinstance(command, ItemCommand):
            self._status(msg_id, command.cmd_id, command.name, StatusCode.COMMAND_NOT_ALLOWED)
        elif isinstance(command, Map):
            self._status(msg_id, command.cmd_id, "Map", StatusCode.COMMAND_NOT_ALLOWED)
        elif isinstance(command, UnsupportedCommand) and not command.no_resp:
            self._status(msg_id, command.cmd_id, command.name,
                         StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED)

    def _on_status(self, status: Status) -> None:
        code = status.code
        if status.cmd == "Alert" and not self.alert_answered and self.phase is Phase.INIT:
            if code == StatusCode.REFRESH_REQUIRED:
                return  # the server's own Alert carries the slow sync it wants
            if not 200 <= code < 300:
                raise PeerRefused(
                    f"the server refused to sync the datastore {self.config.remote_uri!r} "
                    f"(status {code})", code=code, command="Alert")
            return
        if status.cmd == "Sync" and code >= 300:
            raise PeerRefused(f"the server refused our changes (status {code})",
                              code=code, command="Sync")
        sent = self.awaiting.answer(status)
        if sent is None or code == StatusCode.CHUNKED_ITEM_ACCEPTED:
            return
        if 200 <= code < 300 or code in _CONFIRMING:
            self.backend.confirm(sent.key, sent.rev)
        else:
            self.failed += 1  # it stays pending and goes again next time
            if self.chunk_out is not None and self.chunk_out.key == sent.key:
                self.chunk_out = None

    def _on_alert(self, alert: Alert, msg_id: int) -> None:
        code = alert.code
        if not 200 <= code <= 210:
            # 222 (next message), 223, 100...: acknowledged; what comes next does the rest.
            if not alert.no_resp:
                self._status(msg_id, alert.cmd_id, "Alert", StatusCode.OK)
            return
        item = alert.items[0] if alert.items else None
        try:
            mode = AlertCode(code).plain_mode()
        except ValueError:
            mode = AlertCode.TWO_WAY
        self.mode = mode
        self.alert_answered = True
        anchor = item.meta.anchor if item and item.meta and item.meta.anchor else None
        other = self._other_anchors
        if (mode == AlertCode.SLOW_SYNC and self.requested in _INCREMENTAL and other is not None
                and anchor is not None and anchor.last == other.remote):
            self._switch_anchors = True
        self.remote_next = anchor.next if anchor and anchor.next else self.local_next
        if item and item.meta and item.meta.max_obj_size:
            self.server_max_obj = item.meta.max_obj_size
        if mode == AlertCode.REFRESH_FROM_SERVER and self.requested != mode and (
            self.backend.local_changes()
        ):
            # A refresh nobody asked for would throw away local edits the server never had.
            raise PeerRefused("the server wants to replace the local data (refresh from "
                              "server), but there are local changes it does not have yet",
                              code=code, command="Alert")
        if mode == AlertCode.REFRESH_FROM_SERVER:
            # Until this refresh completes the local data and the server's mappings
            # disagree: a cut refresh must end in a slow sync.
            self.backend.save_anchors(None)
            self.backend.clear()
        echo = Item(data=Element("Anchor", "metinf", [
            Element("Next", "metinf", [], self.remote_next)]))
        refs = ([item.target.uri] if item and item.target else [],
                [item.source.uri] if item and item.source else [])
        self._status(msg_id, alert.cmd_id, "Alert", StatusCode.OK, refs[0], refs[1], [echo])

    def _on_get(self, get: Get, msg_id: int) -> None:
        target = get.items[0].target.uri if get.items and get.items[0].target else ""
        if not target.lstrip("./").startswith("devinf"):
            self._status(msg_id, get.cmd_id, "Get", StatusCode.NOT_FOUND, [target])
            return
        self._status(msg_id, get.cmd_id, "Get", StatusCode.OK, [target])
        cfg = self.config
        results = Results(0, msg_id, get.cmd_id,
                          meta=Meta(type=DEVINF_WBXML if cfg.wbxml else DEVINF_XML),
                          items=[Item(source=Location(devinf_uri(cfg.version)),
                                      data=build_devinf(self._devinf()))])
        self.queue.append(encode_command(results))

    def _on_sync(self, sync: Sync, msg_id: int) -> None:
        if not sync.no_resp:
            self._status(msg_id, sync.cmd_id, "Sync", StatusCode.OK,
                         [sync.target.uri] if sync.target else [],
                         [sync.source.uri] if sync.source else [])
        accept = self.mode in SERVER_SENDS
        for sub in sync.commands:
            if isinstance(sub, UnsupportedCommand):
                self._status(msg_id, sub.cmd_id, sub.name,
                             StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED)
                continue
            if not sub.items and not sub.no_resp:
                self._status(msg_id, sub.cmd_id, sub.name, StatusCode.INCOMPLETE_COMMAND)
            for item in sub.items:
                code = self._apply(sub, item) if accept else StatusCode.COMMAND_NOT_ALLOWED
                if sub.no_resp:
                    continue
                if item.source is not None:
                    self._status(msg_id, sub.cmd_id, sub.name, code,
                                 source_refs=[item.source.uri])
                else:
                    self._status(msg_id, sub.cmd_id, sub.name, code,
                                 target_refs=[item.target.uri] if item.target else [])

    def _apply(self, command: ItemCommand, item: Item) -> int:
        """Apply one of the server's items; the status code to answer."""
        name = command.name
        guid = item.source.uri if item.source else ""
        luid = item.target.uri if item.target else ""
        meta = command.meta
        default_type = meta.type if meta and meta.type else None
        default_size = meta.size if meta and meta.size is not None else None
        key = guid or luid
        pending = self.chunk_in
        if pending is not None and not pending.continues("", name, key):
            self.chunk_in = pending = None  # the object's last piece never came
            self.failed += 1
        self.chunk_in, whole = reassemble(pending, "", name, key, item, default_type,
                                          default_size, self.config.max_obj_size)
        if whole is None:
            return StatusCode.CHUNKED_ITEM_ACCEPTED
        if isinstance(whole, int):
            self.failed += 1
            return whole
        content_type = (whole.meta.type if whole.meta and whole.meta.type else None) or (
            default_type or self.config.content_type)
        if name == "Delete":
            if self.backend.delete(luid):
                self.received.count(name)
                return StatusCode.OK
            return StatusCode.ITEM_NOT_DELETED
        if name not in ("Add", "Replace"):
            return StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED
        try:
            data = whole.data_bytes().decode("utf-8")
        except (UnicodeDecodeError, ProtocolError):
            self.failed += 1
            return StatusCode.UNSUPPORTED_MEDIA_TYPE
        try:
            if name == "Replace" and luid and self.backend.replace(luid, data, content_type):
                self.received.count(name)
                return StatusCode.OK
            if not guid:
                return StatusCode.NOT_FOUND
            # A resent Add (our Map never reached the server) updates what the first made.
            known = self.backend.luid_for(guid)
            if known is not None and self.backend.replace(known, data, content_type):
                self.received.count("Replace")
                new_luid = known
            else:
                new_luid = self.backend.add(guid, data, content_type)
                self.received.count("Add")
        except ValueError:
            self.failed += 1
            return StatusCode.UNSUPPORTED_MEDIA_TYPE
        self.maps.append(MapItem(target=guid, source=new_luid))
        return StatusCode.ITEM_ADDED

    # ------------------------------------------------------------------ DevInf

    def _devinf(self) -> DevInf:
        cfg = self.config
        ical, vcal = ContentType("text/calendar", "2.0"), ContentType("text/x-vcalendar", "1.0")
        store = DataStore(
            source_ref=cfg.local_uri, display_name="Tasks", max_guid_size=64,
            rx_pref=ical, rx=[vcal], tx_pref=ical, tx=[vcal], sync_types=[1, 2, 3, 4, 5, 6, 7],
        )
        return DevInf(
            ver_dtd=cfg.version, man=cfg.manufacturer, mod=cfg.model,
            sw_v=cfg.software_version, dev_id=cfg.device_id, dev_type=cfg.device_type,
            utc=True, large_objects=True, number_of_changes=True, datastores=[store],
        )


def _change_command(change: LocalChange, cmd_id: int) -> ItemCommand:
    if change.kind is ChangeKind.DELETE:
        return ItemCommand("Delete", cmd_id, [Item(source=Location(change.luid))])
    return ItemCommand(change.kind.value, cmd_id,
                       [Item(source=Location(change.luid), data=change.data)],
                       meta=Meta(type=change.content_type))


def _nonce(chal: Chal) -> bytes | None:
    text = chal.meta.next_nonce or ""
    if chal.meta.format == "b64" or chal.meta.format is None:
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return text.encode()
    return text.encode()
