"""`traveler-companion account ...` against a real `traveler-server` process."""

from __future__ import annotations

import configparser
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from keyrings.alt.escape import escape, unescape
from keyrings.alt.file import PlaintextKeyring

from companion.secret_store import SERVICE, SecretStore
from tests.interop.traveler_server import REPO_ROOT, TravelerServer
from todo.account import sync_account

PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TravelerServer]:
    traveler = TravelerServer(
        tmp_path_factory.mktemp("server") / "data", settings={"NTS_SERVER_NAME": "Traveler/Acme"}
    )
    traveler.cli(
        "user",
        "add",
        "alice",
        "--email",
        "alice@example.org",
        "--full-name",
        "Alice Arden",
        "--password-stdin",
        stdin="alice-pw\n",
    )
    traveler.cli(
        "user", "add", "bob", "--email", "bob@example.org", "--password-stdin", stdin="bob-pw-1\n"
    )
    with traveler:
        yield traveler


@dataclass
class Companion:
    """Runs the CLI as a user would, with a private data folder and a file keyring."""

    home: Path
    env: dict[str, str]

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "companion.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=REPO_ROOT,
            timeout=60,
            check=False,
        )

    def add(
        self, server: TravelerServer, user: str, password: str
    ) -> subprocess.CompletedProcess[str]:
        return self(
            "account",
            "add",
            "--server",
            server.url,
            "--user",
            user,
            "--password-stdin",
            stdin=password + "\n",
        )

    def accounts(self) -> list[dict[str, object]]:
        listed = self("account", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        accounts: list[dict[str, object]] = json.loads(listed.stdout)
        return accounts


@pytest.fixture
def companion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Companion:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAVELER_", "XDG_"))}
    env.update(
        TRAVELER_HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "data"),  # where the file keyring keeps its file
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND=PLAINTEXT,
        PYTHONPATH=str(REPO_ROOT),
    )
    # This process reads the same keyring file as the CLI's.
    for key in ("TRAVELER_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.setenv(key, env[key])
    return Companion(tmp_path / "home", env)


def keyring_entries() -> set[str]:
    """Every key the Traveler apps keep in the file keyring (read from the keyring's file)."""
    path = Path(PlaintextKeyring().file_path)
    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    section = escape(SERVICE)
    if not parser.has_section(section):
        return set()
    return {unescape(option) for option in parser.options(section)}


def test_an_account_added_with_the_cli_configures_both_apps(
    server: TravelerServer, companion: Companion
) -> None:
    added = companion.add(server, "alice", "alice-pw")
    assert added.returncode == 0, added.stderr
    assert "Alice Arden <alice@example.org> on server Traveler/Acme" in added.stdout
    assert "registered" in added.stdout

    (account,) = companion.accounts()
    assert account["server_url"] == server.url
    assert account["user"] == "alice"
    assert account["email"] == "alice@example.org"
    assert account["traveler_api"] is True
    assert account["default"] is True
    assert account["api_url"] == server.url + "/api/v1/"

    # Secrets: in the keyring, not in the account file.
    files = "".join(p.read_text() for p in companion.home.iterdir() if p.is_file())
    assert "alice-pw" not in files

    # The ToDo app gets the account with no set-up of its own.
    todo = sync_account(secrets=SecretStore(PlaintextKeyring()))
    assert (todo.server_url, todo.user, todo.password) == (server.url, "alice", "alice-pw")
    assert todo.device_id.startswith("traveler-")
    assert todo.token is not None
    whoami = httpx.get(f"{todo.api_url}whoami", headers={"Authorization": f"Bearer {todo.token}"})
    assert whoami.json()["device"]["device_id"] == todo.device_id

    # The server knows the device under that ID.
    assert todo.device_id in server.cli("device", "list", "--user", "alice")


def test_a_wrong_password_is_said_and_nothing_is_stored(
    server: TravelerServer, companion: Companion
) -> None:
    result = companion.add(server, "alice", "not-the-password")
    assert result.returncode == 1
    assert "did not accept the user name 'alice'" in result.stderr
    assert companion.accounts() == []
    # The device key was made before the server was asked; no account secret was stored.
    assert all(not key.startswith("account:") for key in keyring_entries())


def test_an_unreachable_server_is_said(companion: Companion) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = companion(
        "account",
        "add",
        "--server",
        f"http://127.0.0.1:{port}/traveler",
        "--user",
        "alice",
        "--password-stdin",
        stdin="pw\n",
    )
    assert result.returncode == 1
    assert "Cannot reach the server at 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_url_that_is_not_the_syncml_endpoint_is_said(
    server: TravelerServer, companion: Companion
) -> None:
    url = server.url.replace("/traveler", "/nothing")
    result = companion(
        "account", "add", "--server", url, "--user", "alice", "--password-stdin", stdin="alice-pw\n"
    )
    assert result.returncode == 1
    assert "is not a SyncML server: there is nothing at this address (HTTP 404)" in result.stderr
    assert "/traveler" in result.stderr


def test_without_a_usable_keyring_nothing_is_stored_and_the_fix_is_named(
    server: TravelerServer, companion: Companion
) -> None:
    companion.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    result = companion.add(server, "alice", "alice-pw")
    assert result.returncode == 3
    assert "No usable keyring" in result.stderr
    assert "PYTHON_KEYRING_BACKEND" in result.stderr
    assert not (companion.home / "accounts.json").exists()


def test_removing_an_account_deletes_its_secrets_and_signs_the_device_out(
    server: TravelerServer, companion: Companion
) -> None:
    assert companion.add(server, "alice", "alice-pw").returncode == 0
    assert companion.add(server, "bob", "bob-pw-1").returncode == 0
    token = sync_account("alice", secrets=SecretStore(PlaintextKeyring())).token
    accounts = {f"account:{user}@127.0.0.1-{server.port}:" for user in ("alice", "bob")}
    assert {key for key in keyring_entries() if key.startswith("account:")} == {
        prefix + kind for prefix in accounts for kind in ("password", "device-token")
    }

    removed = companion("account", "remove", "alice")
    assert removed.returncode == 0, removed.stderr
    assert "signed out of the server" in removed.stdout
    assert [a["user"] for a in companion.accounts()] == ["bob"]
    assert all("alice" not in key for key in keyring_entries())
    refused = httpx.get(f"{server.url}/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    # bob's account, now the default, is untouched.
    assert sync_account(secrets=SecretStore(PlaintextKeyring())).user == "bob"


def test_several_accounts_the_default_and_signing_in_again(
    server: TravelerServer, companion: Companion
) -> None:
    assert companion.add(server, "alice", "alice-pw").returncode == 0
    assert companion.add(server, "bob", "bob-pw-1").returncode == 0
    chosen = companion("account", "default", "bob")
    assert chosen.returncode == 0, chosen.stderr
    listed = companion("account", "list")
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("  alice@") and lines[1].startswith("* bob@")
    assert sync_account(secrets=SecretStore(PlaintextKeyring())).user == "bob"
    wrong = companion.add(server, "alice", "typo")
    assert wrong.returncode == 1
    again = companion.add(server, "alice", "alice-pw")
    assert again.returncode == 0, again.stderr
    assert "Signed in again to account alice@" in again.stdout
    assert [a["user"] for a in companion.accounts()] == ["alice", "bob"]
    assert sync_account("alice", secrets=SecretStore(PlaintextKeyring())).password == "alice-pw"


def test_usage_errors_exit_2(companion: Companion, server: TravelerServer) -> None:
    no_password = companion("account", "add", "--server", server.url, "--user", "alice")
    assert no_password.returncode == 2
    assert "--password-stdin" in no_password.stderr
    unknown = companion("account", "remove", "nobody")
    assert unknown.returncode == 1
    assert "no account yet" in unknown.stderr


def test_a_revoked_device_and_a_disabled_user_are_told_what_happened(
    tmp_path: Path, companion: Companion
) -> None:
    # A server of its own: revoking and disabling must not leak into the other tests.
    traveler = TravelerServer(tmp_path / "server")
    traveler.cli(
        "user",
        "add",
        "carol",
        "--email",
        "carol@example.org",
        "--password-stdin",
        stdin="carol-pw\n",
    )
    with traveler:
        assert companion.add(traveler, "carol", "carol-pw").returncode == 0
        account = sync_account(secrets=SecretStore(PlaintextKeyring()))
        traveler.cli("device", "revoke", "carol", account.device_id)
        whoami = httpx.get(
            f"{account.api_url}whoami", headers={"Authorization": f"Bearer {account.token}"}
        )
        assert whoami.json()["code"] == "device-revoked"
        assert companion("account", "remove", "carol").returncode == 0
        again = companion.add(traveler, "carol", "carol-pw")
        assert again.returncode == 1
        assert "was revoked" in again.stderr and "ask your administrator" in again.stderr

        traveler.cli("user", "disable", "carol")
        assert "(disabled)" in traveler.cli("user", "list")
        refused = companion.add(traveler, "carol", "carol-pw")
        assert refused.returncode == 1
        # A disabled account's right password gets SyncML 403 (not 401): told to ask the
        # administrator, not to retype a password that is right.
        assert "refuses access for carol" in refused.stderr
        assert "Ask your administrator" in refused.stderr
        assert "password" not in refused.stderr
        assert companion.accounts() == []
