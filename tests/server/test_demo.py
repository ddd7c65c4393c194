"""The demo organisation: accounts and tasks a first sync brings down."""

from __future__ import annotations

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
    assert len(tasks) == 5
    assert any(task.is_completed for task in tasks)
    assert {task.priority.name for task in tasks} >= {"HIGH", "MEDIUM", "LOW"}


def test_seeding_twice_adds_no_more_tasks(tmp_path):
    database = Database.open(tmp_path)
    users = UserStore(database, store_md5_secret=True)
    seed_demo(database, users)
    seed_demo(database, users)
    rows = database.query("SELECT COUNT(*) AS n FROM items")
    assert rows[0]["n"] == 15  # five for each of the three demo users
