"""Regenerate the TEF test vectors: python -m tests.tef.vectors.generate

Deterministic (every random byte comes from a SHA-256 counter keyed by the vector's name), so
re-running it rewrites identical files. Good vectors come from the real Encryptor; bad ones are
made by changing good ones or by framing chunks wrongly on purpose. `vectors.json` lists each
file, the identity to open it with, and the expected result: "ok" with the plaintext's SHA-256,
or the name of the one tef.errors class it must raise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tef.encryptor import Encryptor
from tef.format import CHUNK_SIZE, MAC_SIZE, PAYLOAD_NONCE_SIZE, PREFIX_SIZE, STANZA_SIZE, Algorithm
from tef.header import Header
from tef.keys import Identity, Recipient, Stanza
from tef.metadata import Metadata, Policy
from tef.payload import Payload

HERE = Path(__file__).parent
IDENTITIES = {
    "device_a": Identity.from_bytes(hashlib.sha256(b"tef test identity device_a").digest()),
    "device_b": Identity.from_bytes(hashlib.sha256(b"tef test identity device_b").digest()),
    "device_c": Identity.from_bytes(hashlib.sha256(b"tef test identity device_c").digest()),
}
CREATED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def drbg(label: str) -> Callable[[int], bytes]:
    counter = 0

    def random(count: int) -> bytes:
        nonlocal counter
        out = b""
        while len(out) < count:
            out += hashlib.sha256(f"{label}/{counter}".encode()).digest()
            counter += 1
        return out[:count]

    return random


def plaintext(label: str, size: int) -> bytes:
    return drbg("plaintext/" + label)(size)


def metadata(size: int, **changes: object) -> Metadata:
    fields: dict[str, object] = {
        "name": "Quartalsbericht Q4.pdf",
        "mime_type": "application/pdf",
        "size": size,
        "created": CREATED,
        "server": "https://traveler.example.com/traveler",
        "message_ref": "<20261202093000.4711@example.com>",
        "policy": Policy(
            view_only=False, approved_apps_only=True, allowed_apps=("org.gnome.Evince.desktop",)
        ),
    }
    fields.update(changes)
    return Metadata(**fields)  # type: ignore[arg-type]


def encrypt(
    label: str,
    data: bytes,
    recipients: list[Recipient],
    algorithm: Algorithm = Algorithm.AES_256_GCM,
) -> tuple[bytes, Encryptor]:
    encryptor = Encryptor(recipients, metadata(len(data)), algorithm=algorithm, random=drbg(label))
    body = encryptor.update(data) + encryptor.finish()
    return encryptor.header + body, encryptor


def misframed(label: str, data: bytes, flags: list[bool], extra_empty_final: bool = False) -> bytes:
    """A file whose chunks carry the given last flags (a broken encoder)."""
    a = IDENTITIES["device_a"].recipient
    _, encryptor = encrypt(label, data, [a])
    payload = Payload.of(encryptor.opened)
    chunks = [
        payload.seal_flagged(i, data[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE], last=flag)
        for i, flag in enumerate(flags)
    ]
    if extra_empty_final:
        chunks.append(payload.seal_flagged(len(flags), b"", last=True))
    return encryptor.header + b"".join(chunks)


def flip(data: bytes, at: int, mask: int = 0x01) -> bytes:
    out = bytearray(data)
    out[at] ^= mask
    return bytes(out)


def main() -> None:
    a, b = IDENTITIES["device_a"].recipient, IDENTITIES["device_b"].recipient
    vectors: list[dict[str, str]] = []

    def good(
        name: str, blob: bytes, data: bytes, identity: str = "device_a", note: str = ""
    ) -> None:
        (HERE / f"{name}.tef").write_bytes(blob)
        vectors.append(
            {
                "file": f"{name}.tef",
                "identity": identity,
                "expect": "ok",
                "plaintext_sha256": hashlib.sha256(data).hexdigest(),
                "note": note,
            }
        )

    def bad(name: str, blob: bytes, error: str, note: str, identity: str = "device_a") -> None:
        (HERE / f"{name}.tef").write_bytes(blob)
        vectors.append({"file": f"{name}.tef", "identity": identity, "expect": error, "note": note})

    # Good files.
    for size, name in [
        (0, "empty"),
        (100, "small"),
        (CHUNK_SIZE, "one_full_chunk"),
        (2 * CHUNK_SIZE + 100, "three_chunks"),
    ]:
        data = plaintext(name, size)
        blob, _ = encrypt(f"good_{name}", data, [a])
        good(f"good_aes_{name}", blob, data, note=f"AES-256-GCM, {size} bytes")
    three = plaintext("three_chunks", 2 * CHUNK_SIZE + 100)
    blob, _ = encrypt("good_chacha", three, [a], Algorithm.CHACHA20_POLY1305)
    good("good_chacha_three_chunks", blob, three, note="ChaCha20-Poly1305, three chunks")
    small = plaintext("small", 100)
    two, _ = encrypt("good_two_recipients", small, [b, a])
    good("good_two_recipients", two, small, "device_a", "second of two stanzas")
    vectors.append({**vectors[-1], "identity": "device_b", "note": "first of two stanzas"})

    # Keys.
    bad(
        "no_matching_recipient",
        encrypt("for_b", small, [b])[0],
        "NoMatchingRecipient",
        "encrypted for device_b only",
    )
    _, encryptor = encrypt("wrong_key", small, [a])
    file_key = encryptor.opened.file_key
    forged = Stanza.wrap(file_key, b, drbg("wrong_key/stanza"))
    forged = Stanza(a.tag, forged.share, forged.body)
    header = encryptor.opened.header
    rebuilt = Header.build(
        file_key, header.algorithm, (forged,), header.metadata_bytes, header.nonce
    )
    body = encrypt("wrong_key", small, [a])[0][len(header) :]
    bad(
        "wrong_key",
        rebuilt.to_bytes() + body,
        "WrongKey",
        "the stanza names device_a but wraps the key for device_b",
    )

    # Header.
    blob, encryptor = encrypt("header_mac", small, [a])
    header = encryptor.opened.header
    changed = metadata(100, policy=Policy()).to_bytes()
    assert len(changed) != len(header.metadata_bytes) or changed != header.metadata_bytes
    altered = Header(header.algorithm, header.stanzas, changed, header.nonce, header.mac)
    bad(
        "header_mac_policy_removed",
        altered.to_bytes() + blob[len(header) :],
        "HeaderMACError",
        "valid metadata with the policy removed, old MAC",
    )
    wrong_json = Header.build(
        file_key := encryptor.opened.file_key,
        header.algorithm,
        header.stanzas,
        b'{"name": "x"}',
        header.nonce,
    )
    bad(
        "malformed_metadata",
        wrong_json.to_bytes() + blob[len(header) :],
        "MalformedHeader",
        "MAC matches, but the metadata lacks required keys",
    )
    del file_key
    bad("unknown_version", flip(blob, 8, 0x03), "UnsupportedVersion", "version byte 2")
    bad("unknown_algorithm", flip(blob, 9, 0x06), "UnsupportedAlgorithm", "payload algorithm 7")
    bad("not_tef", b"%PDF-1.7\n" + small, "NotATefFile", "a PDF, not a TEF file")
    bad("empty_file", b"", "Truncated", "zero bytes")
    bad("trailing_bytes", blob + b"\x00", "TrailingData", "one byte after the final chunk")

    # Payload framing, on a three-chunk file.
    blob, encryptor = encrypt("framing", three, [a])
    start = len(encryptor.opened.header)
    step = CHUNK_SIZE + 16
    bad("truncated_in_header", blob[: start - 1], "Truncated", "cut one byte before the payload")
    for count in range(3):
        bad(
            f"truncated_after_{count}_chunks",
            blob[: start + count * step],
            "Truncated",
            f"cut at the chunk boundary after {count} of 3 chunks",
        )
    bad("truncated_mid_chunk", blob[: start + step + 1000], "Truncated", "cut inside chunk 1")
    bad("truncated_last_byte", blob[:-1], "Truncated", "the last byte missing")
    bad(
        "missing_final_chunk",
        misframed("framing", three, [False, False, False]),
        "MissingFinalChunk",
        "all three chunks marked not final",
    )
    bad(
        "two_final_chunks",
        misframed("framing", three, [False, True, True]),
        "EarlyFinalChunk",
        "chunks 1 and 2 both marked final",
    )
    one_full = plaintext("one_full_chunk", CHUNK_SIZE)
    bad(
        "empty_final_chunk",
        misframed("empty_final", one_full, [False], extra_empty_final=True),
        "EmptyFinalChunk",
        "a full non-final chunk, then an empty final chunk",
    )
    swapped = blob[:start] + blob[start + step : start + 2 * step] + blob[start : start + step]
    bad(
        "reordered_chunks",
        swapped + blob[start + 2 * step :],
        "ChunkAuthError",
        "chunks 0 and 1 swapped",
    )
    other, _ = encrypt("framing_other", three, [a])
    bad(
        "chunk_from_other_file",
        blob[: start + step] + other[start + step : start + 2 * step] + blob[start + 2 * step :],
        "ChunkAuthError",
        "chunk 1 taken from another file",
    )

    # A flipped byte in each part of a two-recipient, two-chunk file.
    data = plaintext("flips", CHUNK_SIZE + 100)
    blob, encryptor = encrypt("flips", data, [b, a])
    header = encryptor.opened.header
    stanza_a = PREFIX_SIZE + STANZA_SIZE  # device_a's stanza is the second
    metadata_at = PREFIX_SIZE + 2 * STANZA_SIZE + 4
    nonce_at = len(header) - MAC_SIZE - PAYLOAD_NONCE_SIZE
    parts = [
        ("magic", 0, "NotATefFile"),
        ("version", 8, "UnsupportedVersion"),
        ("algorithm", 9, "UnsupportedAlgorithm"),
        ("recipient_count", 11, "MalformedHeader"),
        ("other_stanza", PREFIX_SIZE + 30, "HeaderMACError"),
        ("stanza_type", stanza_a, "UnsupportedAlgorithm"),
        ("stanza_tag", stanza_a + 1, "NoMatchingRecipient"),
        ("stanza_share", stanza_a + 9, "WrongKey"),
        ("stanza_body", stanza_a + 41, "WrongKey"),
        ("metadata_length", metadata_at - 1, "HeaderMACError"),
        ("metadata", metadata_at + 10, "HeaderMACError"),
        ("payload_nonce", nonce_at, "HeaderMACError"),
        ("header_mac", len(header) - 1, "HeaderMACError"),
        ("chunk_0", len(header) + 5, "ChunkAuthError"),
        ("chunk_0_tag", len(header) + CHUNK_SIZE + 3, "ChunkAuthError"),
        ("final_chunk", len(header) + step + 7, "ChunkAuthError"),
        ("final_chunk_tag", len(blob) - 1, "ChunkAuthError"),
    ]
    # algorithm 1 ^ 0x01 would be 0; 0x06 makes it 7, an unknown one (0 is unknown too, but say so).
    for part, at, error in parts:
        mask = 0x06 if part == "algorithm" else 0x01
        bad(f"flip_{part}", flip(blob, at, mask), error, f"one byte flipped in the {part}")

    (HERE / "vectors.json").write_text(
        json.dumps(
            {
                "identities": {name: i.to_bytes().hex() for name, i in IDENTITIES.items()},
                "vectors": vectors,
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
