"""Devices against a live server: the real ToDo client (todo store + SyncML client), our
SyncML client on an in-memory datastore over HTTP (:class:`tests.syncml.device.Device`), and
the client-API call a device makes first (register, get its token)."""

from __future__ import annotations

import base64
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from syncml import auth
from syncml.client import ClientConfig
from syncml.codes import AlertCode
from syncml.server import Reply
from tests.syncml.device import Device
from todo.store import TodoStore
from todo.sync import sync_store


class HttpServer:
    """A device's transport: one HTTP POST per message to ``base_url`` (at the path and
    query of the URL the client posts to)."""

    def __init__(self, base_url: str) -> None:
        self._base = base_url.rstrip("/")
        self._http = httpx.Client(timeout=60)
        self._lock = threading.Lock()

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        parts = urlsplit(url)
        target = self._base + parts.path + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            response = self._http.post(target, content=body,
                                       headers={"content-type": content_type})
        response.raise_for_status()
        return Reply(response.content, response.headers.get("content-type", ""))


def http_device(syncml_url: str, user: str, password: str, device_id: str) -> Device:
    """A device of ``user`` syncing with the server at ``syncml_url`` (md5 credentials, as
    SyncML clients use; the first session fetches the nonce and retries by itself)."""
    parts = urlsplit(syncml_url)
    return Device(HttpServer(f"{parts.scheme}://{parts.netloc}"), device_id=device_id,
                  user=user, password=password, auth_type=auth.AUTH_MD5, url=syncml_url)


def device_token(syncml_url: str, user: str, password: str, device_id: str) -> str:
    """Register the device with the client API (the user's password) → its Bearer token."""
    body = {"device_id": device_id, "name": "test device", "os": "Linux",
            "public_key": base64.b64encode(os.urandom(32)).decode()}
    response = httpx.post(syncml_url.rstrip("/") + "/api/v1/devices", json=body,
                          auth=(user, password), timeout=30)
    response.raise_for_status()
    return str(response.json()["token"])


class StoreDevice:
    """A ToDo installation: its own todo store, synced by the real SyncML client
    (:func:`todo.sync.sync_store`), which keeps md5 nonces in the store."""

    def __init__(self, path: Path, syncml_url: str, user: str, password: str,
                 device_id: str, client: httpx.AsyncClient | None = None) -> None:
        self.store = TodoStore.open(path)
        self.config = ClientConfig(url=syncml_url, username=user, password=password,
                                   device_id=device_id)
        self.client = client  # e.g. one on the app in process; None: a socket of its own

    async def sync(self, mode: AlertCode = AlertCode.TWO_WAY) -> None:
        # (the md5 nonce for the next session is kept in the store by the client)
        await sync_store(self.store, self.config, mode=mode, client=self.client)

    def has(self, uid: str) -> bool:
        return self.store.find(uid) is not None

    def close(self) -> None:
        self.store.close()
