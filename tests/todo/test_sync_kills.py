"""The kill proof: a `traveler-server` process SIGKILLed in the middle of our client's sync
(during the upload of many todos, during the server's multi-message package 4 of a slow sync in
small messages, during the Map; before the message arrives, while the server works on it, after
it committed but before the client got the answer), restarted on the same data folder; and the
network cut through a TCP proxy after K bytes of requests or responses, for many K. Then syncs
with changes made on both sides meanwhile converge: nothing lost, nothing duplicated, on the
laptop, the desktop and the server.

The client is the real stack (``todo.sync.sync_store`` over ``todo.sync_transport``, the
SQLite todo store); one case runs ``traveler-todo sync`` as a process.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from companion.api_client import ServerError
from syncml.client import ClientConfig
from syncml.codes import AlertCode
from tests.interop.traveler_server import REPO_ROOT, TravelerServer
from tests.todo.sync_faults import CuttingProxy, Fault, KillingProxy, Package, When
from todo.store import TodoStore
from todo.sync import sync_store
from todo.task import Task
from todo.views import View, ViewSpec

PASSWORD = "kill-proof-secret-1"
_users = itertools.count(1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TravelerServer]:
    # Each case is new devices from one address, and a new device's first md5 try is
    # refused by design (it has no nonce yet): the failed-login throttle would stop the run.
    running = TravelerServer(tmp_path_factory.mktemp("kills") / "server", settings={
        "NTS_LOGIN_FAILURES_PER_ADDRESS": "100000", "NTS_LOGIN_FAILURES_PER_USER": "100000"})
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def user(server: TravelerServer) -> str:
    if not server.running:  # a failed case may have left it down
        server.start()
    name = f"user{next(_users)}"
    server.add_user(name, PASSWORD)
    return name


@dataclass
class Device:
    store: TodoStore
    config: ClientConfig

    async def sync(self, mode: AlertCode = AlertCode.TWO_WAY) -> None:
        await sync_store(self.store, self.config, mode=mode)

    def subjects(self) -> list[str]:
        return sorted(t.subject for t in self.store.query(ViewSpec(View.ALL)))

    def by_subject(self, subject: str) -> int:
        [todo_id] = [t.id for t in self.store.query(ViewSpec(View.ALL)) if t.subject == subject]
        return todo_id


def device(root: Path, name: str, user: str, url: str, **changes: object) -> Device:
    config = ClientConfig(url, user, PASSWORD, device_id=f"{user}-{name}")
    return Device(TodoStore.open(root / name / "todo.db"),
                  replace(config, **changes))  # type: ignore[arg-type]


def server_subjects(server: TravelerServer, user: str) -> list[str]:
    rows = json.loads(server.cli("task", "list", "--user", user, "--json"))
    return sorted(str(row["summary"]) for row in rows)


@dataclass
class Scenario:
    """Two devices of one user with a history, then a big sync of the laptop to be cut."""

    laptop: Device
    desktop: Device
    expected: list[str]

    @classmethod
    async def prepare(cls, root: Path, user: str, url: str, *, base: int, late: int,
                      new: int, max_msg_size: int) -> Scenario:
        desktop = device(root, "desktop", user, url)
        laptop = device(root, "laptop", user, url, max_msg_size=max_msg_size)
        for n in range(base):
            desktop.store.add(Task("", summary=f"desktop {n}"))
        await desktop.sync()
        for n in range(3):
            laptop.store.add(Task("", summary=f"laptop base {n}"))
        await laptop.sync()
        # what the big sync has to move: new todos up, the desktop's later ones down
        for n in range(late):
            desktop.store.add(Task("", summary=f"desktop late {n}"))
        await desktop.sync()
        for n in range(new):
            laptop.store.add(Task("", summary=f"laptop {n}"))
        expected = ([f"desktop {n}" for n in range(base)] + [f"laptop base {n}" for n in range(3)]
                    + [f"desktop late {n}" for n in range(late)]
                    + [f"laptop {n}" for n in range(new)])
        return cls(laptop, desktop, expected)

    async def meanwhile(self) -> None:
        """Changes on both sides while the laptop's sync is broken."""
        laptop, desktop = self.laptop, self.desktop
        laptop.store.add(Task("", summary="laptop offline"))
        laptop.store.update(laptop.by_subject("laptop base 1"), summary="laptop base 1 edited")
        laptop.store.delete(laptop.by_subject("laptop base 2"))
        laptop.store.delete(laptop.by_subject("desktop 3"))
        desktop.store.add(Task("", summary="desktop offline"))
        desktop.store.update(desktop.by_subject("desktop 5"), summary="desktop 5 edited")
        desktop.store.delete(desktop.by_subject("desktop 6"))
        await desktop.sync()
        gone = {"laptop base 2", "desktop 3", "desktop 6"}
        renamed = {"laptop base 1": "laptop base 1 edited", "desktop 5": "desktop 5 edited"}
        self.expected = sorted(
            [renamed.get(s, s) for s in self.expected if s not in gone]
            + ["laptop offline", "desktop offline"])

    async def converge(self, server: TravelerServer, user: str) -> None:
        for side in (self.laptop, self.desktop, self.laptop, self.desktop):
            await side.sync()
        for where, got in (("laptop", self.laptop.subjects()),
                           ("desktop", self.desktop.subjects()),
                           ("server", server_subjects(server, user))):
            extra, missing = Counter(got) - Counter(self.expected), Counter(
                self.expected) - Counter(got)
            assert not extra and not missing, (where, sorted(extra), sorted(missing))
        assert self.laptop.store.pending_changes() == []
        assert self.desktop.store.pending_changes() == []


KILLS = [
    Fault(Package.UPLOAD, 2, When.BEFORE),
    Fault(Package.UPLOAD, 3, When.DURING),
    Fault(Package.UPLOAD, 4, When.AFTER),
    Fault(Package.UPLOAD, 3, When.AFTER, outage=False),
    Fault(Package.DOWNLOAD, 1, When.BEFORE),
    Fault(Package.DOWNLOAD, 3, When.DURING),
    Fault(Package.DOWNLOAD, 2, When.AFTER),
    Fault(Package.DOWNLOAD, 2, When.AFTER, outage=False),
    Fault(Package.MAP, 1, When.BEFORE),
    Fault(Package.MAP, 1, When.DURING),
    Fault(Package.MAP, 1, When.AFTER),
    Fault(Package.MAP, 1, When.AFTER, outage=False),
]


@pytest.fixture
async def killing(server: TravelerServer) -> AsyncIterator[KillingProxy]:
    async with KillingProxy(server) as proxy:
        yield proxy


@pytest.mark.parametrize("fault", KILLS, ids=lambda f: (
    f"{f.package.value}{f.nth}-{f.when.value}-{'outage' if f.outage else 'resend'}"))
async def test_a_server_killed_mid_sync_loses_and_duplicates_nothing(
    tmp_path: Path, server: TravelerServer, user: str, killing: KillingProxy, fault: Fault
) -> None:
    scenario = await Scenario.prepare(tmp_path, user, killing.url, base=60, late=60, new=150,
                                      max_msg_size=6000)
    killing.arm(fault)
    with contextlib.suppress(ServerError):  # a resend to the restarted server may finish it
        await scenario.laptop.sync(AlertCode.SLOW_SYNC)
    assert killing.kills == 1, [(e.package, e.outcome) for e in killing.log]
    killing.arm(None)
    killing.up()
    await scenario.meanwhile()
    await scenario.converge(server, user)


_sizes: dict[str, int] = {}


async def cut_sizes(server: TravelerServer, root: Path) -> dict[str, int]:
    """The bytes each way of the scenario's big sync, uncut (the cuts are placed in them);
    measured once per module."""
    if not _sizes:
        name = f"user{next(_users)}"
        server.add_user(name, PASSWORD)
        async with CuttingProxy(server.port) as proxy:
            scenario = await _cut_scenario(root, name, proxy.url)
            proxy.count_only()
            await scenario.laptop.sync(AlertCode.SLOW_SYNC)
            _sizes.update(proxy.totals)
    return _sizes


async def _cut_scenario(root: Path, user: str, url: str) -> Scenario:
    return await Scenario.prepare(root, user, url, base=20, late=25, new=40, max_msg_size=5000)


FRACTIONS = [0.0, 0.03, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97]


@pytest.mark.parametrize("fraction", FRACTIONS)
@pytest.mark.parametrize("direction", ["request", "response"])
async def test_a_network_cut_after_k_bytes_loses_and_duplicates_nothing(
    tmp_path: Path, server: TravelerServer, user: str, direction: str, fraction: float
) -> None:
    sizes = await cut_sizes(server, tmp_path / "measure")
    async with CuttingProxy(server.port) as proxy:
        scenario = await _cut_scenario(tmp_path, user, proxy.url)
        k = int(sizes[direction] * fraction)
        proxy.cut_after(direction, k, outage=fraction < 0.5)  # later cuts: a blip only
        with contextlib.suppress(ServerError):
            await scenario.laptop.sync(AlertCode.SLOW_SYNC)
        assert proxy.cuts == 1, (k, proxy.totals)
        proxy.up()
        await scenario.meanwhile()
        await scenario.converge(server, user)


async def test_the_cli_sync_killed_mid_upload_converges(
    tmp_path: Path, server: TravelerServer, user: str, killing: KillingProxy
) -> None:
    """``traveler-todo sync`` as a process, with its account from the Companion."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAVELER_", "XDG_"))}
    env.update(TRAVELER_HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(REPO_ROOT),
               PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring")

    async def run(module: str, *args: str, stdin: str = "") -> tuple[int, str]:
        import asyncio

        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, *args, env=env, cwd=REPO_ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate(stdin.encode())
        return proc.returncode or 0, out.decode()

    code, out = await run("companion.cli", "account", "add", "--server", killing.url,
                          "--user", user, "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out
    lines = "".join(f"BEGIN:VTODO\r\nUID:cli-{n}\r\nSUMMARY:cli {n}\r\nEND:VTODO\r\n"
                    for n in range(1500))  # several messages of 150 kB
    ics = tmp_path / "many.ics"
    ics.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{lines}"
                   "END:VCALENDAR\r\n")
    code, out = await run("todo.cli", "import", str(ics))
    assert code == 0, out
    killing.arm(Fault(Package.UPLOAD, 2, When.DURING))
    code, out = await run("todo.cli", "sync")
    assert code != 0 and killing.kills == 1, out
    killing.arm(None)
    killing.up()
    code, out = await run("todo.cli", "add", "written after the crash")
    assert code == 0, out
    for _ in range(2):
        code, out = await run("todo.cli", "sync")
        assert code == 0, out
    code, out = await run("todo.cli", "list", "--json")
    expected = sorted([f"cli {n}" for n in range(1500)] + ["written after the crash"])
    assert sorted(row["subject"] for row in json.loads(out)) == expected
    assert server_subjects(server, user) == expected
