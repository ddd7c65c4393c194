"""Reading a client-API request body: JSON objects only, bounded in size."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect, Request

from server.api.problems import ApiProblem

__all__ = ["MAX_JSON_BODY", "optional_text", "read_json_object", "required_text"]

# Client-API bodies are small (a device registration, an out-of-office text); larger ones are
# refused before they are buffered.
MAX_JSON_BODY = 256 * 1024


async def read_json_object(request: Request, *, cap: int = MAX_JSON_BODY) -> dict[str, Any]:
    """The body as a JSON object, or an :class:`ApiProblem` (400, 413, 415) saying why not."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        shown = media_type or "no Content-Type"
        raise ApiProblem(415, "body-not-json", f"{shown} is not accepted; send application/json.")
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > cap:
                raise ApiProblem(413, "body-too-large", f"The body is over {cap} bytes.")
    except ClientDisconnect:
        raise ApiProblem(400, "body-incomplete", "The client disconnected mid-body.") from None
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem(400, "body-not-json", f"The body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ApiProblem(400, "body-not-object", "The body must be a JSON object.")
    return value


def required_text(body: dict[str, Any], key: str) -> str:
    """``body[key]`` as a non-empty string, or a 400 naming the field."""
    value = optional_text(body, key)
    if not value:
        raise ApiProblem(400, "field-missing", f"The field {key!r} is missing or empty.", )
    return value


def optional_text(body: dict[str, Any], key: str) -> str | None:
    """``body[key]`` as a stripped string (None when absent or null), or a 400 if not text."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiProblem(400, "field-invalid", f"The field {key!r} must be a string.")
    return value.strip()
