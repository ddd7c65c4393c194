"""The account store: several accounts, a default, secrets only in the keyring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.accounts import (
    Account,
    AccountError,
    AccountExistsError,
    AccountNotFoundError,
    AccountStore,
    NoAccountError,
    PasswordMissingError,
    api_url,
    data_home,
)
from companion.secret_store import SecretStore
from tests.companion.memory_keyring import MemoryKeyring

URL = "http://127.0.0.1:8080/traveler"


def add(store: AccountStore, user: str = "alice", url: str = URL) -> Account:
    return store.add(server_url=url, user=user, password=f"{user}-pw", token=f"{user}-token")


def test_the_data_folder_follows_traveler_home(private_home: Path) -> None:
    assert data_home() == private_home


def test_the_api_base_is_derived_from_the_syncml_url() -> None:
    assert api_url(URL) == "http://127.0.0.1:8080/traveler/api/v1/"
    assert api_url("https://h/servlet/traveler/") == "https://h/servlet/traveler/api/v1/"


def test_an_added_account_is_listed_and_its_secrets_are_only_in_the_keyring(
    store: AccountStore, keyring: MemoryKeyring
) -> None:
    account = store.add(
        server_url=URL,
        user="alice",
        password="pa55-word",
        token="tok-123",
        email="alice@example.org",
        display_name="Alice",
        traveler_api=True,
    )
    assert store.accounts() == [account]
    assert account.api_url == "http://127.0.0.1:8080/traveler/api/v1/"
    text = store.path.read_text()
    assert "pa55-word" not in text and "tok-123" not in text
    assert json.loads(text)["accounts"][0]["server_url"] == URL
    assert sorted(keyring.secrets.values()) == ["pa55-word", "tok-123"]
    credentials = store.credentials()
    assert (credentials.password, credentials.token) == ("pa55-word", "tok-123")


def test_several_accounts_a_default_and_lookup_by_id_or_user(store: AccountStore) -> None:
    first = add(store, "alice")
    second = add(store, "bob", "http://other.example:9000/traveler")
    third = add(store, "alice", "https://third.example/traveler")
    assert store.default() == first
    store.set_default(second.id)
    assert store.default() == second
    assert store.credentials().account == second
    assert store.get("bob") == second
    with pytest.raises(AccountNotFoundError, match="several accounts"):
        store.get("alice")
    assert store.get(third.id) == third
    with pytest.raises(AccountNotFoundError, match="no account 'carol'"):
        store.get("carol")


def test_ids_are_readable_and_unique(store: AccountStore) -> None:
    one = add(store, "Alice", "http://h:8080/traveler")
    two = add(store, "alice", "http://h:8080/servlet/traveler")
    assert one.id == "alice@h-8080"
    assert two.id == "alice@h-8080-2"


def test_the_same_user_on_the_same_server_is_refused(store: AccountStore) -> None:
    add(store, "alice")
    with pytest.raises(AccountExistsError, match="remove it first"):
        add(store, "ALICE")


def test_removing_an_account_removes_its_secrets_and_moves_the_default(
    store: AccountStore, keyring: MemoryKeyring
) -> None:
    first = add(store, "alice")
    second = add(store, "bob", "http://b/traveler")
    store.remove("alice")
    assert store.accounts() == [second]
    assert store.default() == second
    assert all(first.id not in key for _, key in keyring.secrets)
    store.remove(second.id)
    assert keyring.secrets == {}
    with pytest.raises(NoAccountError, match="traveler-companion account add"):
        store.credentials()


@pytest.mark.parametrize(
    "url",
    [
        "127.0.0.1:8080/traveler",
        "ftp://h/traveler",
        "http://u:p@h/traveler",
        "http://h:99999/x",
        "http:///traveler",
    ],
)
def test_unusable_server_urls_are_refused_with_the_reason(store: AccountStore, url: str) -> None:
    with pytest.raises(AccountError):
        add(store, url=url)
    assert not store.path.exists()


def test_a_damaged_file_is_reported_and_left_as_it_is(store: AccountStore) -> None:
    store.home.mkdir(parents=True)
    store.path.write_text("{not json")
    with pytest.raises(AccountError, match="damaged"):
        store.accounts()
    with pytest.raises(AccountError, match="damaged"):
        add(store)
    assert store.path.read_text() == "{not json"


def test_without_a_keyring_nothing_is_written(
    private_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    store = AccountStore(private_home)
    with pytest.raises(Exception, match="No usable keyring"):
        add(store)
    assert not store.path.exists()


def test_a_password_lost_from_the_keyring_is_named(
    store: AccountStore, keyring: MemoryKeyring
) -> None:
    add(store)
    keyring.secrets.clear()
    with pytest.raises(PasswordMissingError, match="add the account again"):
        store.credentials()


def test_a_second_app_sees_the_accounts_of_the_first(private_home: Path) -> None:
    keyring = MemoryKeyring()
    add(AccountStore(private_home, SecretStore(keyring)), "alice")
    other = AccountStore(private_home, SecretStore(keyring))
    assert other.credentials().password == "alice-pw"


def test_signing_in_again_replaces_the_secrets_and_keeps_the_id(
    store: AccountStore, keyring: MemoryKeyring
) -> None:
    first = add(store, "alice")
    found = store.find(URL, "ALICE")
    assert found == first
    again = store.sign_in_again(first, password="new-pw", token=None, display_name="Alice A")
    assert again.id == first.id and again.display_name == "Alice A"
    assert store.accounts() == [again]
    credentials = store.credentials()
    assert (credentials.password, credentials.token) == ("new-pw", None)
