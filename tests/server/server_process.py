"""`traveler-server run` as a real process, for the tests of the server's command line."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30.0


class ServerProcess:
    """`traveler-server run` in a subprocess, its merged output read line by line."""

    def __init__(self, data: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        env.pop("TRAVELER_DATA", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "--data", str(data), "run", *args],
            cwd=REPO,
            env=env,
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, prefix: str, timeout: float = STARTUP_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {prefix!r} line; output:\n" + self.text()) from None
            if line is None:
                raise AssertionError(f"exited before {prefix!r}; output:\n" + self.text())
            self.output.append(line)
            if line.startswith(prefix):
                return line

    def finish(self, timeout: float = 20.0) -> int:
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
