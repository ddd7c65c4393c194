"""End to end, against a real ``traveler-server`` process: Alice delegates a task to Frank;
Frank's watching client (push listener + sync on every push, as ``sync --watch`` runs it)
receives the push and has the task; Frank completes it; Alice sees it completed, and her own
watching client is told so."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from syncml.codes import AlertCode
from tests.e2e.delegation_users import alice_and_frank_served
from tests.e2e.http_peer import device_token, http_device
from tests.interop.traveler_server import TravelerServer
from tests.syncml.device import Device
from tests.syncml.items import vtodo
from todo.push import Backoff, PushListener
from todo.task import PartStat
from todo.task_format import parse_task
from todo.watch import WatchReport, watch

PASSWORDS = {"alice": "alice-e2e-pw", "frank": "frank-e2e-pw"}
HANG_GUARD_S = 60  # only so a broken test fails instead of hanging; never a measurement
TASK = vtodo("defects-1", "Latest defect count",
             "ORGANIZER;CN=Alice Example:mailto:alice@example.org\r\n"
             "ATTENDEE;CN=Frank Adams;PARTSTAT=NEEDS-ACTION:mailto:frank@example.org\r\n")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TravelerServer]:
    with alice_and_frank_served(tmp_path / "data", PASSWORDS) as server:
        yield server


class Watcher:
    """A device of one user running the ``sync --watch`` loop against the server."""

    def __init__(self, server: TravelerServer, user: str, device_id: str) -> None:
        self.peer = http_device(server.url, user, PASSWORDS[user], device_id)
        self.peer.sync(AlertCode.SLOW_SYNC)  # the device's first sync, before it watches
        token = device_token(server.url, user, PASSWORDS[user], device_id)
        self.listener = PushListener(server.url, token, backoff=Backoff(0.1, 1.0))
        self.reports: list[WatchReport] = []
        self._task: asyncio.Task[None] | None = None
        self._seen = asyncio.Event()

    async def _sync(self) -> str:
        await asyncio.to_thread(self.peer.sync)
        return f"{len(self.peer.items)} tasks"

    def _report(self, report: WatchReport) -> None:
        self.reports.append(report)
        self._seen.set()

    def start(self) -> None:
        self._task = asyncio.create_task(watch(self.listener, self._sync, self._report))

    async def until(self, text: str) -> WatchReport:
        async def wait() -> WatchReport:
            while True:
                for report in self.reports:
                    if report.kind == "sync" and text in report.text:
                        return report
                self._seen.clear()
                await self._seen.wait()
        return await asyncio.wait_for(wait(), HANG_GUARD_S)

    async def connected(self) -> None:
        async def wait() -> None:
            while not any(r.text.startswith("push: connected") for r in self.reports):
                self._seen.clear()
                await self._seen.wait()
        await asyncio.wait_for(wait(), HANG_GUARD_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def the_task(peer: Device) -> tuple[str, str]:
    [(luid, data)] = [(k, v) for k, v in peer.items.items() if "UID:defects-1" in v]
    return luid, data


async def test_alice_delegates_frank_completes_alice_sees_it(server: TravelerServer) -> None:
    frank = await asyncio.to_thread(Watcher, server, "frank", "frank-laptop")
    alice_watch = await asyncio.to_thread(Watcher, server, "alice", "alice-laptop")
    alice_phone = http_device(server.url, "alice", PASSWORDS["alice"], "alice-phone")
    await asyncio.to_thread(alice_phone.sync, AlertCode.SLOW_SYNC)
    frank.start()
    alice_watch.start()
    await frank.connected()
    await alice_watch.connected()

    # Alice delegates from her phone.
    alice_phone.create(TASK)
    await asyncio.to_thread(alice_phone.sync)
    delegated_at = time.monotonic()

    report = await frank.until("Alice Example delegated 'Latest defect count' to you")
    arrived_in = time.monotonic() - delegated_at
    _, copy = the_task(frank.peer)
    task = parse_task(copy)
    assert task.organizer is not None and task.organizer.email == "alice@example.org"
    assert task.assignees[0].partstat is PartStat.NEEDS_ACTION
    print(f"\nFrank's watching client had the delegated task {arrived_in:.3f} s after Alice's "
          f"sync returned: {report.line}")

    # Frank completes it on his laptop (his own sync; the watcher is not pushed for it).
    luid, copy = the_task(frank.peer)
    done = copy.replace("END:VTODO", "STATUS:COMPLETED\r\nCOMPLETED:20261202T160000Z\r\n"
                                     "PERCENT-COMPLETE:100\r\nEND:VTODO")
    frank.peer.edit(luid, done)
    await asyncio.to_thread(frank.peer.sync)

    # Alice's watching laptop is pushed; her phone sees it at its next sync.
    answer = await alice_watch.until("Frank Adams completed 'Latest defect count'")
    _, laptop_copy = the_task(alice_watch.peer)
    await asyncio.to_thread(alice_phone.sync)
    _, phone_copy = the_task(alice_phone)
    for data in (laptop_copy, phone_copy):
        seen = parse_task(data)
        assert seen.is_completed
        assert seen.assignees[0].partstat is PartStat.COMPLETED
    print(f"Alice's watching client: {answer.line}")
    await frank.stop()
    await alice_watch.stop()


async def test_a_change_synced_to_one_pool_member_is_pushed_by_another(
    server: TravelerServer, tmp_path: Path
) -> None:
    # A second server process on the same store: a pool of two (SQLite in WAL mode lets two
    # processes share the database file).
    other = TravelerServer(server.data_dir)
    other.log_path = tmp_path / "other-server.log"
    with other:
        frank = await asyncio.to_thread(Watcher, other, "frank", "frank-laptop")
        frank.start()
        await frank.connected()
        alice = http_device(server.url, "alice", PASSWORDS["alice"], "alice-phone")
        await asyncio.to_thread(alice.sync, AlertCode.SLOW_SYNC)

        alice.create(TASK)
        await asyncio.to_thread(alice.sync)

        await frank.until("Alice Example delegated 'Latest defect count' to you")
        assert the_task(frank.peer)
        await frank.stop()


def test_push_turned_off_is_logged_and_refused(tmp_path: Path) -> None:
    server = TravelerServer(tmp_path / "off", settings={"NTS_PUSH_ENABLE": "false"})
    server.cli("user", "add", "frank", "--email", "frank@example.org", "--password-stdin",
               stdin=PASSWORDS["frank"] + "\n")
    with server:
        token = device_token(server.url, "frank", PASSWORDS["frank"], "frank-laptop")
        response = httpx.get(server.url + "/api/v1/push",
                             headers={"Authorization": f"Bearer {token}"}, timeout=30)
        log = server.output_tail()
    assert "Push is disabled (NTS_PUSH_ENABLE=false)" in log
    assert response.status_code == 503
    assert response.json()["code"] == "push-disabled"
