"""The two SyncML servers the benchmark compares, started fresh for each scenario."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tests.interop.syncevo_server import SyncEvolutionServer
from tests.interop.traveler_server import Account, TravelerServer

ACCOUNT = Account("bench", "bench-secret-1", "bench@example.com")

# Diagnostics that copy every item once more per sync (database dumps, change listings); off
# on SyncEvolution's server unless asked for, so it is measured doing the same work as ours.
LEAN_SYNCEVOLUTION = {"printChanges": "0", "dumpData": "0"}


class BenchPeer(Protocol):
    name: str
    datastore_uri: str

    @property
    def url(self) -> str: ...

    def register_device(self, device_id: str, user: str, password: str) -> None: ...


@dataclass(frozen=True)
class PeerSpec:
    """How to start one kind of server for one scenario."""

    key: str  # "ours" | "theirs"
    label: str
    lean: bool = True

    @contextmanager
    def running(self, root: Path) -> Iterator[BenchPeer]:
        if self.key == "ours":
            server = TravelerServer(root / "data")
            server.add_user(ACCOUNT.user, ACCOUNT.password, ACCOUNT.email)
            server.start()
            try:
                yield server
            finally:
                server.stop()
        else:
            theirs = SyncEvolutionServer(root, peer_props=LEAN_SYNCEVOLUTION if self.lean else {})
            theirs.start()
            try:
                yield theirs
            finally:
                theirs.stop()


def peer_specs(lean: bool) -> list[PeerSpec]:
    return [
        PeerSpec("ours", "traveler-server", lean),
        PeerSpec("theirs", "syncevo-http-server", lean),
    ]
