"""How a client session is set up: the account, the datastore, the limits."""

from __future__ import annotations

from dataclasses import dataclass

from syncml import auth


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """One account on one SyncML server, and one datastore to synchronise."""

    url: str                     # the SyncML URL, posted to exactly (then the RespURI)
    username: str
    password: str
    device_id: str
    remote_uri: str = "tasks"    # the server's datastore
    local_uri: str = "./tasks"   # ours, as our DevInf names it
    auth_type: str = auth.AUTH_MD5  # or auth.AUTH_BASIC; a server challenge may switch it
    wbxml: bool = True
    version: str = "1.2"
    max_msg_size: int = 150_000
    max_obj_size: int = 4_000_000
    content_type: str = "text/calendar"
    manufacturer: str = "Traveler Desktop"
    model: str = "Traveler ToDo"
    software_version: str = "0.1.0"
    device_type: str = "workstation"
