"""Property tests: whatever the plaintext, it round-trips; any cut or flipped bit is refused."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tef
from tef import errors

IDENTITY = tef.Identity.from_bytes(bytes(range(32)))
CHUNK = tef.CHUNK_SIZE
# Sizes around the chunk boundaries, where framing mistakes live.
SIZES = st.one_of(
    st.integers(0, 300),
    st.sampled_from([CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1]),
    st.integers(0, 3 * CHUNK),
)
ALGORITHMS = st.sampled_from(list(tef.Algorithm))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _encrypt(data: bytes, algorithm: tef.Algorithm) -> bytes:
    metadata = tef.Metadata(
        name="f.bin",
        mime_type="application/octet-stream",
        size=len(data),
        created=datetime(2026, 1, 1, tzinfo=UTC),
    )
    out = io.BytesIO()
    tef.encrypt(io.BytesIO(data), out, [IDENTITY.recipient], metadata, algorithm=algorithm)
    return out.getvalue()


def _plaintext(size: int, seed: int) -> bytes:
    return (seed.to_bytes(4, "big") * (size // 4 + 1))[:size]


@FAST
@given(
    size=SIZES, seed=st.integers(0, 2**32 - 1), algorithm=ALGORITHMS, piece=st.integers(1, 70000)
)
def test_any_plaintext_round_trips_whatever_the_feed_size(
    size: int, seed: int, algorithm: tef.Algorithm, piece: int
) -> None:
    data = _plaintext(size, seed)
    encryptor = tef.Encryptor(
        [IDENTITY.recipient],
        tef.Metadata(name="f", mime_type="text/plain", size=size, created=datetime.now(UTC)),
        algorithm=algorithm,
    )
    parts = [encryptor.header]
    parts += [encryptor.update(data[at : at + piece]) for at in range(0, size, piece)]
    parts.append(encryptor.finish())
    blob = b"".join(parts)
    decryptor = tef.Decryptor(IDENTITY)
    got = b"".join(decryptor.feed(blob[at : at + piece]) for at in range(0, len(blob), piece))
    assert got + decryptor.finish() == data


@FAST
@given(size=SIZES, algorithm=ALGORITHMS, data=st.data())
def test_any_truncation_is_refused(
    size: int, algorithm: tef.Algorithm, data: st.DataObject
) -> None:
    blob = _encrypt(_plaintext(size, 7), algorithm)
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(errors.Truncated):
        tef.verify(io.BytesIO(blob[:cut]), IDENTITY)
    with pytest.raises(errors.TefError), tef.open(io.BytesIO(blob[:cut]), IDENTITY) as plain:
        plain.read()


@FAST
@given(size=SIZES, algorithm=ALGORITHMS, data=st.data())
def test_any_flipped_bit_is_refused(
    size: int, algorithm: tef.Algorithm, data: st.DataObject
) -> None:
    blob = bytearray(_encrypt(_plaintext(size, 9), algorithm))
    at = data.draw(st.integers(0, len(blob) - 1))
    blob[at] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(errors.TefError):
        tef.verify(io.BytesIO(bytes(blob)), IDENTITY)
    with pytest.raises(errors.TefError), tef.open(io.BytesIO(bytes(blob)), IDENTITY) as plain:
        for index in range(plain.chunk_count):
            plain.chunk(index)


@FAST
@given(size=SIZES, extra=st.binary(min_size=1, max_size=100))
def test_any_trailing_bytes_are_refused(size: int, extra: bytes) -> None:
    blob = _encrypt(_plaintext(size, 3), tef.Algorithm.AES_256_GCM)
    with pytest.raises(errors.TrailingData):
        tef.verify(io.BytesIO(blob + extra), IDENTITY)


@FAST
@given(size=SIZES, start=st.integers(0, 3 * CHUNK), length=st.integers(0, 2 * CHUNK))
def test_random_access_reads_match_the_plaintext(size: int, start: int, length: int) -> None:
    data = _plaintext(size, 11)
    with tef.open(io.BytesIO(_encrypt(data, tef.Algorithm.AES_256_GCM)), IDENTITY) as plain:
        plain.seek(start)
        assert plain.read(length) == data[start : start + length]
