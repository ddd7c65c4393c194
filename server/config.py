"""Server settings: the NTS_* keys, read from notes.ini in the data folder.

Like a Domino server, the Traveler server keeps its settings as ``KEY=value`` lines in
``notes.ini``. The effective value of a key is, in this order of precedence:

1. a command-line flag (``traveler-server run --port 9000`` sets ``NTS_HTTP_PORT``),
2. the key in ``<data>/notes.ini``,
3. the built-in default from :data:`SETTINGS`.

:data:`SETTINGS` is the one table of known keys; ``docs/configuration.md`` is generated from it
(``traveler-server config docs``) and a test keeps the two in step.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "NOTES_INI",
    "SETTINGS",
    "ConfigError",
    "Setting",
    "Settings",
    "Source",
    "Value",
    "load_settings",
    "parse_notes_ini",
    "render_reference",
]

NOTES_INI = "notes.ini"

AUTH_TYPES = ("md5", "basic")
# The seed's levels, most severe first; DEBUG and ERROR are older spellings of FINE and SEVERE.
LOG_LEVELS = ("SEVERE", "WARNING", "INFO", "FINE", "FINEST")
_LOG_LEVEL_ALIASES = {"ERROR": "SEVERE", "DEBUG": "FINE"}


class ConfigError(Exception):
    """A setting has a value the server cannot use; the message names the key and its source."""


class Source(StrEnum):
    """Where an effective value came from."""

    DEFAULT = "default"
    NOTES_INI = "notes.ini"
    COMMAND_LINE = "command line"


# --- value parsers -----------------------------------------------------------------------------
# Each takes the raw text and returns the typed value or raises ValueError with a reason that
# completes the sentence "NTS_X=... is not valid: <reason>".


def _int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""))
        except ValueError:
            raise ValueError("expected a whole number") from None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ValueError(f"must be {bound}")
        return value

    return parse


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _host(text: str) -> str:
    host = text.strip()
    if not host or any(c.isspace() for c in host):
        raise ValueError("expected a host name or IP address")
    return host


def _auth_types(text: str) -> tuple[str, ...]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in AUTH_TYPES]
    if unknown:
        choices = " and/or ".join(AUTH_TYPES)
        raise ValueError(f"unknown auth type {', '.join(unknown)}; use {choices}")
    if not names:
        raise ValueError(f"at least one of {', '.join(AUTH_TYPES)} is needed")
    # Order is the server's preference; duplicates would only confuse the challenge.
    return tuple(dict.fromkeys(names))


def _server_name(text: str) -> str:
    name = text.strip() or socket.gethostname()
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError("must not contain control characters")
    return name


def _optional_port(text: str) -> int | None:
    if not text.strip():
        return None
    return _int_in(0, 65535)(text)


def _relay(text: str) -> tuple[str, int] | None:
    if not text.strip():
        return None
    host, sep, port = text.strip().rpartition(":")
    host = host.strip().removeprefix("[").removesuffix("]")
    if not sep or not host or any(c.isspace() for c in host):
        raise ValueError("expected HOST:PORT, e.g. smtp.example.org:25")
    return host, _int_in(1, 65535)(port)


def _optional_host(text: str) -> str | None:
    return _host(text) if text.strip() else None


def _log_level(text: str) -> str:
    level = text.strip().upper()
    level = _LOG_LEVEL_ALIASES.get(level, level)
    if level not in LOG_LEVELS:
        raise ValueError(f"use one of {', '.join(LOG_LEVELS)}")
    return level


def _url(text: str) -> str:
    url = text.strip()
    if not url:
        return ""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or rest.startswith("/"):
        raise ValueError("expected an http:// or https:// URL with a host, or nothing")
    if any(c.isspace() for c in url) or "?" in url or "#" in url:
        raise ValueError("expected a URL without spaces, query or fragment")
    return url


def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for part in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is no IP address or CIDR network") from None
    return tuple(dict.fromkeys(networks))


@dataclass(frozen=True)
class Setting:
    """One known NTS_* key."""

    key: str
    default: str
    parse: Callable[[str], Any]
    description: str
    kind: str  # for people: "integer (bytes)", "true/false", ...


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "NTS_HTTP_HOST",
        "127.0.0.1",
        _host,
        "Address the HTTP listener binds. Loopback by default, so a fresh server is not "
        "reachable from the network; use 0.0.0.0 (all IPv4) or :: (all IPv6) deliberately. "
        "Flag: `run --host`.",
        "host name or IP address",
    ),
    Setting(
        "NTS_HTTP_PORT",
        "8080",
        _int_in(0, 65535),
        "TCP port of the HTTP listener; 0 picks a free port and logs it. Flag: `run --port`.",
        "integer 0-65535",
    ),
    Setting(
        "NTS_SYNCML_AUTH_TYPES",
        "md5,basic",
        _auth_types,
        "SyncML credential types the server accepts, in order of preference (the first is "
        "offered in challenges). Dropping `md5` means no password-equivalent MD5 secret is "
        "stored for users added or changed afterwards; see *Passwords and syncml:auth-md5*.",
        "comma-separated list of md5, basic",
    ),
    Setting(
        "NTS_EXTERNAL_URL",
        "",
        _url,
        "The URL devices reach this server's SyncML endpoint at, e.g. "
        "`https://traveler.example.com/traveler` (the seed's \"Notes Traveler External URL\"). "
        "It decides the RespURI the server hands out, which must point at the reverse proxy or "
        "load balancer in front, not at this process. Empty: built from the request.",
        "http(s) URL",
    ),
    Setting(
        "NTS_TRUSTED_PROXIES",
        "",
        _networks,
        "Addresses or networks (CIDR) of the reverse proxies or load balancers in front, e.g. "
        "`127.0.0.1, 10.0.0.0/24`. A request from one of them is taken to come from the "
        "address its `X-Forwarded-For` names (the last one not itself a trusted proxy): that "
        "address is what failed logins are counted against, what SyncML sessions are tied "
        "to and what the log shows. From any other peer the header is ignored, so a client "
        "cannot pick its own address. Empty: the header is never believed.",
        "comma-separated IP addresses or CIDR networks",
    ),
    Setting(
        "NTS_LOGIN_FAILURES_PER_USER",
        "10",
        _int_in(1),
        "Failed SyncML logins for one user within NTS_LOGIN_FAILURE_WINDOW after which further "
        "logins for that user are refused (HTTP 429, Retry-After) before any password check; "
        "devices that logged in as the user from the same address recently keep working.",
        "integer",
    ),
    Setting(
        "NTS_LOGIN_FAILURES_PER_ADDRESS",
        "20",
        _int_in(1),
        "Failed SyncML logins from one client address within NTS_LOGIN_FAILURE_WINDOW after "
        "which further logins from it are refused (HTTP 429, Retry-After).",
        "integer",
    ),
    Setting(
        "NTS_LOGIN_FAILURE_WINDOW",
        "300",
        _int_in(1),
        "Seconds a failed login counts against its user and address.",
        "integer (seconds)",
    ),
    Setting(
        "NTS_MIN_PASSWORD_LENGTH",
        "8",
        _int_in(1, 1024),
        "Fewest characters a new password may have (`user add`, `user passwd`); passwords set "
        "earlier keep working.",
        "integer (characters)",
    ),
    Setting(
        "NTS_MAX_MESSAGE_SIZE",
        "4194304",
        _int_in(1024),
        "Largest HTTP request body (one SyncML message) the server reads; larger requests are "
        "refused with HTTP 413 before anything is parsed or stored.",
        "integer (bytes)",
    ),
    Setting(
        "NTS_HTTP_READ_TIMEOUT",
        "30",
        _int_in(1),
        "Seconds the server waits for more of a request body that has stopped arriving before "
        "it answers 408; a stalled client cannot hold a connection (or a shutdown) for ever.",
        "integer (seconds)",
    ),
    Setting(
        "NTS_MAX_MSG_SIZE",
        "150000",
        _int_in(1024),
        "The server's own SyncML MaxMsgSize: the largest message it asks clients to send and "
        "the largest it sends (it also honours a smaller client MaxMsgSize).",
        "integer (bytes)",
    ),
    Setting(
        "NTS_MAX_OBJ_SIZE",
        "4000000",
        _int_in(1024),
        "The server's SyncML MaxObjSize: the largest single item (e.g. one task) it accepts, "
        "possibly sent in chunks over several messages.",
        "integer (bytes)",
    ),
    Setting(
        "NTS_SESSION_TIMEOUT",
        "900",
        _int_in(1),
        "Seconds a SyncML session may stay idle before the server forgets it; the client then "
        "has to start a new session.",
        "integer (seconds)",
    ),
    Setting(
        "NTS_SMTP_HOST",
        "127.0.0.1",
        _host,
        "Address the SMTP mail-in listener binds (loopback by default).",
        "host name or IP address",
    ),
    Setting(
        "NTS_SMTP_PORT",
        "",
        _optional_port,
        "TCP port of the SMTP mail-in listener started by `run`; not set: no listener. 0 picks "
        "a free port and logs it (`SMTP listener started on HOST:PORT`).",
        "integer 0-65535, or empty",
    ),
    Setting(
        "NTS_SMTP_HOSTNAME",
        "",
        _optional_host,
        "The server's name in the SMTP greeting and in `Received:` headers; not set: this "
        "machine's host name.",
        "host name, or empty",
    ),
    Setting(
        "NTS_SMTP_MAX_MESSAGE_SIZE",
        "26214400",
        _int_in(1024),
        "Largest message accepted by SMTP (announced as ESMTP SIZE; larger ones get 552) and by "
        "`mail deliver`.",
        "integer (bytes)",
    ),
    Setting(
        "NTS_SMTP_MAX_RECIPIENTS",
        "100",
        _int_in(1),
        "Most recipients accepted for one SMTP message; further RCPT commands get 452.",
        "integer",
    ),
    Setting(
        "NTS_SMTP_RELAY",
        "",
        _relay,
        "HOST:PORT of the SMTP relay that takes mail the server sends to addresses that are not "
        "its users' (out-of-office replies). Not set: such mail waits in the queue.",
        "HOST:PORT, or empty",
    ),
    Setting(
        "NTS_SMTP_RELAY_RETRY",
        "60",
        _int_in(1),
        "Seconds before the first retry when the relay is unreachable or answers 4xx; each "
        "further retry waits twice as long, at most an hour.",
        "integer (seconds)",
    ),
    Setting(
        "NTS_SMTP_RELAY_GIVE_UP",
        "172800",
        _int_in(1),
        "Seconds after which a queued message that could not be relayed is given up (logged "
        "and kept as failed). A 5xx answer gives it up at once.",
        "integer (seconds)",
    ),
    Setting(
        "NTS_OOO_CHECK_INTERVAL",
        "60",
        _int_in(1),
        "Seconds between the periodic checks of `run`: out-of-office absences past their "
        "return time are switched off, and due queued mail is sent.",
        "integer (seconds)",
    ),
    Setting(
        "NTS_LOG_LEVEL",
        "INFO",
        _log_level,
        "Least severe messages logged, in the seed's levels: SEVERE, WARNING, INFO, FINE "
        "(adds one line per SyncML message and HTTP request: commands in and out, statuses) or "
        "FINEST (adds every command and status). Never passwords or item contents. DEBUG and "
        "ERROR are read as FINE and SEVERE.",
        "SEVERE, WARNING, INFO, FINE, FINEST",
    ),
    Setting(
        "NTS_LOG_FILE_SIZE",
        "10485760",
        _int_in(0),
        "Size (bytes) at which `traveler.log` in the data folder is rotated (to `traveler.log.1`, "
        "…); 0 writes no log file, only the console.",
        "integer (bytes)",
    ),
    Setting(
        "NTS_LOG_FILE_COUNT",
        "5",
        _int_in(1, 100),
        "How many rotated log files (`traveler.log.1` … `.N`) are kept besides `traveler.log`.",
        "integer 1-100",
    ),
    Setting(
        "NTS_LOG_REPEAT_WINDOW",
        "10",
        _int_in(0, 3600),
        "Seconds in which a repeat of the same failure (same user, device, client address and "
        "reason, e.g. SyncEvolution's four retries of a wrong password) is not logged again; "
        "one line then says how often it repeated. A different failure is logged at once. "
        "0: log every one.",
        "integer (seconds)",
    ),
    Setting(
        "NTS_DISK_SPACE_THRESHOLD",
        "100",
        _int_in(0),
        "Free space (MB) of the data folder's disk below which the server's status turns Red "
        "(`GET /health` answers 503 with status red). The change is logged when it happens.",
        "integer (MB)",
    ),
    Setting(
        "NTS_PUSH_ENABLE",
        "true",
        _bool,
        "Push notices to the ToDo app: a device keeps one connection open "
        "(`GET <SyncML path>/api/v1/push`, server-sent events) and is sent a SyncML Server "
        "Alerted Notification whenever the user's tasks change through another device or a "
        "delegation. `false` turns push off (the route answers 503 `push-disabled`; clients "
        "sync on their schedule) and the server logs so at start.",
        "true/false",
    ),
    Setting(
        "NTS_DISK_SPACE_WARNING",
        "500",
        _int_in(0),
        "Free space (MB) of the data folder's disk below which the status turns Yellow (still "
        "serving; `GET /health` answers 200 with status yellow). The change is logged.",
        "integer (MB)",
    ),
    Setting(
        "NTS_STATUS_INTERVAL",
        "60",
        _int_in(1),
        "Seconds between checks of the server's status (Green/Yellow/Red) while it runs.",
        "integer (seconds)",
    ),
    Setting(
        "NTS_PUSH_ENABLE_APNS",
        "false",
        _bool,
        "Reserved: push notices through Apple's push service. Accepted and shown, not used yet.",
        "true/false",
    ),
    Setting(
        "NTS_SERVER_NAME",
        "",
        _server_name,
        "The server's name as the apps show it (e.g. \"Out of office settings were updated for "
        "user X on server Y\"; the client API's `whoami`). Empty: the machine's host name.",
        "text",
    ),
)

_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


@dataclass(frozen=True)
class Value:
    """An effective setting: its typed value, the text it came from and where that was."""

    key: str
    value: Any
    text: str
    source: Source
    known: bool = True
    line: int | None = None  # line in notes.ini, when source is NOTES_INI


@dataclass(frozen=True)
class IniEntry:
    key: str  # upper-cased
    value: str
    line: int


def parse_notes_ini(text: str) -> tuple[list[IniEntry], list[str]]:
    """Split notes.ini text into entries and warnings (bad lines, other sections, duplicates).

    Format: ``KEY=value`` lines, an optional ``[Notes]`` section header, ``;`` or ``#`` comment
    lines; keys are case-insensitive. Values are taken verbatim (trimmed): notes.ini has no
    inline comments, and a ``;`` may be part of a value.
    """
    entries: dict[str, IniEntry] = {}
    warnings: list[str] = []
    in_other_section = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            in_other_section = section.lower() != "notes"
            if in_other_section:
                warnings.append(
                    f"notes.ini line {number}: section [{section}] is not [Notes]; "
                    "its keys are ignored"
                )
            continue
        if in_other_section:
            continue
        key, sep, value = line.partition("=")
        key = key.strip().upper()
        if not sep or not key or not re.fullmatch(r"[A-Z0-9_$.\-]+", key):
            warnings.append(f"notes.ini line {number}: not a KEY=value line, ignored: {raw!r}")
            continue
        if key in entries:
            warnings.append(
                f"notes.ini line {number}: {key} is set again (first on line "
                f"{entries[key].line}); the later line wins"
            )
        entries[key] = IniEntry(key, value.strip(), number)
    return list(entries.values()), warnings


class Settings(Mapping[str, Any]):
    """Effective settings of one server; ``settings["NTS_HTTP_PORT"]`` is the typed value.

    Typed properties name the keys the server code reads, so a typo fails loudly.
    """

    def __init__(
        self,
        data_dir: Path,
        values: Mapping[str, Value],
        *,
        other: Mapping[str, Value] | None = None,
        warnings: list[str] | None = None,
        ini_path: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.ini_path = ini_path if ini_path is not None else self.data_dir / NOTES_INI
        self._values = dict(values)
        # Keys of notes.ini that are not NTS_* (a real notes.ini holds many): kept to show them.
        self.other: dict[str, Value] = dict(other or {})
        self.warnings: list[str] = list(warnings or [])

    # Mapping interface over NTS_* keys (known and unknown) ------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._values[key.upper()].value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def entry(self, key: str) -> Value:
        """The effective :class:`Value` of ``key`` (with its source)."""
        return self._values[key.upper()]

    def entries(self) -> list[Value]:
        """Known keys in table order, then unknown NTS_* keys alphabetically."""
        known = [self._values[s.key] for s in SETTINGS]
        unknown = sorted((v for v in self._values.values() if not v.known), key=lambda v: v.key)
        return known + unknown

    # Typed accessors ---------------------------------------------------------------------------
    @property
    def http_host(self) -> str:
        return str(self["NTS_HTTP_HOST"])

    @property
    def http_port(self) -> int:
        return int(self["NTS_HTTP_PORT"])

    @property
    def syncml_auth_types(self) -> tuple[str, ...]:
        return tuple(self["NTS_SYNCML_AUTH_TYPES"])

    @property
    def external_url(self) -> str:
        """The SyncML URL devices use (behind a proxy), or "" to build it from requests."""
        return str(self["NTS_EXTERNAL_URL"])

    @property
    def trusted_proxies(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """Peers whose X-Forwarded-For is believed."""
        return tuple(self["NTS_TRUSTED_PROXIES"])

    @property
    def log_repeat_window(self) -> int:
        return int(self["NTS_LOG_REPEAT_WINDOW"])

    @property
    def login_failures_per_user(self) -> int:
        return int(self["NTS_LOGIN_FAILURES_PER_USER"])

    @property
    def login_failures_per_address(self) -> int:
        return int(self["NTS_LOGIN_FAILURES_PER_ADDRESS"])

    @property
    def login_failure_window(self) -> int:
        return int(self["NTS_LOGIN_FAILURE_WINDOW"])

    @property
    def min_password_length(self) -> int:
        return int(self["NTS_MIN_PASSWORD_LENGTH"])

    @property
    def max_message_size(self) -> int:
        """Largest HTTP body read, bytes."""
        return int(self["NTS_MAX_MESSAGE_SIZE"])

    @property
    def http_read_timeout(self) -> int:
        """Seconds without body bytes before a request is given up (408)."""
        return int(self["NTS_HTTP_READ_TIMEOUT"])

    @property
    def max_msg_size(self) -> int:
        """The server's SyncML MaxMsgSize, bytes."""
        return int(self["NTS_MAX_MSG_SIZE"])

    @property
    def max_obj_size(self) -> int:
        """The server's SyncML MaxObjSize, bytes."""
        return int(self["NTS_MAX_OBJ_SIZE"])

    @property
    def session_timeout(self) -> int:
        """Idle seconds before a SyncML session is forgotten."""
        return int(self["NTS_SESSION_TIMEOUT"])

    @property
    def smtp_host(self) -> str:
        return str(self["NTS_SMTP_HOST"])

    @property
    def smtp_port(self) -> int | None:
        """The SMTP listener's port, or None when no listener is to run."""
        value = self["NTS_SMTP_PORT"]
        return None if value is None else int(value)

    @property
    def smtp_hostname(self) -> str | None:
        value = self["NTS_SMTP_HOSTNAME"]
        return None if value is None else str(value)

    @property
    def smtp_max_message_size(self) -> int:
        return int(self["NTS_SMTP_MAX_MESSAGE_SIZE"])

    @property
    def smtp_max_recipients(self) -> int:
        return int(self["NTS_SMTP_MAX_RECIPIENTS"])

    @property
    def smtp_relay(self) -> tuple[str, int] | None:
        value = self["NTS_SMTP_RELAY"]
        return None if value is None else (str(value[0]), int(value[1]))

    @property
    def smtp_relay_retry(self) -> int:
        return int(self["NTS_SMTP_RELAY_RETRY"])

    @property
    def smtp_relay_give_up(self) -> int:
        return int(self["NTS_SMTP_RELAY_GIVE_UP"])

    @property
    def ooo_check_interval(self) -> int:
        return int(self["NTS_OOO_CHECK_INTERVAL"])

    @property
    def log_level(self) -> str:
        return str(self["NTS_LOG_LEVEL"])

    @property
    def disk_space_threshold_mb(self) -> int:
        return int(self["NTS_DISK_SPACE_THRESHOLD"])

    @property
    def push_enable(self) -> bool:
        return bool(self["NTS_PUSH_ENABLE"])

    @property
    def disk_space_warning_mb(self) -> int:
        return int(self["NTS_DISK_SPACE_WARNING"])

    @property
    def status_interval(self) -> int:
        """Seconds between status checks."""
        return int(self["NTS_STATUS_INTERVAL"])

    @property
    def log_file_size(self) -> int:
        """Bytes at which the log file rotates; 0: no log file."""
        return int(self["NTS_LOG_FILE_SIZE"])

    @property
    def log_file_count(self) -> int:
        return int(self["NTS_LOG_FILE_COUNT"])

    @property
    def push_enable_apns(self) -> bool:
        return bool(self["NTS_PUSH_ENABLE_APNS"])

    @property
    def server_name(self) -> str:
        return str(self["NTS_SERVER_NAME"])

    def __repr__(self) -> str:
        shown = ", ".join(f"{v.key}={v.text!r}" for v in self.entries())
        return f"Settings({self.data_dir}, {shown})"


def _parse(setting: Setting, text: str, where: str) -> Any:
    try:
        return setting.parse(text)
    except ValueError as exc:
        raise ConfigError(f"{setting.key}={text} ({where}) is not valid: {exc}") from None


def load_settings(
    data_dir: Path | str,
    overrides: Mapping[str, object | None] | None = None,
) -> Settings:
    """Read ``<data_dir>/notes.ini`` (if present) and apply command-line ``overrides``.

    ``overrides`` maps NTS_* keys to values (``None`` means "flag not given"). Raises
    :class:`ConfigError` for a value that does not parse, naming the key and where it came from.
    """
    data_dir = Path(data_dir)
    ini_path = data_dir / NOTES_INI
    entries: list[IniEntry] = []
    warnings: list[str] = []
    if ini_path.is_file():
        try:
            text = ini_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {ini_path}: {exc}") from None
        entries, warnings = parse_notes_ini(text)

    values: dict[str, Value] = {
        s.key: Value(s.key, _parse(s, s.default, "default"), s.default, Source.DEFAULT)
        for s in SETTINGS
    }
    other: dict[str, Value] = {}
    for entry in entries:
        setting = _BY_KEY.get(entry.key)
        if setting is not None:
            where = f"{NOTES_INI} line {entry.line}"
            values[entry.key] = Value(
                entry.key,
                _parse(setting, entry.value, where),
                entry.value,
                Source.NOTES_INI,
                line=entry.line,
            )
        elif entry.key.startswith("NTS_"):
            warnings.append(
                f"notes.ini line {entry.line}: {entry.key} is not a setting this server knows; "
                "kept but not used (a typo?)"
            )
            values[entry.key] = Value(
                entry.key, entry.value, entry.value, Source.NOTES_INI, known=False, line=entry.line
            )
        else:
            other[entry.key] = Value(
                entry.key, entry.value, entry.value, Source.NOTES_INI, known=False, line=entry.line
            )

    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        key = key.upper()
        setting = _BY_KEY.get(key)
        if setting is None:
            raise ConfigError(f"{key} is not a setting this server knows")
        text = ",".join(raw) if isinstance(raw, list | tuple) else str(raw)
        if isinstance(raw, bool):
            text = "true" if raw else "false"
        values[key] = Value(key, _parse(setting, text, "command line"), text, Source.COMMAND_LINE)

    return Settings(data_dir, values, other=other, warnings=warnings, ini_path=ini_path)


def render_reference() -> str:
    """The Markdown table of known keys, as embedded in docs/configuration.md."""
    lines = [
        "| Key | Default | Type | Meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        description = s.description.replace("|", "\\|")
        default = f"`{s.default}`" if s.default else "(empty)"
        lines.append(f"| `{s.key}` | {default} | {s.kind} | {description} |")
    return "\n".join(lines) + "\n"
