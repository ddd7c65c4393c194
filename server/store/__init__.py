"""The server's store: one SQLite database (sqlite-utils, WAL) and the tables' access classes.

Public surface::

    Database                                database.py   connection, transactions, migrate()
    MIGRATIONS, Migration                   schema.py     every table and index, version by version
    UserStore, User, md5_secret             users.py
    DeviceStore, Device                     devices.py
    ClientDeviceStore, ClientDevice         client_devices.py   client-API devices: keys, tokens

Errors (all derive from :class:`StoreError`)::

    StoreError
    ├── MigrationError
    │   └── SchemaTooNewError
    ├── UserError
    │   └── UserExistsError
    └── DeviceError
        └── DeviceRevokedError
"""

from server.store.client_devices import ClientDevice, ClientDeviceStore, DeviceRevokedError
from server.store.database import (
    DB_FILENAME,
    Database,
    MigrationError,
    SchemaTooNewError,
    StoreError,
)
from server.store.devices import Device, DeviceError, DeviceStore
from server.store.schema import MIGRATIONS, Migration
from server.store.users import User, UserError, UserExistsError, UserStore, md5_secret

__all__ = [
    "DB_FILENAME",
    "MIGRATIONS",
    "ClientDevice",
    "ClientDeviceStore",
    "Database",
    "Device",
    "DeviceError",
    "DeviceRevokedError",
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
