"""The look of both apps: Qt's Fusion style with a light palette and a few rules for the
list title, the sidebar, the banners and the notification window."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

STYLE_SHEET = """
QMainWindow, #centre { background: #ffffff; }
#sidebar { background: #f5f6f8; border: none; padding-top: 8px; }
#sidebar::item { border: none; }
#listTitle { font-size: 20pt; font-weight: 600; color: #1f2328; }
#listCount { color: #6e7781; padding-top: 8px; }
#todoList { border: none; background: #ffffff; }
#emptyState { color: #6e7781; font-size: 12pt; padding: 40px; }
#quickAdd QLineEdit { padding: 7px 10px; border: 1px solid #d0d7de; border-radius: 6px;
    background: #f6f8fa; }
#quickAdd QLineEdit:focus { border: 1px solid #5b5fc7; background: #ffffff; }
#quickAddPreview { color: #444c56; padding: 2px 4px; }
QLineEdit, QPlainTextEdit {
    padding: 4px 6px; border: 1px solid #d0d7de; border-radius: 5px; background: #ffffff; }
QLineEdit:focus, QPlainTextEdit:focus { border: 1px solid #5b5fc7; }
QLineEdit:disabled { color: #8c959f; background: #f6f8fa; }
#TaskEditor { background: #fafbfc; border-left: 1px solid #e1e4e8; }
#TaskEditor QScrollArea, #TaskEditor QScrollArea > QWidget > QWidget { background: #fafbfc; }
#editorFooter { border-top: 1px solid #e1e4e8; background: #fafbfc; }
QPushButton { padding: 5px 14px; border: 1px solid #d0d7de; border-radius: 6px;
    background: #f6f8fa; }
QPushButton:hover { background: #eef1f4; }
QPushButton:default { background: #5b5fc7; color: white; border-color: #4f52b2; }
QPushButton:default:hover { background: #4f52b2; }
QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 0; }
QPushButton#danger { color: #c0392b; }
#conflictNotice { background: #fff4e5; border: 1px solid #f0b35b; border-radius: 8px; }
#delegationBar { background: #eef3fc; border: 1px solid #a8c1ef; border-radius: 8px; }
#hint { color: #6e7781; }
#syncStatus QLabel { color: #444c56; }
#undoNote { color: #444c56; padding-right: 6px; }
QPushButton#retry, QPushButton#undoButton { padding: 2px 12px; }
QStatusBar { background: #f5f6f8; border-top: 1px solid #e1e4e8; }
QStatusBar::item { border: none; }
#notification { background: #ffffff; border: 1px solid #c9d1d9; border-radius: 10px; }
#notificationTitle { font-weight: 600; }
QMenuBar { background: #ffffff; }
#SignInDialog { background: #ffffff; }
#signInMessage { color: #444c56; padding: 8px 10px; background: #f6f8fa; border-radius: 6px; }
#signInMessage[error="true"] { color: #8a1c12; background: #fdecea; border: 1px solid #f5b5ae; }
#accountsList { border: 1px solid #e1e4e8; border-radius: 6px; }
"""


def apply_style(app: QApplication) -> None:
    """Give ``app`` the apps' look."""
    # Once: setStyle deletes the old style, and with it animations it may still be running
    # (a busy progress bar), whose timer would then fire into freed memory.
    if app.style().name().lower() != "fusion":
        fusion = QStyleFactory.create("Fusion")
        if fusion is not None:
            app.setStyle(fusion)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#5b5fc7"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#6e7781"))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)
