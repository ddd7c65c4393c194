"""The proof as a user would run it, all real processes: one ``traveler-server``, two users on
two desktops signed in with ``traveler-companion``. Alice runs ``traveler-todo add … --assign
frank`` and ``sync``; Frank's running ``traveler-todo sync --watch`` is pushed and prints the
delegation; Frank completes the todo (``done``, ``sync``); Alice's next sync shows it done."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.delegation_users import alice_and_frank_served
from tests.interop.traveler_server import REPO_ROOT, TravelerServer
from todo.cli import Exit

PASSWORDS = {"alice": "alice-e2e-pw-1", "frank": "frank-e2e-pw-1"}
HANG_GUARD_S = 90  # only so a broken test fails instead of hanging; never a measurement


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TravelerServer]:
    with alice_and_frank_served(tmp_path / "server", PASSWORDS) as server:
        yield server


class Desktop:
    """One user's installation: its own data folder and keyring file."""

    def __init__(self, root: Path, user: str) -> None:
        self.user = user
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAVELER_", "XDG_"))}
        self.env.update(
            TRAVELER_HOME=str(root / "home"),
            XDG_DATA_HOME=str(root / "data"),
            XDG_CONFIG_HOME=str(root / "config"),
            PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
            PYTHONPATH=str(REPO_ROOT),
            PYTHONUNBUFFERED="1",
        )

    def attempt(self, module: str, *args: str,
                stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", module, *args], input=stdin,
                              capture_output=True, text=True, env=self.env, cwd=REPO_ROOT,
                              timeout=120, check=False)

    def run(self, module: str, *args: str, stdin: str | None = None) -> str:
        result = self.attempt(module, *args, stdin=stdin)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def sign_in(self, url: str) -> None:
        self.run("companion.cli", "account", "add", "--server", url, "--user", self.user,
                 "--password-stdin", stdin=PASSWORDS[self.user] + "\n")

    def todos(self) -> list[dict[str, object]]:
        rows = json.loads(self.run("todo.cli", "list", "--view", "all", "--json"))
        assert isinstance(rows, list)
        return rows

    def completed(self) -> list[dict[str, object]]:
        rows = json.loads(self.run("todo.cli", "list", "--view", "completed", "--json"))
        assert isinstance(rows, list)
        return rows


class Watch:
    """``traveler-todo sync --watch`` running in the background; its lines as they come."""

    def __init__(self, desktop: Desktop) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "todo.cli", "sync", "--watch"], env=desktop.env,
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            bufsize=1)
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self.lines.put((time.monotonic(), line.rstrip("\n")))

    def until(self, text: str) -> float:
        """Wait for a line containing ``text``; when it was printed (monotonic)."""
        deadline = time.monotonic() + HANG_GUARD_S
        while time.monotonic() < deadline:
            try:
                when, line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self._proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if text in line:
                return when
        raise AssertionError(f"no line with {text!r}; got: {self.seen}")

    def stop(self) -> int:
        self._proc.send_signal(signal.SIGINT)
        try:
            return self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            return self._proc.wait()


def test_delegate_push_complete_with_the_command_line(server: TravelerServer,
                                                      tmp_path: Path) -> None:
    alice, frank = Desktop(tmp_path / "alice", "alice"), Desktop(tmp_path / "frank", "frank")
    alice.sign_in(server.url)
    frank.sign_in(server.url)
    watch = Watch(frank)
    try:
        watch.until("push: connected")
        watch.until("synced: ")

        refused = alice.attempt("todo.cli", "add", "Ask Bob", "--assign", "bob@elsewhere.example")
        assert refused.returncode == Exit.NO_SUCH_USER, refused.stderr
        assert "is not a user of this server" in refused.stderr
        alice.run("todo.cli", "add", "Latest defect count", "--assign", "frank")
        assert [t["subject"] for t in alice.todos()] == ["Latest defect count"]
        started = time.monotonic()
        alice.run("todo.cli", "sync")
        returned = time.monotonic()

        printed = watch.until("Alice Example delegated 'Latest defect count' to you")
        print(f"\nFrank's sync --watch printed the delegation {printed - started:.3f} s after "
              f"Alice's `traveler-todo sync` started ({returned - printed:.3f} s before that "
              f"process had exited): {watch.seen[-1]}")
        [todo] = [t for t in frank.todos() if t["subject"] == "Latest defect count"]
        assert todo["assignees"]

        frank.run("todo.cli", "done", str(todo["id"]))
        frank.run("todo.cli", "sync")
        alice.run("todo.cli", "sync")

        assert [t["subject"] for t in alice.completed()] == ["Latest defect count"]
    finally:
        code = watch.stop()
    assert code == 0, watch.seen
