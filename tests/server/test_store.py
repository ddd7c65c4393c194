"""The SQLite store: pragmas, migrations, transactions, users and devices."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from argon2 import PasswordHasher

from server.store import (
    DB_FILENAME,
    MIGRATIONS,
    Database,
    DeviceError,
    DeviceStore,
    Migration,
    MigrationError,
    SchemaTooNewError,
    StoreError,
    UserError,
    UserExistsError,
    UserStore,
    md5_secret,
)

# Cheap argon2 parameters: the tests check behaviour, not hashing cost.
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path) as db:
        yield db


@pytest.fixture
def users(database: Database) -> UserStore:
    return UserStore(database, store_md5_secret=True, hasher=FAST)


def table_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


# --- database and migrations ------------------------------------------------------------------


def test_open_creates_a_wal_database_with_the_schema(tmp_path: Path) -> None:
    with Database.open(tmp_path / "new") as db:
        conn = db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        assert db.schema_version() == len(MIGRATIONS)
        assert isinstance(db.db, sqlite_utils.Database)
    assert {"users", "devices", "schema_version"} <= table_names(tmp_path / "new" / DB_FILENAME)


def test_migrations_are_numbered_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_migrate_twice_applies_nothing_the_second_time(tmp_path: Path) -> None:
    db = Database(tmp_path / DB_FILENAME)
    try:
        assert db.migrate() == [m.version for m in MIGRATIONS]
        assert db.migrate() == []
    finally:
        db.close()
    with Database.open(tmp_path) as again:
        assert again.migrate() == []
        rows = again.query("SELECT version FROM schema_version ORDER BY version")
        assert [r["version"] for r in rows] == [m.version for m in MIGRATIONS]


def test_new_migrations_apply_on_top_of_old_ones(tmp_path: Path) -> None:
    def add_notes(db: sqlite_utils.Database) -> None:
        db["notes"].create({"id": int, "text": str}, pk="id")

    with Database.open(tmp_path) as db:
        extended = [*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "notes", add_notes)]
        assert db.migrate(extended) == [len(MIGRATIONS) + 1]
        assert db.db["notes"].exists()
        assert db.migrate(extended) == []


def test_a_database_newer_than_the_code_is_refused_untouched(tmp_path: Path) -> None:
    with Database.open(tmp_path) as db:
        db.conn.execute(
            "INSERT INTO schema_version VALUES (?, 'from the future', '2099-01-01')",
            (len(MIGRATIONS) + 5,),
        )
    path = tmp_path / DB_FILENAME
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer Traveler server"):
        Database.open(tmp_path)
    assert path.read_bytes() == before


def test_a_failing_migration_rolls_back_and_keeps_the_version(tmp_path: Path) -> None:
    def half_done(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    with Database.open(tmp_path) as db:
        broken = [*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "half", half_done)]
        with pytest.raises(MigrationError, match="boom"):
            db.migrate(broken)
        assert db.schema_version() == len(MIGRATIONS)
        assert not db.db["half"].exists()


def test_a_migration_that_commits_is_caught(tmp_path: Path) -> None:
    def commits(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE sneaky (x)")
        db.conn.commit()

    with Database.open(tmp_path) as db:
        steps = [*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "sneaky", commits)]
        with pytest.raises(MigrationError, match="ended the transaction itself"):
            db.migrate(steps)
        assert db.schema_version() == len(MIGRATIONS)


def test_gaps_in_the_migration_list_are_refused(tmp_path: Path) -> None:
    with Database.open(tmp_path) as db:
        gap = [*MIGRATIONS, Migration(len(MIGRATIONS) + 2, "gap", lambda db: None)]
        with pytest.raises(MigrationError, match="without gaps"):
            db.migrate(gap)


def test_a_file_that_is_not_sqlite_gives_a_store_error(tmp_path: Path) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Database.open(tmp_path)


# --- transactions -----------------------------------------------------------------------------


def make_counter(db: Database) -> None:
    db.conn.execute("CREATE TABLE counter (n INTEGER)")
    db.conn.execute("INSERT INTO counter VALUES (0)")


def count(db: Database) -> int:
    return int(db.query("SELECT n FROM counter")[0]["n"])


def test_transaction_rolls_back_everything_on_error(database: Database) -> None:
    make_counter(database)
    with pytest.raises(ValueError), database.transaction() as db:
        db.execute("UPDATE counter SET n = n + 1")
        db["log"].insert({"what": "bumped"})
        raise ValueError("bad SyncML")
    assert count(database) == 0
    assert not database.in_transaction
    assert not database.db["log"].exists()


def test_nested_transactions_are_savepoints_of_the_outer_one(database: Database) -> None:
    make_counter(database)
    with database.transaction():
        database.conn.execute("UPDATE counter SET n = n + 1")
        with pytest.raises(KeyError), database.transaction():
            database.conn.execute("UPDATE counter SET n = n + 10")
            raise KeyError("inner fails")
        with database.transaction():
            database.conn.execute("UPDATE counter SET n = n + 100")
        assert database.in_transaction
    assert count(database) == 101


def test_transactions_from_many_threads_do_not_interleave(database: Database) -> None:
    make_counter(database)

    def bump() -> None:
        for _ in range(50):
            with database.transaction():
                n = database.conn.execute("SELECT n FROM counter").fetchone()[0]
                database.conn.execute("UPDATE counter SET n = ?", (n + 1,))

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(database) == 400


def test_a_second_connection_sees_only_committed_data(database: Database, tmp_path: Path) -> None:
    make_counter(database)
    other = sqlite3.connect(tmp_path / DB_FILENAME)
    try:
        with database.transaction():
            database.conn.execute("UPDATE counter SET n = 7")
            assert other.execute("SELECT n FROM counter").fetchone()[0] == 0  # WAL: no wait
        assert other.execute("SELECT n FROM counter").fetchone()[0] == 7
    finally:
        other.close()


# --- users ------------------------------------------------------------------------------------


def test_add_and_find_a_user(users: UserStore) -> None:
    alice = users.add("Alice", "alice@example.com", "s3cret", full_name="Alice A.", admin=True)
    assert (alice.name, alice.email, alice.full_name, alice.is_admin) == (
        "Alice",
        "alice@example.com",
        "Alice A.",
        True,
    )
    assert users.get("alice") == alice  # ASCII case is ignored
    assert users.get("nobody") is None
    assert [u.name for u in users.list()] == ["Alice"]
    assert "s3cret" not in repr(alice) and alice.md5_secret not in repr(alice)


def test_passwords_are_argon2id_hashes_and_verify(users: UserStore, database: Database) -> None:
    alice = users.add("alice", "alice@example.com", "s3cret")
    stored = database.query("SELECT password_hash FROM users")[0]["password_hash"]
    assert stored.startswith("$argon2id$") and "s3cret" not in stored
    assert users.verify_password(alice, "s3cret")
    assert users.verify_password("ALICE", "s3cret")
    assert not users.verify_password(alice, "S3cret")
    assert not users.verify_password("nobody", "s3cret")


def test_md5_secret_is_b64_md5_of_name_colon_password(users: UserStore) -> None:
    alice = users.add("alice", "alice@example.com", "s3cret")
    expected = base64.b64encode(hashlib.md5(b"alice:s3cret").digest()).decode()
    assert alice.md5_secret == expected == md5_secret("alice", "s3cret")


def test_without_md5_no_secret_is_stored_until_md5_returns(database: Database) -> None:
    basic_only = UserStore(database, store_md5_secret=False, hasher=FAST)
    bob = basic_only.add("bob", "bob@example.com", "pw-bob")
    assert bob.md5_secret is None
    with_md5 = UserStore(database, store_md5_secret=True, hasher=FAST)
    assert with_md5.verify_password(bob, "pw-bob")
    assert with_md5.get("bob").md5_secret == md5_secret("bob", "pw-bob")  # type: ignore[union-attr]


def test_set_password_replaces_hash_and_md5_secret(users: UserStore) -> None:
    alice = users.add("alice", "alice@example.com", "old-pw")
    updated = users.set_password("alice", "new-pw")
    assert updated.md5_secret == md5_secret("alice", "new-pw")
    assert users.verify_password(alice, "new-pw")
    assert not users.verify_password(alice, "old-pw")


def test_outdated_hashes_are_upgraded_on_login(database: Database) -> None:
    UserStore(database, store_md5_secret=True, hasher=FAST).add("alice", "alice@example.com", "pw")
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    store = UserStore(database, store_md5_secret=True, hasher=stronger)
    assert store.verify_password("alice", "pw")
    stored = database.query("SELECT password_hash FROM users")[0]["password_hash"]
    assert not stronger.check_needs_rehash(stored)


def test_duplicate_names_are_refused_ignoring_case(users: UserStore) -> None:
    users.add("alice", "alice@example.com", "pw")
    with pytest.raises(UserExistsError, match="'alice' already exists"):
        users.add("ALICE", "other@example.com", "pw")
    assert len(users.list()) == 1


@pytest.mark.parametrize(
    ("name", "email", "password", "reason"),
    [
        ("alice", "alice@example.com", "", "password is empty"),
        ("alice", "not-an-address", "pw", "not an e-mail address"),
        ("alice", "a@b@c", "pw", "not an e-mail address"),
        ("alice", "alice@", "pw", "not an e-mail address"),
        ("", "alice@example.com", "pw", "name is empty"),
        ("al:ice", "alice@example.com", "pw", "':'"),
        (" alice", "alice@example.com", "pw", "space"),
        ("alice", "alice@example.com", "two\nlines", "line break"),
    ],
)
def test_invalid_user_input_is_refused_with_a_reason(
    users: UserStore, name: str, email: str, password: str, reason: str
) -> None:
    with pytest.raises(UserError, match=reason):
        users.add(name, email, password)
    assert users.list() == []


# --- devices ----------------------------------------------------------------------------------


def test_first_contact_registers_a_device(users: UserStore, database: Database) -> None:
    alice = users.add("alice", "alice@example.com", "pw")
    devices = DeviceStore(database)
    device = devices.register_or_touch(
        alice.id,
        "IMEI:1234",
        device_type="phone",
        manufacturer="ACME",
        model="X1",
        software_version="1.0",
        when=T0,
    )
    assert (device.device_id, device.user_id, device.user_name) == ("IMEI:1234", alice.id, "alice")
    assert (device.device_type, device.manufacturer, device.model) == ("phone", "ACME", "X1")
    assert device.first_sync == device.last_sync == T0


def test_later_contact_touches_last_sync_and_keeps_details(
    users: UserStore, database: Database
) -> None:
    alice = users.add("alice", "alice@example.com", "pw")
    devices = DeviceStore(database)
    devices.register_or_touch(alice.id, "dev-1", model="X1", when=T0)
    later = T0 + timedelta(hours=2)
    device = devices.register_or_touch(alice.id, "dev-1", software_version="2.0", when=later)
    assert device.first_sync == T0 and device.last_sync == later
    assert (device.model, device.software_version) == ("X1", "2.0")
    assert len(devices.list()) == 1


def test_same_device_id_of_two_users_is_two_devices(users: UserStore, database: Database) -> None:
    alice = users.add("alice", "alice@example.com", "pw")
    bob = users.add("bob", "bob@example.com", "pw")
    devices = DeviceStore(database)
    devices.register_or_touch(alice.id, "shared", when=T0)
    devices.register_or_touch(bob.id, "shared", when=T0)
    assert [d.user_name for d in devices.list()] == ["alice", "bob"]
    assert [d.user_name for d in devices.list(user="BOB")] == ["bob"]
    assert devices.list(user="carol") == []


def test_registration_rolls_back_with_the_callers_transaction(
    users: UserStore, database: Database
) -> None:
    alice = users.add("alice", "alice@example.com", "pw")
    devices = DeviceStore(database)
    with pytest.raises(RuntimeError), database.transaction():
        devices.register_or_touch(alice.id, "dev-1", when=T0)
        assert database.in_transaction
        raise RuntimeError("the rest of the SyncML message failed")
    assert devices.list() == []


def test_bad_device_input_is_refused(users: UserStore, database: Database) -> None:
    alice = users.add("alice", "alice@example.com", "pw")
    devices = DeviceStore(database)
    with pytest.raises(DeviceError, match="empty"):
        devices.register_or_touch(alice.id, "  ", when=T0)
    with pytest.raises(DeviceError, match="timezone"):
        devices.register_or_touch(alice.id, "dev", when=datetime(2024, 1, 1))
    with pytest.raises(DeviceError, match="no user"):
        devices.register_or_touch(alice.id + 99, "dev", when=T0)
    assert devices.list() == []


# --- the schema's place -----------------------------------------------------------------------


def test_all_ddl_lives_in_schema_py_which_imports_nothing_from_the_store() -> None:
    import ast
    import re

    package = Path(__file__).resolve().parents[2] / "server"
    ddl = re.compile(r"\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX|UNIQUE INDEX|VIEW|TRIGGER)\b", re.I)
    schema = package / "store" / "schema.py"
    holders = [p for p in package.rglob("*.py") if ddl.search(p.read_text()) and p != schema]
    # database.py only runs the bookkeeping DDL schema.py hands it.
    assert holders == []
    tree = ast.parse(schema.read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.startswith("server")]
