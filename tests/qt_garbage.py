"""A fixture for tests of Qt windows: garbage is collected on the UI thread, as in the apps
(:mod:`todo.ui.main_thread_gc`), while such a test runs; afterwards the test's garbage is
collected here and the automatic collector is on again for the tests without Qt."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from todo.ui.main_thread_gc import collect_on_main_thread


@pytest.fixture(autouse=True)
def collect_garbage_on_the_ui_thread(qapp: QApplication) -> Iterator[None]:
    collect_on_main_thread(qapp)
    yield
    gc.collect()
    gc.enable()
