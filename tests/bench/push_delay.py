"""python -m tests.bench.push_delay: how long a delegated task takes to reach the assignee.

A real ``traveler-server`` process with two users. Alice's device syncs a task delegated to
Frank; the delay is from the server's commit of that sync (the push event's timestamp in the
server's store; same machine, same clock) until Frank's device has the task in its local store.

Alice's device is the engine's SyncML client on an in-memory datastore
(:class:`tests.syncml.device.Device`, md5 credentials: it only has to send the task); Frank's
are the real ToDo client — a todo store synced by ``todo.sync`` with the engine's SyncML
client, md5 credentials — two of them, measured in the same run against the same server:

* **push**: keeps the push channel open (``todo.push.PushListener``) and syncs on every SAN;
* **poll**: syncs on a fixed schedule (``--poll-interval``, default 2 s), like a client without
  push.

Printed: median / p95 / max per client, and the ratio push/poll, plus the same ratio for a
client polling every 15 minutes (modelled: half the interval on average plus the measured sync
time, as waiting for a 15-minute tick cannot be measured in a benchmark run). It never fails on
time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from syncml.codes import AlertCode
from tests.e2e.http_peer import StoreDevice, device_token, http_device
from tests.interop.traveler_server import TravelerServer
from tests.syncml.device import Device
from tests.syncml.items import vtodo
from todo.push import Backoff, PushListener, SyncRequested

PASSWORDS = {"alice": "alice-bench-pw", "frank": "frank-bench-pw"}
SEED_LIKE_POLL_S = 15 * 60


def device(server: TravelerServer, user: str, device_id: str) -> Device:
    return http_device(server.url, user, PASSWORDS[user], device_id)


def delegated(n: int) -> str:
    return vtodo(f"bench-{n}", f"Latest defect count {n}",
                 "ORGANIZER;CN=Alice Example:mailto:alice@example.org\r\n"
                 "ATTENDEE;CN=Frank Adams:mailto:frank@example.org\r\n")


def has_task(device: StoreDevice, n: int) -> bool:
    return device.has(f"bench-{n}")


def committed_at(db_path: Path, n: int) -> float:
    """When the server committed the delegation of task n (its push event's timestamp)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT created FROM push_events WHERE kind = 'delegated' AND detail LIKE ? "
            "ORDER BY seq LIMIT 1", (f'%"bench-{n}"%',)).fetchone()
    if row is None:
        raise RuntimeError(f"the server recorded no delegation of bench-{n}")
    return float(row[0])


def token_of(server: TravelerServer, user: str, device_id: str) -> str:
    return device_token(server.url, user, PASSWORDS[user], device_id)


async def push_client(server: TravelerServer, device: StoreDevice, token: str,
                      notified: Callable[[float], None], arrived: Callable[[float], None],
                      stop: asyncio.Event) -> None:
    listener = PushListener(server.url, token, backoff=Backoff(initial=0.1, maximum=1))
    events = listener.events()
    async for event in events:
        if stop.is_set():
            break
        if isinstance(event, SyncRequested):
            notified(time.time())
            await device.sync()
            arrived(time.time())
    await events.aclose()


async def poll_client(device: StoreDevice, interval: float,
                      arrived: Callable[[float], None], stop: asyncio.Event) -> None:
    while not stop.is_set():
        await asyncio.sleep(interval)
        await device.sync()
        arrived(time.time())


@dataclass
class Round:
    """The delegation being measured, and whether each Frank device has it yet."""

    n: int
    push_done: asyncio.Event = field(default_factory=asyncio.Event)
    poll_done: asyncio.Event = field(default_factory=asyncio.Event)


async def measure(server: TravelerServer, rounds: int, poll_interval: float,
                  root: Path) -> dict[str, object]:
    db_path = server.data_dir / "traveler.db"
    alice = device(server, "alice", "alice-phone")
    # md5 with the server's nonce, as SyncML clients do (a basic password check costs argon2,
    # tenths of a second, in every session and would dominate the delays); the first session
    # fetches the nonce.
    await asyncio.to_thread(alice.sync, AlertCode.SLOW_SYNC)
    await asyncio.to_thread(alice.sync)
    # Frank's two desktops: the real ToDo client (todo store + SyncML client).
    pusher = StoreDevice(root / "frank-laptop.db", server.url, "frank", PASSWORDS["frank"],
                         "frank-laptop")
    poller = StoreDevice(root / "frank-desktop.db", server.url, "frank", PASSWORDS["frank"],
                         "frank-desktop")
    for desktop in (pusher, poller):
        await desktop.sync(AlertCode.SLOW_SYNC)
        await desktop.sync()
    token = await asyncio.to_thread(token_of, server, "frank", "frank-laptop")

    push_delays: list[float] = []
    arrivals: list[float] = []
    poll_delays: list[float] = []
    sync_times: list[float] = []
    current = Round(0)

    def pushed(now: float) -> None:
        n = current.n
        if n and has_task(pusher, n) and not current.push_done.is_set():
            push_delays.append(now - committed_at(db_path, n))
            current.push_done.set()

    def notified(now: float) -> None:
        if current.n and len(arrivals) < current.n:
            arrivals.append(now - committed_at(db_path, current.n))

    def polled(now: float) -> None:
        n = current.n
        if n and has_task(poller, n) and not current.poll_done.is_set():
            poll_delays.append(now - committed_at(db_path, n))
            current.poll_done.set()

    stop = asyncio.Event()
    tasks = [asyncio.create_task(push_client(server, pusher, token, notified, pushed, stop)),
             asyncio.create_task(poll_client(poller, poll_interval, polled, stop))]
    await asyncio.sleep(1)  # the listener connects
    for n in range(1, rounds + 1):
        current = Round(n)
        alice.create(delegated(n))
        await asyncio.to_thread(alice.sync)
        await asyncio.wait_for(current.push_done.wait(), 120)
        await asyncio.wait_for(current.poll_done.wait(), 120)
        # One quiet two-way sync of Frank's: the sync cost inside the delays.
        started = time.perf_counter()
        await poller.sync()
        sync_times.append(time.perf_counter() - started)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"push": push_delays, "notified": arrivals, "poll": poll_delays, "sync": sync_times,
            "poll_interval": poll_interval}


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "max": ordered[-1],
            "mean": statistics.fmean(ordered)}


def report(result: dict[str, object]) -> dict[str, object]:
    push = _stats(result["push"])  # type: ignore[arg-type]
    poll = _stats(result["poll"])  # type: ignore[arg-type]
    sync = statistics.median(result["sync"])  # type: ignore[arg-type]
    interval = float(result["poll_interval"])  # type: ignore[arg-type]
    seed_like = SEED_LIKE_POLL_S / 2 + sync
    rounds = len(result["push"])  # type: ignore[arg-type]
    print(f"push-to-synced delay, {rounds} delegations (commit on the server → task in the "
          "assignee's local store)")
    print(f"{'client':<34}{'median':>10}{'p95':>10}{'max':>10}{'mean':>10}")
    print(f"{'push (SSE + SAN, sync on push)':<34}" + "".join(
        f"{push[k]:>9.3f}s" for k in ("median", "p95", "max", "mean")))
    notified = _stats(result["notified"])  # type: ignore[arg-type]
    print(f"{'  of which: SAN received':<34}" + "".join(
        f"{notified[k]:>9.3f}s" for k in ("median", "p95", "max", "mean")))
    print(f"{f'poll every {interval:g} s (measured)':<34}" + "".join(
        f"{poll[k]:>9.3f}s" for k in ("median", "p95", "max", "mean")))
    print(f"{'poll every 15 min (modelled)':<34}{seed_like:>9.1f}s   (interval/2 + median sync "
          f"{sync:.3f} s)")
    print(f"ratio push/poll({interval:g} s) mean: {push['mean'] / poll['mean']:.3f}; "
          f"push/poll(15 min) mean: {push['mean'] / seed_like:.5f} "
          f"(1 : {seed_like / push['mean']:.0f})")
    print(f"target: push median < 1 s — {'met' if push['median'] < 1 else 'NOT met'} "
          f"({push['median']:.3f} s)")
    return {"push": push, "notified": notified, "poll": poll, "sync_median": sync,
            "poll_interval": interval, "seed_like_model": seed_like}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.push_delay",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--poll-interval", type=float, default=2.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="traveler-push-bench-") as tmp:
        server = TravelerServer(Path(tmp) / "data")
        for user, name in (("alice", "Alice Example"), ("frank", "Frank Adams")):
            server.cli("user", "add", user, "--email", f"{user}@example.org", "--full-name",
                       name, "--password-stdin", stdin=PASSWORDS[user] + "\n")
        with server:
            result = asyncio.run(measure(server, args.rounds, args.poll_interval, Path(tmp)))
        summary = report(result)
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    path = out / f"push-delay-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"raw": result, "summary": summary}, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
