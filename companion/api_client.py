"""Talking to a server: the Traveler client API, and the check an account gets before it is added.

:class:`ClientApi` is an httpx client of the client API (docs/client-api.md): device
registration with the password, then calls with the device token. :func:`check_account` is what
``account add`` (and the sign-in dialog) runs: a SyncML probe of the URL — so any SyncML server
is accepted — then, on a Traveler server, the device registration.

Errors (all derive from :class:`ServerError`; each message names what is wrong and what to do)::

    ServerError
    ├── ServerUnreachableError    no connection (refused, unknown host, TLS failure)
    │   ├── CertificateUntrustedError   the server's certificate is not trusted here
    │   └── SecureConnectionError       no TLS handshake (https:// to a plain-HTTP server)
    ├── ServerTimeoutError        no answer in time
    ├── NotSyncMLServerError      the URL answers, but not as a SyncML server (HTML, JSON, 404)
    │   └── RedirectedError             it redirects elsewhere (``target``)
    ├── WrongPasswordError        the server refused the user name or password
    ├── AccessRevokedError        the user is disabled (or the device revoked:)
    │   └── DeviceRevokedError
    ├── SignedOutError            the device token is no longer valid: sign in again
    ├── NoClientApiError          a plain SyncML server: the Traveler extras are not there
    ├── UnknownUserError          nobody on the server has that user name or e-mail (or
    │                             several share the e-mail): a task cannot be delegated there
    ├── TooManyAttemptsError      the server throttles sign-ins after failed ones (HTTP 429)
    └── ServerFailedError         the server failed (5xx) or answered something unusable
        └── ServerUnavailableError      down for now (502-504; ``retry_after``)

``detail`` is the technical reason (the TLS or connection error, what the server answered, the
server's own words), for a front end that words the error itself (:mod:`companion.errors`).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from companion.accounts import api_url
from companion.device import DeviceIdentity
from syncml import auth as syncml_auth
from syncml import codec
from syncml.errors import SyncMLError
from syncml.model import (
    Cred,
    Header,
    Location,
    Message,
    Meta,
    Status,
    decode_message,
    encode_message,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "AccessRevokedError",
    "AccountCheck",
    "CertificateUntrustedError",
    "ClientApi",
    "DeviceRevokedError",
    "DirectoryUser",
    "NoClientApiError",
    "NotSyncMLServerError",
    "RedirectedError",
    "Registration",
    "SecureConnectionError",
    "ServerError",
    "ServerFailedError",
    "ServerTimeoutError",
    "ServerUnavailableError",
    "ServerUnreachableError",
    "SignedOutError",
    "SyncMLProbe",
    "TooManyAttemptsError",
    "UnknownUserError",
    "WhoAmI",
    "WrongPasswordError",
    "check_account",
    "probe_syncml",
]

DEFAULT_TIMEOUT = 15.0
PROBE_MAX_MSG_SIZE = 65536
_SYNCML_TYPES = (codec.CONTENT_TYPE_XML, codec.CONTENT_TYPE_WBXML)


class ServerError(Exception):
    """Talking to the server failed; the message is written for the user."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class ServerUnreachableError(ServerError):
    pass


class CertificateUntrustedError(ServerUnreachableError):
    pass


class SecureConnectionError(ServerUnreachableError):
    pass


class ServerTimeoutError(ServerError):
    pass


class NotSyncMLServerError(ServerError):
    pass


class RedirectedError(NotSyncMLServerError):
    """``target``: the URL it redirects to, the one to give instead."""

    def __init__(self, message: str, target: str) -> None:
        super().__init__(message, detail=target)
        self.target = target


class WrongPasswordError(ServerError):
    pass


class AccessRevokedError(ServerError):
    pass


class DeviceRevokedError(AccessRevokedError):
    pass


class SignedOutError(ServerError):
    pass


class NoClientApiError(ServerError):
    pass


class TooManyAttemptsError(ServerError):
    """``retry_after``: seconds the server asked to wait, when it said."""

    def __init__(self, message: str, retry_after: int | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnknownUserError(ServerError):
    """The server has no single user by that name or e-mail: no task can be delegated there."""


class ServerFailedError(ServerError):
    pass


class ServerUnavailableError(ServerFailedError):
    """``retry_after``: seconds the server asked to wait, when it said."""

    def __init__(self, message: str, retry_after: int | None, *, detail: str) -> None:
        super().__init__(message, detail=detail)
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> int | None:
    try:
        return max(0, int(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _throttled(url: str, response: httpx.Response) -> TooManyAttemptsError:
    wait = _retry_after(response)
    when = f"in {wait} seconds" if wait is not None else "later"
    return TooManyAttemptsError(
        f"The server at {_where(url)} refuses sign-ins for now after too many failed ones; "
        f"try again {when}, and check the password.",
        wait,
    )


def _unavailable(url: str, response: httpx.Response) -> ServerUnavailableError:
    wait = _retry_after(response)
    when = f"in {wait} seconds" if wait is not None else "later"
    status = f"HTTP {response.status_code} {response.reason_phrase}"
    return ServerUnavailableError(
        f"The server at {_where(url)} is not available right now ({status}); try again {when}, "
        "or tell your administrator if it lasts.",
        wait,
        detail=status,
    )


@dataclass(frozen=True)
class SyncMLProbe:
    """What the SyncML probe found: the header status and the auth type that was accepted."""

    status: int
    auth_type: str


@dataclass(frozen=True)
class Registration:
    token: str
    user: str
    device: dict[str, Any]


@dataclass(frozen=True)
class DirectoryUser:
    """A user of the server, as ``users/lookup`` answers (someone a task can go to)."""

    user: str
    display_name: str
    email: str


@dataclass(frozen=True)
class WhoAmI:
    user: str
    display_name: str
    email: str
    server: str
    device: dict[str, Any]


@dataclass(frozen=True)
class AccountCheck:
    """The outcome of :func:`check_account`. Without the client API, ``registration`` and
    ``whoami`` are None and ``note`` says what that means."""

    probe: SyncMLProbe
    registration: Registration | None
    whoami: WhoAmI | None
    note: str | None


def _where(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _transport_error(url: str, exc: httpx.TransportError, timeout: float) -> ServerError:
    where = _where(url)
    if isinstance(exc, httpx.TimeoutException):
        return ServerTimeoutError(
            f"The server at {where} did not answer within {timeout:g} seconds. It may be "
            "overloaded or a firewall may be dropping the connection; try again later or check "
            "the address."
        )
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return CertificateUntrustedError(
                f"The server at {where} has a certificate this computer does not trust "
                f"({cause.verify_message}). Check the address, or install the server's CA "
                "certificate.",
                detail=str(cause.verify_message),
            )
        if isinstance(cause, ssl.SSLError):
            return SecureConnectionError(
                f"A secure connection to {where} failed ({cause.reason}). If the server does not "
                "use TLS, the URL must start with http:// rather than https://.",
                detail=str(cause.reason),
            )
        cause = cause.__cause__ or cause.__context__
    reason = str(exc) or type(exc).__name__
    return ServerUnreachableError(
        f"Cannot reach the server at {where} ({reason}). Check the server URL, that the server "
        "is running, and your network connection.",
        detail=reason,
    )


def _not_syncml(url: str, response: httpx.Response) -> NotSyncMLServerError:
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    hint = (
        "Check the server URL: it must be the full SyncML URL, for a Traveler server "
        "http(s)://HOST:PORT/traveler."
    )
    location = response.headers.get("location")
    if response.is_redirect and location:
        # Not followed: the account would keep the old URL and every sync would bounce.
        target = str(response.url.join(location))
        return RedirectedError(
            f"{url} redirects to {target}; give that URL as the server URL instead.", target
        )
    if response.status_code == 404:
        what = "there is nothing at this address (HTTP 404)"
    elif media_type == "text/html":
        what = "it answers with a web page, not SyncML"
    elif media_type.endswith("json"):
        what = "it answers with JSON (a web API), not SyncML"
    elif response.status_code >= 400:
        what = f"it answers with HTTP {response.status_code} {response.reason_phrase}"
    else:
        what = f"it answers with {media_type or 'no content type'}, not SyncML"
    answered = f"HTTP {response.status_code} {media_type or 'without a content type'}"
    return NotSyncMLServerError(f"{url} is not a SyncML server: {what}. {hint}", detail=answered)


def _probe_message(
    url: str, user: str, device_id: str, session_id: str, msg_id: int, cred: Cred
) -> bytes:
    header = Header(
        version="1.2",
        session_id=session_id,
        msg_id=msg_id,
        target=Location(url),
        source=Location(device_id, name=user),
        cred=cred,
        meta=Meta(max_msg_size=PROBE_MAX_MSG_SIZE),
    )
    return codec.encode(encode_message(Message(header=header, final=True)), wbxml=False)


def _header_status(message: Message) -> Status | None:
    for command in message.commands:
        if isinstance(command, Status) and command.cmd_ref == 0:
            return command
    return None


def _md5_cred(user: str, password: str, nonce_text: str | None) -> Cred:
    nonce = b""
    if nonce_text:
        try:
            nonce = base64.b64decode(nonce_text, validate=True)
        except (binascii.Error, ValueError):
            nonce = nonce_text.encode("utf-8")
    digest = syncml_auth.md5_digest(syncml_auth.md5_secret(user, password), nonce)
    return Cred(base64.b64encode(digest).decode("ascii"), type=syncml_auth.AUTH_MD5, format="b64")


async def probe_syncml(
    client: httpx.AsyncClient,
    url: str,
    user: str,
    password: str,
    *,
    device_id: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> SyncMLProbe:
    """Ask ``url`` to authenticate a header-only SyncML message (no datastore is touched).

    Basic credentials first; a server that challenges for md5 gets an md5 answer to its nonce.
    Raises a :class:`ServerError` naming what is wrong.
    """
    cred = Cred(syncml_auth.basic_cred_data(user, password))
    # A fresh session: a server must not take the probe for a resend of an earlier one.
    session_id = str(secrets.randbelow(2**31 - 1) + 1)
    for msg_id in (1, 2):
        body = _probe_message(url, user, device_id, session_id, msg_id, cred)
        try:
            response = await client.post(
                url,
                content=body,
                headers={"Content-Type": codec.CONTENT_TYPE_XML, "Accept": codec.CONTENT_TYPE_XML},
                # Some SyncML servers read HTTP auth instead of (or before) SyncML's Cred.
                auth=(user, password),
                timeout=timeout,
            )
        except httpx.TransportError as exc:
            raise _transport_error(url, exc, timeout) from exc
        media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if response.status_code == 429:
            raise _throttled(url, response)
        if response.status_code in (502, 503, 504):
            raise _unavailable(url, response)
        if response.status_code == 401 and media_type not in _SYNCML_TYPES:
            raise WrongPasswordError(_wrong_password(user, url))
        if media_type not in _SYNCML_TYPES:
            raise _not_syncml(url, response)
        try:
            message = decode_message(codec.decode(response.content, media_type))
        except SyncMLError as exc:
            raise NotSyncMLServerError(
                f"{url} answered with a SyncML content type but an unreadable message ({exc}). "
                "The server may be broken or not a SyncML server.",
                detail=str(exc),
            ) from exc
        status = _header_status(message)
        if status is None:
            raise ServerFailedError(
                f"{url} answered without a status for the credentials; it does not behave like "
                "a SyncML server.",
                detail="no SyncML status for the header",
            )
        if status.code in (200, 212):
            return SyncMLProbe(status.code, cred.type)
        chal = status.chal.meta if status.chal is not None else None
        if (
            status.code in (401, 407)
            and chal is not None
            and (chal.type or "").lower() == syncml_auth.AUTH_MD5
            and cred.type != syncml_auth.AUTH_MD5
        ):
            cred = _md5_cred(user, password, chal.next_nonce)
            continue
        if status.code in (401, 407):
            raise WrongPasswordError(_wrong_password(user, url))
        if status.code == 403:
            raise AccessRevokedError(
                f"The server at {_where(url)} refuses access for {user} (SyncML status 403). "
                "Ask your administrator.",
                detail="SyncML status 403",
            )
        raise ServerFailedError(
            f"The SyncML server at {_where(url)} answered the sign-in with status {status.code}.",
            detail=f"SyncML status {status.code}",
        )
    raise WrongPasswordError(_wrong_password(user, url))


def _wrong_password(user: str, url: str) -> str:
    return (
        f"The server at {_where(url)} did not accept the user name {user!r} with this password. "
        "Check both and try again (user names are the server's, not your e-mail address, unless "
        "your administrator says so)."
    )


class ClientApi:
    """The Traveler client API of one server (``<SyncML URL>/api/v1/``)."""

    def __init__(
        self,
        server_url: str,
        *,
        token: str | None = None,
        client: httpx.AsyncClient,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.server_url = server_url
        self.base_url = api_url(server_url)
        self.token = token
        self._client = client
        self._timeout = timeout

    async def register_device(
        self, user: str, password: str, device: DeviceIdentity
    ) -> Registration:
        """Register this device with the password; keeps and returns the new token."""
        body = {
            "device_id": device.device_id,
            "name": device.name,
            "os": device.os,
            "public_key": device.public_key,
        }
        answer = await self.request(
            "POST", "devices", json_body=body, basic=(user, password), discovering=True
        )
        try:
            registration = Registration(
                token=str(answer["token"]), user=str(answer["user"]), device=dict(answer["device"])
            )
        except (KeyError, TypeError, ValueError):
            raise self._unusable("the device registration") from None
        self.token = registration.token
        return registration

    async def whoami(self) -> WhoAmI:
        answer = await self.request("GET", "whoami")
        try:
            return WhoAmI(
                user=str(answer["user"]),
                display_name=str(answer["display_name"]),
                email=str(answer["email"]),
                server=str(answer["server"]),
                device=dict(answer["device"]),
            )
        except (KeyError, TypeError, ValueError):
            raise self._unusable("whoami") from None

    async def lookup_user(self, address: str) -> DirectoryUser:
        """The user a name or e-mail address names on this server; raises
        :class:`UnknownUserError` when nobody (or several users) has it."""
        answer = await self.request("GET", f"users/lookup?{urlencode({'address': address})}")
        try:
            return DirectoryUser(
                user=str(answer["user"]),
                display_name=str(answer["display_name"]),
                email=str(answer["email"]),
            )
        except (KeyError, TypeError, ValueError):
            raise self._unusable("the user lookup") from None

    async def unregister_device(self, device_id: str) -> None:
        """Sign a device of this user out (this one, by default in the Companion)."""
        await self.request("DELETE", f"devices/{device_id}")

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        basic: tuple[str, str] | None = None,
        discovering: bool = False,
    ) -> Any:
        """One call; its JSON answer (None for 204). Raises a :class:`ServerError`.

        ``discovering``: the server may not be a Traveler server at all, so any answer that
        is not the client API's (a 500 from a plain SyncML server's catch-all) means it has no
        client API (:class:`NoClientApiError`) rather than that it failed.
        """
        url = self.base_url + path.lstrip("/")
        headers = {"Accept": "application/json"}
        if basic is None:
            if self.token is None:
                raise SignedOutError(
                    "This account has no device token: sign in again with your password."
                )
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = await self._client.request(
                method,
                url,
                json=json_body,
                headers=headers,
                auth=basic,
                timeout=self._timeout,
            )
        except httpx.TransportError as exc:
            raise _transport_error(self.server_url, exc, self._timeout) from exc
        if response.status_code == 204:
            return None
        media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        payload: Any = None
        if media_type in ("application/json", "application/problem+json"):
            try:
                payload = response.json()
            except (ValueError, UnicodeDecodeError):
                payload = None
        if response.is_success and payload is not None:
            return payload
        raise self._refusal(response, media_type, payload, discovering)

    async def download(self, path: str) -> bytes:
        """A binary resource (e.g. an attachment as .tef); failures as for :meth:`request`."""
        if self.token is None:
            raise SignedOutError(
                "This account has no device token: sign in again with your password."
            )
        url = self.base_url + path.lstrip("/")
        try:
            response = await self._client.get(
                url, headers={"Authorization": f"Bearer {self.token}"}, timeout=self._timeout
            )
        except httpx.TransportError as exc:
            raise _transport_error(self.server_url, exc, self._timeout) from exc
        media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if response.is_success and media_type not in (
            "application/json",
            "application/problem+json",
        ):
            return response.content
        payload: Any = None
        if media_type in ("application/json", "application/problem+json"):
            try:
                payload = response.json()
            except (ValueError, UnicodeDecodeError):
                payload = None
        raise self._refusal(response, media_type, payload, False)

    def _refusal(
        self, response: httpx.Response, media_type: str, payload: Any, discovering: bool
    ) -> ServerError:
        status = response.status_code
        if status == 429:
            return _throttled(self.server_url, response)
        if status in (502, 503, 504) and not discovering:
            return _unavailable(self.server_url, response)
        # Only the Traveler client API answers problems with a ``code``; anything else at these
        # URLs (another server's 404 page or problem) means there is no client API.
        problem = (
            payload
            if media_type == "application/problem+json"
            and isinstance(payload, dict)
            and "code" in payload
            else None
        )
        where = _where(self.server_url)
        if problem is None:
            if discovering or status in (404, 405) or (200 <= status < 300):
                return NoClientApiError(
                    f"The server at {where} has no Traveler client API (it is a plain SyncML "
                    "server): todos sync, but Traveler extras (secure attachments, out of "
                    "office, push) are not available."
                )
            if status >= 500:
                return ServerFailedError(
                    f"The server at {where} failed (HTTP {status}); try again later or tell "
                    "your administrator.",
                    detail=f"HTTP {status}",
                )
            return ServerFailedError(
                f"The server at {where} answered HTTP {status} unexpectedly.",
                detail=f"HTTP {status}",
            )
        code = str(problem.get("code", ""))
        detail = str(problem.get("detail", ""))
        if code == "credentials-wrong":
            return WrongPasswordError(
                f"The server at {where} did not accept this user name and password. Check both "
                "and try again."
            )
        if code == "device-revoked":
            return DeviceRevokedError(f"{detail} (server {where})", detail=detail)
        if code == "account-disabled":
            return AccessRevokedError(f"{detail} (server {where})", detail=detail)
        if code in ("user-unknown", "user-ambiguous"):
            return UnknownUserError(f"{detail} (server {where})")
        if code in ("token-invalid", "credentials-missing"):
            return SignedOutError(f"This device is signed out of {where}: {detail}")
        if status >= 500:
            return ServerFailedError(
                f"The server at {where} failed: {detail} Try again later or tell your "
                "administrator.",
                detail=detail,
            )
        return ServerFailedError(
            f"The server at {where} refused the request: {detail}", detail=detail
        )

    def _unusable(self, what: str) -> ServerFailedError:
        return ServerFailedError(
            f"The server at {_where(self.server_url)} answered {what} with something this app "
            "cannot read; it may be a different version.",
            detail=f"unreadable answer to {what}",
        )


async def check_account(
    server_url: str,
    user: str,
    password: str,
    device: DeviceIdentity,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AccountCheck:
    """Check the URL and credentials; on a Traveler server, register this device too."""
    async with httpx.AsyncClient(transport=transport, follow_redirects=False) as client:
        probe = await probe_syncml(
            client, server_url, user, password, device_id=device.device_id, timeout=timeout
        )
        api = ClientApi(server_url, client=client, timeout=timeout)
        try:
            registration = await api.register_device(user, password, device)
        except NoClientApiError as exc:
            return AccountCheck(probe, None, None, str(exc))
        whoami = await api.whoami()
    return AccountCheck(probe, registration, whoami, None)
