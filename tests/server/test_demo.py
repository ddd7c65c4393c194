"""The demo organisation: accounts and tasks a first sync brings down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from server.config import load_settings
from server.demo import seed_demo
from server.store.database import Database
from server.store.users import UserStore
from server.stores import sync_backend
from server.sync_service import engine_config
from syncml.client import ClientConfig, MemoryClientBackend, SyncClient
from syncml.server import SyncServer
from tests.syncml.host import Host, run_client
from todo.task_format import parse_task


def _server(database: Database) -> Host:
    settings = load_settings(database.path.parent)
    engine = SyncServer(engine_config(settings), sync_backend(settings, database))
    return Host(engine, database)


def test_a_demo_user_gets_the_demo_tasks_on_first_sync(tmp_path):
    database = Database.open(tmp_path)
    seed_demo(database, UserStore(database, store_md5_secret=True))
    alice = MemoryClientBackend()
    config = ClientConfig(url="http://127.0.0.1:9/traveler", username="alice",
                          password="alice-demo-1", device_id="alice-laptop")
    run_client(SyncClient(config, alice), _server(database))
    tasks = [parse_task(data) for data in alice.data()]
    assert len(tasks) == 7  # five of her own, one delegated to her, one she delegated
    [waiting] = [t for t in tasks if t.organizer and t.organizer.email.startswith("bob@")]
    assert [(a.email, a.partstat.value) for a in waiting.assignees] == [
        ("alice@demo.traveler.test", "NEEDS-ACTION")
    ]
    assert any(task.is_completed for task in tasks)
    assert {task.priority.name for task in tasks} >= {"HIGH", "MEDIUM", "LOW"}


def test_seeding_twice_adds_no_more_tasks(tmp_path):
    database = Database.open(tmp_path)
    users = UserStore(database, store_md5_secret=True)
    seed_demo(database, users)
    seed_demo(database, users)
    rows = database.query("SELECT COUNT(*) AS n FROM items")
    assert rows[0]["n"] == 21  # seven for each of the three demo users


def test_traveler_demo_without_a_display_runs_the_server_and_says_how_to_open_the_app(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    demo = subprocess.Popen(
        [sys.executable, "-m", "server.demo", "--data", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    seen = []
    try:
        assert demo.stdout is not None
        for line in demo.stdout:
            seen.append(line)
            if line.strip().endswith(" traveler-todo"):  # the hint's last command
                break
        text = "".join(seen)
        assert "alice  alice-demo-1" in text
        assert "No display: the demo server runs alone." in text
        assert f"TRAVELER_HOME={tmp_path / 'apps'} traveler-todo" in text
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=30)
