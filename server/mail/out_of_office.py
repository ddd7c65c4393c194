"""Out of office: who gets an automatic reply, what it says, and the end of an absence.

The rules (RFC 3834, and what Exchange and Domino do):

* Only inside the away window: from ``leave_at`` (or when switched on) until ``return_at``
  (always, for "unlimited").
* One reply per sender per absence; switching out of office on again starts a new history.
* Never to mail that is itself automatic or from a list: ``Auto-Submitted`` other than ``no``,
  ``Precedence: bulk/list/junk``, a ``List-Id`` or ``List-Unsubscribe`` header; never to an
  empty (``<>``) return path, to ``mailer-daemon``, ``postmaster``, ``noreply`` and the like,
  list robots (``owner-…``, ``…-request``), or the user's own address.
* The user's exclusions (addresses, domains, words in the subject); people outside the
  organisation only as the user chose (nobody, known people, everyone).
* The reply goes to the return path (not ``From`` or ``Reply-To``: RFC 3834 §4), carries
  ``Auto-Submitted: auto-replied``, ``In-Reply-To`` and ``References``, and the subject the user
  chose, and is sent with an empty return path, so that nothing answers it automatically.

After ``return_at`` the service switches itself off, at the next mail or the next periodic
check (Domino), and the user gets one summary message listing whom it answered.

The decision and the messages are plain functions; :class:`OutOfOfficeService` applies them to
the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid

from server.store.out_of_office import OutOfOfficeProfile, OutOfOfficeStore
from server.store.users import User

__all__ = [
    "OutOfOfficeService",
    "Outgoing",
    "compose_reply",
    "compose_summary",
    "domain_of",
    "skip_reason",
]

log = logging.getLogger("traveler.mail")

Clock = Callable[[], datetime]

_ROBOTS = {
    "mailer-daemon",
    "postmaster",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "listserv",
    "majordomo",
}


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def _bare(address: str) -> str:
    return address.strip().removeprefix("<").removesuffix(">").strip()


def skip_reason(
    profile: OutOfOfficeProfile,
    now: datetime,
    message: Message,
    return_path: str,
    user_email: str,
    local_domains: Collection[str],
) -> str | None:
    """Why this message gets no reply, or None when it gets one (the once-per-sender rule
    aside, which the store decides)."""
    if not profile.enabled:
        return "out of office is off"
    if profile.leave_at is not None and now < profile.leave_at:
        return "the absence has not begun"
    if profile.return_at is not None and now >= profile.return_at:
        return "the absence is over"
    sender = _bare(return_path)
    if not sender:
        return "it has no return path"
    auto = str(message.get("Auto-Submitted", "")).split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return f"it is automatic (Auto-Submitted: {auto})"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"it is bulk mail (Precedence: {precedence})"
    if message.get("List-Id") is not None or message.get("List-Unsubscribe") is not None:
        return "it is from a mailing list"
    local = sender.rpartition("@")[0].lower()
    if local in _ROBOTS or local.startswith("owner-") or local.endswith("-request"):
        return f"{sender} is an automatic sender"
    if sender.lower() == user_email.strip().lower():
        return "it is from the user's own address"
    excluded = profile.exclusions
    if sender.lower() in {a.strip().lower() for a in excluded.addresses}:
        return f"{sender} is excluded"
    domain = domain_of(sender)
    if domain in {d.strip().lower().lstrip("@") for d in excluded.domains}:
        return f"the domain {domain} is excluded"
    subject = str(message.get("Subject", "")).lower()
    for word in excluded.subject_words:
        if word.strip() and word.strip().lower() in subject:
            return f"its subject contains the excluded word {word.strip()!r}"
    if domain not in local_domains:
        if profile.external == "none":
            return "people outside the organisation get no reply"
        if profile.external == "known" and sender.lower() not in {
            k.strip().lower() for k in profile.known
        }:
            return f"{sender} is outside the organisation and not a known correspondent"
    return None


def compose_reply(
    profile: OutOfOfficeProfile,
    user: User,
    original: Message,
    return_path: str,
    *,
    internal: bool,
    now: datetime,
) -> bytes:
    """The automatic reply to ``original``, to its return path."""
    reply = EmailMessage()
    reply["From"] = formataddr((user.full_name or user.name, user.email))
    reply["To"] = _bare(return_path)
    reply["Subject"] = profile.subject
    reply["Date"] = formatdate(now.timestamp(), usegmt=True)
    reply["Message-ID"] = make_msgid(domain=domain_of(user.email) or None)
    reply["Auto-Submitted"] = "auto-replied"
    # Outlook and Exchange honour this and send no automatic answer back.
    reply["X-Auto-Response-Suppress"] = "All"
    original_id = str(original.get("Message-ID", "")).strip()
    if original_id:
        reply["In-Reply-To"] = original_id
        references = str(original.get("References", "")).split()
        reply["References"] = " ".join([*references, original_id])
    body = profile.internal_body if internal and profile.internal_body else profile.body
    reply.set_content(body.rstrip("\n") + "\n")
    return reply.as_bytes(policy=SMTP)


def compose_summary(
    profile: OutOfOfficeProfile, user: User, replied: list[tuple[str, str]], *, now: datetime
) -> bytes:
    """The one message a user gets when their absence ended: whom it answered, and when."""
    message = EmailMessage()
    domain = domain_of(user.email)
    message["From"] = formataddr(("Traveler", f"postmaster@{domain}" if domain else "postmaster"))
    message["To"] = formataddr((user.full_name or user.name, user.email))
    message["Subject"] = f"Out of office ended: {len(replied)} automatic repl" + (
        "y" if len(replied) == 1 else "ies"
    )
    message["Date"] = formatdate(now.timestamp(), usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain or None)
    message["Auto-Submitted"] = "auto-generated"
    until = profile.return_at.isoformat(timespec="minutes") if profile.return_at else "now"
    lines = [f"Your out of office ended ({until}) and has been switched off.", ""]
    if replied:
        lines.append(f"It answered {len(replied)} sender(s):")
        lines += [f"  {address}  ({when})" for address, when in replied]
    else:
        lines.append("It answered nobody.")
    message.set_content("\n".join(lines) + "\n")
    return message.as_bytes(policy=SMTP)


@dataclass(frozen=True)
class Outgoing:
    """A message the service wants sent: to a local mailbox or through the relay."""

    recipient: str
    raw: bytes


class OutOfOfficeService:
    """Apply out of office to delivered mail and to the clock."""

    def __init__(self, store: OutOfOfficeStore, *, clock: Clock | None = None) -> None:
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self._clock()

    def on_delivered(
        self,
        user: User,
        message: Message,
        return_path: str,
        local_domains: Collection[str],
    ) -> list[Outgoing]:
        """What to send now that ``message`` reached ``user``: a reply, the end-of-absence
        summary, or nothing."""
        profile = self._store.get(user.id)
        if not profile.enabled:
            return []
        now = self._clock()
        if profile.return_at is not None and now >= profile.return_at:
            summary = self._end(user, profile, now)
            return [summary] if summary else []
        reason = skip_reason(profile, now, message, return_path, user.email, local_domains)
        sender = _bare(return_path)
        if reason is not None:
            log.debug("No out-of-office reply from %s to <%s>: %s", user.name, sender, reason)
            return []
        if not self._store.claim_reply(user.id, profile.absence, sender):
            log.debug("No out-of-office reply from %s to <%s>: answered already", user.name,
                      sender)
            return []
        internal = domain_of(sender) in local_domains
        log.info("Out-of-office reply from %s to <%s>", user.name, sender)
        raw = compose_reply(profile, user, message, sender, internal=internal, now=now)
        return [Outgoing(sender, raw)]

    def expire(self, users: Callable[[int], User | None]) -> list[Outgoing]:
        """The periodic check: switch off every absence whose return time has passed."""
        now = self._clock()
        out: list[Outgoing] = []
        for profile in self._store.enabled():
            if profile.return_at is None or now < profile.return_at:
                continue
            user = users(profile.user_id)
            if user is None:
                continue
            summary = self._end(user, profile, now)
            if summary:
                out.append(summary)
        return out

    def _end(self, user: User, profile: OutOfOfficeProfile, now: datetime) -> Outgoing | None:
        replied = self._store.replied(user.id, profile.absence)
        summary = f"switched off at the return time; answered {len(replied)} sender(s)"
        if not self._store.switch_off(
            user.id, profile.absence, changed_by="server (return time)", summary=summary
        ):
            return None
        log.info("Out of office of %s ended at its return time; %s", user.name, summary)
        return Outgoing(user.email, compose_summary(profile, user, replied, now=now))
