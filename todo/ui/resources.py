"""Where the apps' icons and translations are: ``resources/`` of the source tree."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
TRANSLATIONS = RESOURCES / "translations"
ICONS = RESOURCES / "icons"


def app_icon() -> QIcon:
    """The ToDo app's icon (scalable, with PNG sizes for trays that want them)."""
    icon = QIcon(str(ICONS / "traveler-todo.svg"))
    for size in (16, 32, 48, 64, 128, 256):
        png = ICONS / f"traveler-todo-{size}.png"
        if png.exists():
            icon.addFile(str(png))
    return icon
