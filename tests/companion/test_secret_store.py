"""Secrets go only to a keyring the user can rely on; without one, a clear refusal."""

from __future__ import annotations

import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from companion.secret_store import KeyringUnavailableError, SecretStore, choose_backend
from tests.companion.memory_keyring import MemoryKeyring


def test_the_fail_keyring_of_a_headless_machine_is_refused_with_how_to_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("keyring.backend.get_all_keyring", lambda: [fail.Keyring()])
    with pytest.raises(KeyringUnavailableError) as caught:
        SecretStore().set("k", "v")
    message = str(caught.value)
    assert "No usable keyring" in message
    assert "PYTHON_KEYRING_BACKEND" in message
    assert "Nothing was stored" in message


def test_a_plain_text_backend_is_not_chosen_silently(monkeypatch: pytest.MonkeyPatch) -> None:
    # keyring itself would pick keyrings.alt's plain-text file here (priority 0.5).
    monkeypatch.setattr(
        "keyring.backend.get_all_keyring", lambda: [PlaintextKeyring(), fail.Keyring()]
    )
    with pytest.raises(KeyringUnavailableError):
        choose_backend()


def test_a_recommended_backend_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    memory = MemoryKeyring()
    monkeypatch.setattr("keyring.backend.get_all_keyring", lambda: [PlaintextKeyring(), memory])
    assert choose_backend() is memory


def test_a_backend_chosen_with_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    store = SecretStore()
    store.set("account:x:password", "s3cret")
    assert store.get("account:x:password") == "s3cret"
    assert store.backend_name == "keyrings.alt.file.PlaintextKeyring"


@pytest.mark.parametrize(
    "name", ["keyring.backends.fail.Keyring", "keyring.backends.null.Keyring", "no.such.Backend"]
)
def test_a_chosen_backend_that_stores_nothing_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    with pytest.raises(KeyringUnavailableError) as caught:
        SecretStore().get("k")
    assert "PYTHON_KEYRING_BACKEND" in str(caught.value)


def test_a_locked_keyring_is_reported_not_crashed_on(keyring: MemoryKeyring) -> None:
    keyring.locked = True
    store = SecretStore(keyring)
    for action in (lambda: store.get("k"), lambda: store.set("k", "v"), lambda: store.delete("k")):
        with pytest.raises(KeyringUnavailableError) as caught:
            action()
        assert "unlock it" in str(caught.value)


def test_deleting_a_missing_secret_is_no_error(secrets: SecretStore) -> None:
    secrets.delete("never-stored")
    secrets.set("k", "v")
    secrets.delete("k")
    assert secrets.get("k") is None


def test_an_empty_environment_variable_means_not_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    memory = MemoryKeyring()
    monkeypatch.setattr("keyring.backend.get_all_keyring", lambda: [memory])
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "")
    assert choose_backend() is memory
