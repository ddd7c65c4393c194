"""The secure-attachments inbox of one account: messages with attachments, the policy, and
downloading an attachment as .tef — over the client API (no Qt here).

Downloaded files stay encrypted: they are cached as .tef under the data folder
(``attachments/<account id>/``); only the viewer decrypts, in memory.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.api_client import ClientApi, ServerFailedError
from companion.hand_off import ApprovedApp, DesktopApp

__all__ = [
    "InboxAttachment",
    "InboxMessage",
    "ServerPolicy",
    "attachment_of",
    "download_attachment",
    "fetch_inbox",
    "report_hand_off",
]


@dataclass(frozen=True)
class InboxAttachment:
    message: int
    position: int
    filename: str
    content_type: str
    size: int
    href: str


@dataclass(frozen=True)
class InboxMessage:
    id: int
    sender: str
    subject: str
    received: str
    attachments: tuple[InboxAttachment, ...]


@dataclass(frozen=True)
class ServerPolicy:
    """The server's attachment policy and approved applications (all OS types)."""

    protect_attachments: bool
    approved_apps_only: bool
    prevent_download: bool
    view_only: bool
    approved_apps: tuple[ApprovedApp, ...]


def _message(raw: Any) -> InboxMessage:
    return InboxMessage(
        id=int(raw["id"]),
        sender=str(raw.get("from") or ""),
        subject=str(raw.get("subject") or ""),
        received=str(raw.get("received") or ""),
        attachments=tuple(
            InboxAttachment(
                message=int(raw["id"]),
                position=int(a["position"]),
                filename=str(a["filename"]),
                content_type=str(a["content_type"]),
                size=int(a["size"]),
                href=str(a["href"]),
            )
            for a in raw.get("attachments", [])
        ),
    )


def _policy(raw: Any) -> ServerPolicy:
    return ServerPolicy(
        protect_attachments=bool(raw["protect_attachments"]),
        approved_apps_only=bool(raw["approved_apps_only"]),
        prevent_download=bool(raw["prevent_download"]),
        view_only=bool(raw["view_only"]),
        approved_apps=tuple(
            ApprovedApp(
                name=str(app["name"]),
                app_id=str(app["app_id"]),
                os=str(app["os"]),
                min_version=app.get("required_version") or None,
            )
            for app in raw.get("approved_apps", [])
        ),
    )


async def fetch_inbox(api: ClientApi) -> tuple[list[InboxMessage], ServerPolicy]:
    """The account's messages with attachments (newest first) and the current policy."""
    messages = await api.request("GET", "messages")
    policy = await api.request("GET", "policy")
    try:
        return [_message(m) for m in messages["messages"]], _policy(policy)
    except (KeyError, TypeError, ValueError):
        raise ServerFailedError(
            f"{api.server_url} answered the inbox in a form this Companion does not understand."
        ) from None


async def download_attachment(api: ClientApi, attachment: InboxAttachment, folder: Path) -> Path:
    """Fetch the attachment as .tef into `folder` (kept encrypted); returns the file."""
    data = await api.download(f"messages/{attachment.message}/attachments/{attachment.position}")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{attachment.message}-{attachment.position}.tef"
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def attachment_of(message_ref: str | None) -> tuple[int, int] | None:
    """(message, position) from a .tef's message reference (``messages/N/attachments/M``)."""
    parts = (message_ref or "").split("/")
    if (
        len(parts) == 4
        and (parts[0], parts[2]) == ("messages", "attachments")
        and parts[1].isdigit()
        and parts[3].isdigit()
    ):
        return int(parts[1]), int(parts[3])
    return None


async def report_hand_off(
    api: ClientApi, where: tuple[int, int] | None, file_name: str, app: DesktopApp
) -> None:
    """Tell the server (it logs who, which file, which app, when)."""
    body: dict[str, Any] = {
        "app_id": app.app_id,
        "app_name": app.name,
        "app_version": app.version,
        "os": platform.system().lower() if platform.system() else None,
    }
    if where is not None:
        body["message"], body["attachment"] = where
    else:
        body["file_name"] = file_name
    await api.request("POST", "handoffs", json_body=body)
