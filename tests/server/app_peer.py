"""The scripted SyncML client of tests/syncml/peer.py, talking to the real ASGI app."""

from __future__ import annotations

import asyncio

import httpx

from syncml.server import Reply


class AppOverHttp:
    """Stands in for SyncServer in the scripted Peer: every message goes through the app.

    The Peer is synchronous, so it runs in a worker thread and hands each POST to the
    test's event loop.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._loop = asyncio.get_running_loop()

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        post = self._client.post(url, content=body, headers={"content-type": content_type})
        response = asyncio.run_coroutine_threadsafe(post, self._loop).result(timeout=60)
        # The scripted client only sends messages a SyncML answer exists for.
        assert response.status_code == 200, response.text[:300]
        return Reply(response.content, response.headers.get("content-type", ""))
