"""`traveler-server` as an operator runs it: a subprocess, its merged output read line by line."""

from __future__ import annotations

import http.client
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from syncml.server import Reply

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30.0
# "02.12.2026 14:56:43 Traveler: ..." — the seed's console line.
LINE = re.compile(r"^\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d Traveler: ")


def server_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **extra}
    env.pop("TRAVELER_DATA", None)
    return env


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> (
    subprocess.CompletedProcess[str]
):
    """One `traveler-server ARGS` command, as typed in a shell."""
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=REPO,
        env=env or server_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def message_of(line: str) -> str:
    """The line without its timestamp: "Traveler: Server starting..."."""
    return LINE.sub("Traveler: ", line, count=1)


class ServerProcess:
    """`traveler-server [--data DIR] run ARGS` in a subprocess."""

    def __init__(self, data: Path | None, *args: str, env: dict[str, str] | None = None) -> None:
        data_args = ["--data", str(data)] if data is not None else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", *data_args, "run", *args],
            cwd=REPO,
            env=env or server_env(),
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()

    @classmethod
    def attach(cls, proc: subprocess.Popen[str]) -> ServerProcess:
        """Follow a server started another way (e.g. `./run demo`); stdout must be a pipe."""
        self = cls.__new__(cls)
        self.proc = proc
        self.lines = queue.Queue()
        self.output = []
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, text: str, timeout: float = STARTUP_TIMEOUT) -> str:
        """The next output line containing ``text``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {text!r} line; output:\n" + self.text()) from None
            if line is None:
                raise AssertionError(f"exited before {text!r}; output:\n" + self.text())
            self.output.append(line)
            if text in line:
                return line

    def started(self, timeout: float = STARTUP_TIMEOUT) -> str:
        """Wait for "Server started on URL"; returns the URL."""
        line = self.wait_for("Traveler: Server started on ", timeout)
        self.url = line.split("Server started on ", 1)[1].split()[0]
        return self.url

    @property
    def base(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def finish(self, timeout: float = 30.0) -> int:
        code = self.proc.wait(timeout)
        while (line := self.lines.get(timeout=5)) is not None:
            self.output.append(line)
        return code

    def text(self) -> str:
        return "\n".join(self.output)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class OverHttp:
    """The server of a :class:`~tests.syncml.device.Device` (our real client) or of
    :class:`~tests.syncml.raw.RawMessages`: every message is an HTTP POST to the running
    server, at the path (and RespURI query) of the URL the client posts to. ``source``
    picks the client address (any of 127.0.0.0/8 on Linux); ``headers`` go with every
    message (e.g. the X-Forwarded-For of a reverse proxy)."""

    def __init__(self, base: str, source: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.base = base
        self.source = source
        self.headers = headers or {}
        self.statuses: list[int] = []
        self.last_headers: dict[str, str] = {}

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes, str]:
        parts = urlsplit(self.base)
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=60,
            source_address=(self.source, 0) if self.source else None,
        )
        try:
            connection.request("POST", path, body=body,
                               headers={**self.headers, "Content-Type": content_type})
            response = connection.getresponse()
            self.last_headers = {k.lower(): v for k, v in response.getheaders()}
            self.statuses.append(response.status)
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            connection.close()

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        status, answer, answer_type = self.post(path, body, content_type)
        if status != 200:
            raise HttpRefused(status, answer)
        return Reply(answer, answer_type)


class HttpRefused(Exception):
    """The server answered a SyncML POST with an HTTP error instead of SyncML."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body
