"""The client API: JSON over HTTP for the Companion and ToDo apps, at ``<SyncML path>/api/v1``.

A device registers once with the user's password and gets a device token; every other call
sends ``Authorization: Bearer <token>``. The routes are in :mod:`server.api.routes`, the
authentication in :mod:`server.api.auth`; docs/client-api.md describes the API for clients.

Modules::

    auth.py        Caller, device_route, password_route: who is asking, checked by construction
    context.py     ApiContext: settings and stores for the routes
    problems.py    ApiProblem: refusals as problem+json with a stable ``code``
    json_body.py   reading bounded JSON object bodies
    routes.py      ROUTES: every route, one list
    devices.py     POST/GET devices, DELETE devices/{id}
    whoami.py      GET whoami
    attachments.py GET messages, attachments (.TEF), policy, apps; POST handoffs
    push.py        GET push (server-sent events: SyncML Server Alerted Notifications)
    users.py       GET users/lookup (may a task be delegated to this address?)
"""

from __future__ import annotations

from http import HTTPStatus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.api.context import ApiContext
from server.api.problems import ApiProblem, api_problem_response
from server.api.routes import ROUTES
from server.config import Settings
from server.login_throttle import LoginThrottle
from server.mail.protection import AttachmentProtection
from server.problems import problem
from server.store.client_devices import ClientDeviceStore
from server.store.database import Database
from server.stores import user_store

__all__ = ["API_PATH", "create_api"]

API_PATH = "/api/v1"

_CODES = {404: "not-found", 405: "method-not-allowed"}
_DEFAULT_DETAIL = {
    404: "There is no client-API call at this URL; see docs/client-api.md.",
    405: "This method is not allowed for this client-API call.",
}


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = _DEFAULT_DETAIL.get(exc.status_code, detail)
    code = _CODES.get(exc.status_code, "http-error")
    return problem(exc.status_code, detail, code=code, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Starlette re-raises after answering, so the server's outer app logs the traceback.
    return problem(500, "The server failed to process this request; see the server log.",
                   code="server-error")


def create_api(settings: Settings, database: Database,
               throttle: LoginThrottle | None = None) -> Starlette:
    """The client-API app, to be mounted at ``<SyncML path>/api/v1``; ``throttle`` counts
    failed password sign-ins (pass the SyncML endpoint's, so both doors share one count)."""
    api = Starlette(
        routes=ROUTES,
        exception_handlers={
            ApiProblem: api_problem_response,
            HTTPException: _http_exception,
            Exception: _unexpected,
        },
    )
    api.state.api = ApiContext(
        settings=settings,
        database=database,
        users=user_store(settings, database),
        devices=ClientDeviceStore(database),
        throttle=throttle or LoginThrottle.from_settings(settings, database),
        on_device_registered=(AttachmentProtection(settings, database).rewrap_user,),
    )
    return api
