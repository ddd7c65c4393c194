"""`traveler-companion` opens the main window: with no display it says how to run it; a second
`traveler-companion` (or `traveler-companion FILE.tef`) hands its request to the running one
and exits, so there is one window, one tray icon and one away state per user."""

from __future__ import annotations

import configparser
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from companion.accounts import AccountStore
from companion.ui.app import CompanionApp, SingleInstance, instance_name
from tests.companion.test_account_cli import Companion
from tests.companion.test_account_cli import companion as companion
from tests.interop.traveler_server import REPO_ROOT

DESKTOP_ENTRY = REPO_ROOT / "traveler_resources" / "applications" / "traveler-companion.desktop"


def launch(companion: Companion, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "companion.cli", *args],
        env={**companion.env, "QT_QPA_PLATFORM": "offscreen", **env},
        cwd=REPO_ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_with_no_display_it_says_how_to_run_it(companion: Companion) -> None:
    env = {k: v for k, v in companion.env.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "companion.cli"], env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("traveler-companion: there is no display to open the window")
    assert "traveler-companion ooo show" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_start_hands_over_to_the_running_companion(
    qtbot: QtBot, qapp: QApplication, companion: Companion, tmp_path: Path
) -> None:
    running = CompanionApp(qapp, AccountStore())
    qtbot.addWidget(running.window)
    SingleInstance(instance_name(), running)
    assert not running.window.isVisible()

    for args in ((), ("window",)):
        second = launch(companion, *args)
        qtbot.waitUntil(lambda proc=second: proc.poll() is not None, timeout=60000)
        assert second.returncode == 0, second.communicate()
        qtbot.waitUntil(running.window.isVisible, timeout=10000)
        running.window.hide()

    # A file (say, from the file manager) opens in a viewer of the running Companion.
    damaged = tmp_path / "report.pdf.tef"
    damaged.write_bytes(b"not a tef file")
    third = launch(companion, str(damaged))
    qtbot.waitUntil(lambda: third.poll() is not None, timeout=60000)
    assert third.returncode == 0, third.communicate()
    qtbot.waitUntil(lambda: len(running.viewers) == 1, timeout=10000)
    viewer = running.viewers[0]
    assert viewer.isVisible() and not running.window.isVisible()
    viewer.close()
    running.window.close()


def test_the_first_start_opens_the_window_and_the_second_exits_at_once(
    companion: Companion,
) -> None:
    first = launch(companion)
    try:
        name = instance_name(companion.home)
        deadline = time.monotonic() + 60
        while not _listening(name):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the Companion never started listening"
            time.sleep(0.1)
        started = time.monotonic()
        second = launch(companion)
        assert second.wait(60) == 0
        assert time.monotonic() - started < 30
        assert first.poll() is None  # still running, now with its window raised
    finally:
        first.kill()
        first.wait()


def _listening(name: str) -> bool:
    socket = QLocalSocket()
    socket.connectToServer(name)
    connected = socket.waitForConnected(200)
    socket.abort()
    return connected


def test_the_desktop_entry_starts_the_companion_window() -> None:
    entry = configparser.RawConfigParser()
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP_ENTRY, encoding="utf-8")
    # %f: a .tef from the file manager opens the viewer; started from the menu, the window.
    assert entry["Desktop Entry"]["Exec"] == "traveler-companion %f"

