"""Every route of the client API, in one list.

To add routes: write a module under ``server/api/`` whose ``ROUTES`` are built with
:func:`server.api.auth.device_route` (or, for password sign-in only,
:func:`~server.api.auth.password_route`), and add its ``ROUTES`` here. Paths are relative to
the API's mount point (``/traveler/api/v1``). A test calls every route listed here without
credentials and with another user's token, so a route that does not check is caught.
"""

from __future__ import annotations

from starlette.routing import Route

from server.api import attachments, devices, out_of_office, push, users, whoami

__all__ = ["ROUTES"]

ROUTES: list[Route] = [
    *attachments.ROUTES,
    *out_of_office.ROUTES,
    *devices.ROUTES,
    *whoami.ROUTES,
    *push.ROUTES,
    *users.ROUTES,
]
