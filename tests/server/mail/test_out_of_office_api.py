"""The out-of-office profile through the client API: read, change, validation, the log."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.store import Database
from server.store.out_of_office import OutOfOfficeStore
from tests.server.api_peer import API, app_client, database_of, hash_passwords_cheaply


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hash_passwords_cheaply(monkeypatch)


USERS = [
    ("detlev", "detlev@example.test", "detlev-pw", "detlev poettgen"),
    ("bob", "bob@example.test", "bob-pw"),
]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with database_of(tmp_path, USERS, store_md5_secret=False) as db:
        yield db


@pytest.fixture
async def client(tmp_path: Path, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(tmp_path, database, "NTS_SERVER_NAME=lorien.netzgoetter.net\n") as c:
        yield c


async def headers_of(client: httpx.AsyncClient, user: str) -> dict[str, str]:
    body = {"device_id": "dev-1", "public_key": base64.b64encode(os.urandom(32)).decode()}
    response = await client.post(f"{API}/devices", json=body, auth=(user, f"{user}-pw"))
    assert response.status_code in (200, 201), response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


async def test_a_user_without_a_profile_is_not_away(client: httpx.AsyncClient) -> None:
    headers = await headers_of(client, "detlev")
    profile = (await client.get(f"{API}/ooo", headers=headers)).json()
    assert profile["enabled"] is False and profile["state"] == "off"
    assert profile["return"] is None and profile["external"] == "all"


async def test_setting_out_of_office_confirms_in_the_seeds_words_and_is_logged(
    client: httpx.AsyncClient, database: Database
) -> None:
    headers = await headers_of(client, "detlev")
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "enabled": True,
        "leave": iso(now - timedelta(minutes=1)),
        "return": iso(now + timedelta(days=7)),
        "subject": "Abwesend",
        "body": "Ich bin ab Montag wieder da.",
        "internal_body": "Back Monday; ask Bob.",
        "external": "known",
        "known": ["carol@outside.test"],
        "exclusions": {"domains": ["spam.test"], "subject_words": ["Rechnung"]},
    }
    response = await client.put(f"{API}/ooo", headers=headers, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["message"] == (
        "Out of office settings were updated for user detlev poettgen on server "
        "lorien.netzgoetter.net."
    )
    profile = answer["profile"]
    assert profile["state"] == "away" and profile["subject"] == "Abwesend"
    assert profile["exclusions"] == {
        "addresses": [],
        "domains": ["spam.test"],
        "subject_words": ["Rechnung"],
    }
    assert profile["updated_by"] == "detlev on device dev-1"
    assert (await client.get(f"{API}/ooo", headers=headers)).json() == profile
    # A change of one field keeps the others.
    response = await client.put(f"{API}/ooo", headers=headers, json={"enabled": False})
    assert response.json()["profile"]["subject"] == "Abwesend"
    assert response.json()["profile"]["state"] == "off"
    changes = OutOfOfficeStore(database).changes(1)
    assert [c.changed_by for c in changes] == ["detlev on device dev-1"] * 2
    assert changes[0].summary.startswith("on, from ") and changes[1].summary == "off"


async def test_unlimited_and_scheduled(client: httpx.AsyncClient) -> None:
    headers = await headers_of(client, "detlev")
    base = {"subject": "Away", "body": "Back later."}
    response = await client.put(
        f"{API}/ooo", headers=headers, json={**base, "enabled": True, "return": None}
    )
    assert response.json()["profile"]["state"] == "away"
    later = iso(datetime.now(UTC) + timedelta(days=1))
    response = await client.put(f"{API}/ooo", headers=headers, json={"leave": later})
    assert response.json()["profile"]["state"] == "scheduled"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"enabled": True, "subject": "", "body": "x"}, "The subject of the reply is empty."),
        ({"enabled": True, "subject": "x", "body": " "}, "The text of the reply is empty."),
        (
            {"enabled": True, "subject": "x", "body": "y", "leave": "2027-01-10T08:00:00Z",
             "return": "2027-01-09T08:00:00Z"},
            "The return time must be after the leave time.",
        ),
        (
            {"enabled": True, "subject": "x", "body": "y", "return": "2020-01-01T00:00:00Z"},
            "The return time is in the past.",
        ),
        ({"return": "2027-01-09T08:00:00"}, "has no time zone"),
        ({"return": "next week"}, "is not a date and time"),
        ({"external": "friends"}, "must be none, known or all"),
        ({"enabled": "yes"}, "must be true or false"),
        ({"holiday": True}, "There is no out-of-office field 'holiday'."),
        ({"exclusions": {"people": []}}, "'exclusions' has no field 'people'"),
        ({"known": "carol@outside.test"}, "must be a list of texts"),
        ({"known": ["carol"]}, "'carol' in 'known' is not a mail address"),
        (
            {"exclusions": {"addresses": ["boss@example"]}},
            "'boss@example' in 'exclusions.addresses' is not a mail address",
        ),
        (
            {"exclusions": {"domains": ["spam test"]}},
            "'spam test' in 'exclusions.domains' is not a domain",
        ),
    ],
)
async def test_bad_settings_are_refused_in_the_users_words(
    client: httpx.AsyncClient, body: dict[str, Any], detail: str
) -> None:
    headers = await headers_of(client, "detlev")
    response = await client.put(f"{API}/ooo", headers=headers, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "ooo-invalid"
    assert detail in response.json()["detail"]
    assert (await client.get(f"{API}/ooo", headers=headers)).json()["enabled"] is False


async def test_users_only_ever_see_and_change_their_own_profile(
    client: httpx.AsyncClient, database: Database
) -> None:
    detlev = await headers_of(client, "detlev")
    bob = await headers_of(client, "bob")
    body = {"enabled": True, "subject": "Away", "body": "Back later."}
    await client.put(f"{API}/ooo", headers=detlev, json=body)
    assert (await client.get(f"{API}/ooo", headers=bob)).json()["enabled"] is False
    await client.put(f"{API}/ooo", headers=bob, json={"enabled": False})
    assert OutOfOfficeStore(database).get(1).enabled is True
