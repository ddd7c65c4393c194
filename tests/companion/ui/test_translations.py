"""The German catalogue covers every string the windows show, and its .qm is built."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

ROOT = Path(__file__).resolve().parents[3]
# The .ts sources are in the source tree only (the installed package holds the .qm).
TRANSLATIONS = ROOT / "traveler_resources" / "translations"


def messages(path: Path) -> dict[tuple[str, str], list[str]]:
    found = {}
    for context in SafeET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            forms = [f.text or "" for f in translation.iter("numerusform")] or [
                translation.text or ""
            ]
            if translation.get("type") in {"unfinished", "obsolete", "vanished"}:
                forms = []
            found[(name, message.findtext("source") or "")] = forms
    return found


def lupdate() -> str:
    tool = Path(sys.executable).with_name("pyside6-lupdate")
    if not tool.exists():
        found = shutil.which("pyside6-lupdate")
        if found is None:
            pytest.fail("pyside6-lupdate is missing (it comes with PySide6-Essentials)")
        return found
    return str(tool)


def test_every_string_of_the_windows_is_translated_to_german(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "companion" / "ui").glob("*.py"))
    subprocess.run([lupdate(), *sources, "-ts", str(fresh)], check=True, capture_output=True)
    wanted = set(messages(fresh))
    german = messages(TRANSLATIONS / "companion_de.ts")
    assert wanted == {key for key, forms in german.items() if forms}, (
        "run ./run translations, translate the new strings, run it again (DEVELOPERS.md)"
    )
    assert all(all(form.strip() for form in forms) for forms in german.values())


def test_compiled_catalogues_exist() -> None:
    for language in ("de", "en"):
        ts = TRANSLATIONS / f"companion_{language}.ts"
        qm = TRANSLATIONS / f"companion_{language}.qm"
        assert qm.exists(), f"pyside6-lrelease {ts}"
