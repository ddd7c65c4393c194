"""Fixtures for driving the real SyncEvolution client against a SyncML server.

By default the peer is our traveler-server. `TRAVELER_INTEROP_PEER=syncevolution` runs the same
scenarios against SyncEvolution's own server instead: a by-hand self-check of this harness
(SyncEvolution's server duplicates on conflicts and cannot survive a restart mid-session, so
some scenarios are expected to fail or are skipped there).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.interop.syncevo_server import SyncEvolutionServer
from tests.interop.syncevolution import SyncEvolutionClient, ensure_curl_preload, missing_tools
from tests.interop.traveler_server import Account, TravelerServer

HERE = Path(__file__).parent
ALICE = Account("alice", "alice-secret-1", "alice@example.com")
PEER_KIND = os.environ.get("TRAVELER_INTEROP_PEER", "traveler")


class SyncPeer(Protocol):
    """What a scenario needs from the server under test."""

    name: str
    datastore_uri: str

    @property
    def url(self) -> str: ...

    def register_device(self, device_id: str, user: str, password: str) -> None: ...

    def stop(self) -> Any: ...


ServerFactory = Callable[..., SyncPeer]
ClientFactory = Callable[..., SyncEvolutionClient]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.interop)


@pytest.fixture(autouse=True)
def _require_syncevolution() -> None:
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"interop tests need {', '.join(missing)} (Debian: apt-get install "
            "syncevolution gcc libc6-dev; .ci/run installs them)"
        )


@pytest.fixture(scope="session")
def curl_preload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The libcurl shim, built once per test session."""
    if missing_tools():
        pytest.skip("syncevolution or gcc missing")
    return ensure_curl_preload(tmp_path_factory.mktemp("curl-preload"))


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start a fresh server with user alice; `settings` are notes.ini NTS_* keys."""
    started: list[SyncPeer] = []

    def make(settings: Mapping[str, str] | None = None) -> SyncPeer:
        root = tmp_path / f"server-{len(started)}"
        peer: SyncPeer
        if PEER_KIND == "syncevolution":
            props = {}
            if settings and "NTS_MAX_MSG_SIZE" in settings:
                props["maxMsgSize"] = settings["NTS_MAX_MSG_SIZE"]
            peer = SyncEvolutionServer(root, peer_props=props).start()
        else:
            server = TravelerServer(root / "data", settings=settings)
            server.add_user(ALICE.user, ALICE.password, ALICE.email)
            peer = server.start()
        started.append(peer)
        return peer

    yield make
    for peer in reversed(started):
        peer.stop()


@pytest.fixture
def peer(server_factory: ServerFactory) -> SyncPeer:
    """The server under test with default settings."""
    return server_factory()


@pytest.fixture
def traveler(server_factory: ServerFactory) -> TravelerServer:
    """Our server (fresh data dir, user alice); skipped in the SyncEvolution self-check."""
    if PEER_KIND != "traveler":
        pytest.skip("needs traveler-server (restarts it mid-session)")
    server = server_factory()
    assert isinstance(server, TravelerServer)
    return server


@pytest.fixture
def client_factory(
    request: pytest.FixtureRequest, tmp_path: Path, curl_preload: Path
) -> ClientFactory:
    """Make a configured SyncEvolution device: client_factory("A", wbxml=False, ...).

    `server=` picks the peer (default: the `peer` fixture); `url=` overrides the sync URL (a
    proxy); `password=` a wrong password; other keywords go to SyncEvolutionClient.
    """
    test_id = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[-40:]

    def make(
        name: str,
        *,
        server: SyncPeer | None = None,
        url: str | None = None,
        user: str = ALICE.user,
        password: str = ALICE.password,
        **kwargs: Any,
    ) -> SyncEvolutionClient:
        target = server if server is not None else request.getfixturevalue("peer")
        device_id = f"se-{name}-{test_id}"
        # The server side knows the right password; a wrong one is only the client's.
        target.register_device(device_id, user, ALICE.password if user == ALICE.user else password)
        kwargs.setdefault("uri", target.datastore_uri)
        client = SyncEvolutionClient(
            tmp_path / f"client-{name}", device_id, url or target.url, user, password, **kwargs
        )
        client.configure()
        return client

    return make
