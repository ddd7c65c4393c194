"""An account on SyncEvolution's own SyncML server: accepted, with the Traveler extras off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyrings.alt.file import PlaintextKeyring

from companion.device import load_device
from companion.secret_store import SecretStore
from tests.interop.syncevo_server import SyncEvolutionServer
from tests.interop.traveler_server import REPO_ROOT
from todo.account import sync_account


@pytest.fixture
def companion_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAVELER_", "XDG_"))}
    env.update(
        TRAVELER_HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        PYTHONPATH=str(REPO_ROOT),
    )
    for key in ("TRAVELER_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.setenv(key, env[key])
    return env


def add_account(
    env: dict[str, str], url: str, user: str, password: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "companion.cli",
            "account",
            "add",
            "--server",
            url,
            "--user",
            user,
            "--password-stdin",
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )


def test_an_account_on_syncevolutions_server_is_accepted_without_the_extras(
    tmp_path: Path, companion_env: dict[str, str]
) -> None:
    # The installation's device ID must be known to SyncEvolution's server before it connects.
    device = load_device(secrets=SecretStore(PlaintextKeyring()))
    with SyncEvolutionServer(tmp_path / "syncevo") as server:
        server.add_peer(device.device_id, "alice", "alice-pw")
        wrong = add_account(companion_env, server.url, "alice", "wrong-pw")
        assert wrong.returncode == 1, wrong.stdout + wrong.stderr
        assert "did not accept" in wrong.stderr

        added = add_account(companion_env, server.url, "alice", "alice-pw")
        assert added.returncode == 0, added.stdout + added.stderr
        assert f"on the SyncML server {server.url}" in added.stdout
        assert "no Traveler client API" in added.stdout
    account = sync_account(secrets=SecretStore(PlaintextKeyring()))
    assert (account.server_url, account.password, account.device_id) == (
        server.url,
        "alice-pw",
        device.device_id,
    )
    assert account.token is None and account.api_url is None
