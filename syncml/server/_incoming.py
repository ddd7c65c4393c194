"""Applying the client's changes: adds, replaces, deletes, conflicts, large objects."""

from __future__ import annotations

from syncml.chunking import reassemble
from syncml.codes import CLIENT_SENDS, AlertCode, StatusCode
from syncml.errors import ItemRefused, SyncMLError
from syncml.model import (
    Alert,
    Item,
    Location,
    Sync,
    UnsupportedCommand,
    encode_command,
)
from syncml.phases import Phase, advance
from syncml.server._turn_base import TurnBase, _luid
from syncml.server.backend import (
    Datastore,
    MergeOutcome,
    StoredItem,
)
from syncml.server.state import DatastoreState


class IncomingMixin(TurnBase):
    """The part of a turn that applies the client's Sync commands to the datastore."""

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
        if self.state.phase is Phase.INIT:
            self.state.phase = advance(self.state.phase, Phase.CLIENT_SYNC)
        if not sync.no_resp:
            self._status("Sync", sync.cmd_id, StatusCode.OK, [ds.server_uri], [ds.client_uri])
        accept_changes = ds.mode in CLIENT_SENDS
        for sub in sync.commands:
            if isinstance(sub, UnsupportedCommand):
                self._status(sub.name, sub.cmd_id, StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED)
                continue
            if not sub.items:
                if not sub.no_resp:  # every command gets a status, even an empty one
                    self._status(sub.name, sub.cmd_id, StatusCode.INCOMPLETE_COMMAND)
                continue
            meta = sub.meta
            default_type = meta.type if meta and meta.type else None
            default_size = meta.size if meta and meta.size is not None else None
            for item in sub.items:
                if not accept_changes:
                    self._status(sub.name, sub.cmd_id, StatusCode.COMMAND_NOT_ALLOWED,
                                 source_refs=[_luid(item)])
                    continue
                try:
                    code = self._apply(ds, sub.name, item, default_type, default_size)
                except ItemRefused as refused:
                    code = refused.status
                if code >= 400 and code != StatusCode.CONFLICT_RESOLVED_SERVER_WINS:
                    self._refused(ds, _luid(item))
                if not sub.no_resp:
                    refs = [_luid(item)] if item.source else []
                    targets = [item.target.uri] if item.target and not item.source else []
                    self._status(sub.name, sub.cmd_id, code, targets, refs)

    def _refused(self, ds: DatastoreState, luid: str) -> None:
        """A client item could not be taken; the client must send it again some time."""
        ds.failed += 1
        ds.refused += 1
        if luid and ds.mode in (AlertCode.SLOW_SYNC, AlertCode.REFRESH_FROM_CLIENT):
            # The device has the item, only we could not read it: its server copy is
            # neither deleted (refresh) nor sent back to it as new (slow sync).
            mapping = self._datastore(ds).mapping(luid)
            if mapping is not None:
                self._seen(ds, mapping.guid)

    def _apply(self, ds: DatastoreState, op: str, item: Item, default_type: str | None,
               default_size: int | None) -> int:
        """Apply one client item; the status code to answer."""
        whole = self._reassemble(ds, op, item, default_type, default_size)
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
            return StatusCode.UNSUPPORTED_MEDIA_TYPE
        try:
            raw = item.data_bytes().decode("utf-8")
            data = handler.to_storage(raw, content_type)
        except (ValueError, UnicodeDecodeError, SyncMLError):
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
                mapping = store.mapping_for_guid(existing.guid)
                if mapping is not None and mapping.luid not in (None, luid):
                    # The device holds this item already, under another LUID (a
                    # re-import, a buggy client): the new copy is paired with it, and
                    # the device is told to delete its older copy.
                    ds.twins.append([existing.guid, mapping.luid])
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

    def _reassemble(self, ds: DatastoreState, op: str, item: Item, default_type: str | None,
                    default_size: int | None) -> Item | int | None:
        """Collect large-object chunks: the whole item when complete, None while partial,
        a status code when the object is refused."""
        luid = _luid(item)
        pending = self.state.chunk_in
        if pending is not None and not pending.continues(ds.name, op, luid):
            # A different item arrived before the last chunk: the old one is incomplete.
            self._abandon_chunk()
            pending = None
        self.state.chunk_in, outcome = reassemble(pending, ds.name, op, luid, item,
                                                  default_type, default_size,
                                                  self.config.max_obj_size)
        return outcome

    def _abandon_chunk(self) -> None:
        """Drop a large object whose last chunk never came, and tell the client (Alert 223,
        "end of data for chunked object not received"); the item counts as refused."""
        pending = self.state.chunk_in
        if pending is None:
            return
        self.state.chunk_in = None
        target = pending.target
        alert = Alert(cmd_id=0, code=AlertCode.NO_END_OF_DATA, items=[Item(
            target=Location(pending.luid),
            source=Location(target) if target else None,
        )])
        self.extra.append(encode_command(alert))
        for ds in self.state.datastores:
            if ds.name == pending.datastore:
                self._refused(ds, pending.luid)
