"""What the windows say when signing in failed, in the user's language (Qt's translation
system, context ``ErrorTexts``); the CLI keeps the English of :class:`SignInError` itself."""

from __future__ import annotations

from typing import assert_never

from PySide6.QtCore import QCoreApplication, QLocale

from companion.errors import Problem, SignInError
from companion.ui.messages import fill

__all__ = ["sign_in_error_text"]

_EXAMPLE_URL = "https://traveler.example.com/traveler"


def _seconds(retry_after: int | None) -> bool:
    """Whether the wait is worth naming in seconds. A second or less is "later", since
    "1 seconds" would be wrong and pyside6-lupdate gives plural forms only to tr() calls."""
    return retry_after is not None and retry_after > 1


def sign_in_error_text(error: SignInError) -> str:
    """The sentence the sign-in dialog shows for ``error``."""
    # Literal strings in the translate() calls, so that lupdate finds them.
    match error.problem:
        case Problem.MISSING_SERVER:
            text = QCoreApplication.translate("ErrorTexts", "Enter the server URL, for example %1.")
            return fill(text, _EXAMPLE_URL)
        case Problem.MISSING_USER:
            return QCoreApplication.translate("ErrorTexts", "Enter your user name.")
        case Problem.MISSING_PASSWORD:
            return QCoreApplication.translate("ErrorTexts", "Enter your password.")
        case Problem.BAD_URL:
            text = QCoreApplication.translate(
                "ErrorTexts", "“%1” is not a server URL. Enter the full address, for example %2."
            )
            return fill(text, error.url, _EXAMPLE_URL)
        case Problem.URL_WITH_CREDENTIALS:
            return QCoreApplication.translate(
                "ErrorTexts",
                "The server URL must not contain a user name or password; enter them in their "
                "own fields.",
            )
        case Problem.URL_WITH_FRAGMENT:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "The server URL “%1” has a “#” part, which no server reads; leave it out.",
            )
            return fill(text, error.url)
        case Problem.BAD_PORT:
            return fill(
                QCoreApplication.translate(
                    "ErrorTexts", "The port in the server URL “%1” is not valid."
                ),
                error.url,
            )
        case Problem.UNREACHABLE:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "Cannot reach the server at %1 (%2). Check the server URL, that the server is "
                "running, and your network connection.",
            )
            return fill(text, error.server, error.detail)
        case Problem.TIMEOUT:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "The server at %1 did not answer within %2 seconds. It may be overloaded, or a "
                "firewall may be dropping the connection; try again later or check the address.",
            )
            return fill(text, error.server, QLocale().toString(error.timeout or 0.0, "g", 6))
        case Problem.TLS_UNTRUSTED:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "The server at %1 has a certificate this computer does not trust (%2). Check the "
                "address, or install the server's CA certificate.",
            )
            return fill(text, error.server, error.detail)
        case Problem.TLS_FAILED:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "A secure connection to %1 failed (%2). If the server does not use TLS, the URL "
                "must start with http:// rather than https://.",
            )
            return fill(text, error.server, error.detail)
        case Problem.REDIRECTED:
            text = QCoreApplication.translate(
                "ErrorTexts", "%1 redirects to %2; enter that URL as the server URL instead."
            )
            return fill(text, error.url, error.target)
        case Problem.NOT_SYNCML:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "%1 is not a SyncML server (it answered %2). Check the server URL: for a Traveler "
                "server it is http(s)://HOST:PORT/traveler.",
            )
            return fill(text, error.url, error.detail)
        case Problem.WRONG_PASSWORD:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "The server at %1 did not accept the user name “%2” with this password. Check both "
                "and try again.",
            )
            return fill(text, error.server, error.user)
        case Problem.ACCESS_REFUSED:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "The server at %1 refuses access for %2; the account may be disabled. Ask your "
                "administrator.",
            )
            return fill(text, error.server, error.user)
        case Problem.DEVICE_REVOKED:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "The server at %1 has revoked this device. Ask your administrator to allow it "
                "again.",
            )
            return fill(text, error.server)
        case Problem.TOO_MANY_ATTEMPTS:
            if not _seconds(error.retry_after):
                text = QCoreApplication.translate(
                    "ErrorTexts",
                    "The server at %1 refuses sign-ins for now after too many failed ones; try "
                    "again later, and check the password.",
                )
            else:
                text = QCoreApplication.translate(
                    "ErrorTexts",
                    "The server at %1 refuses sign-ins for now after too many failed ones; try "
                    "again in %2 seconds, and check the password.",
                )
            return fill(text, error.server, error.retry_after)
        case Problem.SERVER_UNAVAILABLE:
            if not _seconds(error.retry_after):
                text = QCoreApplication.translate(
                    "ErrorTexts",
                    "The server at %1 is not available right now (%2); try again later, or tell "
                    "your administrator if it lasts.",
                )
            else:
                text = QCoreApplication.translate(
                    "ErrorTexts",
                    "The server at %1 is not available right now (%2); try again in %3 seconds, "
                    "or tell your administrator if it lasts.",
                )
            return fill(text, error.server, error.detail, error.retry_after)
        case Problem.SERVER_FAILED:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "The server at %1 failed, or answered in a way this app cannot use (%2). Try again "
                "later or tell your administrator.",
            )
            return fill(text, error.server, error.detail)
        case Problem.KEYRING_UNAVAILABLE:
            return QCoreApplication.translate(
                "ErrorTexts",
                "The password cannot be kept: this computer has no usable keyring, or it is "
                "locked. Nothing was stored. Install and unlock a keyring (GNOME Keyring, "
                "KeePassXC or KWallet) and try again.",
            )
        case Problem.ALREADY_SIGNED_IN:
            text = QCoreApplication.translate(
                "ErrorTexts",
                "%1 on %2 is signed in already. To sign in again, remove the account in the "
                "Companion first.",
            )
            return fill(text, error.user, error.url)
        case Problem.LOCAL_DATA:
            return fill(
                QCoreApplication.translate(
                    "ErrorTexts", "The account data on this computer cannot be used (%1)."
                ),
                error.detail,
            )
        case unknown:
            assert_never(unknown)
