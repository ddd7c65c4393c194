"""The server side of a SyncML DS session, as a sans-IO engine.

``SyncServer.receive(body, content_type, url)`` takes one client message and returns the
reply to send, with events saying what happened. All state goes through the
:class:`~syncml.backend.ServerBackend` the host passes in (one store transaction per
message), so a session survives a restart of the process between two of its messages.

Sync semantics (what SyncEvolution's server-conformance suite checks, and more):

* Server changes for a device are computed from item revisions and the device's
  mappings, not from timestamps: whatever a device did not confirm is sent again.
* A client Add whose UID the server already has is paired with that item, never
  twinned; a resent Add (same LUID) updates instead of duplicating.
* An item changed on both sides since the device's last sync is merged field by field
  by the datastore's content handler; where fields collide the later change wins.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from syncml import auth, codec
from syncml._tree import Element
from syncml.backend import (
    Change,
    ChangeKind,
    ContentHandler,
    Datastore,
    MergeOutcome,
    Principal,
    ServerBackend,
    StoredItem,
)
from syncml.codes import CLIENT_SENDS, MODE_NAMES, SERVER_SENDS, AlertCode, StatusCode
from syncml.devinf import (
    DEVINF_WBXML,
    DEVINF_XML,
    ContentType,
    DataStore,
    DevInf,
    build_devinf,
    devinf_uri,
    parse_devinf,
)
from syncml.errors import SyncMLError
from syncml.model import (
    Alert,
    Anchor,
    Chal,
    Command,
    Get,
    Header,
    Item,
    ItemCommand,
    Location,
    Map,
    Message,
    Meta,
    Put,
    Results,
    Status,
    Sync,
    UnsupportedCommand,
    decode_message,
    encode_command,
    encode_header,
    encode_sync_open,
)
from syncml.server_state import (
    PHASE_CLIENT_SYNC,
    PHASE_DONE,
    PHASE_INIT,
    PHASE_MAP,
    PHASE_SERVER_SYNC,
    DatastoreState,
    SessionState,
    element_from_json,
    element_to_json,
)

SUPPORTED_VERSIONS = ("1.1", "1.2")
SESSION_PARAM = "sid"
# Bytes kept free in every message for the header, the Final and encoder slack.
_MESSAGE_RESERVE = 1024
_MIN_MSG_SIZE = 4096
# Below this much room left, a large object is not started in the current message.
_MIN_CHUNK = 512


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """How the server session behaves."""

    datastores: dict[str, ContentHandler]
    aliases: dict[str, str] = field(default_factory=dict)  # client URI (normalised) → name
    auth_types: tuple[str, ...] = (auth.AUTH_MD5, auth.AUTH_BASIC)
    max_msg_size: int = 150_000
    max_obj_size: int = 4_000_000
    manufacturer: str = "Traveler Desktop"
    model: str = "Traveler Server"
    software_version: str = "0.1.0"
    device_id: str = "traveler-server"
    clock: Callable[[], float] = time.time


@dataclass(frozen=True, slots=True)
class SyncFinished:
    """A datastore finished synchronising (the session's last package arrived)."""

    username: str
    device_id: str
    datastore: str
    mode: str
    items_in: int
    items_out: int
    conflicts: int
    failed: int
    duration_ms: int


@dataclass(frozen=True, slots=True)
class AuthFailed:
    """A client presented missing or wrong credentials."""

    device_id: str
    username: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ProtocolViolation:
    """A message could not be processed; ``reason`` says why."""

    reason: str


Event = SyncFinished | AuthFailed | ProtocolViolation


@dataclass(frozen=True, slots=True)
class Reply:
    """What to answer on the wire."""

    body: bytes
    content_type: str
    http_status: int = 200
    events: tuple[Event, ...] = ()


def normalise_uri(uri: str) -> str:
    """A datastore URI without "./", query or case, for matching aliases."""
    uri = uri.strip()
    while uri.startswith("./"):
        uri = uri[2:]
    return uri.split("?", 1)[0].strip("/").lower()


def _anchor_now(clock: Callable[[], float]) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock())) + f"-{secrets.token_hex(2)}"


class SyncServer:
    """Drives server sessions; one instance serves every request of a process."""

    def __init__(self, config: ServerConfig, backend: ServerBackend) -> None:
        self.config = config
        self.backend = backend

    # ------------------------------------------------------------------ entry point

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        """Process one client message; the returned reply is what to send back."""
        wbxml = "wbxml" in content_type.lower()
        out_type = codec.CONTENT_TYPE_WBXML if wbxml else codec.CONTENT_TYPE_XML
        try:
            root = codec.decode(body, content_type)
            message = decode_message(root)
        except SyncMLError as exc:
            return Reply(
                body=f"Not a usable SyncML message: {exc}".encode(),
                content_type="text/plain; charset=utf-8",
                http_status=400,
                events=(ProtocolViolation(str(exc)),),
            )
        header = message.header
        if header.version not in SUPPORTED_VERSIONS:
            return self._header_only_reply(
                header, wbxml, StatusCode.VERSION_NOT_SUPPORTED,
                ProtocolViolation(f"SyncML version {header.version} is not supported"),
            )
        key = self._session_key(url, header)
        state_data = self.backend.load_session(key) if key else None
        state = SessionState.from_dict(state_data) if state_data else None
        if state is not None and header.msg_id == state.client_msg_id:
            replay = self.backend.load_reply(key or "")
            if replay is not None:
                return Reply(body=replay[0], content_type=replay[1])
        if state is not None and header.msg_id < state.client_msg_id:
            state = None  # a lower MsgID starts a new session
        if state is None or header.msg_id == 1:
            if state is not None:
                self.backend.delete_session(state.key)
            state = self._new_session(header, wbxml, url)
        return _Turn(self, state, message, out_type).run()

    # ------------------------------------------------------------------ helpers

    def _session_key(self, url: str, header: Header) -> str | None:
        query = parse_qs(urlsplit(url).query)
        token = query.get(SESSION_PARAM, [None])[0]
        if token:
            return token
        # Clients that ignore RespURI keep posting to the first URL: find them by
        # device and session ID.
        return f"dev:{header.source.uri}:{header.session_id}"

    def _new_session(self, header: Header, wbxml: bool, url: str) -> SessionState:
        token = secrets.token_urlsafe(12)
        parts = urlsplit(url)
        query = f"{SESSION_PARAM}={token}"
        resp_uri = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        meta = header.meta or Meta()
        return SessionState(
            key=token,
            version=header.version,
            wbxml=wbxml,
            client_session_id=header.session_id,
            device_id=header.source.uri,
            target_uri=header.target.uri,
            resp_uri=resp_uri,
            max_msg_size=max(meta.max_msg_size or 150_000, _MIN_MSG_SIZE),
            max_obj_size=meta.max_obj_size,
            started=self.config.clock(),
        )

    def _header_only_reply(self, header: Header, wbxml: bool, code: int, event: Event) -> Reply:
        reply = Message(
            header=Header(
                version=header.version if header.version in SUPPORTED_VERSIONS else "1.2",
                session_id=header.session_id,
                msg_id=1,
                target=Location(header.source.uri, header.source.name),
                source=Location(header.target.uri),
            ),
            commands=[Status(1, header.msg_id, 0, "SyncHdr", int(code),
                             [header.target.uri], [header.source.uri])],
            final=True,
        )
        from syncml.model import encode_message

        root = encode_message(reply)
        content_type = codec.CONTENT_TYPE_WBXML if wbxml else codec.CONTENT_TYPE_XML
        return Reply(codec.encode(root, wbxml=wbxml), content_type, 200, (event,))


class _Turn:
    """One message of one session: process the client's commands, build the reply."""

    def __init__(self, server: SyncServer, state: SessionState, message: Message,
                 content_type: str) -> None:
        self.server = server
        self.config = server.config
        self.backend = server.backend
        self.state = state
        self.message = message
        self.header = message.header
        self.content_type = content_type
        self.events: list[Event] = []
        self.statuses: list[Element] = []   # answers to this message, in order
        self.extra: list[Element] = []      # Results, Alerts queued after the statuses
        self.principal: Principal | None = (
            Principal(state.username) if state.username else None
        )
        self._stores: dict[str, Datastore] = {}
        self._cmd = 0  # the last CmdID used in the reply being built

    # ------------------------------------------------------------------ main flow

    def run(self) -> Reply:
        state = self.state
        state.client_msg_id = self.header.msg_id
        meta = self.header.meta
        if meta is not None and meta.max_msg_size:
            # Below a few KB not even one status with its header fits; no real client
            # asks for less (libsynthesis floors its own at 10 KB).
            state.max_msg_size = max(meta.max_msg_size, _MIN_MSG_SIZE)
        if meta is not None and meta.max_obj_size:
            state.max_obj_size = meta.max_obj_size

        header_code, chal = self._authenticate()
        if header_code in (StatusCode.INVALID_CREDENTIALS, StatusCode.MISSING_CREDENTIALS):
            return self._auth_failure_reply(header_code, chal)

        self._status("SyncHdr", 0, header_code, [self.header.target.uri],
                     [self.header.source.uri], chal=chal)
        for command in self.message.commands:
            self._dispatch(command)
        if self.message.final:
            self._end_of_client_package()
        return self._build_reply()

    # ------------------------------------------------------------------ authentication

    def _authenticate(self) -> tuple[int, Chal | None]:
        """Header status and challenge for this message."""
        if self.principal is not None:
            return StatusCode.OK, None
        cred = self.header.cred
        device = self.header.source.uri
        allowed = self.config.auth_types
        if cred is None:
            self.events.append(AuthFailed(device, self.header.source.name, "no credentials"))
            return StatusCode.MISSING_CREDENTIALS, self._challenge()
        username: str | None = None
        principal: Principal | None = None
        if cred.type == auth.AUTH_BASIC and auth.AUTH_BASIC in allowed:
            basic = auth.parse_basic(cred.data)
            if basic is not None:
                username = basic.username
                principal = self.backend.check_password(basic.username, basic.password)
        elif cred.type == auth.AUTH_MD5 and auth.AUTH_MD5 in allowed:
            username = self.header.source.name
            nonce = self.backend.nonce(device)
            if username and nonce is not None:
                found = self.backend.md5_secret(username)
                if found is not None and auth.check_md5(cred.data, found[1], nonce):
                    principal = found[0]
        else:
            self.events.append(AuthFailed(device, None, f"auth type {cred.type} not accepted"))
            return StatusCode.INVALID_CREDENTIALS, self._challenge()
        if principal is None:
            self.events.append(AuthFailed(device, username, "wrong user name or password"))
            return StatusCode.INVALID_CREDENTIALS, self._challenge()
        self.principal = principal
        self.state.username = principal.username
        self.backend.device_contact(principal, device, None)
        if cred.type == auth.AUTH_MD5:
            return StatusCode.AUTHENTICATION_ACCEPTED, self._challenge()
        return StatusCode.AUTHENTICATION_ACCEPTED, None

    def _challenge(self) -> Chal:
        if auth.AUTH_MD5 in self.config.auth_types:
            nonce = auth.new_nonce()
            self.backend.set_nonce(self.header.source.uri, nonce)
            return Chal(Meta(type=auth.AUTH_MD5, format="b64",
                             next_nonce=base64.b64encode(nonce).decode("ascii")))
        return Chal(Meta(type=auth.AUTH_BASIC, format="b64"))

    def _auth_failure_reply(self, code: int, chal: Chal | None) -> Reply:
        status = Status(1, self.header.msg_id, 0, "SyncHdr", int(code),
                        [self.header.target.uri], [self.header.source.uri], chal=chal)
        message = Message(header=self._reply_header(with_resp_uri=False),
                          commands=[status], final=True)
        from syncml.model import encode_message

        body = codec.encode(encode_message(message), wbxml=self.state.wbxml)
        # The failed session is not kept: the client retries in a new one.
        return Reply(body, self.content_type, 200, tuple(self.events))

    # ------------------------------------------------------------------ statuses

    def _status(self, cmd: str, cmd_ref: int, code: int, target_refs: list[str] | None = None,
                source_refs: list[str] | None = None, chal: Chal | None = None,
                items: list[Item] | None = None) -> None:
        status = Status(0, self.header.msg_id, cmd_ref, cmd, int(code), target_refs or [],
                        source_refs or [], chal=chal, items=items or [])
        self.statuses.append(encode_command(status))

    # ------------------------------------------------------------------ dispatch

    def _dispatch(self, command: Command) -> None:
        if isinstance(command, Status):
            self._on_status(command)
            return
        if isinstance(command, Results):
            self._status("Results", command.cmd_id, StatusCode.OK,
                         source_refs=[command.source_ref] if command.source_ref else [])
            return
        no_resp = getattr(command, "no_resp", False)
        if isinstance(command, Alert):
            self._on_alert(command)
        elif isinstance(command, Put):
            self._on_put(command)
        elif isinstance(command, Get):
            self._on_get(command)
        elif isinstance(command, Sync):
            self._on_sync(command)
        elif isinstance(command, Map):
            self._on_map(command)
        elif isinstance(command, ItemCommand):
            # Item commands belong inside a Sync.
            self._status(command.name, command.cmd_id, StatusCode.COMMAND_NOT_ALLOWED)
        elif isinstance(command, UnsupportedCommand):
            self._status(command.name, command.cmd_id, StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED)
        if no_resp and self.statuses and self.statuses[-1].text_of("CmdRef") == str(
            getattr(command, "cmd_id", -1)
        ):
            self.statuses.pop()

    # ------------------------------------------------------------------ DevInf

    def _server_devinf(self) -> DevInf:
        cfg = self.config
        stores = []
        for name, handler in cfg.datastores.items():
            types = [ContentType(t, _ct_version(t)) for t in handler.supported_types]
            stores.append(DataStore(
                source_ref=name, display_name=name.capitalize(), max_guid_size=32,
                rx_pref=types[0], rx=types[1:], tx_pref=types[0], tx=types[1:],
                sync_types=[1, 2, 3, 4, 5, 6, 7],
            ))
        return DevInf(
            ver_dtd=self.state.version, man=cfg.manufacturer, mod=cfg.model,
            sw_v=cfg.software_version, dev_id=cfg.device_id, dev_type="server", utc=True,
            large_objects=True, number_of_changes=True, datastores=stores,
        )

    def _on_put(self, put: Put) -> None:
        code = StatusCode.OK
        for item in put.items:
            if isinstance(item.data, Element) and item.data.tag == "DevInf":
                devinf = parse_devinf(item.data)
                self.state.client_large_objects = devinf.large_objects
                assert self.principal is not None
                self.backend.device_contact(self.principal, self.header.source.uri,
                                            _devinf_to_dict(devinf))
            else:
                code = StatusCode.UNSUPPORTED_MEDIA_TYPE
        source = put.items[0].source.uri if put.items and put.items[0].source else None
        self._status("Put", put.cmd_id, code, source_refs=[source] if source else [])

    def _on_get(self, get: Get) -> None:
        target = get.items[0].target.uri if get.items and get.items[0].target else ""
        if not target.lstrip("./").startswith("devinf"):
            self._status("Get", get.cmd_id, StatusCode.NOT_FOUND, target_refs=[target])
            return
        self._status("Get", get.cmd_id, StatusCode.OK, target_refs=[target])
        devinf_type = DEVINF_WBXML if self.state.wbxml else DEVINF_XML
        uri = devinf_uri(self.state.version)
        results = Results(
            cmd_id=0, msg_ref=self.header.msg_id, cmd_ref=get.cmd_id,
            meta=Meta(type=devinf_type),
            items=[Item(source=Location(uri), data=build_devinf(self._server_devinf()))],
        )
        self.extra.append(encode_command(results))

    # ------------------------------------------------------------------ Alert

    def _datastore(self, ds: DatastoreState) -> Datastore:
        store = self._stores.get(ds.name)
        if store is None:
            assert self.principal is not None
            opened = self.backend.open_datastore(self.principal, self.state.device_id, ds.name)
            if opened is None:
                raise LookupError(ds.name)
            store = self._stores[ds.name] = opened
        return store

    def _handler(self, ds: DatastoreState) -> ContentHandler:
        return self.config.datastores[ds.name]

    def _resolve(self, uri: str) -> str | None:
        norm = normalise_uri(uri)
        if norm in self.config.datastores:
            return norm
        return self.config.aliases.get(norm)

    def _on_alert(self, alert: Alert) -> None:
        code = alert.code
        if code == AlertCode.NEXT_MESSAGE:
            self._status("Alert", alert.cmd_id, StatusCode.OK)
            return
        if code in (AlertCode.SUSPEND, AlertCode.NO_END_OF_DATA, AlertCode.DISPLAY,
                    AlertCode.RESULT_ALERT):
            self._status("Alert", alert.cmd_id, StatusCode.OK)
            return
        if code == AlertCode.RESUME:
            if self.state.version != "1.2":
                self._status("Alert", alert.cmd_id, StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED)
                return
            # We do not keep half-done sessions for resumption; the client falls back
            # to a normal sync, which converges because changes are revision-tracked.
            self._start_datastore(alert, AlertCode.TWO_WAY, resume=True)
            return
        try:
            mode = AlertCode(code).plain_mode()
        except ValueError:
            mode = None
        if mode is None or not mode.is_sync_mode or mode not in MODE_NAMES:
            self._status("Alert", alert.cmd_id, StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED)
            return
        self._start_datastore(alert, mode)

    def _start_datastore(self, alert: Alert, mode: AlertCode, resume: bool = False) -> None:
        item = alert.items[0] if alert.items else None
        target = item.target.uri if item and item.target else ""
        source = item.source.uri if item and item.source else ""
        anchor = item.meta.anchor if item and item.meta and item.meta.anchor else None
        name = self._resolve(target)
        if name is None or item is None or not source:
            self._status("Alert", alert.cmd_id, StatusCode.NOT_FOUND, [target], [source])
            return
        if self.state.phase not in (PHASE_INIT,) and any(
            d.name == name for d in self.state.datastores
        ):
            self._status("Alert", alert.cmd_id, StatusCode.COMMAND_NOT_ALLOWED, [target], [source])
            return
        client_next = anchor.next if anchor and anchor.next else _anchor_now(self.config.clock)
        ds = DatastoreState(
            name=name, client_uri=source, server_uri=target, mode=int(mode),
            requested_mode=int(alert.code), client_last=anchor.last if anchor else None,
            client_next=client_next, server_last=None,
            server_next=_anchor_now(self.config.clock),
            content_type=self._client_content_type(name, source),
        )
        store = self._datastore(ds)
        saved = store.saved_anchor()
        code = StatusCode.OK
        if resume:
            code = StatusCode.CANNOT_RESUME
        incremental = mode in (AlertCode.TWO_WAY, AlertCode.ONE_WAY_FROM_CLIENT,
                               AlertCode.ONE_WAY_FROM_SERVER)
        # Incremental modes need both sides to agree on the last sync.
        if incremental and (saved is None or (ds.client_last or "") != saved[0]):
            code = StatusCode.REFRESH_REQUIRED
            ds.mode = int(AlertCode.SLOW_SYNC)
        if saved is not None:
            ds.server_last = saved[1]
        if ds.mode == AlertCode.REFRESH_FROM_SERVER:
            store.clear_mappings()
        self.state.datastores.append(ds)
        anchor_item = Item(data=Element("Anchor", "metinf", [Element("Next", "metinf", [],
                                                                     client_next)]))
        self._status("Alert", alert.cmd_id, code, [target], [source], items=[anchor_item])
        server_alert = Alert(
            cmd_id=0, code=ds.mode,
            items=[Item(
                target=Location(source), source=Location(target),
                meta=Meta(anchor=Anchor(last=ds.server_last, next=ds.server_next),
                          max_obj_size=self.config.max_obj_size),
            )],
        )
        self.extra.append(encode_command(server_alert))

    def _client_content_type(self, name: str, client_uri: str) -> str:
        handler = self.config.datastores[name]
        assert self.principal is not None
        info = self.backend.device_info(self.principal, self.state.device_id)
        if info:
            for store in info.get("datastores", []):
                if normalise_uri(store.get("source_ref", "")) == normalise_uri(client_uri):
                    for wanted in [store.get("rx_pref"), *list(store.get("rx", []))]:
                        if wanted and wanted in handler.supported_types:
                            return str(wanted)
        return handler.storage_type

    def _find_ds(self, client_uri: str | None, server_uri: str | None) -> DatastoreState | None:
        for ds in self.state.datastores:
            if server_uri is not None and normalise_uri(server_uri) in (
                normalise_uri(ds.server_uri), ds.name
            ):
                return ds
            if client_uri is not None and normalise_uri(client_uri) == normalise_uri(
                ds.client_uri
            ):
                return ds
        return None

    # ------------------------------------------------------------------ Sync from client

    def _on_sync(self, sync: Sync) -> None:
        target = sync.target.uri if sync.target else None
        source = sync.source.uri if sync.source else None
        ds = self._find_ds(source, target)
        if ds is None:
            self._status("Sync", sync.cmd_id, StatusCode.NOT_FOUND, [target or ""],
                         [source or ""])
            for sub in sync.commands:
                self._status(sub.name, sub.cmd_id, StatusCode.NOT_FOUND)
            return
        if self.state.phase == PHASE_INIT:
            self.state.phase = PHASE_CLIENT_SYNC
        self._status("Sync", sync.cmd_id, StatusCode.OK, [ds.server_uri], [ds.client_uri])
        accept_changes = ds.mode in CLIENT_SENDS
        for sub in sync.commands:
            if isinstance(sub, UnsupportedCommand):
                self._status(sub.name, sub.cmd_id, StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED)
                continue
            default_type = sub.meta.type if sub.meta and sub.meta.type else None
            for item in sub.items:
                if not accept_changes:
                    self._status(sub.name, sub.cmd_id, StatusCode.COMMAND_NOT_ALLOWED,
                                 source_refs=[_luid(item)])
                    continue
                code = self._apply(ds, sub.name, item, default_type, sub.cmd_id)
                if code is not None and not sub.no_resp:
                    refs = [_luid(item)] if item.source else []
                    targets = [item.target.uri] if item.target and not item.source else []
                    self._status(sub.name, sub.cmd_id, code, targets, refs)

    def _apply(self, ds: DatastoreState, op: str, item: Item, default_type: str | None,
               cmd_id: int) -> int | None:
        """Apply one client item; the status code to answer, None when answered already."""
        whole = self._reassemble(ds, op, item, default_type)
        if whole is None:
            return StatusCode.CHUNKED_ITEM_ACCEPTED
        if isinstance(whole, int):  # the object's size was wrong or too large
            return whole
        item = whole
        luid = _luid(item)
        store = self._datastore(ds)
        handler = self._handler(ds)
        if op == "Delete":
            return self._apply_delete(ds, store, luid)
        if op not in ("Add", "Replace"):
            return StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED
        content_type = (item.meta.type if item.meta and item.meta.type else default_type) or (
            ds.content_type
        )
        if content_type not in handler.supported_types:
            ds.failed += 1
            return StatusCode.UNSUPPORTED_MEDIA_TYPE
        try:
            raw = item.data_bytes().decode("utf-8")
            data = handler.to_storage(raw, content_type)
        except (ValueError, UnicodeDecodeError, SyncMLError):
            ds.failed += 1
            return StatusCode.UNSUPPORTED_MEDIA_TYPE
        if not luid:
            return StatusCode.INCOMPLETE_COMMAND
        uid = handler.uid_of(data)
        mapping = store.mapping(luid)
        existing: StoredItem | None = None
        if mapping is not None:
            existing = store.get(mapping.guid)
            if existing is None:
                store.remove_mapping(mapping.guid)
                mapping = None
        if existing is None and uid:
            existing = store.find_uid(uid)
            if existing is not None:
                other = store.mapping_for_guid(existing.guid)
                mapping = other if other is not None and other.luid in (None, luid) else None
        if existing is None:
            new = store.add(data, uid)
            store.set_mapping(new.guid, luid, new.rev)
            ds.received.added += 1
            self._seen(ds, new.guid)
            return StatusCode.ITEM_ADDED
        self._seen(ds, existing.guid)
        code = StatusCode.ITEM_ADDED if op == "Add" else StatusCode.OK
        if handler.same(existing.data, data):
            store.set_mapping(existing.guid, luid, existing.rev)
            return code
        server_changed = mapping is None or existing.rev > mapping.synced_rev
        if not server_changed:
            updated = store.update(existing.guid, data, uid)
            store.set_mapping(existing.guid, luid, updated.rev)
            ds.received.replaced += 1
            return code
        # Both sides changed the item since this device last had it: a conflict.
        base = store.base(existing.guid, mapping.synced_rev) if mapping else None
        merged = handler.merge(base, existing, data)
        ds.received.conflicts += 1
        if merged.outcome is MergeOutcome.CLIENT:
            updated = store.update(existing.guid, merged.data, uid)
            store.set_mapping(existing.guid, luid, updated.rev)
            ds.received.replaced += 1
            return StatusCode.CONFLICT_RESOLVED_CLIENT_WINS
        if merged.outcome is MergeOutcome.MERGED:
            updated = store.update(existing.guid, merged.data, uid)
        else:
            updated = existing
        # The device must receive the winning version: map it at a revision it lacks.
        store.set_mapping(existing.guid, luid, min(updated.rev - 1, mapping.synced_rev)
                          if mapping else 0)
        if merged.outcome is MergeOutcome.MERGED:
            ds.received.replaced += 1
            return StatusCode.CONFLICT_RESOLVED_WITH_MERGE
        return StatusCode.CONFLICT_RESOLVED_SERVER_WINS

    def _apply_delete(self, ds: DatastoreState, store: Datastore, luid: str) -> int:
        mapping = store.mapping(luid) if luid else None
        if mapping is None:
            return StatusCode.ITEM_NOT_DELETED
        existing = store.get(mapping.guid)
        if existing is None:
            store.remove_mapping(mapping.guid)
            return StatusCode.ITEM_NOT_DELETED
        if existing.rev > mapping.synced_rev:
            # Changed on the server after the device last saw it: the change is worth
            # more than the deletion; the device gets the item back.
            store.remove_mapping(mapping.guid)
            ds.received.conflicts += 1
            return StatusCode.CONFLICT_RESOLVED_SERVER_WINS
        store.delete(mapping.guid)
        store.remove_mapping(mapping.guid)
        ds.received.deleted += 1
        return StatusCode.OK

    def _seen(self, ds: DatastoreState, guid: str) -> None:
        if ds.mode in (AlertCode.SLOW_SYNC, AlertCode.REFRESH_FROM_CLIENT):
            ds.seen.append(guid)

    def _reassemble(self, ds: DatastoreState, op: str, item: Item,
                    default_type: str | None) -> Item | int | None:
        """Collect large-object chunks: the whole item when complete, None while partial,
        a status code when the object is refused."""
        pending = self.state.chunk_in
        luid = _luid(item)
        chunk = item.data_bytes() if not isinstance(item.data, Element) else b""
        if pending is None and not item.more_data:
            return item
        if pending is None:
            size = item.meta.size if item.meta and item.meta.size is not None else None
            if size is not None and size > self.config.max_obj_size:
                self.state.chunk_in = None
                return int(StatusCode.REQUEST_ENTITY_TOO_LARGE)
            self.state.chunk_in = {
                "ds": ds.name, "op": op, "luid": luid, "size": size,
                "type": item.meta.type if item.meta and item.meta.type else default_type,
                "data": base64.b64encode(chunk).decode("ascii"),
            }
            return None
        if pending["luid"] != luid or pending["op"] != op or pending["ds"] != ds.name:
            # A different item arrived before the last chunk: the old one is incomplete.
            self.state.chunk_in = None
            self._status(pending["op"], 0, StatusCode.INCOMPLETE_COMMAND,
                         source_refs=[pending["luid"]])
            return self._reassemble(ds, op, item, default_type)
        data = base64.b64decode(pending["data"]) + chunk
        if item.more_data:
            pending["data"] = base64.b64encode(data).decode("ascii")
            return None
        self.state.chunk_in = None
        size = pending["size"]
        if size is not None and size != len(data) and size != len(data.replace(b"\n", b"\r\n")):
            return int(StatusCode.SIZE_MISMATCH)
        meta = Meta(type=pending["type"])
        return Item(target=item.target, source=item.source, meta=meta, data=data)

    # ------------------------------------------------------------------ Map

    def _on_map(self, command: Map) -> None:
        ds = self._find_ds(command.source.uri, command.target.uri)
        if ds is None:
            self._status("Map", command.cmd_id, StatusCode.NOT_FOUND, [command.target.uri],
                         [command.source.uri])
            return
        store = self._datastore(ds)
        for map_item in command.items:
            guid, luid = map_item.target, map_item.source
            rev = self.state.sent_adds.pop(f"{ds.name}:{guid}", None)
            if rev is None:
                known = store.mapping_for_guid(guid)
                current = store.get(guid)
                if current is None:
                    continue
                rev = known.synced_rev if known else current.rev
            store.set_mapping(guid, luid, rev)
        self._status("Map", command.cmd_id, StatusCode.OK, [command.target.uri],
                     [command.source.uri])

    # ------------------------------------------------------------------ Status from client

    def _on_status(self, status: Status) -> None:
        key = f"{status.msg_ref}:{status.cmd_ref}"
        sent = self.state.awaiting.pop(key, None)
        if sent is None:
            return
        ds_index, kind, guid, rev = sent
        ds = self.state.datastores[ds_index]
        store = self._datastore(ds)
        code = status.code
        if code == StatusCode.CHUNKED_ITEM_ACCEPTED:
            return
        ok = 200 <= code < 300 or code == StatusCode.ALREADY_EXISTS
        if kind == ChangeKind.ADD.value:
            if ok:
                mapping = store.mapping_for_guid(guid)
                if mapping is None or mapping.luid is None:
                    self.state.sent_adds[f"{ds.name}:{guid}"] = rev
                    store.set_mapping(guid, None, rev)
                else:
                    store.set_mapping(guid, mapping.luid, rev)
                    self.state.sent_adds.pop(f"{ds.name}:{guid}", None)
            else:
                ds.failed += 1
        elif kind == ChangeKind.REPLACE.value:
            mapping = store.mapping_for_guid(guid)
            if ok and mapping is not None:
                store.set_mapping(guid, mapping.luid, rev)
            elif code in (StatusCode.NOT_FOUND, StatusCode.GONE):
                store.remove_mapping(guid)  # the device lost it: it will get an Add
            else:
                ds.failed += 1
        elif kind == ChangeKind.DELETE.value:
            if ok or code in (StatusCode.NOT_FOUND, StatusCode.GONE):
                store.remove_mapping(guid)
            else:
                ds.failed += 1

    # ------------------------------------------------------------------ package ends

    def _end_of_client_package(self) -> None:
        state = self.state
        if state.phase == PHASE_INIT:
            # The client's initialisation is answered; its modifications come next.
            state.phase = PHASE_CLIENT_SYNC
            state.next_message_alerts = 0
            return
        if state.phase == PHASE_CLIENT_SYNC:
            for ds in state.datastores:
                ds.client_done = True
                self._prepare_server_changes(ds)
            state.phase = PHASE_SERVER_SYNC
            return
        if state.phase == PHASE_MAP:
            for ds in state.datastores:
                if ds.failed == 0:
                    self._datastore(ds).save_anchor(ds.client_next, ds.server_next)
                else:
                    # Something did not get through: the next sync must compare all.
                    self._datastore(ds).forget_anchor()
                self.events.append(self._finished(ds))
            state.phase = PHASE_DONE

    def _finished(self, ds: DatastoreState) -> SyncFinished:
        elapsed = self.config.clock() - self.state.started
        return SyncFinished(
            username=self.state.username or "", device_id=self.state.device_id,
            datastore=ds.name, mode=MODE_NAMES.get(AlertCode(ds.mode), str(ds.mode)),
            items_in=ds.received.total, items_out=ds.sent.total,
            conflicts=ds.received.conflicts, failed=ds.failed,
            duration_ms=int(elapsed * 1000),
        )

    def _prepare_server_changes(self, ds: DatastoreState) -> None:
        if ds.prepared:
            return
        ds.prepared = True
        store = self._datastore(ds)
        mode = AlertCode(ds.mode)
        if mode == AlertCode.REFRESH_FROM_CLIENT:
            seen = set(ds.seen)
            for guid in store.all_guids():
                if guid not in seen:
                    store.delete(guid)
                    store.remove_mapping(guid)
            ds.seen = []
            return
        if mode not in SERVER_SENDS:
            return
        changes: list[Change]
        if mode == AlertCode.SLOW_SYNC:
            seen = set(ds.seen)
            # Mappings of items the client did not send are stale: it no longer has them.
            for guid in store.mapped_guids() - seen:
                store.remove_mapping(guid)
            changes = [c for c in store.pending_changes() if c.kind is not ChangeKind.DELETE]
            ds.seen = []
        elif mode == AlertCode.REFRESH_FROM_SERVER:
            changes = [Change(ChangeKind.ADD, guid) for guid in store.all_guids()]
        else:
            changes = store.pending_changes()
        ds.outbox = [[c.kind.value, c.guid, c.luid] for c in changes]
        ds.number_of_changes = len(changes)

    # ------------------------------------------------------------------ reply assembly

    def _reply_header(self, with_resp_uri: bool = True) -> Header:
        state = self.state
        return Header(
            version=state.version,
            session_id=state.client_session_id,
            msg_id=state.server_msg_id + 1,
            target=Location(self.header.source.uri, self.header.source.name),
            source=Location(self.header.target.uri),
            resp_uri=state.resp_uri if with_resp_uri else None,
            meta=Meta(max_msg_size=self.config.max_msg_size,
                      max_obj_size=self.config.max_obj_size),
        )

    def _build_reply(self) -> Reply:
        state = self.state
        phase_before = state.phase
        # Anything that did not fit into the previous reply goes first, in order.
        queue = state.pending + [element_to_json(e) for e in self.statuses + self.extra]
        header = self._reply_header()
        msg_id = header.msg_id
        wbxml, version = state.wbxml, state.version
        header_el = encode_header(header)
        budget = min(state.max_msg_size, 10_000_000) - _MESSAGE_RESERVE
        budget -= codec.encoded_size(header_el, wbxml=wbxml, version=version)
        body: list[Element] = []
        leftover: list[list[Any]] = []
        self._cmd = 0
        for index, data in enumerate(queue):
            el = element_from_json(data)
            el.children[0].text = str(self._cmd + 1)
            size = codec.encoded_size(el, wbxml=wbxml, version=version)
            if size > budget and body:
                leftover = queue[index:]
                break
            budget -= size
            body.append(el)
            self._cmd += 1
        state.pending = leftover
        sending_done_now = False
        if not leftover and state.phase == PHASE_SERVER_SYNC:
            budget = self._emit_server_changes(body, budget, msg_id)
            if all(ds.server_done for ds in state.datastores):
                state.phase = PHASE_MAP
                sending_done_now = True
        if leftover or state.phase == PHASE_SERVER_SYNC:
            final = False
        elif sending_done_now:
            final = True
        else:
            final = self.message.final
        if not final and not self.message.final and phase_before != PHASE_SERVER_SYNC and (
            all(el.tag == "Status" for el in body)
        ):
            # The client is in the middle of a package: ask for its next message.
            self._cmd += 1
            alert = encode_command(Alert(self._cmd, AlertCode.NEXT_MESSAGE))
            body.append(alert)
        sync_body = Element("SyncBody", "syncml", body)
        if final:
            sync_body.children.append(Element("Final", "syncml", []))
        encoded = codec.encode(Element("SyncML", "syncml", [header_el, sync_body]), wbxml=wbxml)
        state.server_msg_id = msg_id
        content_type = codec.CONTENT_TYPE_WBXML if wbxml else codec.CONTENT_TYPE_XML
        if state.phase == PHASE_DONE:
            self.backend.delete_session(state.key)
        else:
            self.backend.save_session(state.key, state.to_dict(), encoded, content_type)
        return Reply(encoded, content_type, 200, tuple(self.events))

    # ------------------------------------------------------------------ server changes

    def _emit_server_changes(self, body: list[Element], budget: int, msg_id: int) -> int:
        """Append Sync commands with as many changes as fit; returns the budget left."""
        state = self.state
        for index, ds in enumerate(state.datastores):
            if ds.server_done:
                continue
            sync = Sync(
                cmd_id=self._cmd + 1,
                target=Location(ds.client_uri),
                source=Location(ds.server_uri),
                number_of_changes=ds.number_of_changes if state.version == "1.2" else None,
            )
            sync_el = encode_sync_open(sync)
            size = codec.encoded_size(sync_el, wbxml=state.wbxml, version=state.version) + 8
            if size > budget and body:
                return budget
            budget -= size
            body.append(sync_el)
            self._cmd += 1
            ds.sync_opened = True
            budget, self._cmd, complete = self._fill_sync(index, ds, sync_el, budget,
                                                          self._cmd + 1, msg_id)
            self._cmd -= 1  # _fill_sync returns the next free CmdID
            if not complete:
                return budget
            ds.server_done = True
        return budget

    def _fill_sync(self, index: int, ds: DatastoreState, sync_el: Element, budget: int,
                   next_id: int, msg_id: int) -> tuple[int, int, bool]:
        state = self.state
        store = self._datastore(ds)
        handler = self._handler(ds)
        wbxml, version = state.wbxml, state.version
        while state.chunk_out is not None or ds.outbox:
            if state.chunk_out is not None:
                chunk = state.chunk_out
                if chunk["ds"] != ds.name:
                    return budget, next_id, False
                command, done = self._next_chunk(chunk, next_id, budget)
                if command is None:
                    return budget, next_id, False
                el = encode_command(command)
                budget -= codec.encoded_size(el, wbxml=wbxml, version=version)
                sync_el.children.append(el)
                state.awaiting[f"{msg_id}:{next_id}"] = [index, chunk["kind"], chunk["guid"],
                                                         chunk["rev"]]
                next_id += 1
                if not done:
                    return budget, next_id, False
                state.chunk_out = None
                continue
            kind, guid, luid = ds.outbox[0]
            item = store.get(guid) if kind != ChangeKind.DELETE.value else None
            if kind != ChangeKind.DELETE.value and item is None:
                ds.outbox.pop(0)  # deleted since the list was made; nothing to send
                continue
            data = None
            if item is not None:
                data = handler.from_storage(item.data, ds.content_type)
                if state.max_obj_size and len(data.encode()) > state.max_obj_size:
                    ds.outbox.pop(0)
                    ds.failed += 1
                    continue
            command = self._change_command(kind, guid, luid, data, ds.content_type, next_id)
            el = encode_command(command)
            size = codec.encoded_size(el, wbxml=wbxml, version=version)
            if size > budget:
                room = budget - (size - len(data.encode()) if data else size)
                if data is None or not state.client_large_objects or room < _MIN_CHUNK:
                    return budget, next_id, False
                ds.outbox.pop(0)
                state.chunk_out = {
                    "ds": ds.name, "kind": kind, "guid": guid, "luid": luid,
                    "rev": item.rev if item else 0, "data": data, "offset": 0,
                    "type": ds.content_type,
                }
                _count_sent(ds, kind)
                continue
            budget -= size
            sync_el.children.append(el)
            ds.outbox.pop(0)
            _count_sent(ds, kind)
            state.awaiting[f"{msg_id}:{next_id}"] = [index, kind, guid, item.rev if item else 0]
            next_id += 1
        return budget, next_id, True

    def _change_command(self, kind: str, guid: str, luid: str | None, data: str | None,
                        content_type: str, cmd_id: int) -> ItemCommand:
        if kind == ChangeKind.ADD.value:
            item = Item(source=Location(guid), data=data)
        elif kind == ChangeKind.REPLACE.value:
            item = Item(target=Location(luid or ""), source=Location(guid), data=data)
        else:
            item = Item(target=Location(luid or ""), source=Location(guid))
        meta = Meta(type=content_type) if data is not None else None
        return ItemCommand(name=kind, cmd_id=cmd_id, items=[item], meta=meta)

    def _next_chunk(self, chunk: dict[str, Any], cmd_id: int,
                    budget: int) -> tuple[ItemCommand | None, bool]:
        """The next piece of a large outgoing object that fits into ``budget``."""
        state = self.state
        data: str = chunk["data"]
        offset: int = chunk["offset"]
        first = offset == 0
        probe = self._chunk_command(chunk, cmd_id, "", first, more=True)
        overhead = codec.encoded_size(encode_command(probe), wbxml=state.wbxml,
                                      version=state.version)
        room = budget - overhead - 16
        if room < _MIN_CHUNK:
            return None, False
        # Escaping can grow text in XML; shrink until the encoded command fits.
        length = min(len(data) - offset, room)
        while True:
            piece = data[offset:offset + length]
            more = offset + length < len(data)
            command = self._chunk_command(chunk, cmd_id, piece, first, more)
            size = codec.encoded_size(encode_command(command), wbxml=state.wbxml,
                                      version=state.version)
            if size <= budget or length <= _MIN_CHUNK // 4:
                break
            length = max(_MIN_CHUNK // 4, int(length * 0.8))
        chunk["offset"] = offset + length
        return command, not more

    def _chunk_command(self, chunk: dict[str, Any], cmd_id: int, piece: str, first: bool,
                       more: bool) -> ItemCommand:
        item_meta = Meta(size=len(chunk["data"].encode())) if first else None
        if chunk["kind"] == ChangeKind.ADD.value:
            item = Item(source=Location(chunk["guid"]), meta=item_meta, data=piece,
                        more_data=more)
        else:
            item = Item(target=Location(chunk["luid"] or ""), source=Location(chunk["guid"]),
                        meta=item_meta, data=piece, more_data=more)
        return ItemCommand(name=chunk["kind"], cmd_id=cmd_id, items=[item],
                           meta=Meta(type=chunk["type"]))


def _count_sent(ds: DatastoreState, kind: str) -> None:
    if kind == ChangeKind.ADD.value:
        ds.sent.added += 1
    elif kind == ChangeKind.REPLACE.value:
        ds.sent.replaced += 1
    else:
        ds.sent.deleted += 1


def _luid(item: Item) -> str:
    if item.source is not None:
        return item.source.uri
    if item.target is not None:
        return item.target.uri
    return ""


def _ct_version(content_type: str) -> str:
    return {"text/calendar": "2.0", "text/x-vcalendar": "1.0", "text/x-vcard": "2.1",
            "text/vcard": "3.0"}.get(content_type, "")


def _devinf_to_dict(info: DevInf) -> dict[str, Any]:
    return {
        "man": info.man, "mod": info.mod, "oem": info.oem, "sw_v": info.sw_v,
        "fw_v": info.fw_v, "hw_v": info.hw_v, "dev_id": info.dev_id,
        "dev_type": info.dev_type, "large_objects": info.large_objects,
        "number_of_changes": info.number_of_changes,
        "datastores": [
            {"source_ref": ds.source_ref,
             "rx_pref": ds.rx_pref.type if ds.rx_pref else None,
             "rx": [ct.type for ct in ds.rx],
             "tx_pref": ds.tx_pref.type if ds.tx_pref else None}
            for ds in info.datastores
        ],
    }
