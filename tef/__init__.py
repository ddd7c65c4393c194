"""TEF (Traveler Encrypted File) v1: sans-IO streaming encryption of attachments to devices.

The format is specified in docs/tef.md. The core (`Encryptor`, `Decryptor`, `Header`,
`Payload`, `rewrap`) takes and returns bytes; `tef.files` drives it over open file objects::

    opened = tef.encrypt(source, target, [device.recipient], metadata)
    metadata = tef.decrypt(source, target, identity)
    with tef.open(source, identity) as plain:   # random access, decrypts only what it reads
        plain.seek(10 * 65536); page = plain.read(4096)

Errors are the classes in `tef.errors`, one per failure.
"""

from tef.decryptor import Decryptor
from tef.encryptor import Encryptor
from tef.errors import TefError
from tef.files import TefFile, decrypt, encrypt, open, read_header, rewrap_file, verify
from tef.format import CHUNK_SIZE, Algorithm
from tef.header import Header, OpenedHeader
from tef.keys import Identity, Recipient
from tef.metadata import Metadata, Policy
from tef.payload import Payload
from tef.rewrap import rewrap

__all__ = [
    "CHUNK_SIZE",
    "Algorithm",
    "Decryptor",
    "Encryptor",
    "Header",
    "Identity",
    "Metadata",
    "OpenedHeader",
    "Payload",
    "Policy",
    "Recipient",
    "TefError",
    "TefFile",
    "decrypt",
    "encrypt",
    "open",
    "read_header",
    "rewrap",
    "rewrap_file",
    "verify",
]
