"""What the viewer says when a file cannot be opened or handed off, in the user's words."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from companion.secure_file import Problem

__all__ = ["fill", "hand_off_refused_text", "no_handler_text", "problem_text"]


def fill(text: str, *values: object) -> str:
    """Qt's %1, %2… placeholders (translations may reorder them)."""
    for number, value in reversed(list(enumerate(values, 1))):
        text = text.replace(f"%{number}", str(value))
    return text


def problem_text(problem: Problem) -> str:
    # Literal strings in translate() calls, so lupdate finds them.
    texts = {
        Problem.OTHER_DEVICE: QCoreApplication.translate(
            "Messages", "This file was encrypted for another device."
        ),
        Problem.DAMAGED: QCoreApplication.translate(
            "Messages", "This file has been altered or is incomplete."
        ),
        Problem.NOT_TEF: QCoreApplication.translate(
            "Messages", "This is not a secure attachment (.tef) file."
        ),
        Problem.NEWER_FORMAT: QCoreApplication.translate(
            "Messages", "This file needs a newer version of the Traveler Companion."
        ),
        Problem.NO_DEVICE_KEY: QCoreApplication.translate(
            "Messages",
            "This device has no key to open secure attachments. Sign in to your server again.",
        ),
        Problem.UNREADABLE: QCoreApplication.translate("Messages", "The file cannot be read."),
    }
    return texts[problem]


def hand_off_refused_text() -> str:
    return QCoreApplication.translate(
        "Messages", "Your administrator does not allow opening this file in other applications."
    )


def no_handler_text() -> str:
    return QCoreApplication.translate(
        "Messages", "No approved application for this file type is installed."
    )
