"""Run our `traveler-server` as a subprocess, and put a fault-injecting HTTP proxy in front of it.

The server is a black box here, driven only through its documented command line:
`traveler-server --data DIR user add ...` and `traveler-server --data DIR run --host --port`.
Settings go in DIR/notes.ini as `NTS_KEY=value` lines.

`SyncProxy` forwards SyncML POSTs one by one and lets a test act between them: kill -9 and
restart the server before message k is forwarded (the session must continue, because the
server keeps session state in its store), or drop the client's connection at message k.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"Server started on (http://[^\s/]+:(\d+)/traveler)")


class TravelerServerError(RuntimeError):
    """traveler-server could not be found, did not start, or a CLI command failed."""


def server_command() -> list[str]:
    """How to invoke traveler-server from this interpreter.

    `python -m server.cli` only works when the module has a __main__ guard; otherwise use the
    console script installed next to the interpreter.
    """
    cli = REPO_ROOT / "server" / "cli.py"
    if cli.exists() and re.search(r"^if __name__ == .__main__.:", cli.read_text(), re.M):
        return [sys.executable, "-m", "server.cli"]
    script = Path(sys.executable).with_name("traveler-server")
    if script.exists():
        return [str(script)]
    raise TravelerServerError(
        f"traveler-server is not available: no __main__ guard in {cli} and no {script} "
        "(run `.venv/bin/pip install -e .`)"
    )


@dataclass(frozen=True)
class Account:
    user: str
    password: str
    email: str


class TravelerServer:
    """One traveler-server process on a data directory; restartable on the same port."""

    name = "traveler"
    datastore_uri = "tasks"

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: Mapping[str, str] | None = None,
        start_timeout: float = 30.0,
        run_args: Sequence[str] = (),
    ) -> None:
        self.data_dir = data_dir
        self.host = host
        self.port = port
        self.start_timeout = start_timeout
        self.run_args = tuple(run_args)  # more options of ``run`` (``--demo``)
        self.log_path = data_dir.with_name(data_dir.name + ".log")
        self.accounts: dict[str, Account] = {}
        self._proc: subprocess.Popen[str] | None = None
        self._output: deque[str] = deque(maxlen=400)
        self._reader: threading.Thread | None = None
        data_dir.mkdir(parents=True, exist_ok=True)
        if settings:
            self.write_settings(settings)

    # configuration ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/traveler"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "TRAVELER_DATA"}
        env["PYTHONUNBUFFERED"] = "1"  # the "Server started" line must reach us at once
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        return env

    def write_settings(self, settings: Mapping[str, str]) -> None:
        """Set NTS_* keys in notes.ini, keeping any other lines as they are."""
        ini = self.data_dir / "notes.ini"
        lines = ini.read_text().splitlines() if ini.exists() else []
        pending = dict(settings)
        out: list[str] = []
        for line in lines:
            key = line.split("=", 1)[0].strip()
            out.append(f"{key}={pending.pop(key)}" if key in pending else line)
        out += [f"{key}={value}" for key, value in pending.items()]
        ini.write_text("\n".join(out) + "\n")

    def cli(self, *args: str, stdin: str | None = None, timeout: float = 60.0) -> str:
        """Run a traveler-server subcommand on this data dir; raise with its output on failure."""
        argv = [*server_command(), "--data", str(self.data_dir), *args]
        result = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=REPO_ROOT,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise TravelerServerError(
                f"{' '.join(argv)} -> {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def add_user(self, user: str, password: str, email: str | None = None) -> Account:
        account = Account(user, password, email or f"{user}@example.com")
        self.cli(
            "user", "add", user, "--email", account.email, "--password-stdin", stdin=password + "\n"
        )
        self.accounts[user] = account
        return account

    def register_device(self, device_id: str, user: str, password: str) -> None:
        """Our server needs no per-device setup; the suite's peer protocol asks for it."""

    # lifecycle --------------------------------------------------------------------------------

    def start(self) -> TravelerServer:
        """Start and wait for the 'Server started on' line; the port is parsed from it."""
        if self.running:
            raise TravelerServerError("already running")
        argv = [
            *server_command(),
            "--data",
            str(self.data_dir),
            "run",
            "--host",
            self.host,
            "--port",
            str(self.port),
            *self.run_args,
        ]
        log = self.log_path.open("a")
        log.write(f"\n=== {' '.join(argv)}\n")
        log.flush()
        started = threading.Event()
        proc = subprocess.Popen(
            argv,
            env=self.env(),
            cwd=REPO_ROOT,
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            bufsize=1,
        )
        self._proc = proc
        assert proc.stdout is not None
        self._reader = threading.Thread(
            target=self._read_output, args=(proc.stdout, log, started), daemon=True
        )
        self._reader.start()
        deadline = time.monotonic() + self.start_timeout
        while not started.wait(0.05):
            if proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise TravelerServerError(
                    f"traveler-server did not report 'Server started on' "
                    f"(exit {proc.returncode}):\n{self.output_tail()}"
                )
        return self

    def _read_output(self, stream: IO[str], log: IO[str], started: threading.Event) -> None:
        with log:
            for line in stream:
                log.write(line)
                log.flush()
                self._output.append(line.rstrip("\n"))
                match = STARTED.search(line)
                if match and not started.is_set():
                    self.port = int(match.group(2))
                    started.set()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM and wait; SIGKILL the process group if it does not exit in time."""
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._output.append("[harness] no exit after SIGTERM, killing")
        self._reap()
        return proc.returncode

    def kill(self) -> None:
        """SIGKILL the server's whole process group, as a crash would."""
        self._reap()

    def _reap(self) -> None:
        proc = self._proc
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if self._reader is not None:
            self._reader.join(5)
        self._proc = None

    def forget_nonces(self) -> None:
        """Drop the md5 nonces the server issued (only while it is stopped): every device's
        next md5 login then gets 401 with a new nonce and is retried, as for a device that
        missed the server's last NextNonce."""
        if self.running:
            raise TravelerServerError("forget_nonces needs the server stopped")
        with contextlib.closing(sqlite3.connect(self.data_dir / "traveler.db")) as db, db:
            db.execute("DELETE FROM nonces")

    def restart(self, *, hard: bool = False) -> TravelerServer:
        """Stop (SIGTERM, or SIGKILL with hard=True) and start again on the same data and port."""
        if hard:
            self.kill()
        else:
            self.stop()
        return self.start()

    def health(self) -> dict[str, object]:
        with urllib.request.urlopen(f"http://{self.host}:{self.port}/health", timeout=10) as r:
            status = r.status
            body = json.loads(r.read() or b"{}")
        if status != 200:
            raise TravelerServerError(f"/health answered {status}")
        return body if isinstance(body, dict) else {"body": body}

    def output_tail(self, lines: int = 60) -> str:
        return "\n".join(list(self._output)[-lines:])

    def __enter__(self) -> TravelerServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- fault-injecting proxy --------------------------------------------------------------------

DropWhen = Literal["before", "after"]
# Status recorded in SyncProxy.log for a dropped message: never forwarded / answer withheld.
DROPPED_UNSENT = 0
DROPPED_ANSWER = -1


@dataclass(frozen=True)
class Exchange:
    """One message through the proxy."""

    k: int
    path: str
    request_bytes: int
    status: int  # HTTP status, or DROPPED_UNSENT / DROPPED_ANSWER
    response_bytes: int = 0

    @property
    def dropped(self) -> bool:
        return self.status <= 0


class SyncProxy:
    """HTTP/1.1 forwarding proxy for SyncML POSTs, numbering messages from 1.

    `before_forward(k)` runs before message k goes upstream (e.g. kill and restart the server).
    `drop_at=k` closes the client's connection at message k without an answer: with
    drop_when="before" the server never sees it, with "after" it processed it but its answer is
    lost. Upstream URLs in answers (a RespURI) are rewritten to the proxy; the proxy picks a port
    with as many digits as the upstream's, so the rewrite keeps every length and WBXML stays
    valid.
    """

    def __init__(
        self,
        upstream_url: str,
        *,
        before_forward: Callable[[int], None] | None = None,
        drop_at: int | None = None,
        drop_when: DropWhen = "after",
    ) -> None:
        parts = urlsplit(upstream_url)
        assert parts.hostname and parts.port, upstream_url
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port
        self.path = parts.path
        self.before_forward = before_forward
        self.drop_at = drop_at
        self.drop_when: DropWhen = drop_when
        self.messages = 0
        self.log: list[Exchange] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._server = self._bind()
        self._thread: threading.Thread | None = None

    def _bind(self) -> http.server.ThreadingHTTPServer:
        handler = _make_handler(self)
        want = len(str(self.upstream_port))
        for _ in range(200):
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            if len(str(server.server_address[1])) == want:
                return server
            server.server_close()
        raise RuntimeError(f"no free proxy port with {want} digits")

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> SyncProxy:
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SyncProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def rewrite(self, body: bytes) -> bytes:
        upstream = f"{self.upstream_host}:{self.upstream_port}".encode()
        ours = f"127.0.0.1:{self.port}".encode()
        if len(upstream) != len(ours):
            # Different host spellings (localhost vs 127.0.0.1) would change lengths inside
            # WBXML; the harness always uses 127.0.0.1, so this only guards mistakes.
            self.errors.append(f"cannot rewrite {upstream!r} to {ours!r} at equal length")
            return body
        return body.replace(upstream, ours)


def _make_handler(proxy: SyncProxy) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # the proxy keeps its own log; stderr noise would hide test output

        def do_GET(self) -> None:
            self._forward(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            self._forward(self.rfile.read(length))

        def _forward(self, body: bytes) -> None:
            with proxy._lock:
                proxy.messages += 1
                k = proxy.messages
            drop = proxy.drop_at == k
            try:
                if proxy.before_forward is not None:
                    proxy.before_forward(k)
                if drop and proxy.drop_when == "before":
                    self._drop(k, body, DROPPED_UNSENT)
                    return
                status, headers, answer = self._upstream(body)
            except Exception as exc:
                proxy.errors.append(f"message {k}: {exc!r}")
                self._drop(k, body, DROPPED_UNSENT)
                return
            if drop:
                self._drop(k, body, DROPPED_ANSWER)
                return
            proxy.log.append(Exchange(k, self.path, len(body), status, len(answer)))
            answer = proxy.rewrite(answer)
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in (
                    "content-length",
                    "transfer-encoding",
                    "connection",
                    "server",
                    "date",
                ):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def _upstream(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
            conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=300)
            try:
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                # Keep the client's Host (the proxy), as a reverse proxy does, so a server that
                # builds its RespURI from Host points the client back at the proxy.
                headers["Host"] = self.headers.get("Host", f"127.0.0.1:{proxy.port}")
                conn.request(self.command, self.path, body=body if body else None, headers=headers)
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read()
            finally:
                conn.close()

        def _drop(self, k: int, body: bytes, how: int) -> None:
            proxy.log.append(Exchange(k, self.path, len(body), how))
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)

    return Handler
