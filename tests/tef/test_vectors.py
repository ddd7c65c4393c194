"""The committed vectors (tests/tef/vectors): each good one opens, each bad one raises its error."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

import tef
from tef import errors

VECTORS = Path(__file__).parent / "vectors"
MANIFEST = json.loads((VECTORS / "vectors.json").read_text())
IDENTITIES = {
    name: tef.Identity.from_bytes(bytes.fromhex(key))
    for name, key in MANIFEST["identities"].items()
}


def _cases(expect_ok: bool) -> list[Any]:
    return [
        pytest.param(vector, id=f"{vector['file']}-{vector['identity']}")
        for vector in MANIFEST["vectors"]
        if (vector["expect"] == "ok") == expect_ok
    ]


def _load(vector: dict[str, str]) -> tuple[bytes, tef.Identity]:
    return (VECTORS / vector["file"]).read_bytes(), IDENTITIES[vector["identity"]]


@pytest.mark.parametrize("vector", _cases(expect_ok=True))
def test_good_vector_decrypts_to_its_plaintext(vector: dict[str, str]) -> None:
    blob, identity = _load(vector)
    out = io.BytesIO()
    metadata = tef.decrypt(io.BytesIO(blob), out, identity)
    assert hashlib.sha256(out.getvalue()).hexdigest() == vector["plaintext_sha256"]
    assert metadata.size == len(out.getvalue())


@pytest.mark.parametrize("vector", _cases(expect_ok=True))
def test_good_vector_reads_the_same_by_random_access(vector: dict[str, str]) -> None:
    blob, identity = _load(vector)
    with tef.open(io.BytesIO(blob), identity) as plain:
        chunks = [plain.chunk(i) for i in reversed(range(plain.chunk_count))]
        plain.seek(0)
        whole = plain.read()
    assert b"".join(reversed(chunks)) == whole
    assert hashlib.sha256(whole).hexdigest() == vector["plaintext_sha256"]


@pytest.mark.parametrize("vector", _cases(expect_ok=False))
def test_bad_vector_raises_its_own_error(vector: dict[str, str]) -> None:
    blob, identity = _load(vector)
    expected = getattr(errors, vector["expect"])
    with pytest.raises(errors.TefError) as raised:
        tef.verify(io.BytesIO(blob), identity)
    assert type(raised.value) is expected, f"{vector['note']}: {raised.value!r}"


@pytest.mark.parametrize("vector", _cases(expect_ok=False))
def test_bad_vector_fed_in_small_pieces_raises_the_same_error(vector: dict[str, str]) -> None:
    blob, identity = _load(vector)
    decryptor = tef.Decryptor(identity)
    with pytest.raises(getattr(errors, vector["expect"])):
        for at in range(0, len(blob), 4093):
            decryptor.feed(blob[at : at + 4093])
        decryptor.finish()


@pytest.mark.parametrize("vector", _cases(expect_ok=False))
def test_bad_vector_is_refused_by_random_access_before_or_while_reading(
    vector: dict[str, str],
) -> None:
    blob, identity = _load(vector)
    with pytest.raises(errors.TefError), tef.open(io.BytesIO(blob), identity) as plain:
        for index in range(plain.chunk_count):
            plain.chunk(index)


def test_every_error_class_has_a_vector() -> None:
    covered = {vector["expect"] for vector in MANIFEST["vectors"]}
    leaves = {
        name
        for name in errors.__all__
        if not any(
            issubclass(getattr(errors, other), getattr(errors, name)) and other != name
            for other in errors.__all__
        )
    }
    assert leaves <= covered, leaves - covered


def test_vectors_are_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.tef.vectors import generate

    monkeypatch.setattr(generate, "HERE", tmp_path)
    generate.main()
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (VECTORS / path.name).read_bytes(), path.name
