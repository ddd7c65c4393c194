"""The client side of SyncML DS: :class:`SyncClient`, a sans-IO driver of the same engine
the server uses, and the :class:`ClientBackend` protocol its state lives behind.

See :mod:`syncml.client.session` for the flow and :mod:`syncml.client.backend` for what a
host implements (the ToDo app: ``todo/sync.py``; tests: :class:`MemoryClientBackend`).
"""

from syncml.client.backend import Anchors, ChangeKind, ClientBackend, LocalChange
from syncml.client.config import ClientConfig
from syncml.client.memory import MemoryClientBackend
from syncml.client.outcome import Counts, Send, SyncDone
from syncml.client.session import SyncClient

__all__ = [
    "Anchors",
    "ChangeKind",
    "ClientBackend",
    "ClientConfig",
    "Counts",
    "LocalChange",
    "MemoryClientBackend",
    "Send",
    "SyncClient",
    "SyncDone",
]
