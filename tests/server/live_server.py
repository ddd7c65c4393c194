"""An ASGI app served by a real uvicorn on 127.0.0.1, port 0, inside the test's event loop.

Server-sent events need a real HTTP connection: httpx's ASGI transport buffers a response
until it ends, and a push stream never ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn


class LiveServer:
    """``async with LiveServer(app) as server:`` → ``server.url``; restartable on its port."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self._app = app
        self.port = port
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        config = uvicorn.Config(self._app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises why it could not start
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        # A push stream never ends: drop its connection, as a dying server would.
        for connection in list(self._server.server_state.connections):
            connection.transport.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._server = None

    async def __aenter__(self) -> LiveServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[LiveServer]:
    async with LiveServer(app) as server:
        yield server
