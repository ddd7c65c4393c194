"""``GET whoami``: the caller as the server knows them, and the server's name."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.auth import Caller, device_route
from server.api.context import api_context
from server.api.devices import device_json

__all__ = ["ROUTES"]


async def whoami(request: Request, caller: Caller) -> Response:
    """User name, display name, e-mail, the calling device and the server's name."""
    user = caller.user
    return JSONResponse(
        {
            "user": user.name,
            "display_name": user.full_name or user.name,
            "email": user.email,
            "device": device_json(caller.device, current=True),
            "server": api_context(request).settings.server_name,
        }
    )


ROUTES = [device_route("/whoami", whoami, methods=["GET"])]
