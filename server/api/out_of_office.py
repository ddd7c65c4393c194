"""The caller's out-of-office profile ("Abwesend").

    GET ooo     the profile, and whether the user is away now
    PUT ooo     change it (fields left out keep their value); every change is logged

The answer to ``PUT`` carries the confirmation the Companion shows, in the seed's words: "Out
of office settings were updated for user … on server …".
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.auth import Caller, device_route
from server.api.context import api_context
from server.api.json_body import read_json_object
from server.api.problems import ApiProblem
from server.store.out_of_office import Exclusions, OutOfOfficeProfile, OutOfOfficeStore

__all__ = ["ROUTES", "profile_json"]

log = logging.getLogger("traveler.mail")

EXTERNAL = ("none", "known", "all")
MAX_TEXT = 20_000
MAX_LIST = 500
# As the Companion checks them: labels of letters (any script), digits and inner hyphens.
_LABEL = r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_ADDRESS = re.compile(rf"[^\s@,;<>()\[\]\\\"]+@{_LABEL}(?:\.{_LABEL})+")


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat(timespec="seconds")


def state_of(profile: OutOfOfficeProfile, now: datetime) -> str:
    """off | scheduled (on, leave time ahead) | away | ended (return time passed, not yet
    switched off by the server's check)."""
    if not profile.enabled:
        return "off"
    if profile.return_at is not None and now >= profile.return_at:
        return "ended"
    if profile.leave_at is not None and now < profile.leave_at:
        return "scheduled"
    return "away"


def profile_json(profile: OutOfOfficeProfile, now: datetime) -> dict[str, Any]:
    return {
        "enabled": profile.enabled,
        "state": state_of(profile, now),
        "leave": _iso(profile.leave_at),
        "return": _iso(profile.return_at),
        "subject": profile.subject,
        "body": profile.body,
        "internal_body": profile.internal_body,
        "external": profile.external,
        "known": list(profile.known),
        "exclusions": {
            "addresses": list(profile.exclusions.addresses),
            "domains": list(profile.exclusions.domains),
            "subject_words": list(profile.exclusions.subject_words),
        },
        "updated": profile.updated,
        "updated_by": profile.updated_by,
    }


def _invalid(detail: str) -> ApiProblem:
    return ApiProblem(400, "ooo-invalid", detail)


def _time(body: dict[str, Any], key: str, current: datetime | None) -> datetime | None:
    if key not in body:
        return current
    value = body[key]
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(f"The field {key!r} must be a date and time (ISO 8601) or null.")
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(f"The {key} time {value!r} is not a date and time (ISO 8601).") from None
    if when.tzinfo is None:
        raise _invalid(
            f"The {key} time {value!r} has no time zone; add one (e.g. +01:00 or Z)."
        )
    return when.astimezone(UTC)


def _text(body: dict[str, Any], key: str, current: str | None) -> str | None:
    if key not in body:
        return current
    value = body[key]
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(f"The field {key!r} must be text.")
    if len(value) > MAX_TEXT:
        raise _invalid(f"The field {key!r} is longer than {MAX_TEXT} characters.")
    return value


def _words(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(f"The field {key!r} must be a list of texts.")
    if len(value) > MAX_LIST:
        raise _invalid(f"The field {key!r} has more than {MAX_LIST} entries.")
    return tuple(v.strip() for v in value if v.strip())


def _addresses(value: Any, key: str) -> tuple[str, ...]:
    addresses = _words(value, key)
    for address in addresses:
        if not _ADDRESS.fullmatch(address):
            raise _invalid(f"{address!r} in {key!r} is not a mail address (anna@example.org).")
    return addresses


def _domains(value: Any) -> tuple[str, ...]:
    domains = tuple(d.lstrip("@").lower() for d in _words(value, "exclusions.domains"))
    for domain in domains:
        if not _DOMAIN.fullmatch(domain):
            raise _invalid(f"{domain!r} in 'exclusions.domains' is not a domain (example.org).")
    return domains


def _exclusions(body: dict[str, Any], current: Exclusions) -> Exclusions:
    if "exclusions" not in body:
        return current
    value = body["exclusions"]
    if not isinstance(value, dict):
        raise _invalid("The field 'exclusions' must be an object.")
    unknown = set(value) - {"addresses", "domains", "subject_words"}
    if unknown:
        raise _invalid(
            f"'exclusions' has no field {sorted(unknown)[0]!r}; use addresses, domains, "
            "subject_words."
        )
    return Exclusions(
        addresses=_addresses(
            value.get("addresses", list(current.addresses)), "exclusions.addresses"
        ),
        domains=_domains(value.get("domains", list(current.domains))),
        subject_words=_words(
            value.get("subject_words", list(current.subject_words)), "exclusions.subject_words"
        ),
    )


_FIELDS = {
    "enabled",
    "leave",
    "return",
    "subject",
    "body",
    "internal_body",
    "external",
    "known",
    "exclusions",
}


def apply_changes(
    current: OutOfOfficeProfile, body: dict[str, Any], now: datetime
) -> OutOfOfficeProfile:
    """The profile with ``body``'s fields applied and checked; ApiProblem 400 in the user's
    words when it does not make sense."""
    unknown = set(body) - _FIELDS
    if unknown:
        raise _invalid(f"There is no out-of-office field {sorted(unknown)[0]!r}.")
    enabled = body.get("enabled", current.enabled)
    if not isinstance(enabled, bool):
        raise _invalid("The field 'enabled' must be true or false.")
    external = body.get("external", current.external)
    if external not in EXTERNAL:
        raise _invalid("The field 'external' must be none, known or all.")
    profile = replace(
        current,
        enabled=enabled,
        leave_at=_time(body, "leave", current.leave_at),
        return_at=_time(body, "return", current.return_at),
        subject=(_text(body, "subject", current.subject) or "").strip(),
        body=_text(body, "body", current.body) or "",
        internal_body=_text(body, "internal_body", current.internal_body) or None,
        external=external,
        known=_addresses(body["known"], "known") if "known" in body else current.known,
        exclusions=_exclusions(body, current.exclusions),
    )
    if profile.leave_at and profile.return_at and profile.return_at <= profile.leave_at:
        raise _invalid("The return time must be after the leave time.")
    if profile.enabled:
        if not profile.subject:
            raise _invalid("The subject of the reply is empty.")
        if not profile.body.strip():
            raise _invalid("The text of the reply is empty.")
        if profile.return_at is not None and profile.return_at <= now:
            raise _invalid("The return time is in the past.")
    return profile


def summarise(profile: OutOfOfficeProfile) -> str:
    """One line for the change log."""
    if not profile.enabled:
        return "off"
    since = _iso(profile.leave_at) or "now"
    window = f"from {since} until {_iso(profile.return_at) or 'unlimited'}"
    return f"on, {window}; subject {profile.subject!r}; outside: {profile.external}"


async def get_ooo(request: Request, caller: Caller) -> Response:
    store = OutOfOfficeStore(api_context(request).database)
    profile = await asyncio.to_thread(store.get, caller.user.id)
    return JSONResponse(profile_json(profile, datetime.now(UTC)))


async def put_ooo(request: Request, caller: Caller) -> Response:
    body = await read_json_object(request)
    context = api_context(request)
    store = OutOfOfficeStore(context.database)
    changed_by = f"{caller.user.name} on device {caller.device.device_id}"

    def save() -> OutOfOfficeProfile:
        now = datetime.now(UTC)
        profile = apply_changes(store.get(caller.user.id), body, now)
        return store.save(profile, changed_by=changed_by, summary=summarise(profile))

    profile = await asyncio.to_thread(save)
    log.info("Out of office of %s changed by %s: %s", caller.user.name, changed_by,
             summarise(profile))
    server = context.settings.server_name
    shown = caller.user.full_name or caller.user.name
    return JSONResponse(
        {
            "profile": profile_json(profile, datetime.now(UTC)),
            "message": (
                f"Out of office settings were updated for user {shown} on server {server}."
            ),
            "user": shown,
            "server": server,
        }
    )


ROUTES = [
    device_route("/ooo", get_ooo, methods=["GET"]),
    device_route("/ooo", put_ooo, methods=["PUT"]),
]
