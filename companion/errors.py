"""What can be wrong when signing in, named rather than worded, so that each front end (the
CLI in English, the windows in the user's language) words it itself.

:class:`SignInError` carries the :class:`Problem`, the facts a text needs (server, user, the
technical reason...) and, as its message, the English sentence the CLI prints.
"""

from __future__ import annotations

import enum

__all__ = ["Problem", "SignInError"]


class Problem(enum.Enum):
    """Why signing in failed, as the user sees it."""

    MISSING_SERVER = "missing-server"
    MISSING_USER = "missing-user"
    MISSING_PASSWORD = "missing-password"
    BAD_URL = "bad-url"  # not http(s)://HOST...
    URL_WITH_CREDENTIALS = "url-with-credentials"
    URL_WITH_FRAGMENT = "url-with-fragment"
    BAD_PORT = "bad-port"
    UNREACHABLE = "unreachable"  # refused, unknown host, network down
    TIMEOUT = "timeout"
    TLS_UNTRUSTED = "tls-untrusted"  # a certificate this computer does not trust
    TLS_FAILED = "tls-failed"  # no TLS handshake (often https:// to a plain-HTTP server)
    REDIRECTED = "redirected"
    NOT_SYNCML = "not-syncml"  # the URL answers, but not as a SyncML server
    WRONG_PASSWORD = "wrong-password"
    ACCESS_REFUSED = "access-refused"  # the right password of a disabled account (403)
    DEVICE_REVOKED = "device-revoked"
    TOO_MANY_ATTEMPTS = "too-many-attempts"  # throttled after failed sign-ins (429)
    SERVER_UNAVAILABLE = "server-unavailable"  # 502-504: down for now
    SERVER_FAILED = "server-failed"  # anything else the server got wrong
    KEYRING_UNAVAILABLE = "keyring-unavailable"
    ALREADY_SIGNED_IN = "already-signed-in"
    LOCAL_DATA = "local-data"  # accounts.json or device.json cannot be read or written


class SignInError(Exception):
    """Signing in failed: ``problem`` says what, the other fields what a text may name.

    ``detail`` is the technical reason (a TLS or connection error, the server's own words),
    never a sentence of ours.
    """

    def __init__(
        self,
        problem: Problem,
        message: str,
        *,
        url: str = "",
        server: str = "",
        user: str = "",
        detail: str = "",
        target: str = "",
        retry_after: int | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.url = url
        self.server = server
        self.user = user
        self.detail = detail
        self.target = target
        self.retry_after = retry_after
        self.timeout = timeout
