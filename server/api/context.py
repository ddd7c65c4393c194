"""What every client-API route may use: the settings and the stores of this server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from server.config import Settings
from server.login_throttle import LoginThrottle
from server.store.client_devices import ClientDeviceStore
from server.store.database import Database
from server.store.users import UserStore

__all__ = ["ApiContext", "api_context"]


@dataclass(frozen=True)
class ApiContext:
    """The server's settings and stores, built once per app from the settings."""

    settings: Settings
    database: Database
    users: UserStore
    devices: ClientDeviceStore
    # Failed password sign-ins, shared with the SyncML endpoint.
    throttle: LoginThrottle
    # Called (in a worker thread) with the user's id after one of their devices registered:
    # attachment protection re-wraps the user's files for the new key at once.
    on_device_registered: tuple[Callable[[int], object], ...] = ()


def api_context(request: Request) -> ApiContext:
    """The context of the client-API app serving ``request``."""
    context: ApiContext = request.app.state.api
    return context
