"""Building the reply: statuses, the server's changes, MaxMsgSize, large objects."""

from __future__ import annotations

from syncml._tree import Element
from syncml.awaiting import SentChange
from syncml.chunking import OutgoingObject
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
    encode_sync_open,
)
from syncml.packing import MIN_CHUNK, MessagePacker, message_limit
from syncml.phases import Phase, advance
from syncml.server._turn_base import TurnBase
from syncml.server.backend import ChangeKind
from syncml.server.outcome import Reply
from syncml.server.state import DatastoreState

# Sync modes in which the server sends a device the changes since the last sync.
_INCREMENTAL_SENDS = frozenset({AlertCode.TWO_WAY, AlertCode.ONE_WAY_FROM_SERVER})


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
        queue = state.pending + self.statuses + self.extra
        header = self._reply_header()
        packer = MessagePacker(header, wbxml=state.wbxml,
                               limit=message_limit(state.max_msg_size, self.config.max_msg_size))
        # The most room any message of this session can have for changes: besides the
        # header it always carries the SyncHdr status, and often a Map status or two.
        first = self.statuses[0] if self.statuses else None
        self._best_room = packer.budget - MIN_CHUNK - (packer.size(first) if first else 0)
        leftover = packer.add_queue(queue)
        state.pending = leftover
        if not leftover and state.phase is Phase.SERVER_SYNC:
            self._emit_server_changes(packer)
            if all(ds.server_done for ds in state.datastores):
                state.phase = advance(state.phase, Phase.MAP)
        # Our package ends when the client's has ended and all of our answer is out, in
        # whatever message that happens (the client may have fetched it with Alert 222).
        final = (not leftover and state.phase is not Phase.SERVER_SYNC
                 and state.client_package_done)
        if final:
            state.client_package_done = False
        elif not state.client_package_done and all(el.tag == "Status" for el in packer.body):
            # The client is in the middle of a package: ask for its next message.
            alert = encode_command(Alert(packer.ids.peek(), AlertCode.NEXT_MESSAGE))
            packer.append(alert, packer.size(alert))
        encoded = packer.encode(final=final)
        state.server_msg_id = header.msg_id
        self._guard_unconfirmed_adds()
        # Kept after the last package too, so that a resend of the client's last message
        # is still answered; idle sessions are purged after the session timeout.
        self.backend.save_session(state.key, state.to_dict(), encoded, packer.content_type)
        self.saved = True
        return Reply(encoded, packer.content_type, tuple(self.events))

    def _guard_unconfirmed_adds(self) -> None:
        """Withdraw the saved anchors while an Add we sent awaits its status.

        If the session dies then, the device may hold the item without our knowing its
        LUID, and a device that keeps no server IDs of an aborted session (libsynthesis)
        would make a second copy of each Add sent again. Without anchors the next sync
        is slow: the device sends what it has, and its copies are paired by UID instead.
        Once every Add is answered the anchors are back, and the next sync is two-way."""
        state = self.state
        for index, ds in enumerate(state.datastores):
            if ds.mode not in _INCREMENTAL_SENDS or ds.server_last is None:
                continue
            chunk = state.chunk_out
            waiting = (chunk is not None and chunk.datastore == ds.name
                       and chunk.command == ChangeKind.ADD.value) or any(
                sent.datastore == index and sent.kind == ChangeKind.ADD.value
                for sent in state.awaiting.entries.values())
            if waiting and not ds.anchor_withdrawn:
                self._datastore(ds).forget_anchor()
                ds.anchor_withdrawn = True
            elif not waiting and ds.anchor_withdrawn:
                ds.anchor_withdrawn = False
                if state.phase is not Phase.DONE:  # (a completed sync saved new ones)
                    self._datastore(ds).save_anchor(ds.client_last or "", ds.server_last)

    # ------------------------------------------------------------------ server changes

    def _emit_server_changes(self, packer: MessagePacker) -> None:
        """Append Sync commands with as many changes as fit."""
        state = self.state
        for index, ds in enumerate(state.datastores):
            if ds.server_done:
                continue
            sync = Sync(
                cmd_id=packer.ids.peek(),
                target=Location(ds.client_uri),
                source=Location(ds.server_uri),
                number_of_changes=ds.number_of_changes if state.version == "1.2" else None,
            )
            sync_el = encode_sync_open(sync)
            size = packer.size(sync_el) + 8
            if size > packer.budget and packer.body:
                return
            packer.append(sync_el, size)
            if not self._fill_sync(index, ds, sync_el, packer, self._best_room - size):
                return
            ds.server_done = True

    def _fill_sync(self, index: int, ds: DatastoreState, sync_el: Element,
                   packer: MessagePacker, best_room: int) -> bool:
        """Append ds's changes to ``sync_el`` while they fit; ``best_room`` is the most any
        message can hold. Returns whether the datastore's changes are all out."""
        state = self.state
        store = self._datastore(ds)
        handler = self._handler(ds)
        msg_id = packer.header.msg_id
        wbxml, version = state.wbxml, state.version
        while state.chunk_out is not None or ds.outbox:
            chunk = state.chunk_out
            if chunk is not None:
                if chunk.datastore != ds.name:
                    return False
                cmd_id = packer.ids.peek()
                piece = chunk.next_piece(cmd_id, packer.budget, wbxml=wbxml, version=version)
                if piece is None:
                    return False
                el, size = piece
                packer.ids.next()
                packer.budget -= size
                sync_el.children.append(el)
                state.awaiting.expect(msg_id, cmd_id, SentChange(index, chunk.command,
                                                                 chunk.key, chunk.rev))
                if not chunk.done:
                    return False
                state.chunk_out = None
                continue
            change = ds.outbox[0]
            kind, guid, luid = change.kind, change.guid, change.luid
            item = store.get(guid) if kind is not ChangeKind.DELETE else None
            if kind is not ChangeKind.DELETE and item is None:
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
            cmd_id = packer.ids.peek()
            el = encode_command(_change_command(kind, guid, luid, data, ds.content_type, cmd_id))
            size = packer.size(el)
            if size > packer.budget:
                if data is None or not state.client_large_objects:
                    if size > best_room:
                        # No message can hold it, and the device takes no large objects:
                        # it cannot be sent (it stays pending); waiting would loop forever.
                        ds.outbox.pop(0)
                        ds.failed += 1
                        continue
                    return False
                assert item is not None
                large = OutgoingObject(
                    command=kind.value, data=data, content_type=ds.content_type,
                    target=None if kind is ChangeKind.ADD else (luid or ""), source=guid,
                    datastore=ds.name, key=guid, rev=item.rev,
                )
                if packer.budget - large.overhead(cmd_id, wbxml=wbxml,
                                                  version=version) < MIN_CHUNK:
                    return False  # too little room left: next message
                ds.outbox.pop(0)
                state.chunk_out = large
                _count_sent(ds, kind)
                continue
            packer.ids.next()
            packer.budget -= size
            sync_el.children.append(el)
            ds.outbox.pop(0)
            _count_sent(ds, kind)
            state.awaiting.expect(msg_id, cmd_id, SentChange(index, kind.value, guid,
                                                             item.rev if item else 0))
        return True


def _change_command(kind: ChangeKind, guid: str, luid: str | None, data: str | None,
                    content_type: str, cmd_id: int) -> ItemCommand:
    if kind is ChangeKind.ADD:
        item = Item(source=Location(guid), data=data)
    elif kind is ChangeKind.REPLACE:
        item = Item(target=Location(luid or ""), source=Location(guid), data=data)
    else:
        item = Item(target=Location(luid or ""), source=Location(guid))
    meta = Meta(type=content_type) if data is not None else None
    return ItemCommand(name=kind.value, cmd_id=cmd_id, items=[item], meta=meta)


def _count_sent(ds: DatastoreState, kind: ChangeKind) -> None:
    if kind is ChangeKind.ADD:
        ds.sent.added += 1
    elif kind is ChangeKind.REPLACE:
        ds.sent.replaced += 1
    else:
        ds.sent.deleted += 1
