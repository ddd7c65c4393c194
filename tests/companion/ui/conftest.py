"""Qt tests run offscreen; PDFs for them are written with Qt's own PDF writer."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.qt_garbage import collect_garbage_on_the_ui_thread  # noqa: F401 - autouse
