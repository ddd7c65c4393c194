"""Who is asking: the one way a client-API route learns its caller.

Two kinds of credentials, each with its own route constructor, so no route can forget to check:

* :func:`device_route` — ``Authorization: Bearer <device token>``; the endpoint gets the
  :class:`Caller` (user and device). Every route but the registration is one of these.
* :func:`password_route` — HTTP Basic with the user's password (verified with argon2 in a
  worker thread, so the event loop keeps serving); only ``POST devices`` uses it, to hand out
  the token.

Refusals are problem+json 401s with a ``code``: ``credentials-missing``, ``credentials-wrong``
(user name or password), ``token-invalid``, ``device-revoked``; and a 403
``account-disabled`` (with the administrator's ``reason``) once the caller proved who they
are: a guesser learns nothing of the account from it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.context import api_context
from server.api.problems import ApiProblem
from server.client_address import client_address
from server.store.client_devices import ClientDevice
from server.store.users import User

__all__ = [
    "Caller",
    "DeviceEndpoint",
    "PasswordEndpoint",
    "authenticate_device",
    "authenticate_password",
    "device_route",
    "hash_token",
    "new_token",
    "password_route",
]

REALM = "Traveler"
_BEARER_CHALLENGE = {"WWW-Authenticate": f'Bearer realm="{REALM}"'}
_BASIC_CHALLENGE = {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}
TOKEN_BYTES = 32


@dataclass(frozen=True)
class Caller:
    """The authenticated user and the device they are calling from."""

    user: User
    device: ClientDevice


DeviceEndpoint = Callable[[Request, Caller], Awaitable[Response]]
PasswordEndpoint = Callable[[Request, User], Awaitable[Response]]


def new_token() -> str:
    """A fresh device token (256 random bits, URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What the store keeps of a token. The token is random, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def authenticate_device(request: Request) -> Caller:
    """The caller of a Bearer-token request, or an :class:`ApiProblem` 401 saying why not."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiProblem(
            401,
            "credentials-missing",
            "This call needs a device token (Authorization: Bearer <token>); register the "
            "device with POST devices and the user's password to get one.",
            headers=_BEARER_CHALLENGE,
        )
    context = api_context(request)
    wanted = hash_token(token)
    device = await asyncio.to_thread(context.devices.by_token_hash, wanted)
    # Looked up by its hash, so an index lookup's timing tells nothing about valid tokens.
    if device is None:
        raise ApiProblem(
            401,
            "token-invalid",
            "The device token is not valid (signed out or replaced by a newer sign-in); "
            "sign in again with the user's password.",
            headers=_BEARER_CHALLENGE,
        )
    if not device.active:
        raise ApiProblem(
            401,
            "device-revoked",
            f"The device {device.device_id!r} was revoked by an administrator and can no "
            "longer use this server; ask your administrator.",
            headers=_BEARER_CHALLENGE,
        )
    user = await asyncio.to_thread(context.users.get_by_id, device.user_id)
    if user is None:
        raise ApiProblem(401, "token-invalid", "The device's user no longer exists.",
                         headers=_BEARER_CHALLENGE)
    _refuse_disabled(user)
    return Caller(user=user, device=device)


async def authenticate_password(request: Request) -> User:
    """The user of an HTTP Basic request, or an :class:`ApiProblem` 401 saying why not."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise ApiProblem(
            401,
            "credentials-missing",
            "This call needs the user's name and password (HTTP Basic).",
            headers=_BASIC_CHALLENGE,
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    name, sep, password = decoded.partition(":")
    if not sep or not name:
        raise ApiProblem(
            401,
            "credentials-missing",
            "The Basic credentials are not base64 of user:password.",
            headers=_BASIC_CHALLENGE,
        )
    context = api_context(request)
    users = context.users
    address = client_address(request, context.settings.trusted_proxies).host
    # A guesser is refused before argon2 runs, as at the SyncML endpoint.
    throttled = await asyncio.to_thread(context.throttle.check, name, address)
    if throttled is not None:
        raise ApiProblem(
            429,
            "too-many-attempts",
            f"Refused: {throttled.reason}. Try again in {throttled.retry_after} s.",
            headers={"Retry-After": str(throttled.retry_after)},
        )
    # argon2 takes tens of milliseconds of CPU: keep it off the event loop.
    if not await asyncio.to_thread(users.verify_password, name, password):
        await asyncio.to_thread(context.throttle.failed, name, address)
        raise ApiProblem(
            401,
            "credentials-wrong",
            "The user name or password is wrong.",
            headers=_BASIC_CHALLENGE,
        )
    user = await asyncio.to_thread(users.get, name)
    if user is None:
        raise ApiProblem(401, "credentials-wrong", "The user name or password is wrong.",
                         headers=_BASIC_CHALLENGE)
    _refuse_disabled(user)
    await asyncio.to_thread(context.throttle.succeeded, user.name, address)
    return user


def _refuse_disabled(user: User) -> None:
    """403 for a disabled account: the credentials were right (a token, or the password
    checked first), so saying why tells the user, not a guesser, something."""
    if user.disabled:
        because = f": {user.disabled_reason}" if user.disabled_reason else ""
        raise ApiProblem(
            403,
            "account-disabled",
            f"Your account {user.name!r} has been disabled by the administrator{because}. "
            "Contact your administrator to have it enabled again; until then this device "
            "cannot sync.",
            extra={"reason": user.disabled_reason or ""},
        )


def device_route(path: str, endpoint: DeviceEndpoint, *, methods: Sequence[str]) -> Route:
    """A route whose endpoint runs only for a device with a valid token, and learns who it is."""

    async def guarded(request: Request) -> Response:
        caller = await authenticate_device(request)
        return await endpoint(request, caller)

    return Route(path, guarded, methods=list(methods), name=endpoint.__name__)


def password_route(path: str, endpoint: PasswordEndpoint, *, methods: Sequence[str]) -> Route:
    """A route whose endpoint runs only for a user who gave the right password."""

    async def guarded(request: Request) -> Response:
        user = await authenticate_password(request)
        return await endpoint(request, user)

    return Route(path, guarded, methods=list(methods), name=endpoint.__name__)
