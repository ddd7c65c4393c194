"""German and English through Qt's translation system, following the system locale
(``LANGUAGE``/``LC_ALL``/``LC_MESSAGES``/``LANG`` as Qt reads them)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from todo.ui.resources import TRANSLATIONS

# Translators stay installed for the life of the application; Qt does not own them.
_installed: list[QTranslator] = []


def install_translations(app: QCoreApplication, locale: QLocale | None = None) -> QLocale:
    """Load the app's and Qt's own translations for ``locale`` (default: the system's).

    English is the source language, so an English locale loads nothing. Returns the locale
    used; calling it again replaces the translations (the tests switch languages).
    """
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    locale = locale or QLocale.system()
    QLocale.setDefault(locale)
    # The ToDo window's catalogue, and the Companion's for the sign-in dialog both apps show.
    english = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    for name in ("traveler", "companion"):
        ours = QTranslator()
        # A language we have no catalogue for (or the C locale) gets English, plural forms
        # included ("1 todo", "2 todos").
        if ours.load(locale, name, "_", str(TRANSLATIONS)) or ours.load(
            english, name, "_", str(TRANSLATIONS)
        ):
            app.installTranslator(ours)
            _installed.append(ours)
    qt = QTranslator()
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return locale
