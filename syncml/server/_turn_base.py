"""State and helpers shared by the parts of one server turn (one client message)."""

from __future__ import annotations

from syncml._tree import Element
from syncml.model import (
    Chal,
    Item,
    Message,
    Status,
    encode_command,
)
from syncml.server.backend import (
    ContentHandler,
    Datastore,
    Principal,
    ServerBackend,
)
from syncml.server.config import ServerConfig, normalise_uri
from syncml.server.outcome import Event
from syncml.server.state import DatastoreState, SessionState


class TurnBase:
    """One message of one session: what every part of the processing shares."""

    def __init__(self, config: ServerConfig, backend: ServerBackend, state: SessionState,
                 message: Message, content_type: str,
                 password: Principal | None = None, *, reauthenticate: bool = False) -> None:
        self.config = config
        self.backend = backend
        self.state = state
        self.message = message
        self.header = message.header
        self.content_type = content_type
        self.events: list[Event] = []
        self.statuses: list[Element] = []   # answers to this message, in order
        self.extra: list[Element] = []      # Results, Alerts queued after the statuses
        # ``reauthenticate``: the session is the user's, but this message must prove it
        # again with its own credentials (it came from another address).
        self.principal: Principal | None = (
            Principal(state.username) if state.username and not reauthenticate else None
        )
        # The host's verdict on the message's clear-text password (checked outside the
        # write transaction); None when wrong or when the message carried none.
        self.password = password
        self._stores: dict[str, Datastore] = {}
        self.saved = False  # the session state was stored with this turn's reply
        self._best_room = 0  # the most room any reply of the session has for changes

    def _status(self, cmd: str, cmd_ref: int, code: int, target_refs: list[str] | None = None,
                source_refs: list[str] | None = None, chal: Chal | None = None,
                items: list[Item] | None = None) -> None:
        status = Status(0, self.header.msg_id, cmd_ref, cmd, int(code), target_refs or [],
                        source_refs or [], chal=chal, items=items or [])
        self.statuses.append(encode_command(status))

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

    def _find_ds(self, client_uri: str | None, server_uri: str | None) -> DatastoreState | None:
        """The alerted datastore a Sync or Map addresses: by our URI when it names one (a
        Target we do not have is not rescued by a known Source), else by the client's."""
        for ds in self.state.datastores:
            if server_uri is not None:
                if normalise_uri(server_uri) in (normalise_uri(ds.server_uri), ds.name):
                    return ds
            elif client_uri is not None and normalise_uri(client_uri) == normalise_uri(
                ds.client_uri
            ):
                return ds
        return None


def _luid(item: Item) -> str:
    if item.source is not None:
        return item.source.uri
    if item.target is not None:
        return item.target.uri
    return ""


