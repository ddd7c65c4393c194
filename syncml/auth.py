"""SyncML authentication: syncml:auth-basic and syncml:auth-md5 credentials and nonces."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

AUTH_BASIC = "syncml:auth-basic"
AUTH_MD5 = "syncml:auth-md5"


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    """What a syncml:auth-basic Cred carries."""

    username: str
    password: str


def md5_secret(username: str, password: str) -> bytes:
    """b64(md5("user:password")): the password-equivalent an md5 verifier must keep."""
    return base64.b64encode(hashlib.md5(f"{username}:{password}".encode()).digest())


def md5_digest(secret: bytes, nonce: bytes) -> bytes:
    """The raw 16-byte digest md5(secret ":" nonce) a client sends (base64'd) as Cred/Data."""
    return hashlib.md5(secret + b":" + nonce).digest()


def basic_cred_data(username: str, password: str) -> str:
    """Cred/Data of a basic credential."""
    return base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def parse_basic(data: str | bytes) -> BasicCredentials | None:
    """Decode a basic Cred/Data; None when it is not b64("user:password")."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    try:
        decoded = base64.b64decode(raw.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        return None
    return BasicCredentials(username, password)


def check_md5(data: str | bytes, secret: bytes, nonce: bytes) -> bool:
    """True when Cred/Data is the md5 digest of secret and nonce.

    Over WBXML some clients send the 16 raw digest bytes as opaque data instead of its
    base64 text; both are accepted.
    """
    expected = md5_digest(secret, nonce)
    if isinstance(data, bytes) and len(data) == 16:
        return hmac.compare_digest(data, expected)
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    try:
        received = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(received, expected)


def new_nonce() -> bytes:
    """A fresh random nonce (12 bytes; it travels base64-encoded)."""
    return os.urandom(12)
