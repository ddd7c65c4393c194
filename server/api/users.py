"""``GET users/lookup?address=NAME-OR-EMAIL``: whether a task can be delegated to someone.

Answers the user a name or e-mail address names on this server (``user``, ``display_name``,
``email``), 404 ``user-unknown`` when nobody, 409 ``user-ambiguous`` when an e-mail is shared by
several users (delegate by user name then). Clients check an assignee with it before they save
a delegated task; the server refuses other assignees at sync time anyway (SyncML status 403).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.auth import Caller, device_route
from server.api.context import api_context
from server.api.problems import ApiProblem

__all__ = ["ROUTES"]

_MAX_ADDRESS = 320  # the longest e-mail address RFC 5321 allows


async def lookup(request: Request, caller: Caller) -> Response:
    """The user named by ``address``."""
    address = (request.query_params.get("address") or "").strip()
    if not address:
        raise ApiProblem(400, "field-missing", "The query parameter 'address' is missing.")
    if len(address) > _MAX_ADDRESS:
        raise ApiProblem(400, "field-invalid",
                         f"The address is longer than {_MAX_ADDRESS} characters.")
    users = api_context(request).users
    found = await asyncio.to_thread(users.find, address)
    if not found:
        raise ApiProblem(404, "user-unknown",
                         f"{address!r} is not a user of this server; tasks can only be "
                         "delegated to users of this server.")
    if len(found) > 1:
        raise ApiProblem(409, "user-ambiguous",
                         f"{address!r} is the e-mail address of several users; delegate by "
                         "user name instead.")
    user = found[0]
    return JSONResponse({"user": user.name, "display_name": user.full_name or user.name,
                         "email": user.email})


ROUTES = [device_route("/users/lookup", lookup, methods=["GET"])]
