"""``traveler-server``: run the server and administer its users, devices and settings.

::

    traveler-server [--data DIR] run [--host H] [--port N] [--demo]
    traveler-server [--data DIR] user add NAME --email ADDR [--full-name ...] --password-stdin
                                          [--admin]
    traveler-server [--data DIR] user list
    traveler-server [--data DIR] user disable|enable NAME
    traveler-server [--data DIR] device list [--user NAME]
    traveler-server [--data DIR] device revoke NAME DEVICE_ID
    traveler-server [--data DIR] mail deliver USER FILE.eml [--from ADDR]
    traveler-server [--data DIR] mail list --user NAME
    traveler-server [--data DIR] mail quarantine list | show ID [-o FILE] | delete ID
    traveler-server [--data DIR] mail handoffs [--user NAME]
    traveler-server [--data DIR] mail queue [--all]
    traveler-server [--data DIR] policy show | set [--protect-attachments on|off]
                                 [--approved-apps-only on|off] [--prevent-download on|off]
                                 [--view-only on|off]
    traveler-server [--data DIR] app add NAME --id APP_ID --os linux|windows|macos [--version V]
    traveler-server [--data DIR] app list | remove APP_ID [--os OS] | import FILE.csv
    traveler-server [--data DIR] tef encrypt --user NAME FILE [-o OUT.tef] [--view-only]
    traveler-server [--data DIR] config show [--host H] [--port N]
    traveler-server config docs

Exit status: 0 done, 1 the command failed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import getpass
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

from server.config import ConfigError, Settings, Source, load_settings, render_reference
from server.store.client_devices import ClientDeviceStore
from server.store.database import Database, StoreError
from server.store.devices import DeviceStore
from server.store.users import UserStore
from server.stores import user_store

if TYPE_CHECKING:
    from server.mail.delivery import MailDelivery

__all__ = ["default_data_dir", "main"]

log = logging.getLogger("traveler")
PROG = "traveler-server"
PREFIX = "Traveler: "


class CommandError(Exception):
    """A command failed for a reason the user can act on; printed as one line, exit 1."""


# --- data folder and logging ----------------------------------------------------------------


def default_data_dir() -> Path:
    """$TRAVELER_DATA, else the per-user data folder (XDG: ~/.local/share/traveler-server)."""
    if os.environ.get("TRAVELER_DATA"):
        return Path(os.environ["TRAVELER_DATA"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / PROG


def _prepare_data_dir(path: Path) -> Path:
    try:
        # 0700: the folder holds password verifiers.
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create the data folder {path}: {exc.strerror}") from None
    if not os.access(path, os.W_OK):
        raise CommandError(f"the data folder {path} is not writable")
    return path.resolve()


class ConsoleFormatter(logging.Formatter):
    """Lines in the Domino console style: ``Traveler: Server starting...``."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.name == "traveler" or record.name.startswith("traveler."):
            # Messages written with the prefix already must not get it twice.
            message = message.removeprefix(PREFIX)
            level = "" if record.levelno == logging.INFO else f"{record.levelname.title()}: "
            line = f"{PREFIX}{level}{message}"
        else:
            line = f"{record.name}: {record.levelname.title()}: {message}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(level: str) -> None:
    """Console logging on stderr, one flushed line per record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConsoleFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own start-up chatter would duplicate our lines; keep its warnings and errors.
    logging.getLogger("uvicorn.error").setLevel(logging.DEBUG if level == "DEBUG" else "WARNING")
    logging.getLogger("uvicorn.access").disabled = True


# --- run ------------------------------------------------------------------------------------


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _bind(host: str, port: int, port_key: str = "NTS_HTTP_PORT") -> socket.socket:
    where = f"{_url_host(host)}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CommandError(f"Cannot listen on {where}: unknown host ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # Lets a restarted server bind while old connections sit in TIME_WAIT; on Linux it does
        # not let two listeners share a port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        reasons = {
            errno.EADDRINUSE: "the port is already in use (another server running? "
            f"choose another with {'--port or ' if port_key == 'NTS_HTTP_PORT' else ''}"
            f"{port_key})",
            errno.EACCES: "permission denied (ports below 1024 need privileges; use a higher "
            "--port)",
            errno.EADDRNOTAVAIL: "that address does not belong to this machine",
        }
        reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
        raise CommandError(f"Cannot listen on {where}: {reason}") from None
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, reporting start and shutdown in our log style."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            log.info("Server shutting down...")
        super().handle_exit(sig, frame)


def _run(args: argparse.Namespace, data_dir: Path) -> int:
    settings = load_settings(data_dir, _overrides(args))
    configure_logging(settings.log_level)
    log.info("Server starting...")
    log.info("Data folder %s", data_dir)
    for warning in settings.warnings:
        log.warning("%s", warning)
    if not settings.push_enable:
        log.info("Push is disabled (NTS_PUSH_ENABLE=false): devices sync on their own schedule")
    if settings.push_enable_apns:
        log.warning("NTS_PUSH_ENABLE_APNS is set, but push is not implemented yet; ignored")

    from server.app import create_app

    database = Database.open(data_dir)
    try:
        demo_accounts = []
        admins: set[str] = set()
        if args.demo:
            from server.demo import seed_demo

            users = user_store(settings, database)
            demo_accounts = seed_demo(database, users)
            admins = {u.name for u in users.list() if u.is_admin}
        app = create_app(settings, database)
        smtp_sock = None
        if settings.smtp_port is not None:
            smtp_sock = _bind(settings.smtp_host, settings.smtp_port, "NTS_SMTP_PORT")
        try:
            sock = _bind(settings.http_host, settings.http_port)
        except CommandError:
            if smtp_sock is not None:
                smtp_sock.close()
            raise
        port = sock.getsockname()[1]
        url = f"http://{_url_host(settings.http_host)}:{port}/traveler"

        def started() -> None:
            log.info("Server started on %s", url)
            if args.demo:
                from server.demo import render_demo_banner

                print(render_demo_banner(url, demo_accounts, admins), flush=True)

        config = uvicorn.Config(
            app,
            lifespan="on",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=10,
        )
        server = _Server(config, on_started=started)

        def stop_quietly(sig: int, frame: FrameType | None) -> None:
            # Before uvicorn takes the signals over, a stop request must still stop it; after
            # it is done, uvicorn re-raises the signal that stopped it, and we want to exit
            # normally (log "stopped", status 0) rather than die of that signal.
            server.should_exit = True

        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, stop_quietly) for sig in handled}
        try:
            asyncio.run(_serve(server, sock, smtp_sock, settings, database))
        except SystemExit as exc:
            # uvicorn exits this way when the app's start-up fails; it has logged why.
            log.error("Server could not start")
            return int(exc.code) if isinstance(exc.code, int) else 1
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            sock.close()
            if smtp_sock is not None:
                smtp_sock.close()
    finally:
        database.close()
    log.info("Server stopped.")
    return 0


async def _serve(
    server: uvicorn.Server,
    sock: socket.socket,
    smtp_sock: socket.socket | None,
    settings: Settings,
    database: Database,
) -> None:
    """Serve HTTP and, when configured, SMTP mail-in on one event loop until told to stop;
    beside them, the mail worker (out-of-office return times, the relay queue)."""
    from server.mail.delivery import MailDelivery
    from server.mail.smtp import start_smtp_listener

    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    delivery = MailDelivery(
        settings, database, on_queued=lambda: loop.call_soon_threadsafe(wake.set)
    )
    worker = asyncio.create_task(_mail_worker(delivery, settings.ooo_check_interval, wake))
    smtp = None
    if smtp_sock is not None:
        smtp = await start_smtp_listener(
            delivery, smtp_sock, max_recipients=settings.smtp_max_recipients
        )
        host, smtp_port = smtp_sock.getsockname()[:2]
        log.info("SMTP listener started on %s:%d", _url_host(host), smtp_port)
    if delivery.relay.configured:
        relay_host, relay_port = settings.smtp_relay or ("", 0)
        log.info("Outbound mail goes through the relay %s:%d", relay_host, relay_port)
    try:
        await server.serve(sockets=[sock])
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        if smtp is not None:
            smtp.close()
            # A client still connected must not hold the shutdown up for long.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(smtp.wait_closed(), timeout=5)


async def _mail_worker(delivery: MailDelivery, interval: float, wake: asyncio.Event) -> None:
    while True:
        wake.clear()
        try:
            await asyncio.to_thread(delivery.periodic)
            due = await asyncio.to_thread(delivery.relay.next_due_in)
        except Exception:
            # A failing check must not stop the next one (a locked database, a full disk).
            log.exception("The periodic mail check failed")
            due = None
        timeout = interval if due is None else min(interval, due)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=max(timeout, 0.05))


def _overrides(args: argparse.Namespace) -> dict[str, object | None]:
    return {
        "NTS_HTTP_HOST": getattr(args, "host", None),
        "NTS_HTTP_PORT": getattr(args, "port", None),
    }


# --- users, devices, config -------------------------------------------------------------------


def _read_password(args: argparse.Namespace) -> str:
    if not args.password_stdin:
        raise CommandError(
            "give the password on standard input with --password-stdin "
            "(never as an argument: it would show in the process list and shell history)"
        )
    if sys.stdin is None:
        raise CommandError("--password-stdin: there is no standard input")
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise CommandError("the two passwords differ")
        return first
    text = sys.stdin.read()
    # `echo secret | …` adds one newline; anything beyond that is not part of a password.
    password = text[:-1] if text.endswith("\n") else text
    password = password[:-1] if password.endswith("\r") else password
    if "\n" in password:
        raise CommandError("--password-stdin: expected one line, got several")
    return password


def _user_store(data_dir: Path, database: Database) -> UserStore:
    return user_store(load_settings(data_dir), database)


def _user_add(args: argparse.Namespace, data_dir: Path) -> int:
    password = _read_password(args)
    with Database.open(data_dir) as database:
        user = _user_store(data_dir, database).add(
            args.name, args.email, password, full_name=args.full_name, admin=args.admin
        )
    role = "administrator" if user.is_admin else "user"
    print(f"Added {role} {user.name} <{user.email}>.")
    return 0


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    )


def _user_list(args: argparse.Namespace, data_dir: Path) -> int:
    with Database.open(data_dir) as database:
        users = _user_store(data_dir, database).list()
    if not users:
        print(f"No users yet; add one with: {PROG} user add NAME --email ADDR --password-stdin")
        return 0
    rows = [("NAME", "E-MAIL", "FULL NAME", "ROLE", "CREATED")]
    rows += [
        (
            u.name,
            u.email,
            u.full_name or "",
            ("admin" if u.is_admin else "user") + (" (disabled)" if u.disabled else ""),
            u.created,
        )
        for u in users
    ]
    print(_table(rows))
    return 0


def _user_disable(args: argparse.Namespace, data_dir: Path) -> int:
    disable = args.user_command == "disable"
    with Database.open(data_dir) as database:
        user = _user_store(data_dir, database).set_disabled(args.name, disable)
    if disable:
        print(f"Disabled {user.name}: the client API refuses all of their devices.")
    else:
        print(f"Enabled {user.name} again.")
    return 0


def _device_revoke(args: argparse.Namespace, data_dir: Path) -> int:
    with Database.open(data_dir) as database:
        user = _user_store(data_dir, database).get(args.name)
        if user is None:
            raise CommandError(f"there is no user named {args.name!r}")
        devices = ClientDeviceStore(database)
        if not devices.revoke(user.id, args.device_id, when=datetime.now(UTC)):
            known = devices.get(user.id, args.device_id)
            if known is not None and not known.active:
                raise CommandError(f"device {args.device_id!r} of {user.name} is revoked already")
            raise CommandError(
                f"{user.name} has no device {args.device_id!r} registered through the client API"
            )
    print(
        f"Revoked device {args.device_id} of {user.name}: its token no longer works and it "
        "cannot register again."
    )
    return 0


def _device_list(args: argparse.Namespace, data_dir: Path) -> int:
    with Database.open(data_dir) as database:
        if args.user is not None and _user_store(data_dir, database).get(args.user) is None:
            raise CommandError(f"there is no user named {args.user!r}")
        devices = DeviceStore(database).list(user=args.user)
    if not devices:
        print("No devices yet; a device registers when it first syncs.")
        return 0
    rows = [("USER", "DEVICE ID", "TYPE", "MODEL", "FIRST SYNC", "LAST SYNC")]
    rows += [
        (
            d.user_name,
            d.device_id,
            d.device_type or "",
            d.model or "",
            d.first_sync.isoformat(),
            d.last_sync.isoformat(),
        )
        for d in devices
    ]
    print(_table(rows))
    return 0


# --- mail -----------------------------------------------------------------------------------


def _read_message(path: str, limit: int) -> bytes:
    # One byte past the limit is enough to know it is too large without reading it all.
    try:
        if path == "-":
            return sys.stdin.buffer.read(limit + 1)
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None


def _mail_deliver(args: argparse.Namespace, data_dir: Path) -> int:
    from server.mail.delivery import Delivered, MailDelivery, MessageTooLarge

    settings = load_settings(data_dir)
    raw = _read_message(args.file, settings.smtp_max_message_size)
    with Database.open(data_dir) as database:
        user = user_store(settings, database).get(args.user)
        if user is None:
            raise CommandError(f"there is no user named {args.user!r}")
        delivery = MailDelivery(settings, database)
        try:
            result = delivery.deliver(
                raw, envelope_from=args.sender or "", recipients=[user.email], users=[user]
            )
        except MessageTooLarge as exc:
            raise CommandError(f"{args.file}: {exc}") from None
    if isinstance(result, Delivered):
        message = result.messages[0]
        print(
            f"Delivered to {user.name} as message {message.id} "
            f"({len(message.attachments)} attachment(s))."
        )
        return 0
    raise CommandError(
        f"{args.file} was not delivered: {result.entry.reason}; it is kept in the quarantine "
        f"as #{result.entry.id} ({PROG} mail quarantine list)"
    )


def _mail_list(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.mailboxes import MailStore

    with Database.open(data_dir) as database:
        user = _user_store(data_dir, database).get(args.user)
        if user is None:
            raise CommandError(f"there is no user named {args.user!r}")
        messages = MailStore(database).messages(user.id)
    if not messages:
        print(f"{user.name} has no mail.")
        return 0
    rows = [("ID", "RECEIVED", "FROM", "SUBJECT", "ATTACHMENTS", "SIZE")]
    rows += [
        (
            str(m.id),
            m.received,
            m.sender or f"<{m.envelope_from}>",
            m.subject or "",
            ", ".join(a.filename for a in m.attachments),
            str(m.size),
        )
        for m in messages
    ]
    print(_table(rows))
    return 0


def _quarantine_list(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.mailboxes import MailStore

    with Database.open(data_dir) as database:
        entries = MailStore(database).quarantine_list()
    if not entries:
        print("The quarantine is empty.")
        return 0
    rows = [("ID", "RECEIVED", "SOURCE", "FROM", "FOR", "SIZE", "REASON")]
    rows += [
        (
            str(q.id),
            q.received,
            q.source,
            f"<{q.envelope_from}>",
            ", ".join(q.recipients),
            str(q.size),
            q.reason,
        )
        for q in entries
    ]
    print(_table(rows))
    return 0


def _quarantine_show(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.mailboxes import MailStore

    with Database.open(data_dir) as database:
        raw = MailStore(database).quarantined_raw(args.id)
    if raw is None:
        raise CommandError(f"there is no quarantined message #{args.id}")
    if args.output:
        try:
            Path(args.output).write_bytes(raw)
        except OSError as exc:
            raise CommandError(f"cannot write {args.output}: {exc.strerror}") from None
        print(f"Wrote quarantined message #{args.id} ({len(raw)} bytes) to {args.output}.")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
    return 0


def _quarantine_delete(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.mailboxes import MailStore

    with Database.open(data_dir) as database:
        if not MailStore(database).quarantine_delete(args.id):
            raise CommandError(f"there is no quarantined message #{args.id}")
    print(f"Deleted quarantined message #{args.id}.")
    return 0


def _hand_off_list(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.attachment_files import AttachmentFileStore

    with Database.open(data_dir) as database:
        hand_offs = AttachmentFileStore(database).hand_offs(args.user)
    if not hand_offs:
        print("No hand-offs reported yet.")
        return 0
    rows = [
        ("WHEN", "USER", "DEVICE", "FILE", "MESSAGE", "APPLICATION", "VERSION", "OS", "APPROVED")
    ]
    rows += [
        (
            h.reported,
            h.user_name,
            h.device_id,
            h.filename,
            "" if h.message_pk is None else f"{h.message_pk}/{h.position}",
            h.app_id,
            h.app_version or "",
            h.os or "",
            "yes" if h.approved else "NO",
        )
        for h in hand_offs
    ]
    print(_table(rows))
    return 0


def _mail_queue(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.outbound import OutboundStore

    with Database.open(data_dir) as database:
        queued = OutboundStore(database).all()
    if not args.all:
        queued = [m for m in queued if m.sent is None and m.failed is None]
    if not queued:
        print("No mail waits for the relay." if not args.all else "No outbound mail yet.")
        return 0
    rows = [("ID", "QUEUED", "TO", "ATTEMPTS", "STATE", "LAST ERROR")]
    for m in queued:
        state = f"sent {m.sent}" if m.sent else f"given up {m.failed}" if m.failed else "waiting"
        rows.append((str(m.id), m.created, m.recipient, str(m.attempts), state,
                     m.last_error or ""))
    print(_table(rows))
    return 0


# --- attachment policy and approved applications --------------------------------------------

_POLICY_SWITCHES = {
    "protect_attachments": "encrypt attachments into .TEF for the user's devices",
    "approved_apps_only": "only approved applications and the built-in viewer may open them",
    "prevent_download": "devices may not download attachments at all",
    "view_only": "every attachment is view only (built-in viewer; no save, copy, print)",
}


def _on_off(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("on", "true", "yes", "1"):
        return True
    if lowered in ("off", "false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r}: use on or off")


def _render_policy(policy: object) -> str:
    lines = []
    for key, meaning in _POLICY_SWITCHES.items():
        state = "on" if getattr(policy, key) else "off"
        lines.append(f"{key.replace('_', '-'):<20} {state:<4} {meaning}")
    changed = getattr(policy, "changed", None)
    if changed:
        lines.append(f"Last changed {changed} by {getattr(policy, 'changed_by', None)}.")
    return "\n".join(lines)


def _policy_show(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.attachment_policy import PolicyStore

    with Database.open(data_dir) as database:
        print(_render_policy(PolicyStore(database).policy()))
    return 0


def _policy_set(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.attachment_policy import PolicyStore

    changes = {
        key: getattr(args, key) for key in _POLICY_SWITCHES if getattr(args, key) is not None
    }
    if not changes:
        raise CommandError(
            "nothing to change; give at least one of "
            + ", ".join(f"--{key.replace('_', '-')} on|off" for key in _POLICY_SWITCHES)
        )
    with Database.open(data_dir) as database:
        policy = PolicyStore(database).set_policy(f"{PROG} policy set", **changes)
    log.info("Attachment policy changed: %s", ", ".join(
        f"{key}={'on' if value else 'off'}" for key, value in changes.items()
    ))
    print(_render_policy(policy))
    return 0


def _app_add(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.attachment_policy import PolicyStore

    with Database.open(data_dir) as database:
        app = PolicyStore(database).add_app(args.name, args.id, args.os, args.version)
    version = f" {app.required_version} or later" if app.required_version else ""
    print(f"Approved {app.name} ({app.app_id}) on {app.os.value}{version}.")
    return 0


def _app_list(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.attachment_policy import PolicyStore

    with Database.open(data_dir) as database:
        apps = PolicyStore(database).apps()
    if not apps:
        print(f"No approved applications; add one with: {PROG} app add NAME --id ID --os OS")
        return 0
    rows = [("NAME", "APPLICATION ID", "OS", "REQUIRED VERSION")]
    rows += [(a.name, a.app_id, a.os.value, a.required_version or "any") for a in apps]
    print(_table(rows))
    return 0


def _app_remove(args: argparse.Namespace, data_dir: Path) -> int:
    from server.store.attachment_policy import PolicyStore, parse_os

    os_type = parse_os(args.os) if args.os else None
    with Database.open(data_dir) as database:
        removed = PolicyStore(database).remove_app(args.id, os_type)
    if not removed:
        where = f" on {os_type.value}" if os_type else ""
        raise CommandError(f"{args.id!r} is not an approved application{where}")
    print(f"Removed {removed} approval(s) of {args.id}.")
    return 0


_CSV_COLUMNS = {
    "name": "name",
    "application": "name",
    "app_id": "app_id",
    "application id": "app_id",
    "application_id": "app_id",
    "id": "app_id",
    "os": "os",
    "os type": "os",
    "os_type": "os",
    "version": "version",
    "required version": "version",
    "required_version": "version",
}


def _app_import(args: argparse.Namespace, data_dir: Path) -> int:
    import csv

    from server.store.attachment_policy import AppError, OsType, PolicyStore, parse_os

    try:
        with open(args.file, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"{args.file} is not a UTF-8 CSV file: {exc}") from None
    if not rows:
        raise CommandError(f"{args.file} is empty")
    header = [_CSV_COLUMNS.get(cell.strip().lower(), "") for cell in rows[0]]
    missing = [c for c in ("name", "app_id", "os") if c not in header]
    if missing:
        raise CommandError(
            f"{args.file} line 1: the header row needs the columns name, app_id, os (and "
            f"optionally version); missing: {', '.join(missing)}"
        )
    apps: list[tuple[str, str, OsType, str | None]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise CommandError(f"{args.file} line {number}: more cells than the header has")
        cells = {header[i]: cell for i, cell in enumerate(row)}
        try:
            apps.append(
                (cells.get("name", ""), cells.get("app_id", ""), parse_os(cells.get("os", "")),
                 cells.get("version") or None)
            )
        except AppError as exc:
            raise CommandError(f"{args.file} line {number}: {exc}") from None
    with Database.open(data_dir) as database:
        try:
            PolicyStore(database).add_apps(apps)
        except AppError as exc:
            raise CommandError(f"{args.file}: {exc}; nothing was imported") from None
    print(f"Imported {len(apps)} approved application(s) from {args.file}.")
    return 0


def _tef_encrypt(args: argparse.Namespace, data_dir: Path) -> int:
    from server.mail.protection import AttachmentProtection, NoDevices, guess_mime_type

    source = Path(args.file)
    target = Path(args.output) if args.output else source.with_name(source.name + ".tef")
    settings = load_settings(data_dir)
    with Database.open(data_dir) as database:
        user = user_store(settings, database).get(args.user)
        if user is None:
            raise CommandError(f"there is no user named {args.user!r}")
        protection = AttachmentProtection(settings, database)
        partial = target.with_name(f".{target.name}.partial")
        try:
            with open(source, "rb") as plain, open(partial, "wb") as sealed:
                size = os.fstat(plain.fileno()).st_size
                opened = protection.encrypt_file(
                    user.id,
                    plain,
                    sealed,
                    name=source.name,
                    mime_type=guess_mime_type(source),
                    size=size,
                    view_only=args.view_only,
                )
            partial.replace(target)
        except NoDevices:
            partial.unlink(missing_ok=True)
            raise CommandError(
                f"{user.name} has no registered device to encrypt for; the Companion registers "
                "one when the user signs in"
            ) from None
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"cannot encrypt {source}: {exc.strerror or exc}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    count = len(opened.header.stanzas)
    mode = ", view only" if opened.metadata.policy.view_only else ""
    print(f"Encrypted {source.name} for {count} device(s) of {user.name}{mode}: {target}")
    return 0


def _config_show(args: argparse.Namespace, data_dir: Path) -> int:
    settings = load_settings(data_dir, _overrides(args))
    print(render_settings(settings))
    return 0


def render_settings(settings: Settings) -> str:
    """What ``config show`` prints: every key, its effective value and where it came from."""
    present = "" if settings.ini_path.is_file() else " (not present; all defaults)"
    rows = [("KEY", "VALUE", "FROM")]
    for value in settings.entries():
        origin = value.source.value
        if value.source is Source.NOTES_INI:
            origin = f"notes.ini line {value.line}"
        if not value.known:
            origin += " (unknown key, not used)"
        rows.append((value.key, value.text, origin))
    lines = [
        f"Data folder: {settings.data_dir}",
        f"Settings file: {settings.ini_path}{present}",
        "",
    ]
    lines.append(_table(rows))
    if settings.other:
        lines += ["", "Other notes.ini keys (not Traveler settings, ignored):"]
        lines += [f"  {v.key}={v.text}" for v in settings.other.values()]
    if settings.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  {w}" for w in settings.warnings]
    return "\n".join(lines)


def _config_docs(args: argparse.Namespace, data_dir: Path | None) -> int:
    print(render_reference(), end="")
    return 0


# --- argument parsing -----------------------------------------------------------------------


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535 (0: any free port)")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The Traveler server: SyncML for the Traveler ToDo app and other clients.",
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        help="data folder (database, notes.ini); default $TRAVELER_DATA or "
        "~/.local/share/traveler-server",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def listen_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", help="address to bind (NTS_HTTP_HOST; default 127.0.0.1)")
        p.add_argument("--port", type=_port, help="TCP port, 0 = any free (NTS_HTTP_PORT)")

    run = commands.add_parser("run", help="run the server until Ctrl+C or SIGTERM")
    listen_flags(run)
    run.add_argument("--demo", action="store_true", help="add the demo users and print them")
    run.set_defaults(handler=_run)

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", help="add a user")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--email", required=True, metavar="ADDR")
    add.add_argument("--full-name", metavar="TEXT")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--admin", action="store_true", help="give the Administrator role")
    add.set_defaults(handler=_user_add)
    user_list = user_commands.add_parser("list", help="list users")
    user_list.set_defaults(handler=_user_list)
    for action, what in (("disable", "refuse all of a user's devices"), ("enable", "undo disable")):
        toggle = user_commands.add_parser(action, help=what)
        toggle.add_argument("name", metavar="NAME")
        toggle.set_defaults(handler=_user_disable)

    device = commands.add_parser("device", help="show devices")
    device_commands = device.add_subparsers(dest="device_command", metavar="ACTION", required=True)
    device_list = device_commands.add_parser("list", help="list devices")
    device_list.add_argument("--user", metavar="NAME", help="only this user's devices")
    device_list.set_defaults(handler=_device_list)
    revoke = device_commands.add_parser(
        "revoke", help="end a device's access for good (lost or stolen)"
    )
    revoke.add_argument("name", metavar="NAME", help="the device's user")
    revoke.add_argument("device_id", metavar="DEVICE_ID")
    revoke.set_defaults(handler=_device_revoke)

    mail = commands.add_parser("mail", help="deliver and inspect mail, manage the quarantine")
    mail_commands = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    deliver = mail_commands.add_parser(
        "deliver", help="deliver an RFC 5322 message (.eml) into a user's mailbox"
    )
    deliver.add_argument("user", metavar="USER", help="the user's name")
    deliver.add_argument("file", metavar="FILE.eml", help="the message; - reads standard input")
    deliver.add_argument(
        "--from",
        dest="sender",
        metavar="ADDR",
        help="envelope sender (Return-Path); default: none, as for a bounce",
    )
    deliver.set_defaults(handler=_mail_deliver)
    mail_list = mail_commands.add_parser("list", help="list a user's messages")
    mail_list.add_argument("--user", required=True, metavar="NAME")
    mail_list.set_defaults(handler=_mail_list)
    quarantine = mail_commands.add_parser(
        "quarantine", help="messages the server could not deliver, kept for the administrator"
    )
    quarantine_commands = quarantine.add_subparsers(
        dest="quarantine_command", metavar="ACTION", required=True
    )
    quarantine_commands.add_parser("list", help="list quarantined messages").set_defaults(
        handler=_quarantine_list
    )
    q_show = quarantine_commands.add_parser("show", help="write a quarantined message out")
    q_show.add_argument("id", type=int, metavar="ID")
    q_show.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    q_show.set_defaults(handler=_quarantine_show)
    q_delete = quarantine_commands.add_parser("delete", help="remove a quarantined message")
    q_delete.add_argument("id", type=int, metavar="ID")
    q_delete.set_defaults(handler=_quarantine_delete)

    mail_queue = mail_commands.add_parser(
        "queue", help="outbound mail (out-of-office replies) waiting for the relay"
    )
    mail_queue.add_argument("--all", action="store_true", help="also sent and given-up mail")
    mail_queue.set_defaults(handler=_mail_queue)
    hand_offs = mail_commands.add_parser(
        "handoffs", help="hand-offs of attachments to other applications, as devices reported"
    )
    hand_offs.add_argument("--user", metavar="NAME", help="only this user's")
    hand_offs.set_defaults(handler=_hand_off_list)

    policy = commands.add_parser("policy", help="the attachment policy (security settings)")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    policy_commands.add_parser("show", help="show the policy").set_defaults(handler=_policy_show)
    policy_set = policy_commands.add_parser("set", help="change switches of the policy")
    for key, meaning in _POLICY_SWITCHES.items():
        policy_set.add_argument(
            f"--{key.replace('_', '-')}", dest=key, type=_on_off, metavar="on|off", help=meaning
        )
    policy_set.set_defaults(handler=_policy_set)

    app = commands.add_parser("app", help="approved applications for attachments")
    app_commands = app.add_subparsers(dest="app_command", metavar="ACTION", required=True)
    app_add = app_commands.add_parser("add", help="approve an application (or update one)")
    app_add.add_argument("name", metavar="NAME", help='e.g. "Document Viewer"')
    app_add.add_argument(
        "--id",
        required=True,
        metavar="APP_ID",
        help="Linux: desktop-file ID (org.gnome.Evince.desktop); macOS: bundle ID; Windows: "
        "AppUserModelID or executable name",
    )
    app_add.add_argument("--os", required=True, metavar="OS", help="linux, windows or macos")
    app_add.add_argument("--version", metavar="V", help="required version or later, e.g. 42.0")
    app_add.set_defaults(handler=_app_add)
    app_commands.add_parser("list", help="list approved applications").set_defaults(
        handler=_app_list
    )
    app_remove = app_commands.add_parser("remove", help="withdraw an approval")
    app_remove.add_argument("id", metavar="APP_ID")
    app_remove.add_argument("--os", metavar="OS", help="only on this OS (default: all)")
    app_remove.set_defaults(handler=_app_remove)
    app_import = app_commands.add_parser(
        "import", help="approve applications from a CSV file (columns name, app_id, os, version)"
    )
    app_import.add_argument("file", metavar="FILE.csv")
    app_import.set_defaults(handler=_app_import)

    tef_parser = commands.add_parser("tef", help="encrypted files (.TEF)")
    tef_commands = tef_parser.add_subparsers(dest="tef_command", metavar="ACTION", required=True)
    encrypt = tef_commands.add_parser(
        "encrypt", help="encrypt a file for a user's active devices"
    )
    encrypt.add_argument("file", metavar="FILE")
    encrypt.add_argument("--user", required=True, metavar="NAME")
    encrypt.add_argument("-o", "--output", metavar="OUT.tef", help="default: FILE.tef")
    encrypt.add_argument("--view-only", action="store_true", help="built-in viewer only")
    encrypt.set_defaults(handler=_tef_encrypt)

    config = commands.add_parser("config", help="show settings")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = config_commands.add_parser("show", help="effective NTS_* settings and their source")
    listen_flags(show)
    show.set_defaults(handler=_config_show)
    docs = config_commands.add_parser("docs", help="print the settings reference (Markdown)")
    docs.set_defaults(handler=_config_docs, needs_data=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``traveler-server``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        data_dir = None
        if getattr(args, "needs_data", True):
            data_dir = _prepare_data_dir(args.data or default_data_dir())
        return int(args.handler(args, data_dir))
    except (CommandError, ConfigError, StoreError) as exc:
        _fail(args, str(exc))
        return 1
    except KeyboardInterrupt:
        return 130


def _fail(args: argparse.Namespace, message: str) -> None:
    if args.command == "run" and logging.getLogger().handlers:
        log.error("%s", message)
    else:
        print(f"{PROG}: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
