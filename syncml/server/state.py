"""The state of a server-side SyncML session, as plain data the host can store.

A session lives across several HTTP requests and, in a pool, across server processes:
everything the next message needs is here and round-trips through JSON-compatible
dicts (``to_dict`` / ``from_dict``). Nothing in it refers to process memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from syncml._tree import Element, element_from_json, element_to_json
from syncml.awaiting import AwaitingStatuses
from syncml.chunking import IncomingObject, OutgoingObject
from syncml.phases import Phase
from syncml.server.backend import Change, ChangeKind

JSON = dict[str, Any]


@dataclass(slots=True)
class Counters:
    """What moved in one direction for one datastore."""

    added: int = 0
    replaced: int = 0
    deleted: int = 0
    conflicts: int = 0

    @property
    def total(self) -> int:
        """Items moved, conflicts not counted twice."""
        return self.added + self.replaced + self.deleted


@dataclass(slots=True)
class DatastoreState:
    """One datastore being synchronised in the session."""

    name: str              # canonical server datastore ("tasks")
    client_uri: str        # the client's LocURI of its datastore ("./todo")
    server_uri: str        # the LocURI the client used for ours ("tasks", "./tasks"...)
    mode: int              # the AlertCode finally in force
    client_last: str | None
    client_next: str
    server_last: str | None
    server_next: str
    content_type: str      # the format we send to this client
    prepared: bool = False
    server_done: bool = False
    number_of_changes: int = 0
    seen: list[str] = field(default_factory=list)
    outbox: list[Change] = field(default_factory=list)   # what is still to be sent
    received: Counters = field(default_factory=Counters)
    sent: Counters = field(default_factory=Counters)
    failed: int = 0        # items that did not get through, either way
    refused: int = 0       # client items the server could not take: the client must resend
    # [guid, older LUID]: the device's second copies of one item, to be deleted on it
    twins: list[list[str]] = field(default_factory=list)
    # The saved anchors are withdrawn while an Add we sent awaits the device's status.
    anchor_withdrawn: bool = False
    # The client alerted the resume of a suspended session (Alert 225): in a slow sync it
    # may send only what it had no status for (see Turn._prepare_server_changes).
    resumed: bool = False

    def to_dict(self) -> JSON:
        """Plain-data form."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["received"] = {f.name: getattr(self.received, f.name) for f in fields(Counters)}
        out["sent"] = {f.name: getattr(self.sent, f.name) for f in fields(Counters)}
        out["outbox"] = [[c.kind.value, c.guid, c.luid] for c in self.outbox]
        return out

    @classmethod
    def from_dict(cls, data: JSON) -> DatastoreState:
        """Inverse of :meth:`to_dict`."""
        values = dict(data)
        values["received"] = Counters(**values["received"])
        values["sent"] = Counters(**values["sent"])
        values["outbox"] = [Change(ChangeKind(k), g, lu) for k, g, lu in values["outbox"]]
        return cls(**values)


@dataclass(slots=True)
class SessionState:
    """Everything a server session carries from one message to the next."""

    key: str
    version: str
    wbxml: bool
    client_session_id: str
    device_id: str
    resp_uri: str | None
    username: str | None = None
    client_msg_id: int = 0
    server_msg_id: int = 0
    max_msg_size: int = 150_000
    max_obj_size: int | None = None
    client_large_objects: bool = True
    phase: Phase = Phase.INIT
    started: float = 0.0
    datastores: list[DatastoreState] = field(default_factory=list)
    pending: list[Element] = field(default_factory=list)   # commands queued for the next reply
    awaiting: AwaitingStatuses = field(default_factory=AwaitingStatuses)
    sent_adds: dict[str, int] = field(default_factory=dict)  # "ds:guid" → rev sent, until mapped
    chunk_in: IncomingObject | None = None
    chunk_out: OutgoingObject | None = None
    devinf_requested: bool = False
    # The client's current package is complete (a message with Final arrived) and the
    # server's answer package is not yet: the server owes messages until its own Final.
    client_package_done: bool = False
    # The client's network address as the host saw it (None: the host did not say). A
    # client that ignores the RespURI continues its session only from there, or with
    # credentials that are good again.
    peer: str | None = None

    def to_dict(self) -> JSON:
        """Plain-data form."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["datastores"] = [ds.to_dict() for ds in self.datastores]
        out["phase"] = self.phase.value
        out["pending"] = [element_to_json(el) for el in self.pending]
        out["awaiting"] = self.awaiting.to_json()
        out["chunk_in"] = self.chunk_in.to_json() if self.chunk_in else None
        out["chunk_out"] = self.chunk_out.to_json() if self.chunk_out else None
        return out

    @classmethod
    def from_dict(cls, data: JSON) -> SessionState:
        """Inverse of :meth:`to_dict`; ValueError when ``data`` is no session state."""
        try:
            values = dict(data)
            values["datastores"] = [DatastoreState.from_dict(d) for d in values["datastores"]]
            values["phase"] = Phase(values["phase"])
            values["pending"] = [element_from_json(e) for e in values["pending"]]
            values["awaiting"] = AwaitingStatuses.from_json(values["awaiting"])
            if values["chunk_in"] is not None:
                values["chunk_in"] = IncomingObject.from_json(values["chunk_in"])
            if values["chunk_out"] is not None:
                values["chunk_out"] = OutgoingObject.from_json(values["chunk_out"])
            return cls(**values)
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a saved session state: {exc}") from None
