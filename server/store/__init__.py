"""The server's store: one SQLite database (sqlite-utils, WAL) and the tables' access classes.

Public surface::

    Database, Migration                     database.py   connection, transactions, migrate()
    MIGRATIONS                              migrations.py the schema, version by version
    UserStore, User, md5_secret             users.py
    DeviceStore, Device                     devices.py

Errors (all derive from :class:`StoreError`)::

    StoreError
    ├── MigrationError
    │   └── SchemaTooNewError
    ├── UserError
    │   └── UserExistsError
    └── DeviceError
"""

from server.store.database import (
    DB_FILENAME,
    Database,
    Migration,
    MigrationError,
    SchemaTooNewError,
    StoreError,
)
from server.store.devices import Device, DeviceError, DeviceStore
from server.store.users import User, UserError, UserExistsError, UserStore, md5_secret

__all__ = [
    "DB_FILENAME",
    "Database",
    "Device",
    "DeviceError",
    "DeviceStore",
    "Migration",
    "MigrationError",
    "SchemaTooNewError",
    "StoreError",
    "User",
    "UserError",
    "UserExistsError",
    "UserStore",
    "md5_secret",
]
