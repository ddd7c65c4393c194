"""Benchmark scenarios: one SyncEvolution client, timed by the wall time of its sync process."""

from __future__ import annotations

import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.bench.peers import ACCOUNT, PeerSpec
from tests.interop.syncevolution import SyncEvolutionClient, SyncResult


@dataclass
class Measurement:
    peer: str  # "ours" | "theirs"
    scenario: str  # e.g. "slow-2000", "one-change-10000"
    items: int
    seconds: float | None = None
    ok: bool = False
    error: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def _fill(client: SyncEvolutionClient, n: int) -> None:
    # The same deterministic items for both peers: a summary, a description and a due date,
    # roughly what a real task list carries.
    for i in range(n):
        client.add_task(
            f"bench-{i:06d}",
            f"Benchmark task {i}",
            description=f"Details of task {i}: remember to follow up.",
            due=f"2030{1 + i % 12:02d}{1 + i % 28:02d}T090000Z",
            priority=str(1 + i % 9),
            status="NEEDS-ACTION",
        )


def _record(m: Measurement, result: SyncResult, expect: dict[str, int]) -> None:
    counts = result.todo
    m.seconds = round(result.seconds, 3)
    m.counts = {
        "remote_new": counts.remote_new,
        "remote_mod": counts.remote_mod,
        "local_new": counts.local_new,
        "local_mod": counts.local_mod,
    }
    wrong = {k: (m.counts.get(k), v) for k, v in expect.items() if m.counts.get(k) != v}
    m.ok = result.ok and not wrong
    if not result.ok:
        m.error = f"sync exit {result.returncode}: " + _last_lines(result.describe(), 12)
    elif wrong:
        m.error = f"unexpected counts (got, want): {wrong}"


def _last_lines(text: str, n: int) -> str:
    return " | ".join(line.strip() for line in text.splitlines()[-n:] if line.strip())


def run_peer(
    spec: PeerSpec, sizes: list[int], workdir: Path, *, timeout: float, log: bool = True
) -> list[Measurement]:
    """Slow sync of each size to a fresh server, then one change among the largest."""
    results: list[Measurement] = []
    largest = max(sizes)
    for n in sorted(sizes):
        slow = Measurement(spec.key, f"slow-{n}", n)
        results.append(slow)
        change = Measurement(spec.key, f"one-change-{n}", n) if n == largest else None
        if change:
            results.append(change)
        root = workdir / f"{spec.key}-{n}"
        try:
            with spec.running(root / "server") as server:
                device = f"bench-{spec.key}-{n}"
                server.register_device(device, ACCOUNT.user, ACCOUNT.password)
                client = SyncEvolutionClient(
                    root / "client",
                    device,
                    server.url,
                    ACCOUNT.user,
                    ACCOUNT.password,
                    uri=server.datastore_uri,
                    lean=spec.lean,
                    timeout=timeout,
                    retry_interval=0,  # a failure must fail now, not resend for minutes
                )
                client.configure()
                _fill(client, n)
                _record(slow, client.sync("slow", expect_ok=False), {"remote_new": n})
                _progress(log, spec, slow)
                if change and slow.ok:
                    client.modify_task(f"bench-{n // 2:06d}", summary="Changed once")
                    _record(
                        change,
                        client.sync("two-way", expect_ok=False),
                        {"remote_mod": 1, "remote_new": 0, "local_new": 0},
                    )
                    _progress(log, spec, change)
                elif change:
                    change.error = "skipped: the slow sync before it failed"
        except Exception as exc:  # a peer that cannot start still gets its row in the report
            for m in (slow, change):
                if m is not None and not m.ok and not m.error:
                    m.error = f"{type(exc).__name__}: {_last_lines(str(exc), 8)}"
            if log:
                print(f"  {spec.key}: {n} items: {type(exc).__name__}", flush=True)
                if not isinstance(exc, RuntimeError):
                    traceback.print_exc()
    return results


def _progress(log: bool, spec: PeerSpec, m: Measurement) -> None:
    if log:
        state = f"{m.seconds:.2f} s" if m.ok else f"FAILED ({m.error[:160]})"
        print(f"  {spec.key:6} {m.scenario:20} {state}", flush=True)
