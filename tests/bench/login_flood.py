"""python -m tests.bench.login_flood: does a password guesser slow down a good sync?

A traveler-server process, user alice. The good client is the engine's SyncML client on an
in-memory datastore (tests/syncml/device.py) over HTTP from 127.0.0.1, basic credentials: one
two-way session that sends 50 new tasks and receives the server's, timed by wall clock. The
guesser posts 20 wrong-password logins (syncml:auth-basic, hand-made, tests/syncml/raw.py) a
second from 127.0.0.2, paced, for as long as the good syncs run.

Rounds alternate "alone" and "under the flood", so a shared machine's load drifts into both
alike; the figure is median(flood) / median(alone), target <= 1.2. Two servers run in the same
run: with the default login throttle (NTS_LOGIN_FAILURES_PER_ADDRESS=20: the guesser is refused
with 429 before any argon2 work once it has failed 20 times) and with the throttle effectively
off (every guess costs an argon2 verification, outside the write transaction). It never fails
on time.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from syncml.codes import AlertCode
from tests.server.server_process import OverHttp, ServerProcess, cli
from tests.syncml.device import Device
from tests.syncml.items import vtodo
from tests.syncml.raw import RawMessages, sync_alert

PASSWORD = "bench-secret-1"
GUESSES_PER_SECOND = 20
TASKS_PER_SYNC = 50


class _Captured(Exception):
    pass


class _Capture:
    """A stand-in server that keeps the message sent to it, for replaying it later."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def receive(self, body: bytes, content_type: str, url: str) -> object:
        self.bodies.append(body)
        raise _Captured


def guess_messages(count: int) -> list[bytes]:
    """Wrong-password first messages, each of its own session (so none is a resend)."""
    capture = _Capture()
    guesser = RawMessages(capture, device_id="guesser", user="alice",  # type: ignore[arg-type]
                          password="wrong-guess")
    for _ in range(count):
        guesser.new_session()
        with contextlib.suppress(_Captured):
            guesser.send([sync_alert(201)], cred=guesser.basic())
    return capture.bodies


SENDERS = 16


def _flood(base: str, rate: float, messages: list[bytes], stop: Any, out: Any) -> None:
    """In its own process (so the good client's work does not hold it back): post the
    messages at ``rate`` from several threads until ``stop`` is set; report (time, status)."""
    interval = 1 / rate
    began = time.monotonic()
    lock = threading.Lock()
    answers: list[tuple[float, int]] = []
    counter = iter(range(10**9))

    def send(offset: int) -> None:
        http = OverHttp(base, "127.0.0.2")
        k = 0
        while True:
            due = began + (offset + k * SENDERS) * interval
            k += 1
            if stop.wait(max(0.0, due - time.monotonic())):
                return
            with lock:
                body = messages[next(counter) % len(messages)]
            try:
                status, _, _ = http.post("/traveler", body, "application/vnd.syncml+xml")
            except OSError:
                status = 0
            with lock:
                answers.append((time.monotonic(), status))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(answers)


class Guesser:
    """Posts wrong-password logins at a fixed rate from another loopback address."""

    def __init__(self, base: str, rate: float, messages: list[bytes]) -> None:
        self._base = base
        self._rate = rate
        self._messages = messages
        self._context = multiprocessing.get_context("fork")
        self.answers: Counter[int] = Counter()
        self.times: list[float] = []

    def start(self) -> None:
        self._stop = self._context.Event()
        self._out = self._context.Queue()
        self._process = self._context.Process(
            target=_flood, args=(self._base, self._rate, self._messages, self._stop, self._out)
        )
        self._process.start()

    def stop(self) -> None:
        self._stop.set()
        answers = self._out.get()
        self._process.join()
        self.times = [when for when, _ in answers]
        self.answers.update(status for _, status in answers)


def _good_sync(peer: Device, round_no: int) -> float:
    for i in range(TASKS_PER_SYNC):
        peer.create(vtodo(f"bench-{round_no}-{i}", f"Task {i} of round {round_no}"))
    started = time.perf_counter()
    peer.sync()
    assert peer.done is not None and peer.done.sent.added == TASKS_PER_SYNC
    return time.perf_counter() - started


def measure(
    workdir: Path, label: str, settings: str, rounds: int, messages: list[bytes]
) -> dict[str, object]:
    data = workdir / label
    data.mkdir()
    done = cli("--data", str(data), "user", "add", "alice", "--email", "alice@example.com",
               "--password-stdin", stdin=PASSWORD + "\n")
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    (data / "notes.ini").write_text(settings)
    server = ServerProcess(data, "--port", "0")
    try:
        server.started(timeout=120)
        peer = Device(OverHttp(server.base, "127.0.0.1"), device_id="good-phone",
                      user="alice", password=PASSWORD)
        peer.sync(AlertCode.SLOW_SYNC)  # the device is known, its first slow sync out of the way
        _good_sync(peer, 0)  # warm-up
        guesser = Guesser(server.base, GUESSES_PER_SECOND, messages)
        alone: list[float] = []
        flooded: list[float] = []
        flood_seconds = 0.0
        during = 0  # guesses answered while a good sync ran
        for round_no in range(1, rounds + 1):
            alone.append(_good_sync(peer, 2 * round_no))
            guesser.start()
            time.sleep(0.5)  # the flood is in full swing before the sync starts
            began = time.monotonic()
            flooded.append(_good_sync(peer, 2 * round_no + 1))
            ended = time.monotonic()
            guesser.stop()
            flood_seconds += ended - began
            during += sum(1 for t in guesser.times if began <= t <= ended)  # this round's
    finally:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.finish(timeout=60)
        except (subprocess.TimeoutExpired, Exception):
            server.kill()
    ratio = statistics.median(flooded) / statistics.median(alone)
    return {
        "label": label,
        "alone_ms": round(1000 * statistics.median(alone)),
        "flood_ms": round(1000 * statistics.median(flooded)),
        "ratio": round(ratio, 2),
        "answers": dict(sorted(guesser.answers.items())),
        "guesses_per_s": round(during / max(flood_seconds, 1e-9), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.login_flood",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="rounds per server (default 7)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="traveler-bench-flood-"))
    messages = guess_messages(5000)
    results = [
        measure(workdir, "throttle-default", "", args.rounds, messages),
        measure(workdir, "throttle-off",
                "NTS_LOGIN_FAILURES_PER_ADDRESS=1000000\nNTS_LOGIN_FAILURES_PER_USER=1000000\n",
                args.rounds, messages),
    ]
    print(f"Good two-way sync ({TASKS_PER_SYNC} tasks up) alone vs. under "
          f"{GUESSES_PER_SECOND} wrong-password logins/s, median of {args.rounds} rounds each:")
    print(f"{'server':<18} {'alone':>8} {'flood':>8} {'ratio':>6}  {'answered/s':>10}  "
          "HTTP answers to the guesses")
    for r in results:
        print(f"{r['label']:<18} {r['alone_ms']:>6}ms {r['flood_ms']:>6}ms {r['ratio']:>6}  "
              f"{r['guesses_per_s']:>10}  {r['answers']}")
    print("target: ratio <= 1.2 (the guesser must not slow a good sync by more than 20 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
