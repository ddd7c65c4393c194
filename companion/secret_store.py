"""The only place the desktop apps touch secrets: passwords, device tokens, device keys.

Secrets live in the system keyring (the ``keyring`` library), never in a file of ours. Which
keyring: the one the user chose (``PYTHON_KEYRING_BACKEND``, or keyring's own config file), or
else the best *recommended* backend (priority ≥ 1: Secret Service, KWallet, macOS Keychain,
Windows Credential Locker). keyring's own automatic choice would fall back to a plain-text
file whenever ``keyrings.alt`` happens to be installed; we refuse that unless it was chosen
explicitly, so nothing is ever stored in plain text silently. With no usable backend every
operation raises :class:`KeyringUnavailableError`, whose message says how to fix it.
"""

from __future__ import annotations

import os

from keyring import backend as keyring_backend
from keyring import core as keyring_core
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError

__all__ = ["SERVICE", "KeyringUnavailableError", "SecretStore", "choose_backend"]

SERVICE = "traveler-desktop"
ENV_VAR = "PYTHON_KEYRING_BACKEND"

HOW_TO_FIX = (
    "To fix it, install and unlock a keyring: a Secret Service keyring such as GNOME Keyring "
    "or KeePassXC, or KWallet; or choose a keyring backend yourself with the environment "
    "variable PYTHON_KEYRING_BACKEND, for example "
    "PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring "
    "(pip install keyrings.alt; it asks for a master password)."
)


class KeyringUnavailableError(Exception):
    """No usable keyring: the message says why and how to fix it. Nothing was stored."""


def _explicit_backend() -> keyring_backend.KeyringBackend | None:
    try:
        # An empty PYTHON_KEYRING_BACKEND is "not set", as a shell's `VAR= cmd` means it.
        from_env = keyring_core.load_env() if os.environ.get(ENV_VAR) else None
        return from_env or keyring_core.load_config()
    except Exception as exc:  # keyring imports whatever class name it is given
        raise KeyringUnavailableError(
            f"The keyring backend chosen with PYTHON_KEYRING_BACKEND (or keyring's config "
            f"file) cannot be loaded: {exc}. {HOW_TO_FIX}"
        ) from exc


def choose_backend() -> keyring_backend.KeyringBackend:
    """The keyring to use, or :class:`KeyringUnavailableError` when there is none."""
    explicit = _explicit_backend()
    if explicit is not None:
        if isinstance(explicit, fail.Keyring | null.Keyring):
            raise KeyringUnavailableError(
                f"No usable keyring: the chosen backend {_name(explicit)} stores nothing. "
                + HOW_TO_FIX
            )
        return explicit
    recommended = [
        candidate
        for candidate in keyring_backend.get_all_keyring()
        if not isinstance(candidate, chainer.ChainerBackend) and candidate.priority >= 1
    ]
    if not recommended:
        raise KeyringUnavailableError(
            "No usable keyring: passwords and device keys are kept only in a system keyring, "
            "and none is available on this computer. Nothing was stored. " + HOW_TO_FIX
        )
    return max(recommended, key=keyring_backend.by_priority)


def _name(backend: keyring_backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


class SecretStore:
    """Named secrets in the keyring, under the service name ``traveler-desktop``."""

    def __init__(self, backend: keyring_backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> keyring_backend.KeyringBackend:
        """The keyring in use (chosen on first use); raises KeyringUnavailableError."""
        if self._backend is None:
            self._backend = choose_backend()
        return self._backend

    @property
    def backend_name(self) -> str:
        return _name(self.backend)

    def get(self, key: str) -> str | None:
        """The secret stored as ``key``, or None."""
        backend = self.backend
        try:
            return backend.get_password(SERVICE, key)
        except KeyringError as exc:
            raise self._failed(backend, "read from", exc) from exc

    def set(self, key: str, value: str) -> None:
        """Store ``value`` as ``key``, replacing what was there."""
        backend = self.backend
        try:
            backend.set_password(SERVICE, key, value)
        except KeyringError as exc:
            raise self._failed(backend, "write to", exc) from exc

    def delete(self, key: str) -> None:
        """Forget ``key``; a key that is not there is no error."""
        backend = self.backend
        try:
            if backend.get_password(SERVICE, key) is not None:
                backend.delete_password(SERVICE, key)
        except PasswordDeleteError:
            pass  # gone between the read and the delete: what we wanted
        except KeyringError as exc:
            raise self._failed(backend, "delete from", exc) from exc

    @staticmethod
    def _failed(
        backend: keyring_backend.KeyringBackend, what: str, exc: Exception
    ) -> KeyringUnavailableError:
        return KeyringUnavailableError(
            f"Could not {what} the keyring ({_name(backend)}): {exc}. If it is locked, unlock "
            f"it and try again. {HOW_TO_FIX}"
        )
