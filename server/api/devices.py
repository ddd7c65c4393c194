"""Device registration and the user's own device list.

    POST   devices              Basic (password)  register or update this device → its token
    GET    devices              Bearer            the user's registered devices
    DELETE devices/{device_id}  Bearer            sign one of the user's devices out
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.auth import Caller, device_route, hash_token, new_token, password_route
from server.api.context import api_context
from server.api.json_body import optional_text, read_json_object, required_text
from server.api.problems import ApiProblem
from server.store.client_devices import PUBLIC_KEY_SIZE, ClientDevice, DeviceRevokedError
from server.store.devices import DeviceError
from server.store.users import User

__all__ = ["ROUTES", "device_json"]

log = logging.getLogger("traveler.api")


def device_json(device: ClientDevice, *, current: bool = False) -> dict[str, Any]:
    """A device as the client API shows it."""
    return {
        "device_id": device.device_id,
        "name": device.name,
        "os": device.os,
        "public_key": base64.b64encode(device.public_key).decode("ascii"),
        "registered": device.registered.isoformat(),
        "revoked": device.revoked.isoformat() if device.revoked else None,
        "current": current,
    }


def _public_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApiProblem(400, "field-invalid", "The field 'public_key' is not base64.") from None
    if len(key) != PUBLIC_KEY_SIZE:
        raise ApiProblem(
            400,
            "field-invalid",
            f"The field 'public_key' holds {len(key)} bytes; an X25519 public key has "
            f"{PUBLIC_KEY_SIZE}.",
        )
    return key


async def register_device(request: Request, user: User) -> Response:
    """Register (or update) the calling device; answers its new token, 201 when new."""
    body = await read_json_object(request)
    device_id = required_text(body, "device_id")
    public_key = _public_key(required_text(body, "public_key"))
    name, os = optional_text(body, "name"), optional_text(body, "os")
    devices = api_context(request).devices
    token = new_token()

    def register() -> tuple[ClientDevice, bool]:
        known = devices.get(user.id, device_id) is not None
        device = devices.register(
            user.id,
            device_id,
            name=name,
            os=os,
            public_key=public_key,
            token_hash=hash_token(token),
            when=datetime.now(UTC),
        )
        return device, not known

    try:
        device, created = await asyncio.to_thread(register)
    except DeviceRevokedError as exc:
        raise ApiProblem(403, "device-revoked", f"{exc}; ask your administrator.") from None
    except DeviceError as exc:
        reason = str(exc)
        raise ApiProblem(400, "field-invalid", reason[:1].upper() + reason[1:] + ".") from None
    for listener in api_context(request).on_device_registered:
        try:
            await asyncio.to_thread(listener, user.id)
        except Exception:
            # The registration stands; what the listener did not finish is done on demand.
            log.exception("After registering device %r of %s", device_id, user.name)
    return JSONResponse(
        {"token": token, "user": user.name, "device": device_json(device, current=True)},
        status_code=201 if created else 200,
    )


async def list_devices(request: Request, caller: Caller) -> Response:
    """The caller's own devices, revoked ones included."""
    devices = await asyncio.to_thread(api_context(request).devices.list, caller.user.id)
    return JSONResponse(
        {
            "devices": [
                device_json(device, current=device.id == caller.device.id) for device in devices
            ]
        }
    )


async def unregister_device(request: Request, caller: Caller) -> Response:
    """Sign one of the caller's own devices out (the calling one included)."""
    device_id = request.path_params["device_id"]
    devices = api_context(request).devices
    if not await asyncio.to_thread(devices.unregister, caller.user.id, device_id):
        # Another user's device is "not found" too: its existence is none of the caller's business.
        raise ApiProblem(404, "device-unknown", f"You have no registered device {device_id!r}.")
    return Response(status_code=204)


ROUTES = [
    password_route("/devices", register_device, methods=["POST"]),
    device_route("/devices", list_devices, methods=["GET"]),
    device_route("/devices/{device_id:path}", unregister_device, methods=["DELETE"]),
]
