"""The client API's refusals: one exception, mapped to problem+json by the API app.

Every problem carries a ``code`` member (a stable word, e.g. ``token-invalid``) so that a client
can tell the cases apart without reading the English ``detail``.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from server.problems import problem

__all__ = ["ApiProblem", "api_problem_response"]


class ApiProblem(Exception):
    """Refuse a client-API request with ``status``; ``code`` names the case for clients."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})  # more members of the problem document


async def api_problem_response(request: Request, exc: Exception) -> Response:
    """Exception handler of the API app for :class:`ApiProblem`."""
    assert isinstance(exc, ApiProblem)
    return problem(exc.status, exc.detail, code=exc.code, headers=exc.headers or None,
                   **exc.extra)
