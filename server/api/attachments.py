"""The user's mail with attachments, the attachments as .TEF, the policy and hand-off reports.

    GET  messages                                   the caller's messages with attachments
    GET  messages/{id}                              one of them
    GET  messages/{id}/attachments/{n}              the attachment as .TEF (?format=plain: as
                                                    sent, only while protection is off)
    GET  policy                                     the attachment policy and approved apps
    GET  apps                                       the approved applications (?os=linux)
    POST handoffs                                   report a hand-off to another application

Every call sees only the caller's own mailbox: a message of another user's is "not found".
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.auth import Caller, device_route
from server.api.context import api_context
from server.api.json_body import optional_text, read_json_object, required_text
from server.api.problems import ApiProblem
from server.mail.protection import (
    TEF_MEDIA_TYPE,
    AttachmentProtection,
    NoSuchAttachment,
    app_approved,
    message_ref,
)
from server.store.attachment_files import AttachmentFileStore, HandOff
from server.store.attachment_policy import (
    AppError,
    ApprovedApp,
    AttachmentPolicy,
    OsType,
    parse_os,
)
from server.store.mailboxes import MailStore, StoredMessage

__all__ = ["ROUTES", "app_json", "policy_json"]

log = logging.getLogger("traveler.mail")


def _protection(request: Request) -> AttachmentProtection:
    context = api_context(request)
    return AttachmentProtection(context.settings, context.database)


def message_json(message: StoredMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "received": message.received,
        "from": message.sender,
        "envelope_from": message.envelope_from,
        "subject": message.subject,
        "sent": message.sent,
        "message_id": message.message_id,
        "size": message.size,
        "attachments": [
            {
                "position": a.position,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "href": message_ref(message.id, a.position),
            }
            for a in message.attachments
        ],
    }


def policy_json(policy: AttachmentPolicy, apps: list[ApprovedApp]) -> dict[str, Any]:
    return {
        "protect_attachments": policy.protect_attachments,
        "approved_apps_only": policy.approved_apps_only,
        "prevent_download": policy.prevent_download,
        "view_only": policy.view_only,
        "changed": policy.changed,
        "approved_apps": [app_json(app) for app in apps],
    }


def app_json(app: ApprovedApp) -> dict[str, Any]:
    return {
        "name": app.name,
        "app_id": app.app_id,
        "os": app.os.value,
        "required_version": app.required_version,
    }


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + "."


def _int_param(request: Request, name: str) -> int:
    # Parsed here rather than by an ``:int`` convertor, so that a bad number is answered after
    # the caller was checked (401 first), and as problem+json.
    text = str(request.path_params[name])
    if not text.isascii() or not text.isdigit():
        code = "message-unknown" if name == "message" else "attachment-unknown"
        raise ApiProblem(404, code, f"{text!r} is not a {name} number.")
    return int(text)


async def list_messages(request: Request, caller: Caller) -> Response:
    """The caller's messages that have attachments, newest first (?all=true: every message)."""
    everything = request.query_params.get("all", "").lower() in ("1", "true", "yes")
    store = MailStore(api_context(request).database)
    messages = await asyncio.to_thread(
        store.messages, caller.user.id, with_attachments=not everything
    )
    return JSONResponse({"messages": [message_json(m) for m in messages]})


async def get_message(request: Request, caller: Caller) -> Response:
    message_pk = _int_param(request, "message")
    store = MailStore(api_context(request).database)
    message = await asyncio.to_thread(store.get, caller.user.id, message_pk)
    if message is None:
        raise ApiProblem(
            404, "message-unknown", f"There is no message {message_pk} in your mailbox."
        )
    return JSONResponse(message_json(message))


def _content_disposition(filename: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                       for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


async def get_attachment(request: Request, caller: Caller) -> Response:
    """The attachment for the calling device: .TEF, or as sent when protection is off."""
    message_pk = _int_param(request, "message")
    position = _int_param(request, "position")
    wanted = request.query_params.get("format", "tef").lower()
    if wanted not in ("tef", "plain"):
        raise ApiProblem(400, "format-unknown", f"format={wanted!r}: use tef or plain.")
    protection = _protection(request)

    def serve() -> Response:
        policy = protection.policy()
        try:
            attachment = protection.attachment(caller.user.id, message_pk, position)
        except NoSuchAttachment as exc:
            raise ApiProblem(404, "attachment-unknown", _sentence(exc)) from None
        if policy.prevent_download:
            raise ApiProblem(
                403,
                "download-prevented",
                "Your administrator does not allow attachments to be downloaded to devices.",
            )
        if wanted == "plain":
            if policy.protect_attachments:
                raise ApiProblem(
                    403,
                    "plain-not-allowed",
                    "Attachments are protected on this server: they are only available "
                    "encrypted (.tef), for the Companion to open.",
                )
            data = protection.plain(caller.user.id, message_pk, position)
            return Response(
                data,
                media_type=attachment.content_type,
                headers={"Content-Disposition": _content_disposition(attachment.filename)},
            )
        file = protection.current_file(caller.user.id, message_pk, position)
        return Response(
            file.data,
            media_type=TEF_MEDIA_TYPE,
            headers={"Content-Disposition": _content_disposition(file.filename + ".tef")},
        )

    return await asyncio.to_thread(serve)


async def get_policy(request: Request, caller: Caller) -> Response:
    protection = _protection(request)
    policy, apps = await asyncio.to_thread(lambda: (protection.policy(), protection.apps()))
    return JSONResponse(policy_json(policy, apps))


async def list_apps(request: Request, caller: Caller) -> Response:
    """The approved applications, all or for one OS (?os=linux|windows|macos)."""
    os_text = request.query_params.get("os")
    try:
        os_type = parse_os(os_text) if os_text else None
    except AppError as exc:
        raise ApiProblem(400, "os-unknown", f"{exc}.") from None
    apps = await asyncio.to_thread(_protection(request).apps)
    return JSONResponse(
        {"apps": [app_json(a) for a in apps if os_type is None or a.os is os_type]}
    )


def _optional_int(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiProblem(400, "field-invalid", f"The field {key!r} must be a whole number.")
    return value


def hand_off_json(hand_off: HandOff) -> dict[str, Any]:
    return {
        "id": hand_off.id,
        "reported": hand_off.reported,
        "file_name": hand_off.filename,
        "message": hand_off.message_pk,
        "attachment": hand_off.position,
        "app_id": hand_off.app_id,
        "app_name": hand_off.app_name,
        "app_version": hand_off.app_version,
        "os": hand_off.os,
        "approved": hand_off.approved,
    }


async def report_hand_off(request: Request, caller: Caller) -> Response:
    """Record that the calling device handed a decrypted attachment to an application."""
    body = await read_json_object(request)
    app_id = required_text(body, "app_id")
    app_name = optional_text(body, "app_name")
    app_version = optional_text(body, "app_version")
    message_pk = _optional_int(body, "message")
    position = _optional_int(body, "attachment")
    if (message_pk is None) != (position is None):
        raise ApiProblem(
            400, "field-missing", "Give both 'message' and 'attachment', or neither."
        )
    os_text = optional_text(body, "os")
    try:
        os_type: OsType | None = parse_os(os_text) if os_text else None
    except AppError as exc:
        raise ApiProblem(400, "field-invalid", f"{exc}.") from None
    context = api_context(request)
    protection = _protection(request)
    files = AttachmentFileStore(context.database)

    def record() -> HandOff:
        if message_pk is not None and position is not None:
            try:
                filename = protection.attachment(caller.user.id, message_pk, position).filename
            except NoSuchAttachment as exc:
                raise ApiProblem(404, "attachment-unknown", _sentence(exc)) from None
        else:
            filename = required_text(body, "file_name")
        approved = app_approved(protection.apps(), app_id, os_type, app_version)
        return files.log_hand_off(
            user_name=caller.user.name,
            device_id=caller.device.device_id,
            message_pk=message_pk,
            position=position,
            filename=filename,
            app_id=app_id,
            app_name=app_name,
            app_version=app_version,
            os=os_type.value if os_type else None,
            approved=approved,
        )

    hand_off = await asyncio.to_thread(record)
    where = (
        f" (message {message_pk}, attachment {position})" if message_pk is not None else ""
    )
    log.log(
        logging.INFO if hand_off.approved else logging.WARNING,
        "Hand-off: %s on device %s opened %s%s in %s%s at %s (%s)",
        caller.user.name,
        caller.device.device_id,
        hand_off.filename,
        where,
        app_id,
        f" {app_version}" if app_version else "",
        hand_off.reported,
        "approved application" if hand_off.approved else "NOT an approved application",
    )
    return JSONResponse(hand_off_json(hand_off), status_code=201)


ROUTES = [
    device_route("/messages", list_messages, methods=["GET"]),
    device_route("/messages/{message}", get_message, methods=["GET"]),
    device_route(
        "/messages/{message}/attachments/{position}", get_attachment, methods=["GET"]
    ),
    device_route("/policy", get_policy, methods=["GET"]),
    device_route("/apps", list_apps, methods=["GET"]),
    device_route("/handoffs", report_hand_off, methods=["POST"]),
]
