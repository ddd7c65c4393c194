"""``GET push``: the device's push channel (server-sent events carrying SyncML Server Alerted
Notifications); see :mod:`server.push` for what travels on it.

Query ``nonce`` (optional, 1-128 of ``A-Z a-z 0-9 - _``): the nonce the SANs' digests are made
with. Header ``Last-Event-ID`` (optional): resume after that event. 503 ``push-disabled`` when
``NTS_PUSH_ENABLE=false``; 400 ``field-invalid`` for an unusable nonce or event id.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import Caller, device_route, hash_token
from server.api.context import api_context
from server.api.problems import ApiProblem
from server.push import PushHub, PushRequestError, push_response

__all__ = ["ROUTES"]


async def push(request: Request, caller: Caller) -> Response:
    """The calling device's push stream."""
    context = api_context(request)
    hub: PushHub | None = getattr(request.app.state, "push_hub", None)
    if not context.settings.push_enable or hub is None:
        raise ApiProblem(
            503, "push-disabled",
            "Push is turned off on this server (NTS_PUSH_ENABLE=false); sync on a schedule "
            "instead.",
        )
    # device_route checked the token; the SANs' digest is keyed with it.
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    token_hash = hash_token(token)

    def allowed() -> bool:
        # The stream outlives the request's check: a device signed out or revoked, or a user
        # disabled, meanwhile must not hear of the user's tasks any more.
        device = context.devices.by_token_hash(token_hash)
        user = context.users.get_by_id(caller.user.id)
        return (device is not None and device.active and device.id == caller.device.id
                and user is not None and not user.disabled)

    try:
        return push_response(request, hub, user_id=caller.user.id, device_pk=caller.device.id,
                             token=token, server_id=context.settings.server_name,
                             allowed=allowed)
    except PushRequestError as exc:
        raise ApiProblem(400, "field-invalid", str(exc)) from None


ROUTES = [device_route("/push", push, methods=["GET"])]
