"""How a server session is configured, and the limits it works within."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from syncml import auth
from syncml.server.backend import ContentHandler

SUPPORTED_VERSIONS = ("1.1", "1.2")
# Device IDs are stored and shown to administrators; longer ones are not real devices.
MAX_DEVICE_ID = 256


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """How the server session behaves."""

    datastores: dict[str, ContentHandler]
    aliases: dict[str, str] = field(default_factory=dict)  # client URI (normalised) → name
    auth_types: tuple[str, ...] = (auth.AUTH_MD5, auth.AUTH_BASIC)
    max_msg_size: int = 150_000
    max_obj_size: int = 4_000_000
    manufacturer: str = "Traveler Desktop"
    model: str = "Traveler Server"
    software_version: str = "0.1.0"
    device_id: str = "traveler-server"
    clock: Callable[[], float] = time.time


def normalise_uri(uri: str) -> str:
    """A datastore URI without "./", query or case, for matching aliases."""
    uri = uri.strip()
    while uri.startswith("./"):
        uri = uri[2:]
    return uri.split("?", 1)[0].strip("/").lower()


