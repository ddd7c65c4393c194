"""Run SyncEvolution's own SyncML server (syncevo-dbus-server + syncevo-http-server) privately.

A private D-Bus session bus, the D-Bus server and the HTTP front end each run in their own
process group, with XDG directories under `root_dir`, so nothing touches the user's session.
All clients share one `todo` file datastore (the `@default` context), like one user's data; each
client device ID needs a peer config (`add_peer`), else the server refuses it with "no
configuration found for deviceID ...".
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from tests.interop.syncevolution import SYNCEVOLUTION, TaskStore, run_process

DBUS_SERVER = "/usr/libexec/syncevo-dbus-server"
HTTP_SERVER = "/usr/bin/syncevo-http-server"
# Its shebang is a literal @PYTHON@ in Debian's package, so it must be run by an interpreter
# that has python3-twisted and python3-dbus: the system one, not our venv.
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_NAME = "org.syncevolution"


class SyncEvolutionServerError(RuntimeError):
    """The SyncEvolution server did not start, or configuring it failed."""


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, alive: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise SyncEvolutionServerError(f"process exited with {alive.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise SyncEvolutionServerError(f"nothing listens on port {port} after {timeout:.0f} s")


class SyncEvolutionServer:
    """SyncEvolution's SyncML server on http://127.0.0.1:PORT/syncevolution."""

    name = "syncevolution"
    datastore_uri = "todo"

    def __init__(
        self,
        root_dir: Path,
        *,
        port: int = 0,
        start_timeout: float = 30.0,
        peer_props: dict[str, str] | None = None,
    ) -> None:
        self.root_dir = root_dir
        self.port = port
        self.start_timeout = start_timeout
        # Extra sync properties for every peer config, e.g. {"maxMsgSize": "10240"} to cap what
        # this server sends (and announces as the limit for what the client sends).
        self.peer_props = dict(peer_props or {})
        self.store = TaskStore(root_dir / "store")
        self.log_dir = root_dir / "logs"
        self._procs: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []
        self._bus_dir: Path | None = None
        self._peers: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/syncevolution"

    # environment ------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("XDG_", "DBUS_", "LD_PRELOAD", "PYTHON", "VIRTUAL_ENV"))
        }
        env.update(
            HOME=str(self.root_dir),
            XDG_CONFIG_HOME=str(self.root_dir / "config"),
            XDG_DATA_HOME=str(self.root_dir / "data"),
            XDG_CACHE_HOME=str(self.root_dir / "cache"),
            LC_ALL="C.UTF-8",
        )
        if self._bus_dir is not None:
            env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={self._bus_dir / 'bus'}"
        return env

    # peers ------------------------------------------------------------------------------------

    def add_peer(self, device_id: str, user: str, password: str) -> None:
        """Let a client with this device ID sync as user/password (md5 and basic both work)."""
        config = "client-" + re.sub(r"[^a-z0-9]", "-", device_id.lower())
        argv = [
            SYNCEVOLUTION,
            "--daemon=no",
            "--keyring=no",
            "--configure",
            "--template",
            "SyncEvolution_Client",
            "--sync-property",
            "peerIsClient=1",
            "--sync-property",
            f"remoteDeviceId={device_id}",
            "--sync-property",
            f"username={user}",
            "--sync-property",
            f"password={password}",
            *[
                arg
                for key, value in self.peer_props.items()
                for arg in ("--sync-property", f"{key}={value}")
            ],
            "--source-property",
            "backend=file",
            "--source-property",
            f"database=file://{self.store.directory}",
            "--source-property",
            "databaseFormat=text/calendar",
            "--source-property",
            "sync=two-way",
            config,
            "todo",
        ]
        rc, out, err, _ = run_process(argv, env=self.env(), timeout=120)
        if rc != 0:
            raise SyncEvolutionServerError(f"configuring peer {device_id} failed:\n{out}\n{err}")
        self._peers[device_id] = config

    def register_device(self, device_id: str, user: str, password: str) -> None:
        """Same as add_peer; the name the acceptance suite's peer protocol uses."""
        self.add_peer(device_id, user, password)

    # lifecycle --------------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("ab")
        self._logs.append(log)
        proc = subprocess.Popen(
            argv,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.root_dir,
        )
        self._procs.append(proc)
        return proc

    def start(self) -> SyncEvolutionServer:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # A short path: unix socket paths are limited to 108 bytes and pytest's are long.
        self._bus_dir = Path(tempfile.mkdtemp(prefix="sebus-"))
        try:
            bus = self._spawn(
                "dbus-daemon",
                [
                    "dbus-daemon",
                    "--session",
                    "--nofork",
                    "--nopidfile",
                    f"--address=unix:path={self._bus_dir / 'bus'}",
                ],
            )
            self._wait(lambda: (self._bus_dir / "bus").exists(), bus, "the D-Bus socket")
            dbus_server = self._spawn("syncevo-dbus-server", [DBUS_SERVER])
            self._wait(self._bus_name_owned, dbus_server, f"{BUS_NAME} on the bus")
            if not self.port:
                self.port = free_port()
            http = self._spawn("syncevo-http-server", [SYSTEM_PYTHON, HTTP_SERVER, self.url])
            wait_for_port(self.port, self.start_timeout, http)
        except Exception as exc:
            tail = self.log_tail()
            self.stop()
            raise SyncEvolutionServerError(f"{exc}\n{tail}") from exc
        return self

    def _bus_name_owned(self) -> bool:
        result = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                f"string:{BUS_NAME}",
            ],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return "boolean true" in result.stdout

    def _wait(self, ready: object, proc: subprocess.Popen[bytes], what: str) -> None:
        assert callable(ready)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SyncEvolutionServerError(f"{proc.args!r} exited with {proc.returncode}")
            if ready():
                return
            time.sleep(0.05)
        raise SyncEvolutionServerError(f"timed out waiting for {what}")

    def stop(self) -> None:
        """Stop all three processes (reverse order), killing their process groups."""
        for proc in reversed(self._procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                except ProcessLookupError:
                    proc.wait()
            else:
                # Helpers it spawned (syncevo-dbus-helper) may outlive a dead leader.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        self._procs.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self._bus_dir is not None:
            for child in self._bus_dir.iterdir():
                child.unlink()
            self._bus_dir.rmdir()
            self._bus_dir = None

    def log_tail(self, lines: int = 30) -> str:
        parts = []
        for log in sorted(self.log_dir.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name} ---\n" + "\n".join(text))
        return "\n".join(parts)

    def __enter__(self) -> SyncEvolutionServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
