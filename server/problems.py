"""The one writer of RFC 9457 problem+json answers, for every refusal the server makes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

__all__ = ["PROBLEM_MEDIA_TYPE", "problem", "problem_document"]

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_document(status: int, detail: str, **extra: Any) -> bytes:
    """The JSON body: ``type`` is about:blank, so ``title`` is the status phrase."""
    content = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return json.dumps(content, ensure_ascii=False).encode("utf-8")


def problem(
    status: int, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    """A problem+json response."""
    return Response(
        problem_document(status, detail, **extra),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers) if headers else None,
    )
