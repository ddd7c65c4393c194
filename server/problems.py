"""RFC 9457 problem+json responses: how every HTTP route of the server reports a refusal."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

__all__ = ["PROBLEM_MEDIA_TYPE", "problem"]

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem+json response; ``type`` is about:blank, so title = status phrase."""
    headers = extra.pop("headers", None)
    content = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(content, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)
