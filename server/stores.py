"""The store objects of one server process, built from its settings.

Every part of the server that needs a :class:`UserStore` or the SyncML backend gets it from
here, so a setting such as ``NTS_SYNCML_AUTH_TYPES=basic`` (keep no md5 secrets) reaches every
code path that writes users; the store classes themselves have no defaults for these choices.
"""

from __future__ import annotations

from server.config import Settings
from server.store.database import Database
from server.store.devices import DeviceStore
from server.store.sync_store import ItemGuard, SqlSyncBackend
from server.store.users import UserStore

__all__ = ["sync_backend", "user_store"]


def user_store(settings: Settings, database: Database) -> UserStore:
    """Users; md5 secrets are kept only while md5 is an accepted SyncML auth type, and new
    passwords are at least NTS_MIN_PASSWORD_LENGTH long."""
    return UserStore(
        database,
        store_md5_secret="md5" in settings.syncml_auth_types,
        min_password_length=settings.min_password_length,
    )


def sync_backend(settings: Settings, database: Database, *,
                 item_guard: ItemGuard | None = None) -> SqlSyncBackend:
    """The SyncML engine's backend on this server's store; ``item_guard`` sees every item
    before it is stored (the sync service passes delegation's check)."""
    return SqlSyncBackend(
        database,
        users=user_store(settings, database),
        devices=DeviceStore(database),
        session_timeout=settings.session_timeout,
        item_guard=item_guard,
    )
