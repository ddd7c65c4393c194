"""python -m tests.bench.client_down: a slow sync DOWN of N todos by our SyncML client
against the SyncEvolution client, from the same traveler-server, in the same run.

The server is filled once (by our client, not timed); then each client, empty, runs a slow
sync that brings all N todos down into a directory of one .ics file per todo (SyncEvolution's
file backend; ours: :class:`FileClientBackend` below). Each client runs as its own process;
measured are the wall time and the CPU time (user + system) of that process. The server's
work is the same for both. Nothing passes or fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from syncml.client import (
    Anchors,
    ChangeKind,
    ClientBackend,
    ClientConfig,
    LocalChange,
    MemoryClientBackend,
)
from tests.bench.peers import ACCOUNT
from tests.interop.syncevolution import SyncEvolutionClient, ensure_curl_preload, missing_tools
from tests.interop.traveler_server import REPO_ROOT, TravelerServer
from todo.sync_transport import sync

DEFAULT_SIZE = 10_000


class FileClientBackend:
    """A ClientBackend on a directory of .ics files (one per todo, named by LUID), like
    SyncEvolution's file backend; sync state in memory (the benchmark runs one sync)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.guids: dict[str, str] = {}
        self.saved: Anchors | None = None
        self.next_luid = 1

    def anchors(self) -> Anchors | None:
        return self.saved

    def save_anchors(self, anchors: Anchors | None) -> None:
        self.saved = anchors

    def unconfirmed_anchors(self) -> Anchors | None:
        return None  # one sync per run: never a cut one to continue

    def save_unconfirmed_anchors(self, anchors: Anchors | None) -> None:
        return None

    def nonce(self) -> bytes | None:
        return None

    def save_nonce(self, nonce: bytes | None) -> None:
        return None

    def local_changes(self) -> list[LocalChange]:
        return []

    def local_items(self) -> list[LocalChange]:
        return [LocalChange(ChangeKind.REPLACE, path.stem, path.read_text())
                for path in self.directory.glob("*.ics")]

    def confirm(self, luid: str, version: int) -> None:
        return None

    def luid_for(self, guid: str) -> str | None:
        return self.guids.get(guid)

    def add(self, guid: str, data: str, content_type: str) -> str:
        luid = str(self.next_luid)
        self.next_luid += 1
        (self.directory / f"{luid}.ics").write_text(data, newline="")
        self.guids[guid] = luid
        return luid

    def replace(self, luid: str, data: str, content_type: str) -> bool:
        path = self.directory / f"{luid}.ics"
        if not path.exists():
            return False
        path.write_text(data, newline="")
        return True

    def delete(self, luid: str) -> bool:
        path = self.directory / f"{luid}.ics"
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    def clear(self) -> None:
        for path in self.directory.glob("*.ics"):
            path.unlink()
        self.guids.clear()


@dataclass
class Run:
    client: str
    seconds: float
    cpu: float
    items: int


def _todo(i: int) -> str:
    # What the server bench fills: a summary, a description, a due date, a priority.
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Traveler Desktop//bench//EN\r\n"
        f"BEGIN:VTODO\r\nUID:bench-{i:06d}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"SUMMARY:Benchmark task {i}\r\nDESCRIPTION:Details of task {i}: remember to follow "
        f"up.\r\nDUE:2030{1 + i % 12:02d}{1 + i % 28:02d}T090000Z\r\nPRIORITY:{1 + i % 9}\r\n"
        "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )


def _config(url: str, device_id: str) -> ClientConfig:
    return ClientConfig(url=url, username=ACCOUNT.user, password=ACCOUNT.password,
                        device_id=device_id)


def fill(url: str, n: int) -> None:
    """Put N todos on the server (our client, one slow sync up)."""
    device = MemoryClientBackend()
    for i in range(n):
        device.create(_todo(i))
    done = asyncio.run(sync(_config(url, "bench-filler"), device, timeout=600))
    if done.sent.total != n:
        raise RuntimeError(f"filling the server sent {done.sent.total} of {n} todos")


def client_main(url: str, directory: str, device_id: str, kind: str) -> int:
    """The timed child process: one slow sync down into files or into the ToDo app's store;
    prints what it received as JSON."""
    backend: ClientBackend
    per_message = None
    if kind == "store":
        from todo.store import TodoStore
        from todo.sync import StoreBackend

        store = TodoStore.open(Path(directory) / "todo.db")
        backend = StoreBackend(store)
        # One store transaction per message, not per todo (what sync_transport offers).
        per_message = store.transaction
    else:
        backend = FileClientBackend(Path(directory))
    done = asyncio.run(sync(_config(url, device_id), backend, timeout=600,
                            per_message=per_message))
    print(json.dumps({"received": done.received.total, "failed": done.failed}))
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ours(url: str, root: Path, n: int, kind: str) -> Run:
    directory = root / f"ours-{kind}"
    directory.mkdir(parents=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    argv = [sys.executable, "-m", "tests.bench.client_down", "--client", url, str(directory),
            f"bench-ours-{kind}", kind]
    cpu, started = _children_cpu(), time.monotonic()
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO_ROOT,
                            check=False, timeout=1800)
    seconds, cpu = time.monotonic() - started, _children_cpu() - cpu
    if result.returncode != 0:
        raise RuntimeError(f"our client failed: {result.stderr[-2000:]}")
    got = json.loads(result.stdout.strip().splitlines()[-1])
    if got["received"] != n or (kind == "files" and len(list(directory.glob("*.ics"))) != n):
        raise RuntimeError(f"our client received {got} of {n}")
    return Run(f"ours ({kind})", seconds, cpu, n)


def run_syncevolution(url: str, root: Path, n: int) -> Run:
    client = SyncEvolutionClient(root / "syncevolution", "bench-syncevolution", url,
                                 ACCOUNT.user, ACCOUNT.password, uri="tasks", lean=True,
                                 timeout=1800, retry_interval=0)
    client.configure()
    cpu = _children_cpu()
    result = client.sync("slow", expect_ok=False)
    cpu = _children_cpu() - cpu
    if not result.ok or client.count() != n:
        raise RuntimeError(f"SyncEvolution's slow sync failed: {result.describe()[-2000:]}")
    return Run("SyncEvolution", result.seconds, cpu, n)


def measure(size: int, workdir: Path) -> list[Run]:
    """Fill a fresh traveler-server with ``size`` todos, then time the clients' slow sync
    down from it: SyncEvolution's (into files), ours into files, ours into the todo store."""
    server = TravelerServer(workdir / "server")
    server.add_user(ACCOUNT.user, ACCOUNT.password, ACCOUNT.email)
    with server:
        print(f"client bench: filling traveler-server with {size} todos ...", flush=True)
        fill(server.url, size)
        return [run_syncevolution(server.url, workdir, size),
                run_ours(server.url, workdir, size, "files"),
                run_ours(server.url, workdir, size, "store")]


def print_runs(runs: list[Run]) -> None:
    """The table, with each of ours against SyncEvolution's (target <= 0.5x, aim 0.25x)."""
    theirs = runs[0]
    print(f"\nslow sync down of {theirs.items} todos from traveler-server, by each client "
          "(same run)")
    print(f"{'client':16} {'wall s':>8} {'cpu s':>8} {'wall/theirs':>12} {'cpu/theirs':>11}")
    for run in runs:
        print(f"{run.client:16} {run.seconds:8.2f} {run.cpu:8.2f} "
              f"{run.seconds / theirs.seconds:11.2f}x {run.cpu / theirs.cpu:10.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.client_down",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE,
                        help=f"todos on the server (default {DEFAULT_SIZE})")
    parser.add_argument("--client", nargs=4, metavar=("URL", "DIR", "DEVICE", "KIND"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        return client_main(*args.client)
    missing = missing_tools()
    if missing:
        print(f"cannot benchmark: {', '.join(missing)} not installed", file=sys.stderr)
        return 2
    ensure_curl_preload()
    with tempfile.TemporaryDirectory(prefix="traveler-bench-client-") as tmp:
        print_runs(measure(args.size, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
