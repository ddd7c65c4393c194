"""German and English: the catalogues cover every string of the windows, and a German locale
gives a German window."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from defusedxml import ElementTree
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.todo.ui.conftest import ME, close, until
from todo.task import Priority
from todo.ui.app import build_window
from todo.ui.i18n import install_translations
from todo.views import View

ROOT = Path(__file__).resolve().parents[3]
# The .ts sources are in the source tree only (the installed package holds the .qm).
TRANSLATIONS = ROOT / "traveler_resources" / "translations"
# The "traveler" catalogue is the ToDo window's; the sign-in dialog it shares with the
# Companion is in the "companion" catalogue (tests/companion/ui checks that one).
SOURCES = sorted(str(p) for p in (ROOT / "todo" / "ui").glob("*.py"))
CATALOGUES = ("traveler_de.ts", "traveler_en.ts")


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is part of PySide6-Essentials"
    return found


def _messages(path: Path) -> dict[tuple[str, str], ElementTree.Element]:
    root = ElementTree.parse(path).getroot()
    return {
        (context.findtext("name") or "", message.findtext("source") or ""): message
        for context in root.iter("context")
        for message in context.iter("message")
    }


def test_catalogues_hold_every_string_translated(tmp_path: Path) -> None:
    for name in CATALOGUES:
        fresh = tmp_path / name
        shutil.copy(TRANSLATIONS / name, fresh)
        subprocess.run(
            [
                _tool("pyside6-lupdate"),
                "-locations",
                "none",
                "-no-obsolete",
                # English is the source language: its catalogue holds only the plural forms.
                *(["-pluralonly"] if name.endswith("_en.ts") else []),
                *SOURCES,
                "-ts",
                str(fresh),
            ],
            check=True,
            capture_output=True,
        )
        committed, current = _messages(TRANSLATIONS / name), _messages(fresh)
        assert set(current) == set(committed), f"{name}: run pyside6-lupdate (DEVELOPERS.md)"
        unfinished = [key for key, m in committed.items() if m.find("translation").get("type")]
        assert not unfinished, f"{name} has untranslated strings: {unfinished}"


def test_compiled_catalogues_are_current(tmp_path: Path) -> None:
    for name in CATALOGUES:
        qm = tmp_path / name.replace(".ts", ".qm")
        subprocess.run(
            [_tool("pyside6-lrelease"), str(TRANSLATIONS / name), "-qm", str(qm)],
            check=True,
            capture_output=True,
        )
        assert qm.read_bytes() == (TRANSLATIONS / qm.name).read_bytes(), f"run lrelease on {name}"


async def test_a_german_locale_gives_a_german_window(
    qapp: QApplication, english: None, store_path: Path, qtbot: QtBot
) -> None:
    install_translations(qapp, QLocale(QLocale.Language.German, QLocale.Country.Germany))
    app = build_window(store_path, me=ME)
    try:
        window = app.window
        window.show()
        names = [window.sidebar.item(row).text() for row in range(9)]
        assert names == [
            "Alle",
            "Heute fällig",
            "Überfällig",
            "Nach Fälligkeit",
            "Nach Priorität",
            "Hoch",
            "Mittel",
            "Niedrig",
            "Erledigt",
        ]
        window.sidebar.select_view(View.BY_PRIORITY, priority=Priority.HIGH)
        assert window.title.text() == "Hohe Priorität"
        window.sidebar.grab().save("/tmp/todoui-shots/sidebar-by-priority-de.png")
        window.sidebar.setCurrentRow(0)
        await until(
            lambda: window.count.text() == "" and window.stack.currentWidget() is window.empty
        )
        assert window.empty.text().startswith("Nichts zu tun.")
        qtbot.keyClicks(window.quick_add.field, "Bericht morgen 17 Uhr !hoch #Renovierung")
        preview = window.quick_add.preview
        await until(lambda: "Renovierung" in preview.text(), "the preview")
        assert "Priorität:</span> Hoch" in preview.text()
        assert "Fällig:</span> Morgen 17:00" in preview.text()
        assert window.sync_status.label.text() == (
            "Nicht angemeldet — Ihre Aufgaben bleiben auf diesem Computer"
        )
    finally:
        await close(app)


def test_push_notices_are_worded_in_the_users_language(qapp: QApplication, english: None) -> None:
    from todo.push import Notice
    from todo.ui.push_watch import notice_text

    answer = Notice("answered", "Latest defect count", "Frank Adams", partstat="ACCEPTED")
    assert notice_text(answer) == "Frank Adams answered “Latest defect count”: accepted"
    install_translations(qapp, QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert (
        notice_text(answer) == "Frank Adams hat auf „Latest defect count“ geantwortet: angenommen"
    )
    withdrawn = Notice("cancelled", "Budget", "Bob Brown")
    assert notice_text(withdrawn) == "Bob Brown hat „Budget“ zurückgezogen"


def test_a_language_without_a_catalogue_gets_english_plurals(
    qapp: QApplication, english: None
) -> None:
    install_translations(qapp, QLocale(QLocale.Language.C))
    assert qapp.translate("TodoWindow", "%n todo(s)", None, 1) == "1 todo"
    assert qapp.translate("TodoWindow", "%n todo(s)", None, 6) == "6 todos"


async def test_a_failed_sync_is_worded_in_the_users_language(
    qapp: QApplication, english: None, store_path: Path
) -> None:
    from companion.errors import Problem, SignInError
    from todo.ui.sync_status import SyncPhase

    async def run_sync() -> str:
        # what AccountSync raises when the server does not answer
        raise SignInError(
            Problem.UNREACHABLE,
            "Cannot reach the server at 127.0.0.1:9 (connection refused). ...",
            url="http://127.0.0.1:9/traveler",
            server="127.0.0.1:9",
            user="alice",
            detail="connection refused",
        )

    install_translations(qapp, QLocale(QLocale.Language.German, QLocale.Country.Germany))
    app = build_window(store_path, me=ME, run_sync=run_sync)
    try:
        app.window.show()
        app.sync.sync_now()
        await until(lambda: app.sync.state.phase is SyncPhase.FAILED, "the failure")
        text = app.window.sync_status.label.text()
        assert text.startswith("Synchronisierung fehlgeschlagen: ")
        assert "Der Server 127.0.0.1:9 ist nicht erreichbar (connection refused)" in text
        assert "Cannot reach" not in text and "Prüfen Sie" in text
        assert app.window.sync_status.label.toolTip() == text  # the whole text, when elided
    finally:
        await close(app)
