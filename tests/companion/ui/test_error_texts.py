"""Every sign-in problem has its own sentence in English and in German, naming its details."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from companion.errors import Problem, SignInError
from companion.ui.error_texts import sign_in_error_text
from todo.ui.i18n import install_translations

ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
GERMAN = QLocale(QLocale.Language.German, QLocale.Country.Germany)


def error(problem: Problem, retry_after: int | None = 30) -> SignInError:
    return SignInError(
        problem,
        "the CLI's words",
        url="https://tls.example/traveler",
        server="tls.example",
        user="alice",
        detail="the reason",
        target="https://tls.example/traveler2",
        retry_after=retry_after,
        timeout=2.5,
    )


@pytest.fixture
def locales(qapp: QApplication) -> Iterator[None]:
    yield
    install_translations(qapp, ENGLISH)


def test_every_problem_has_its_own_sentence_in_both_languages(
    qapp: QApplication, locales: None
) -> None:
    install_translations(qapp, ENGLISH)
    english = {problem: sign_in_error_text(error(problem)) for problem in Problem}
    install_translations(qapp, GERMAN)
    german = {problem: sign_in_error_text(error(problem)) for problem in Problem}
    assert len(set(english.values())) == len(Problem) == len(set(german.values()))
    for problem in Problem:
        assert german[problem] != english[problem], problem
        assert "%" not in english[problem] + german[problem], problem
        assert "the CLI's words" not in english[problem], problem


def test_the_details_are_named(qapp: QApplication, locales: None) -> None:
    install_translations(qapp, GERMAN)
    assert sign_in_error_text(error(Problem.TIMEOUT)).startswith(
        "Der Server tls.example hat nicht innerhalb von 2,5 Sekunden geantwortet."
    )
    assert sign_in_error_text(error(Problem.REDIRECTED)) == (
        "https://tls.example/traveler leitet auf https://tls.example/traveler2 weiter; geben Sie "
        "stattdessen diese URL als Server-URL ein."
    )
    install_translations(qapp, ENGLISH)
    assert "try again in 30 seconds" in sign_in_error_text(error(Problem.TOO_MANY_ATTEMPTS))
    # A wait of a second is "later" rather than "1 seconds".
    assert "try again later" in sign_in_error_text(error(Problem.SERVER_UNAVAILABLE, 1))
    assert "(the reason)" in sign_in_error_text(error(Problem.SERVER_UNAVAILABLE, 1))
