"""The desktop apps' data files, shipped inside this package so that any install finds them.

``icons/`` (the ToDo app's icon, SVG and PNG sizes), ``translations/`` (the compiled ``.qm``
catalogues; their ``.ts`` sources sit beside them in the source tree), ``applications/`` (the
desktop entries), ``mime/`` (the ``.tef`` type for shared-mime-info) and ``metainfo/`` (the
AppStream description). Code finds them through :mod:`importlib.resources`, never relative to
the source tree: a wheel, a non-editable ``pip install`` and an editable checkout all work.
Nothing here imports Qt.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["ICON_SIZES", "folder", "resource"]

# The PNG sizes under icons/ (traveler-todo-<size>.png), beside the scalable SVG.
ICON_SIZES = (16, 32, 48, 64, 128, 256)

_extracted: dict[str, Path] = {}


def resource(*parts: str) -> Traversable:
    """One resource file, e.g. ``resource("mime", "traveler-tef.xml")``; read it with
    ``read_text``/``read_bytes``."""
    item = files(__name__)
    for part in parts:
        item = item.joinpath(part)
    if not item.is_file():
        raise FileNotFoundError(f"the resource {'/'.join(parts)} is not installed")
    return item


def folder(name: str) -> Path:
    """A resource folder (``"translations"``, ``"icons"``) as a real directory, for loaders
    that want a path (Qt's translators and icons). Installed as files it is the folder itself;
    inside a zip archive its files are copied once to a temporary folder removed at exit."""
    item = files(__name__).joinpath(name)
    if isinstance(item, Path):
        return item
    if name not in _extracted:
        target = Path(tempfile.mkdtemp(prefix=f"traveler-{name}-"))
        atexit.register(shutil.rmtree, target, ignore_errors=True)
        for entry in item.iterdir():
            if entry.is_file():
                (target / entry.name).write_bytes(entry.read_bytes())
        _extracted[name] = target
    return _extracted[name]
