"""A Starlette app serving only the client API's push route, on a real PushHub polling the
store, for one device of user 1: the push channel without the rest of the server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.push import PushHub, push_response
from server.store import Database


def push_app(database: Database, pk: int, *, token: str, server_id: str) -> Starlette:
    """The push route for device ``pk`` of user 1, accepting ``token``, naming ``server_id``."""
    hub = PushHub(database, poll_interval=0.05)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(hub.run())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def push(request: Request) -> Response:
        return push_response(request, hub, user_id=1, device_pk=pk, token=token,
                             server_id=server_id)

    return Starlette(routes=[Route("/traveler/api/v1/push", push)], lifespan=lifespan)
