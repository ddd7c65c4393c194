"""A SyncML device of tests/syncml (our real client, or hand-made messages) talking to the real
ASGI app."""

from __future__ import annotations

import asyncio

import httpx

from syncml.server import Reply


class AppOverHttp:
    """The server of a :class:`~tests.syncml.device.Device` or
    :class:`~tests.syncml.raw.RawMessages`: every message is a POST to the app.

    The client side is synchronous, so it runs in a worker thread and hands each POST to
    the test's event loop.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._loop = asyncio.get_running_loop()

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        post = self._client.post(url, content=body, headers={"content-type": content_type})
        response = asyncio.run_coroutine_threadsafe(post, self._loop).result(timeout=60)
        # Every message sent here has a SyncML answer (HTTP errors are tested elsewhere).
        assert response.status_code == 200, response.text[:300]
        return Reply(response.content, response.headers.get("content-type", ""))
