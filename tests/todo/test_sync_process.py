"""traveler-todo sync as a user runs it: a real server process, accounts added with the
Companion, two installations of one user, and the exit codes of a failed sync."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop.traveler_server import REPO_ROOT, TravelerServer
from todo.cli import Exit


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TravelerServer]:
    running = TravelerServer(tmp_path_factory.mktemp("data") / "server")
    running.add_user("alice", "alice-secret-1", "alice@example.com")
    running.start()
    try:
        yield running
    finally:
        running.stop()


class Installation:
    """One desktop with its own data folder and keyring file."""

    def __init__(self, root: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAVELER_", "XDG_"))}
        self.env.update(
            TRAVELER_HOME=str(root / "home"),
            XDG_DATA_HOME=str(root / "data"),
            XDG_CONFIG_HOME=str(root / "config"),
            PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
            PYTHONPATH=str(REPO_ROOT),
        )

    def run(
        self, module: str, *args: str, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=REPO_ROOT,
            timeout=120,
            check=False,
        )

    def todo(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("todo.cli", *args)

    def sign_in(self, url: str, password: str = "alice-secret-1") -> None:
        added = self.run(
            "companion.cli", "account", "add", "--server", url, "--user", "alice",
            "--password-stdin", stdin=password + "\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stdout + added.stderr

    def listed(self, *args: str) -> list[dict[str, object]]:
        result = self.todo("list", "--json", *args)
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        assert isinstance(rows, list)
        return rows


def test_two_installations_sync_through_the_server(tmp_path: Path, server: TravelerServer) -> None:
    laptop, desktop = Installation(tmp_path / "laptop"), Installation(tmp_path / "desktop")
    offline = laptop.todo("add", "Written before signing in")
    assert offline.returncode == 0  # works with no account at all (a local store)
    laptop.sign_in(server.url)
    desktop.sign_in(server.url)

    assert laptop.todo("add", "Call Frank tomorrow 9:00 !high #Renovation").returncode == 0
    synced = laptop.todo("sync")
    assert synced.returncode == 0, synced.stderr
    # the todo written before signing in goes along: the account adopted the local store
    assert synced.stdout.startswith(f"synced with {server.url} as alice: sent 2 (")
    assert desktop.todo("sync").returncode == 0
    offline_row, row = sorted(desktop.listed(), key=lambda r: str(r["subject"]), reverse=True)
    assert offline_row["subject"] == "Written before signing in"
    assert (row["subject"], row["priority"], row["categories"]) == (
        "Call Frank",
        "high",
        ["Renovation"],
    )

    done = desktop.todo("done", str(row["id"]))
    assert done.returncode == 0
    assert desktop.todo("sync").returncode == 0
    assert laptop.todo("sync").returncode == 0
    assert [r["subject"] for r in laptop.listed()] == ["Written before signing in"]
    [completed] = laptop.listed("--view", "completed")
    assert completed["subject"] == "Call Frank" and completed["completed"] is True

    # nothing was duplicated on the way
    assert laptop.listed("--view", "completed") == desktop.listed("--view", "completed")
    assert len(laptop.listed("--view", "completed")) == 1


def test_a_failed_sync_says_why_with_its_exit_code(tmp_path: Path, server: TravelerServer) -> None:
    nobody = Installation(tmp_path / "nobody")
    result = nobody.todo("sync")
    assert result.returncode == Exit.NO_ACCOUNT
    assert "traveler-companion account add" in result.stderr

    unknown = nobody.todo("--account", "bob", "list")
    assert unknown.returncode == Exit.NO_ACCOUNT

    gone = Installation(tmp_path / "gone")
    gone.sign_in(server.url)
    accounts = json.loads((tmp_path / "gone" / "home" / "accounts.json").read_text())
    # the server moves away: the account now points at a port nothing listens on
    for entry in accounts["accounts"]:
        entry["server_url"] = "http://127.0.0.1:9/traveler"
    (tmp_path / "gone" / "home" / "accounts.json").write_text(json.dumps(accounts))
    result = gone.todo("sync")
    assert result.returncode == Exit.UNREACHABLE, result.stderr
    assert result.stderr.startswith("traveler-todo: error: Cannot reach the server")


def test_a_refused_sign_in_is_its_own_exit_code(tmp_path: Path, server: TravelerServer) -> None:
    server.add_user("carol", "carol-secret-1", "carol@example.com")
    carol = Installation(tmp_path / "carol")
    added = carol.run(
        "companion.cli", "account", "add", "--server", server.url, "--user", "carol",
        "--password-stdin", stdin="carol-secret-1\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert carol.todo("add", "Report").returncode == 0
    server.cli("user", "disable", "carol")
    result = carol.todo("sync")
    assert result.returncode in (Exit.WRONG_PASSWORD, Exit.SERVER), result.stderr
    assert result.stderr.count("\n") == 1
    [row] = carol.listed()  # the todo is still there, and still to be sent
    assert row["subject"] == "Report"
