"""Fixtures the server's tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.server_process import ServerProcess


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    """The `traveler-server run` processes a test starts: killed when it ends, passed or not."""
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()
