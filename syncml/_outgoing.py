"""Building the reply: statuses, the server's changes, MaxMsgSize, large objects."""

from __future__ import annotations

from typing import Any

from syncml import codec
from syncml._tree import Element
from syncml._turn_base import TurnBase
from syncml.backend import (
    ChangeKind,
)
from syncml.codes import AlertCode
from syncml.model import (
    Alert,
    Header,
    Item,
    ItemCommand,
    Location,
    Meta,
    Sync,
    encode_command,
    encode_header,
    encode_sync_open,
)
from syncml.outcome import Reply
from syncml.server_config import MESSAGE_RESERVE, MIN_CHUNK, MIN_MSG_SIZE
from syncml.server_state import (
    PHASE_MAP,
    PHASE_SERVER_SYNC,
    DatastoreState,
    element_from_json,
    element_to_json,
)


class OutgoingMixin(TurnBase):
    """The part of a turn that assembles the reply message within the client's limits."""

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
        # Anything that did not fit into the previous reply goes first, in order.
        queue = state.pending + [element_to_json(e) for e in self.statuses + self.extra]
        header = self._reply_header()
        msg_id = header.msg_id
        wbxml, version = state.wbxml, state.version
        header_el = encode_header(header)
        # The client's MaxMsgSize, and never more than our own (what we announce).
        limit = min(state.max_msg_size, max(self.config.max_msg_size, MIN_MSG_SIZE), 10_000_000)
        budget = limit - MESSAGE_RESERVE
        budget -= codec.encoded_size(header_el, wbxml=wbxml, version=version)
        # The most room any message of this session can have for changes: besides the
        # header it always carries the SyncHdr status, and often a Map status or two.
        first = self.statuses[0] if self.statuses else None
        self._best_room = budget - MIN_CHUNK - (
            codec.encoded_size(first, wbxml=wbxml, version=version) if first else 0
        )
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
        if not leftover and state.phase == PHASE_SERVER_SYNC:
            budget = self._emit_server_changes(body, budget, msg_id)
            if all(ds.server_done for ds in state.datastores):
                state.phase = PHASE_MAP
        # Our package ends when the client's has ended and all of our answer is out, in
        # whatever message that happens (the client may have fetched it with Alert 222).
        final = (not leftover and state.phase != PHASE_SERVER_SYNC
                 and state.client_package_done)
        if final:
            state.client_package_done = False
        elif not state.client_package_done and all(el.tag == "Status" for el in body):
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
        # Kept after the last package too, so that a resend of the client's last message
        # is still answered; idle sessions are purged after the session timeout.
        self.backend.save_session(state.key, state.to_dict(), encoded, content_type)
        self.saved = True
        return Reply(encoded, content_type, tuple(self.events))

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
            budget, self._cmd, complete = self._fill_sync(index, ds, sync_el, budget,
                                                          self._cmd + 1, msg_id,
                                                          self._best_room - size)
            self._cmd -= 1  # _fill_sync returns the next free CmdID
            if not complete:
                return budget
            ds.server_done = True
        return budget

    def _fill_sync(self, index: int, ds: DatastoreState, sync_el: Element, budget: int,
                   next_id: int, msg_id: int, best_room: int) -> tuple[int, int, bool]:
        """Append ds's changes to ``sync_el`` while they fit; ``best_room`` is the most any
        message can hold. Returns the budget left, the next free CmdID, and whether the
        datastore's changes are all out."""
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
                try:
                    data = handler.from_storage(item.data, ds.content_type)
                except ValueError:
                    # Stored data this device's format cannot express: it is skipped (and
                    # stays pending for the device) instead of failing the whole session.
                    ds.outbox.pop(0)
                    ds.failed += 1
                    continue
                if state.max_obj_size and len(data.encode()) > state.max_obj_size:
                    ds.outbox.pop(0)
                    ds.failed += 1
                    continue
            command = self._change_command(kind, guid, luid, data, ds.content_type, next_id)
            el = encode_command(command)
            size = codec.encoded_size(el, wbxml=wbxml, version=version)
            if size > budget:
                if data is None or not state.client_large_objects:
                    if size > best_room:
                        # No message can hold it, and the device takes no large objects:
                        # it cannot be sent (it stays pending); waiting would loop forever.
                        ds.outbox.pop(0)
                        ds.failed += 1
                        continue
                    return budget, next_id, False
                assert item is not None
                chunk = {
                    "ds": ds.name, "kind": kind, "guid": guid, "luid": luid,
                    "rev": item.rev, "data": data, "offset": 0, "type": ds.content_type,
                }
                if budget - self._chunk_overhead(chunk, next_id) < MIN_CHUNK:
                    return budget, next_id, False  # too little room left: next message
                ds.outbox.pop(0)
                state.chunk_out = chunk
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

    def _chunk_overhead(self, chunk: dict[str, Any], cmd_id: int) -> int:
        """Encoded size of the next chunk's command without its data."""
        probe = self._chunk_command(chunk, cmd_id, "", chunk["offset"] == 0, more=True)
        return codec.encoded_size(encode_command(probe), wbxml=self.state.wbxml,
                                  version=self.state.version)

    def _next_chunk(self, chunk: dict[str, Any], cmd_id: int,
                    budget: int) -> tuple[ItemCommand | None, bool]:
        """The next piece of a large outgoing object that fits into ``budget``."""
        state = self.state
        data: str = chunk["data"]
        offset: int = chunk["offset"]
        first = offset == 0
        overhead = self._chunk_overhead(chunk, cmd_id)
        room = budget - overhead
        if room < MIN_CHUNK:
            return None, False
        # A character takes at least one byte; escaping (&amp; &#13;) and multi-byte
        # UTF-8 take more: shrink in proportion until the encoded command fits.
        length = min(len(data) - offset, room)
        while True:
            piece = data[offset:offset + length]
            more = offset + length < len(data)
            command = self._chunk_command(chunk, cmd_id, piece, first, more)
            size = codec.encoded_size(encode_command(command), wbxml=state.wbxml,
                                      version=state.version)
            if size <= budget or length == 1:
                break
            length = max(1, min(length - 1, length * room // max(size - overhead, 1)))
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


