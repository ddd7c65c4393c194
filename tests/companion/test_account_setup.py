"""Signing in, the core both the CLI and the dialog use: each way it can fail is named by its
Problem (with what a text needs), and nothing is stored unless it worked."""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import HTMLResponse, JSONResponse, Response

from companion.account_setup import check_request, sign_in
from companion.accounts import AccountStore
from companion.errors import Problem, SignInError
from companion.secret_store import SecretStore
from server.store import ClientDeviceStore, Database, UserStore
from syncml import codec
from syncml.model import Header, Location, Message, encode_message
from tests.companion.memory_keyring import MemoryKeyring
from tests.companion.test_api_client import URL, answering, traveler
from tests.companion.test_api_client import cheap_password_hashing as cheap_password_hashing
from tests.companion.test_api_client import server_dir as server_dir


async def failed(store: AccountStore, url: str, user: str, password: str, **kw: Any) -> SignInError:
    with pytest.raises(SignInError) as caught:
        await sign_in(store, url, user, password, **kw)
    assert store.accounts() == []
    return caught.value


def failing_connection(cause: Exception) -> httpx.MockTransport:
    """A transport whose connection fails the way httpx reports ``cause``."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection failed", request=request) from cause

    return httpx.MockTransport(handler)


async def test_signing_in_keeps_the_account_and_its_secrets(
    store: AccountStore, server_dir: Path
) -> None:
    done = await sign_in(store, f" {URL} ", " alice ", "alice-pw", transport=traveler(server_dir))
    assert not done.again and done.note is None
    assert done.whoami is not None and done.whoami.email == "alice@example.org"
    [account] = store.accounts()
    assert account == done.account
    assert (account.server_url, account.user, account.display_name) == (
        URL,
        "alice",
        "Alice Arden",
    )
    credentials = store.credentials()
    assert credentials.password == "alice-pw" and credentials.token


async def test_signing_in_again_is_refused_unless_asked_for(
    store: AccountStore, server_dir: Path
) -> None:
    first = await sign_in(store, URL, "alice", "alice-pw", transport=traveler(server_dir))
    with pytest.raises(SignInError) as caught:
        await sign_in(store, URL, "ALICE", "alice-pw", transport=traveler(server_dir))
    assert caught.value.problem is Problem.ALREADY_SIGNED_IN
    assert (caught.value.user, caught.value.url) == ("alice", URL)

    again = await sign_in(
        store, URL, "alice", "alice-pw", again=True, email="a@b.org", transport=traveler(server_dir)
    )
    assert again.again and again.account.id == first.account.id
    assert [a.email for a in store.accounts()] == ["a@b.org"]


@pytest.mark.parametrize(
    ("url", "user", "problem"),
    [
        ("  ", "alice", Problem.MISSING_SERVER),
        ("traveler.example.com", "alice", Problem.BAD_URL),
        ("ftp://traveler.example.com/traveler", "alice", Problem.BAD_URL),
        ("http://alice:pw@traveler.example.com/traveler", "alice", Problem.URL_WITH_CREDENTIALS),
        ("http://traveler.example.com/traveler#top", "alice", Problem.URL_WITH_FRAGMENT),
        ("http://traveler.example.com:99999/traveler", "alice", Problem.BAD_PORT),
        (URL, " ", Problem.MISSING_USER),
    ],
)
def test_what_is_wrong_before_the_password_is_asked_for(
    store: AccountStore, url: str, user: str, problem: Problem
) -> None:
    with pytest.raises(SignInError) as caught:
        check_request(store, url, user, again=True)
    assert caught.value.problem is problem
    if problem is not Problem.MISSING_SERVER:
        assert caught.value.url == url.strip()


async def test_an_empty_password_is_named(store: AccountStore) -> None:
    error = await failed(store, URL, "alice", "")
    assert error.problem is Problem.MISSING_PASSWORD
    assert str(error) == "the password is empty"


async def test_a_wrong_password_keeps_the_clis_words(store: AccountStore, server_dir: Path) -> None:
    error = await failed(store, URL, "alice", "nope", transport=traveler(server_dir))
    assert error.problem is Problem.WRONG_PASSWORD
    assert (error.server, error.user) == ("testserver", "alice")
    assert "did not accept the user name 'alice'" in str(error)


async def test_an_unreachable_server_is_named(store: AccountStore) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await failed(store, f"http://127.0.0.1:{port}/traveler", "alice", "pw")
    assert error.problem is Problem.UNREACHABLE
    assert error.server == f"127.0.0.1:{port}" and error.detail


async def test_a_server_that_does_not_answer_is_a_timeout(store: AccountStore) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)  # accepts connections (kernel backlog) but never answers
        port = silent.getsockname()[1]
        error = await failed(store, f"http://127.0.0.1:{port}/traveler", "a", "pw", timeout=0.2)
    assert error.problem is Problem.TIMEOUT and error.timeout == 0.2


async def test_tls_failures_are_told_apart(store: AccountStore) -> None:
    untrusted = ssl.SSLCertVerificationError("certificate verify failed")
    untrusted.verify_message = "self-signed certificate"
    error = await failed(
        store,
        "https://tls.example/traveler",
        "alice",
        "pw",
        transport=failing_connection(untrusted),
    )
    assert error.problem is Problem.TLS_UNTRUSTED
    assert (error.server, error.detail) == ("tls.example", "self-signed certificate")

    no_tls = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    no_tls.reason = "WRONG_VERSION_NUMBER"
    error = await failed(
        store, "https://tls.example/traveler", "alice", "pw", transport=failing_connection(no_tls)
    )
    assert error.problem is Problem.TLS_FAILED and error.detail == "WRONG_VERSION_NUMBER"


async def test_a_redirect_names_the_url_to_use(store: AccountStore, server_dir: Path) -> None:
    error = await failed(store, URL + "/", "alice", "alice-pw", transport=traveler(server_dir))
    assert error.problem is Problem.REDIRECTED and error.target == URL


async def test_a_web_page_is_not_a_syncml_server(store: AccountStore) -> None:
    page = answering(HTMLResponse("<html><body>Welcome</body></html>"))
    error = await failed(store, URL, "alice", "pw", transport=page)
    assert error.problem is Problem.NOT_SYNCML and error.detail == "HTTP 200 text/html"


async def test_a_disabled_account_is_refused_access(store: AccountStore, server_dir: Path) -> None:
    with Database.open(server_dir) as db:
        UserStore(db, store_md5_secret=True).set_disabled("alice", True)
    error = await failed(store, URL, "alice", "alice-pw", transport=traveler(server_dir))
    assert error.problem is Problem.ACCESS_REFUSED


async def test_a_revoked_device_is_named(store: AccountStore, server_dir: Path) -> None:
    transport = traveler(server_dir)
    done = await sign_in(store, URL, "alice", "alice-pw", transport=transport)
    with Database.open(server_dir) as db:
        alice = UserStore(db, store_md5_secret=True).get("alice")
        assert alice is not None
        ClientDeviceStore(db).revoke(alice.id, done.device.device_id, when=datetime.now(UTC))
    store.remove(done.account.id)
    error = await failed(store, URL, "alice", "alice-pw", transport=transport)
    assert error.problem is Problem.DEVICE_REVOKED and "revoked" in error.detail


async def test_a_throttled_sign_in_says_how_long_to_wait(store: AccountStore) -> None:
    throttled = JSONResponse({"status": 429}, status_code=429, headers={"Retry-After": "30"})
    error = await failed(store, URL, "alice", "pw", transport=answering(throttled))
    assert error.problem is Problem.TOO_MANY_ATTEMPTS and error.retry_after == 30


async def test_a_server_going_down_is_unavailable_not_failed(store: AccountStore) -> None:
    going_down = Response(status_code=503, headers={"Retry-After": "5"})
    error = await failed(store, URL, "alice", "pw", transport=answering(going_down))
    assert error.problem is Problem.SERVER_UNAVAILABLE
    assert (error.retry_after, error.detail) == (5, "HTTP 503 Service Unavailable")


async def test_a_syncml_answer_without_a_status_is_a_failed_server(store: AccountStore) -> None:
    header = Header(
        version="1.2", session_id="1", msg_id=1, target=Location("dev"), source=Location(URL)
    )
    body = codec.encode(encode_message(Message(header=header, final=True)), wbxml=False)
    broken = answering(Response(body, media_type=codec.CONTENT_TYPE_XML))
    error = await failed(store, URL, "alice", "pw", transport=broken)
    assert error.problem is Problem.SERVER_FAILED and error.detail


async def test_a_locked_keyring_stores_nothing(tmp_path: Path, server_dir: Path) -> None:
    keyring = MemoryKeyring()
    keyring.locked = True
    store = AccountStore(tmp_path / "home", SecretStore(keyring))
    error = await failed(store, URL, "alice", "alice-pw", transport=traveler(server_dir))
    assert error.problem is Problem.KEYRING_UNAVAILABLE
    assert "unlock it" in str(error)


def test_no_keyring_at_all_is_said_before_the_password_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    store = AccountStore(tmp_path / "home", SecretStore())
    with pytest.raises(SignInError) as caught:
        check_request(store, URL, "alice", again=False)
    assert caught.value.problem is Problem.KEYRING_UNAVAILABLE
    assert "PYTHON_KEYRING_BACKEND" in str(caught.value)


def test_a_damaged_account_file_is_local_data(store: AccountStore) -> None:
    store.home.mkdir(parents=True)
    store.path.write_text("{not json")
    with pytest.raises(SignInError) as caught:
        check_request(store, URL, "alice", again=False)
    assert caught.value.problem is Problem.LOCAL_DATA
    assert str(store.path) in caught.value.detail
