"""One turn of a server session: authenticate, dispatch the client's commands, reply."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from typing import Any

from syncml import auth, codec
from syncml._tree import Element
from syncml.codes import MODE_NAMES, SERVER_SENDS, AlertCode, StatusCode
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
from syncml.model import (
    Alert,
    Anchor,
    Chal,
    Command,
    Get,
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
    encode_command,
    encode_message,
)
from syncml.packing import MIN_MSG_SIZE
from syncml.phases import Phase, advance
from syncml.server._incoming import IncomingMixin
from syncml.server._outgoing import OutgoingMixin
from syncml.server.backend import (
    Change,
    ChangeKind,
    Principal,
)
from syncml.server.config import normalise_uri
from syncml.server.outcome import AuthFailed, Reply, SyncFinished
from syncml.server.state import DatastoreState

# Sync modes that exchange only what changed since the last completed sync.
INCREMENTAL_MODES = frozenset(
    {AlertCode.TWO_WAY, AlertCode.ONE_WAY_FROM_CLIENT, AlertCode.ONE_WAY_FROM_SERVER}
)


def _anchor_now(clock: Callable[[], float]) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock())) + f"-{secrets.token_hex(2)}"


class Turn(IncomingMixin, OutgoingMixin):
    """One message of one session: process the client's commands, build the reply."""

    # ------------------------------------------------------------------ main flow

    def run(self) -> Reply:
        state = self.state
        state.client_msg_id = self.header.msg_id
        meta = self.header.meta
        if meta is not None and meta.max_msg_size:
            # Below a few KB not even one status with its header fits; no real client
            # asks for less (libsynthesis floors its own at 10 KB).
            state.max_msg_size = max(meta.max_msg_size, MIN_MSG_SIZE)
        if meta is not None and meta.max_obj_size is not None and meta.max_obj_size > 0:
            state.max_obj_size = meta.max_obj_size  # 0 or less would refuse every item

        header_code, chal = self._authenticate()
        if header_code in (StatusCode.INVALID_CREDENTIALS, StatusCode.MISSING_CREDENTIALS,
                           StatusCode.FORBIDDEN):
            return self._auth_failure_reply(header_code, chal)

        self._status("SyncHdr", 0, header_code, [self.header.target.uri],
                     [self.header.source.uri], chal=chal)
        for command in self.message.commands:
            self._dispatch(command)
        if self.message.final and not state.client_package_done:
            # A Final while our answer to the previous package is still incomplete (a
            # client fetching the rest with Alert 222) ends nothing new.
            state.client_package_done = True
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
                # The host verified it before the transaction (SyncServer.read asked).
                if self.password is not None and (
                    self.password.username.casefold() == basic.username.casefold()
                ):
                    principal = self.password
        elif cred.type == auth.AUTH_MD5 and auth.AUTH_MD5 in allowed:
            username = self.header.source.name
            if not username:
                # The digest cannot be checked without the user's name; a client that
                # does not send LocName can still use basic, if that is allowed.
                self.events.append(AuthFailed(device, None, "md5 credentials without the "
                                              "user name in Source/LocName"))
                return StatusCode.INVALID_CREDENTIALS, self._challenge(prefer_basic=True)
            nonce = self.backend.nonce(username.casefold(), device)
            if nonce is None:
                self.events.append(AuthFailed(device, username, "first md5 login of this "
                                              "device: nonce sent for its retry", routine=True))
                return StatusCode.INVALID_CREDENTIALS, self._challenge()
            found = self.backend.md5_secret(username)
            # Clients hash the nonce's bytes (libsynthesis) or its base64 text.
            if found is not None and any(auth.check_md5(cred.data, found[1], n)
                                         for n in (nonce, base64.b64encode(nonce))):
                principal = found[0]
        else:
            self.events.append(AuthFailed(device, None, f"auth type {cred.type} not accepted"))
            return StatusCode.INVALID_CREDENTIALS, self._challenge()
        if principal is None:
            self.events.append(AuthFailed(device, username, "wrong user name or password"))
            return StatusCode.INVALID_CREDENTIALS, self._challenge()
        refusal = self.backend.refusal(principal)
        if refusal is not None:
            # 403, not 401: SyncEvolution shows "access denied" and does not retry, where a
            # 401 has it ask the user to check a password that is right (docs/syncml.md).
            self.events.append(AuthFailed(device, principal.username, refusal, refused=True))
            return StatusCode.FORBIDDEN, None
        self.principal = principal
        self.state.username = principal.username
        self.backend.device_contact(principal, device, None)
        info = self.backend.device_info(principal, device)
        if info is not None:
            # What the device said in an earlier session holds until it sends a new DevInf.
            self.state.client_large_objects = bool(info.get("large_objects", True))
        if cred.type == auth.AUTH_MD5:
            return StatusCode.AUTHENTICATION_ACCEPTED, self._challenge()
        return StatusCode.AUTHENTICATION_ACCEPTED, None

    def _challenge(self, prefer_basic: bool = False) -> Chal:
        if prefer_basic and auth.AUTH_BASIC in self.config.auth_types:
            return Chal(Meta(type=auth.AUTH_BASIC, format="b64"))
        if auth.AUTH_MD5 in self.config.auth_types:
            nonce = auth.new_nonce()
            self.backend.set_nonce(self._claimed_user(), self.header.source.uri, nonce)
            return Chal(Meta(type=auth.AUTH_MD5, format="b64",
                             next_nonce=base64.b64encode(nonce).decode("ascii")))
        return Chal(Meta(type=auth.AUTH_BASIC, format="b64"))

    def _claimed_user(self) -> str:
        """Who the message says it comes from (case-folded; "" for nobody): the nonce of a
        challenge belongs to that user on this device."""
        if self.principal is not None:
            return self.principal.username.casefold()
        cred = self.header.cred
        if cred is not None and cred.type == auth.AUTH_BASIC:
            basic = auth.parse_basic(cred.data)
            if basic is not None:
                return basic.username.casefold()
        return (self.header.source.name or "").casefold()

    def _auth_failure_reply(self, code: int, chal: Chal | None) -> Reply:
        status = Status(1, self.header.msg_id, 0, "SyncHdr", int(code),
                        [self.header.target.uri], [self.header.source.uri], chal=chal)
        message = Message(header=self._reply_header(with_resp_uri=False),
                          commands=[status], final=True)
        body = codec.encode(encode_message(message), wbxml=self.state.wbxml)
        # The failed session is not kept: the client retries in a new one.
        return Reply(body, self.content_type, tuple(self.events))

    # ------------------------------------------------------------------ dispatch

    def _dispatch(self, command: Command) -> None:
        if isinstance(command, Status):
            self._on_status(command)
            return
        if isinstance(command, Results):
            self._on_results(command)
            return
        # (A Sync with NoResp leaves out its own status itself, not those of its items.)
        no_resp = getattr(command, "no_resp", False) and not isinstance(command, Sync)
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
                self._store_devinf(parse_devinf(item.data))
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
        if self.state.phase is not Phase.INIT or any(d.name == name for d in self.state.datastores):
            # Datastores are alerted in the client's first package, each once: two URIs
            # of one datastore ("tasks" and "todo") would share one set of mappings.
            self._status("Alert", alert.cmd_id, StatusCode.COMMAND_NOT_ALLOWED, [target], [source])
            return
        client_next = anchor.next if anchor and anchor.next else _anchor_now(self.config.clock)
        ds = DatastoreState(
            name=name, client_uri=source, server_uri=target, mode=int(mode),
            client_last=anchor.last if anchor else None,
            client_next=client_next, server_last=None,
            server_next=_anchor_now(self.config.clock),
            content_type=self._client_content_type(name, source),
            resumed=resume,
        )
        store = self._datastore(ds)
        saved = store.saved_anchor()
        code = StatusCode.OK
        if resume:
            code = StatusCode.CANNOT_RESUME
        # Incremental modes need both sides to agree on the last sync.
        if mode in INCREMENTAL_MODES and (saved is None or (ds.client_last or "") != saved[0]):
            code = StatusCode.REFRESH_REQUIRED
            ds.mode = int(AlertCode.SLOW_SYNC)
        if saved is not None:
            ds.server_last = saved[1]
        if ds.mode == AlertCode.REFRESH_FROM_SERVER:
            store.clear_mappings()
            # Until this refresh completes, the device's data and our (now empty)
            # mappings disagree: an interrupted refresh must end in a slow sync, which
            # pairs items again, not in a two-way sync that sends every item as new.
            store.forget_anchor()
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

    def _on_results(self, results: Results) -> None:
        """The client's DevInf, which the server asked for because it had none on file."""
        for item in results.items:
            if isinstance(item.data, Element) and item.data.tag == "DevInf":
                self._store_devinf(parse_devinf(item.data))
        self._status("Results", results.cmd_id, StatusCode.OK,
                     source_refs=[results.source_ref] if results.source_ref else [])

    def _store_devinf(self, devinf: DevInf) -> None:
        assert self.principal is not None
        self.state.client_large_objects = devinf.large_objects
        self.backend.device_contact(self.principal, self.header.source.uri,
                                    _devinf_to_dict(devinf))
        # The formats the device takes may differ from what was assumed at its Alert.
        for ds in self.state.datastores:
            ds.content_type = self._client_content_type(ds.name, ds.client_uri)

    def _ask_for_devinf(self) -> None:
        """Queue a Get for the client's DevInf (once per session) when none is on file.

        A client sends its DevInf only now and then (libsynthesis: on first and slow syncs,
        and not again after an md5 retry), but the server needs it to know which formats
        (vCalendar or iCalendar) and features (large objects) the device takes.
        """
        if self.state.devinf_requested:
            return
        self.state.devinf_requested = True
        devinf_type = DEVINF_WBXML if self.state.wbxml else DEVINF_XML
        get = Get(0, [Item(target=Location(devinf_uri(self.state.version)))],
                  meta=Meta(type=devinf_type))
        self.extra.append(encode_command(get))

    def _client_content_type(self, name: str, client_uri: str) -> str:
        handler = self.config.datastores[name]
        assert self.principal is not None
        info = self.backend.device_info(self.principal, self.state.device_id)
        if not info:
            self._ask_for_devinf()
        else:
            for store in info.get("datastores", []):
                if normalise_uri(store.get("source_ref", "")) == normalise_uri(client_uri):
                    for wanted in [store.get("rx_pref"), *list(store.get("rx", []))]:
                        if wanted and wanted in handler.supported_types:
                            return str(wanted)
        return handler.storage_type

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
        sent = self.state.awaiting.answer(status)
        if sent is None:
            return
        kind, guid, rev = sent.kind, sent.key, sent.rev
        ds = self.state.datastores[sent.datastore]
        store = self._datastore(ds)
        code = status.code
        if code == StatusCode.CHUNKED_ITEM_ACCEPTED:
            return
        ok = 200 <= code < 300 or code == StatusCode.ALREADY_EXISTS
        chunk = self.state.chunk_out
        if not ok and chunk is not None and chunk.key == guid and chunk.datastore == ds.name:
            # The device refused a piece of a large object: the rest is not sent (it goes
            # again in a later session, as nothing of it was confirmed).
            self.state.chunk_out = None
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
                if store.get(guid) is None:
                    # (An item that still exists was the Delete of a device's second
                    # copy: its mapping, to the copy the device keeps, stays.)
                    store.remove_mapping(guid)
            else:
                ds.failed += 1

    # ------------------------------------------------------------------ package ends

    def _end_of_client_package(self) -> None:
        state = self.state
        if state.phase is Phase.INIT:
            # The client's initialisation is answered; its modifications come next.
            state.phase = advance(state.phase, Phase.CLIENT_SYNC)
            return
        if state.phase is Phase.CLIENT_SYNC:
            if state.chunk_in is not None:
                self._abandon_chunk()  # the package ended before the object's last chunk
            for ds in state.datastores:
                self._prepare_server_changes(ds)
            state.phase = advance(state.phase, Phase.SERVER_SYNC)
            return
        if state.phase is Phase.MAP:
            for ds in state.datastores:
                if ds.refused and ds.mode in INCREMENTAL_MODES:
                    # A client change did not get through and the client will not send
                    # it again by itself: the next sync must compare everything. (After
                    # a slow sync that would not help; nor for the server's own changes,
                    # which item revisions send again anyway.)
                    self._datastore(ds).forget_anchor()
                else:
                    self._datastore(ds).save_anchor(ds.client_next, ds.server_next)
                self._datastore(ds).settle_mappings()
                self.events.append(self._finished(ds))
            state.phase = advance(state.phase, Phase.DONE)

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
            for guid in store.mapped_guids() - seen:
                store.remove_mapping(guid)  # the device no longer has it
            ds.seen = []
            return
        if mode not in SERVER_SENDS:
            return
        changes: list[Change]
        if mode == AlertCode.SLOW_SYNC:
            seen = set(ds.seen)
            if ds.resumed:
                # Asked to resume, we answered "slow sync" (508), yet a client may resume
                # its suspended slow sync all the same (libsynthesis does when our answer
                # follows an md5 retry): it then sends only the items it had no status
                # for. Those it had are still its own, mapped since its last completed
                # sync; sent back as Adds they would be second copies on it.
                seen |= store.unsettled_guids()
            # Mappings of items the client did not send are stale: it no longer has them.
            for guid in store.mapped_guids() - seen:
                store.remove_mapping(guid)
            changes = [c for c in store.pending_changes() if c.kind is not ChangeKind.DELETE]
            ds.seen = []
        elif mode == AlertCode.REFRESH_FROM_SERVER:
            changes = [Change(ChangeKind.ADD, guid) for guid in store.all_guids()]
        else:
            changes = store.pending_changes()
        # The device's older copies of items it sent again under a new LUID.
        changes += [Change(ChangeKind.DELETE, guid, luid) for guid, luid in ds.twins]
        ds.twins = []
        ds.outbox = changes
        ds.number_of_changes = len(changes)


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

