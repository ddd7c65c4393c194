"""The apps' icons and translations as Qt wants them, from the :mod:`traveler_resources`
package (found through importlib.resources, so an installed app finds them too)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from traveler_resources import ICON_SIZES, folder

TRANSLATIONS = folder("translations")
ICONS = folder("icons")


def app_icon() -> QIcon:
    """The ToDo app's icon (scalable, with PNG sizes for trays that want them)."""
    icon = QIcon(str(ICONS / "traveler-todo.svg"))
    for size in ICON_SIZES:
        icon.addFile(str(ICONS / f"traveler-todo-{size}.png"))
    return icon
