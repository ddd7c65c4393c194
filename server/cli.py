"""``traveler-server``: run the server and administer its users, devices and settings.

::

    traveler-server [--data DIR] run [--host H] [--port N] [--demo [--allow-remote-demo]]
    traveler-server [--data DIR] user add NAME --email ADDR [--full-name ...] --password-stdin
                                          [--admin]
    traveler-server [--data DIR] user list
    traveler-server [--data DIR] user remove NAME [--yes]
    traveler-server [--data DIR] user passwd NAME --password-stdin
    traveler-server [--data DIR] user disable NAME [--reason TEXT] | user enable NAME
    traveler-server [--data DIR] device list [--user NAME]
    traveler-server [--data DIR] device remove ID [--user NAME]
    traveler-server [--data DIR] device revoke NAME DEVICE_ID
    traveler-server [--data DIR] task list --user NAME [--json]
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

``--data DIR`` may also follow the subcommand; ``--data ''`` is refused. Commands that only
read (``list``, ``show``) never create the data folder or the database; commands that change
what is there (a user, a device, a message) refuse a missing folder or database and create
nothing; commands that set something up (``run``, ``user add``, ``policy set``, ``app add``,
``app import``) create the folder private (0700).

Exit status: 0 done, 1 the command failed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import getpass
import ipaddress
import json
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
from server.data_folder import (
    DataFolderError,
    default_data_dir,
    existing_data_dir,
    permission_warnings,
    prepare_data_dir,
)
from server.logs import LOG_FILENAME, configure_logging
from server.store.client_devices import ClientDeviceStore
from server.store.database import DB_FILENAME, Database, StoreError
from server.store.devices import DeviceStore
from server.store.users import User, UserStore
from server.stores import user_store

if TYPE_CHECKING:
    from server.mail.delivery import MailDelivery

__all__ = ["default_data_dir", "main"]

log = logging.getLogger("traveler")
PROG = "traveler-server"


class CommandError(Exception):
    """A command failed for a reason the user can act on; printed as one line, exit 1."""


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

    def __init__(
        self, config: uvicorn.Config, on_started: Callable[[], None], on_exit: Callable[[], None]
    ) -> None:
        super().__init__(config)
        self._on_started = on_started
        self._on_exit = on_exit

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            log.info("Server shutting down...")
            # Requests still sending their message are answered 503 at once; a message
            # already in the engine finishes (its transaction is all or nothing).
            self._on_exit()
        super().handle_exit(sig, frame)


def _run(args: argparse.Namespace, data_dir: Path) -> int:
    settings = load_settings(data_dir, _overrides(args))
    if args.demo:
        _check_demo_allowed(args, settings)
    configure_logging(
        settings.log_level,
        log_file=data_dir / LOG_FILENAME if settings.log_file_size else None,
        max_bytes=settings.log_file_size,
        backups=settings.log_file_count,
    )
    log.info("Server starting...")
    log.info("Data folder %s", data_dir)
    for warning in settings.warnings:
        log.warning("%s", warning)
    if not settings.push_enable:
        log.info("Push is disabled (NTS_PUSH_ENABLE=false): devices sync on their own schedule")
    for warning in permission_warnings(data_dir):
        log.warning("%s", warning)
    if settings.push_enable_apns:
        log.warning("NTS_PUSH_ENABLE_APNS is set, but push is not implemented yet; ignored")

    from server.app import Shutdown, create_app

    database = Database.open(data_dir)
    try:
        demo_accounts = []
        admins: set[str] = set()
        if args.demo:
            from server.demo import seed_demo

            users = user_store(settings, database)
            demo_accounts = seed_demo(database, users)
            admins = {u.name for u in users.list() if u.is_admin}
        shutdown = Shutdown()
        app = create_app(settings, database, shutdown=shutdown)
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
        url = f"http://{_url_host(_connectable(settings.http_host))}:{port}/traveler"

        def started() -> None:
            if _is_wildcard(settings.http_host):
                log.info(
                    "Server started on %s (listening on all addresses; from other machines use "
                    "http://%s:%d/traveler)", url, socket.gethostname(), port,
                )
            else:
                log.info("Server started on %s", url)
            if args.demo:
                from server.demo import render_demo_banner

                print(render_demo_banner(url, demo_accounts, admins, data_dir), flush=True)

        config = uvicorn.Config(
            app,
            lifespan="on",
            log_config=None,
            access_log=False,
            server_header=False,
            # uvicorn would believe X-Forwarded-For from 127.0.0.1 by itself; the app decides
            # whom to believe (NTS_TRUSTED_PROXIES, server.client_address), nobody else.
            proxy_headers=False,
            timeout_graceful_shutdown=10,
        )
        server = _Server(config, on_started=started, on_exit=shutdown.begin)

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
def _is_wildcard(host: str) -> bool:
    return host in ("0.0.0.0", "::", "")


def _connectable(host: str) -> str:
    """A host a client on this machine can connect to: not the wildcard address."""
    if host == "::":
        return "::1"
    return "127.0.0.1" if _is_wildcard(host) else host


def _is_loopback(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def _check_demo_allowed(args: argparse.Namespace, settings: Settings) -> None:
    """The demo's passwords are printed in the README: keep them off the network and out of
    folders with real accounts."""
    host = settings.http_host
    if not _is_loopback(host) and not args.allow_remote_demo:
        raise CommandError(
            f"run --demo would listen on {host}, reachable from other machines, with demo "
            "accounts whose passwords are published; listen on 127.0.0.1 (the default), or add "
            "--allow-remote-demo if that is really meant"
        )
    from server.demo import DEMO_USERS

    if not (settings.data_dir / DB_FILENAME).exists():
        return
    demo_names = {demo.account.name for demo in DEMO_USERS}
    with Database.open(settings.data_dir) as database:
        others = [u.name for u in user_store(settings, database).list() if u.name not in demo_names]
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise CommandError(
            f"run --demo adds demo accounts with published passwords, but {settings.data_dir} "
            f"already holds other users ({shown}); use an empty data folder for the demo, e.g. "
            f"{PROG} --data /tmp/traveler-demo run --demo"
        )


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


def _readable_database(data_dir: Path) -> Database | None:
    """The database for a command that only reads; None (nothing created) when there is none."""
    if not (data_dir / DB_FILENAME).exists():
        return None
    return Database.open(data_dir)


def _user_add(args: argparse.Namespace, data_dir: Path) -> int:
    password = _read_password(args)
    with Database.open(data_dir) as database:
        users = _user_store(data_dir, database)
        # The store allows a shared address (the client API's lookup says "ambiguous" then);
        # an administrator adding one by mistake is told.
        wanted = args.email.strip().casefold()
        taken = [u.name for u in users.list() if u.email.casefold() == wanted]
        if taken and users.get(args.name) is None:
            raise CommandError(f"the e-mail address {args.email.strip()} is already used by "
                               f"{taken[0]!r}")
        user = users.add(
            args.name, args.email, password, full_name=args.full_name, admin=args.admin
        )
    role = "administrator" if user.is_admin else "user"
    print(f"Added {role} {user.name} <{user.email}>.")
    return 0


def _existing_user(users: UserStore, name: str) -> User:
    user = users.get(name)
    if user is None:
        raise CommandError(f"there is no user named {name!r}")
    return user


def _confirm(args: argparse.Namespace, question: str, answer: str) -> None:
    """Ask to type ``answer`` unless --yes; without a terminal to ask on, refuse."""
    if args.yes:
        return
    if sys.stdin is None or not sys.stdin.isatty():
        raise CommandError(f"{question} Not confirmed: add --yes to do it without asking")
    typed = input(f"{question} Type {answer!r} to confirm: ")
    if typed.strip() != answer:
        raise CommandError("not confirmed; nothing was changed")


def _user_remove(args: argparse.Namespace, data_dir: Path) -> int:
    with Database.open(data_dir) as database:
        users = _user_store(data_dir, database)
        user = _existing_user(users, args.name)
        devices = DeviceStore(database).list(user=user.name)
        count = database.query(
            "SELECT COUNT(*) AS n FROM items WHERE user_id = ?", (user.id,)
        )[0]["n"]
        _confirm(
            args,
            f"Remove user {user.name} <{user.email}> with {_count(len(devices), 'device')} and "
            f"{_count(count, 'item')}?",
            user.name,
        )
        removed = users.remove(user)
    print(
        f"Removed user {removed.user.name} with {_count(removed.devices, 'device')} and "
        f"{_count(removed.items, 'item')}."
    )
    return 0


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _user_passwd(args: argparse.Namespace, data_dir: Path) -> int:
    with Database.open(data_dir) as database:
        users = _user_store(data_dir, database)
        user = _existing_user(users, args.name)
        password = _read_password(args)
        users.set_password(user, password)
    print(f"Set a new password for {user.name}.")
    return 0


def _user_disable(args: argparse.Namespace, data_dir: Path) -> int:
    with Database.open(data_dir) as database:
        users = _user_store(data_dir, database)
        user = users.set_disabled(_existing_user(users, args.name), True, args.reason)
    because = f" ({user.disabled_reason})" if user.disabled_reason else ""
    print(f"Disabled {user.name}{because}: their devices are refused until `user enable`.")
    return 0


def _user_enable(args: argparse.Namespace, data_dir: Path) -> int:
    with Database.open(data_dir) as database:
        users = _user_store(data_dir, database)
        user = users.set_disabled(_existing_user(users, args.name), False)
    print(f"Enabled {user.name}.")
    return 0


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    )


def _no_users() -> int:
    print(f"No users yet; add one with: {PROG} user add NAME --email ADDR --password-stdin")
    return 0


def _user_list(args: argparse.Namespace, data_dir: Path) -> int:
    database = _readable_database(data_dir)
    if database is None:
        return _no_users()
    with database:
        users = _user_store(data_dir, database).list()
    if not users:
        return _no_users()
    rows = [("NAME", "E-MAIL", "FULL NAME", "ROLE", "CREATED")]
    rows += [
        (
            u.name,
            u.email,
            u.full_name or "",
            ("admin" if u.is_admin else "user") + _disabled_note(u),
            u.created,
        )
        for u in users
    ]
    print(_table(rows))
    return 0


def _disabled_note(user: User) -> str:
    if not user.disabled:
        return ""
    return f" (disabled: {user.disabled_reason})" if user.disabled_reason else " (disabled)"


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
    database = _readable_database(data_dir)
    devices = []
    if database is not None:
        with database:
            if args.user is not None:
                _existing_user(_user_store(data_dir, database), args.user)
            devices = DeviceStore(database).list(user=args.user)
    elif args.user is not None:
        raise CommandError(f"there is no user named {args.user!r}")
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

    database = _readable_database(data_dir)
    if database is None:
        raise CommandError(f"there is no user named {args.user!r}")
    with database:
        user = _existing_user(_user_store(data_dir, database), args.user)
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

    database = _readable_database(data_dir)
    entries = []
    if database is not None:
        with database:
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

    database = _readable_database(data_dir)
    raw = None
    if database is not None:
        with database:
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

    database = _readable_database(data_dir)
    hand_offs = []
    if database is not None:
        with database:
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

    database = _readable_database(data_dir)
    queued = []
    if database is not None:
        with database:
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
    from server.store.attachment_policy import AttachmentPolicy, PolicyStore

    database = _readable_database(data_dir)
    if database is None:
        print(_render_policy(AttachmentPolicy()))  # what a new server applies
        return 0
    with database:
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

    database = _readable_database(data_dir)
    apps = []
    if database is not None:
        with database:
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


def _device_remove(args: argparse.Namespace, data_dir: Path) -> int:
    with Database.open(data_dir) as database:
        if args.user is not None:
            _existing_user(_user_store(data_dir, database), args.user)
        device = DeviceStore(database).remove(args.device_id, user=args.user)
    print(
        f"Removed device {device.device_id} of {device.user_name}; the user's items stay, and "
        "the device's next sync is a slow sync."
    )
    return 0


def _task_list(args: argparse.Namespace, data_dir: Path) -> int:
    database = _readable_database(data_dir)
    if database is None:
        raise CommandError(f"there is no user named {args.user!r}")
    with database:
        user = _existing_user(_user_store(data_dir, database), args.user)
        rows = database.query(
            "SELECT id, datastore, data, modified FROM items WHERE user_id = ? "
            "ORDER BY datastore, id",
            (user.id,),
        )
    tasks = [_task_row(row) for row in rows]
    if args.json:
        print(json.dumps(tasks, indent=2, ensure_ascii=False))
        return 0
    if not tasks:
        print(f"{user.name} has no tasks on this server.")
        return 0
    table = [("ID", "DUE", "PRIORITY", "STATUS", "SUMMARY")]
    table += [
        (
            str(t["id"]),
            str(t["due"] or ""),
            str(t["priority"] or ""),
            str(t["status"] or ""),
            str(t["summary"] or t.get("error") or ""),
        )
        for t in tasks
    ]
    print(_table(table))
    return 0


def _task_row(row: dict[str, object]) -> dict[str, object]:
    from todo.errors import TaskFormatError
    from todo.task_format import parse_task

    entry: dict[str, object] = {
        "id": row["id"],
        "datastore": row["datastore"],
        "modified": datetime.fromtimestamp(float(str(row["modified"])), UTC).isoformat(
            timespec="seconds"
        ),
    }
    try:
        task = parse_task(str(row["data"]))
    except TaskFormatError as exc:
        return {**entry, "uid": None, "summary": None, "due": None, "priority": None,
                "status": None, "completed": None, "error": f"unreadable: {exc}"}
    return {
        **entry,
        "uid": task.uid,
        "summary": task.summary,
        "due": task.due.isoformat() if task.due else None,
        "priority": task.priority.name.lower() if task.priority else None,
        "status": task.status.name.lower() if task.status else None,
        "completed": task.completed.isoformat() if task.completed else None,
    }


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


def _config_docs(args: argparse.Namespace, data_dir: Path) -> int:
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


def _data_dir(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "is empty; give a folder (an empty value would mean the current directory)"
        )
    return Path(text).expanduser()


_DATA_HELP = (
    "data folder (database, notes.ini, traveler.log); default $TRAVELER_DATA or "
    "~/.local/share/traveler-server"
)

# What a command needs of the data folder:
# WRITE   it may be new: the folder is created (0700) if missing, the database too;
# CHANGE  it changes what is there (a user, a device, a message): folder and database must
#         exist, and a missing one is reported with nothing created;
# READ    it only reads: the folder must exist, and no database is created in it;
# NONE    it does not use the data folder.
WRITE, CHANGE, READ, NONE = "write", "change", "read", "none"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The Traveler server: SyncML for the Traveler ToDo app and other clients.",
    )
    parser.add_argument("--data", metavar="DIR", type=_data_dir, help=_DATA_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        group: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        handler: Callable[[argparse.Namespace, Path], int],
        needs: str,
        help: str,
    ) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=help, description=help)
        # --data after the subcommand too; SUPPRESS keeps one given before it.
        sub.add_argument(
            "--data", metavar="DIR", type=_data_dir, default=argparse.SUPPRESS, help=_DATA_HELP
        )
        sub.set_defaults(handler=handler, needs_data=needs)
        return sub

    def listen_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", help="address to bind (NTS_HTTP_HOST; default 127.0.0.1)")
        p.add_argument("--port", type=_port, help="TCP port, 0 = any free (NTS_HTTP_PORT)")

    def password_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    run = command(commands, "run", _run, WRITE, "run the server until Ctrl+C or SIGTERM")
    listen_flags(run)
    run.add_argument(
        "--demo",
        action="store_true",
        help="add the demo users (only into an empty or demo data folder) and print them",
    )
    run.add_argument(
        "--allow-remote-demo",
        action="store_true",
        help="let --demo listen on a non-loopback address despite its published passwords",
    )

    user = commands.add_parser("user", help="manage users")
    users = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = command(users, "add", _user_add, WRITE, "add a user")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--email", required=True, metavar="ADDR")
    add.add_argument("--full-name", metavar="TEXT")
    password_flag(add)
    add.add_argument("--admin", action="store_true", help="give the Administrator role")
    command(users, "list", _user_list, READ, "list users")
    remove = command(
        users, "remove", _user_remove, CHANGE,
        "remove a user with their devices, sync state and tasks (asks first)",
    )
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    passwd = command(users, "passwd", _user_passwd, CHANGE, "set a user's password")
    passwd.add_argument("name", metavar="NAME")
    password_flag(passwd)
    disable = command(
        users, "disable", _user_disable, CHANGE,
        "refuse a user's devices (403, once their password is checked) until enabled",
    )
    disable.add_argument("name", metavar="NAME")
    disable.add_argument("--reason", metavar="TEXT", help="why; logged with each refused login")
    enable = command(users, "enable", _user_enable, CHANGE, "let a disabled user sync again")
    enable.add_argument("name", metavar="NAME")

    device = commands.add_parser("device", help="show and remove devices")
    devices = device.add_subparsers(dest="device_command", metavar="ACTION", required=True)
    device_list = command(devices, "list", _device_list, READ, "list devices")
    device_list.add_argument("--user", metavar="NAME", help="only this user's devices")
    device_remove = command(
        devices, "remove", _device_remove, CHANGE,
        "forget a device (its next sync is a slow sync; the user's tasks stay)",
    )
    device_remove.add_argument("device_id", metavar="ID")
    device_remove.add_argument(
        "--user", metavar="NAME", help="whose device, when several users share the ID"
    )
    revoke = command(
        devices, "revoke", _device_revoke, CHANGE,
        "end a device's client-API access for good (lost or stolen)",
    )
    revoke.add_argument("name", metavar="NAME", help="the device's user")
    revoke.add_argument("device_id", metavar="DEVICE_ID")

    task = commands.add_parser("task", help="see the tasks the server holds")
    tasks = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    task_list = command(tasks, "list", _task_list, READ, "list a user's tasks")
    task_list.add_argument("--user", metavar="NAME", required=True)
    task_list.add_argument("--json", action="store_true", help="as JSON, for scripts")

    mail = commands.add_parser("mail", help="deliver and inspect mail, manage the quarantine")
    mail_commands = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    deliver = command(
        mail_commands, "deliver", _mail_deliver, CHANGE,
        "deliver an RFC 5322 message (.eml) into a user's mailbox",
    )
    deliver.add_argument("user", metavar="USER", help="the user's name")
    deliver.add_argument("file", metavar="FILE.eml", help="the message; - reads standard input")
    deliver.add_argument(
        "--from",
        dest="sender",
        metavar="ADDR",
        help="envelope sender (Return-Path); default: none, as for a bounce",
    )
    mail_list = command(mail_commands, "list", _mail_list, READ, "list a user's messages")
    mail_list.add_argument("--user", required=True, metavar="NAME")
    quarantine = mail_commands.add_parser(
        "quarantine", help="messages the server could not deliver, kept for the administrator"
    )
    quarantine_commands = quarantine.add_subparsers(
        dest="quarantine_command", metavar="ACTION", required=True
    )
    command(quarantine_commands, "list", _quarantine_list, READ, "list quarantined messages")
    q_show = command(
        quarantine_commands, "show", _quarantine_show, READ, "write a quarantined message out"
    )
    q_show.add_argument("id", type=int, metavar="ID")
    q_show.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    q_delete = command(
        quarantine_commands, "delete", _quarantine_delete, CHANGE, "remove a quarantined message"
    )
    q_delete.add_argument("id", type=int, metavar="ID")

    mail_queue = command(
        mail_commands, "queue", _mail_queue, READ,
        "outbound mail (out-of-office replies) waiting for the relay",
    )
    mail_queue.add_argument("--all", action="store_true", help="also sent and given-up mail")
    hand_offs = command(
        mail_commands, "handoffs", _hand_off_list, READ,
        "hand-offs of attachments to other applications, as devices reported",
    )
    hand_offs.add_argument("--user", metavar="NAME", help="only this user's")

    policy = commands.add_parser("policy", help="the attachment policy (security settings)")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    command(policy_commands, "show", _policy_show, READ, "show the policy")
    policy_set = command(
        policy_commands, "set", _policy_set, WRITE, "change switches of the policy"
    )
    for key, meaning in _POLICY_SWITCHES.items():
        policy_set.add_argument(
            f"--{key.replace('_', '-')}", dest=key, type=_on_off, metavar="on|off", help=meaning
        )

    app = commands.add_parser("app", help="approved applications for attachments")
    app_commands = app.add_subparsers(dest="app_command", metavar="ACTION", required=True)
    app_add = command(
        app_commands, "add", _app_add, WRITE, "approve an application (or update one)"
    )
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
    command(app_commands, "list", _app_list, READ, "list approved applications")
    app_remove = command(app_commands, "remove", _app_remove, CHANGE, "withdraw an approval")
    app_remove.add_argument("id", metavar="APP_ID")
    app_remove.add_argument("--os", metavar="OS", help="only on this OS (default: all)")
    app_import = command(
        app_commands, "import", _app_import, WRITE,
        "approve applications from a CSV file (columns name, app_id, os, version)",
    )
    app_import.add_argument("file", metavar="FILE.csv")

    tef_parser = commands.add_parser("tef", help="encrypted files (.TEF)")
    tef_commands = tef_parser.add_subparsers(dest="tef_command", metavar="ACTION", required=True)
    encrypt = command(
        tef_commands, "encrypt", _tef_encrypt, CHANGE,
        "encrypt a file for a user's active devices (written beside it, not in the data folder)",
    )
    encrypt.add_argument("file", metavar="FILE")
    encrypt.add_argument("--user", required=True, metavar="NAME")
    encrypt.add_argument("-o", "--output", metavar="OUT.tef", help="default: FILE.tef")
    encrypt.add_argument("--view-only", action="store_true", help="built-in viewer only")

    config = commands.add_parser("config", help="show settings")
    configs = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = command(
        configs, "show", _config_show, READ, "effective NTS_* settings and their source"
    )
    listen_flags(show)
    command(configs, "docs", _config_docs, NONE, "print the settings reference (Markdown)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``traveler-server``; returns the exit status."""
    args = build_parser().parse_args(argv)
    # Everything the server writes in its data folder is private to its user (database, WAL,
    # log), whatever umask the shell or service manager left.
    umask = os.umask(0o077)
    try:
        data_dir = None
        folder = args.data or default_data_dir()
        needs = args.needs_data
        if needs == WRITE:
            data_dir = prepare_data_dir(folder)
        elif needs == READ:
            data_dir = existing_data_dir(folder, "nothing to show")
        elif needs == CHANGE:
            data_dir = existing_data_dir(folder, "nothing to change")
            if not (data_dir / DB_FILENAME).exists():
                raise CommandError(
                    f"the data folder {data_dir} holds no database yet; nothing to change "
                    "(give the right one with --data, or add a user first)"
                )
        return int(args.handler(args, data_dir))
    except (CommandError, ConfigError, StoreError, DataFolderError) as exc:
        _fail(args, str(exc))
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        os.umask(umask)  # main() is also called in-process (tests, other entry points)


def _fail(args: argparse.Namespace, message: str) -> None:
    if args.command == "run" and logging.getLogger().handlers:
        log.error("%s", message)
    else:
        print(f"{PROG}: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
