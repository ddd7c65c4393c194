"""A real ``traveler-server`` process holding the two users of the delegation stories: Alice
the organizer and Frank the assignee."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.interop.traveler_server import TravelerServer


@contextmanager
def alice_and_frank_served(
    data_dir: Path, passwords: Mapping[str, str]
) -> Iterator[TravelerServer]:
    """The server on ``data_dir``, running, with alice and frank added with ``passwords``."""
    server = TravelerServer(data_dir)
    for user, name in (("alice", "Alice Example"), ("frank", "Frank Adams")):
        server.cli("user", "add", user, "--email", f"{user}@example.org", "--full-name", name,
                   "--password-stdin", stdin=passwords[user] + "\n")
    with server:
        yield server
