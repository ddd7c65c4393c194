"""Shared parts of the mail tests: messages to send and an SMTP listener on a real socket."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from argon2 import PasswordHasher

from server.config import Settings, load_settings
from server.mail.delivery import MailDelivery
from server.mail.smtp import start_smtp_listener
from server.store import Database, UserStore

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_users(database: Database) -> UserStore:
    users = UserStore(database, store_md5_secret=False, hasher=FAST)
    users.add("alice", "alice@example.test", "alice-pw")
    users.add("bob", "Bob@Example.test", "bob-pw")
    return users


def message_with_pdf(
    *,
    sender: str = "carol@outside.test",
    to: str = "alice@example.test",
    subject: str = "The report",
    pdf: bytes = PDF,
    filename: str = "report.pdf",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Wed, 02 Dec 2026 10:00:00 +0100"
    message["Message-ID"] = "<report-1@outside.test>"
    message.set_content("The report is attached.\n")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message


# A multipart message whose closing boundary never comes: the parser would guess where the
# attachment ends, so the server must not store it as if it were whole.
TRUNCATED = (
    b"From: carol@outside.test\r\n"
    b"To: alice@example.test\r\n"
    b"Subject: cut off\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="XYZ"\r\n'
    b"\r\n"
    b"--XYZ\r\n"
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"hello\r\n"
    b"--XYZ\r\n"
    b"Content-Type: application/pdf\r\n"
    b'Content-Disposition: attachment; filename="a.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"JVBERi0xLjQK\r\n"
)


@dataclass
class Listener:
    port: int
    database: Database
    settings: Settings
    delivery: MailDelivery


def write_ini(data: Path, **keys: object) -> None:
    lines = [f"{key}={value}" for key, value in keys.items()]
    (data / "notes.ini").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_listener(data: Path, database: Database) -> Iterator[Listener]:
    """The server's SMTP listener on 127.0.0.1 port 0, on an event loop in its own thread."""
    settings = load_settings(data)
    delivery = MailDelivery(settings, database)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(
        start_smtp_listener(delivery, sock, max_recipients=settings.smtp_max_recipients), loop
    ).result(timeout=30)
    try:
        yield Listener(sock.getsockname()[1], database, settings, delivery)
    finally:

        async def close() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
        sock.close()


class CatchingRelay:
    """A local SMTP relay (aiosmtpd) that keeps what it receives; start and stop at will."""

    def __init__(self, port: int | None = None) -> None:
        if port is None:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = int(probe.getsockname()[1])
        self.port = port
        self.received: list[tuple[str, list[str], bytes]] = []
        self._arrived = threading.Condition()
        self._controller: Controller | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        with self._arrived:
            content = envelope.content
            assert isinstance(content, bytes)
            self.received.append((envelope.mail_from or "", list(envelope.rcpt_tos), content))
            self._arrived.notify_all()
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 60.0) -> list[tuple[str, list[str], bytes]]:
        """Block until ``count`` messages arrived (an event, not a sleep); then all of them."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"the relay got {len(self.received)} of {count} messages")
            return list(self.received)
