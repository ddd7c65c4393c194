"""The viewer window, driven as a user would: open, read, page, search, hand off, refuse."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

import tef
from companion.hand_off import ApprovedApp, HandOffFolder, installed_apps
from companion.ui.app import install_translators
from companion.ui.content_views import CsvViewer, ImageViewer, PdfViewer, TextViewer
from companion.ui.hand_off_runner import HandOffRunner
from companion.ui.viewer_window import ViewerWindow
from tests.companion.desktop_apps import install_app
from tests.companion.secure_files import flip_byte, write_tef
from tests.companion.ui.pdf_files import make_pdf

DEVICE = tef.Identity.generate()
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000030101001855d3330000000049454e44ae426082"
)


@pytest.fixture
def desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Private XDG dirs: only the test's applications, a private runtime dir."""
    data = tmp_path / "data"
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "no-system-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "no-system-config"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    return data


@pytest.fixture
def window(qtbot: QtBot, desktop: Path) -> Iterator[ViewerWindow]:
    win = ViewerWindow(identity=lambda: DEVICE)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def tef_file(tmp_path: Path, data: bytes, name: str, mime: str, **policy: object) -> Path:
    return write_tef(
        tmp_path / f"{name}.tef",
        data,
        [DEVICE.recipient],
        name=name,
        mime_type=mime,
        policy=tef.Policy(**policy),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("name", "mime", "data", "viewer"),
    [
        ("dot.png", "image/png", PNG_1x1, ImageViewer),
        ("notes.txt", "text/plain", "Grüße aus Köln\n".encode(), TextViewer),
        ("README.md", "text/markdown", b"# Title\n\n*emphasis*", TextViewer),
        ("mail.html", "text/html", b"<h1>Hi</h1>", TextViewer),
        ("figures.csv", "text/csv", b"a;b\n1;2\n3;4\n", CsvViewer),
    ],
)
def test_each_type_opens_in_its_built_in_viewer(
    window: ViewerWindow, tmp_path: Path, name: str, mime: str, data: bytes, viewer: type
) -> None:
    assert window.open_file(tef_file(tmp_path, data, name, mime))
    assert isinstance(window.pages.currentWidget(), viewer)
    assert name in window.windowTitle()


def test_pdf_opens_with_pages_and_zoom(window: ViewerWindow, tmp_path: Path) -> None:
    assert window.open_file(tef_file(tmp_path, make_pdf(3), "r.pdf", "application/pdf"))
    pdf = window.pages.currentWidget()
    assert isinstance(pdf, PdfViewer)
    assert pdf.document.pageCount() == 3
    assert pdf.page_count.text() == "of 3"
    pdf.zoom(1.25)
    assert pdf.view.zoomFactor() == pytest.approx(1.25, rel=0.01)


def test_text_and_markdown_and_csv_show_their_content(window: ViewerWindow, tmp_path: Path) -> None:
    window.open_file(tef_file(tmp_path, "Grüße aus Köln".encode(), "a.txt", "text/plain"))
    text = window.pages.currentWidget()
    assert isinstance(text, TextViewer)
    assert text.browser.toPlainText() == "Grüße aus Köln"
    window.open_file(tef_file(tmp_path, b"# Title\n\n- one", "b.md", "text/markdown"))
    markdown = window.pages.currentWidget()
    assert isinstance(markdown, TextViewer)
    assert "Title" in markdown.browser.toPlainText()
    assert "#" not in markdown.browser.toPlainText()
    window.open_file(
        tef_file(tmp_path, b"Region;Umsatz\nNord;1200\nSued;900\n", "c.csv", "text/csv")
    )
    table = window.pages.currentWidget()
    assert isinstance(table, QTableView)
    model = table.model()
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    assert model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Umsatz"
    assert model.index(1, 0).data() == "Sued"


def test_html_runs_no_scripts_and_loads_nothing(window: ViewerWindow, tmp_path: Path) -> None:
    html = (
        b"<h1>Hello</h1><script>document.write('pwned')</script>"
        b"<img src='https://tracker.example.com/pixel.png'><img src='file:///etc/passwd'>"
    )
    window.open_file(tef_file(tmp_path, html, "m.html", "text/html"))
    viewer = window.pages.currentWidget()
    assert isinstance(viewer, TextViewer)
    assert "pwned" not in viewer.browser.toPlainText()
    assert viewer.browser.loadResource(2, QUrl("https://tracker.example.com/pixel.png")) is None
    assert not viewer.browser.openLinks() and not viewer.browser.openExternalLinks()


def test_view_only_text_cannot_be_selected_copied_or_dragged(
    window: ViewerWindow, tmp_path: Path
) -> None:
    window.open_file(tef_file(tmp_path, b"secret text", "s.txt", "text/plain", view_only=True))
    viewer = window.pages.currentWidget()
    assert isinstance(viewer, TextViewer)
    assert viewer.browser.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert viewer.browser.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    viewer.browser.selectAll()
    assert not viewer.browser.textCursor().hasSelection() or not viewer.browser.canPaste()
    assert window.badge_action.isVisible()
    labels = {
        action.text().replace("&", "") for action in window.findChildren(type(window.open_action))
    }
    assert not labels & {"Save", "Save As…", "Print…", "Copy"}


def test_view_only_csv_cannot_be_selected(window: ViewerWindow, tmp_path: Path) -> None:
    window.open_file(tef_file(tmp_path, b"a,b\n1,2\n", "t.csv", "text/csv", view_only=True))
    table = window.pages.currentWidget()
    assert isinstance(table, QTableView)
    assert table.selectionMode() == QTableView.SelectionMode.NoSelection
    assert not table.dragEnabled()


def test_large_pdf_pages_without_decrypting_the_whole_file(
    window: ViewerWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    data = make_pdf(12, noise_pixels=300)  # about 3 MB: 12 pages of 270 KB images
    path = tef_file(tmp_path, data, "big.pdf", "application/pdf")
    assert window.open_file(path)
    pdf = window.pages.currentWidget()
    assert isinstance(pdf, PdfViewer)
    total = -(-len(data) // tef.CHUNK_SIZE)
    read_to_open = len(pdf.device.chunks_read)
    assert read_to_open < total / 2, (read_to_open, total)
    pdf.jump(11)
    qtbot.waitUntil(lambda: pdf.current_page() == 11)
    assert pdf.page.value() == 12
    image = pdf.document.render(11, pdf.document.pagePointSize(11).toSize())
    assert not image.isNull()
    assert len(pdf.device.chunks_read) < total


def test_pdf_search_finds_text_on_a_later_page(
    window: ViewerWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window.open_file(tef_file(tmp_path, make_pdf(4), "s.pdf", "application/pdf"))
    pdf = window.pages.currentWidget()
    assert isinstance(pdf, PdfViewer)
    qtbot.waitUntil(lambda: pdf.find_text("unicorn3", False) == 1)
    qtbot.waitUntil(lambda: pdf.current_page() == 2)
    assert pdf.find_bar.status.text() == "1 of 1"
    assert pdf.find_text("no such words", False) == 0
    assert pdf.find_bar.status.text() == "Not found"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("other-device", "This file was encrypted for another device."),
        ("altered-header", "This file has been altered or is incomplete."),
        ("truncated", "This file has been altered or is incomplete."),
        ("altered-middle-chunk", "This file has been altered or is incomplete."),
        ("not-tef", "This is not a secure attachment (.tef) file."),
    ],
)
def test_problems_are_said_in_the_users_words(
    window: ViewerWindow, tmp_path: Path, damage: str, message: str
) -> None:
    data = make_pdf(6, noise_pixels=200)
    recipients = [tef.Identity.generate().recipient] if damage == "other-device" else None
    path = write_tef(tmp_path / "x.tef", data, recipients or [DEVICE.recipient], name="x.pdf")
    header_length = len(tef.read_header(path.open("rb")))
    if damage == "altered-header":
        flip_byte(path, header_length - 40)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-100])
    elif damage == "altered-middle-chunk":
        # A chunk QtPdf reads to show the document (its first), not the final one checked
        # when the file is opened.
        flip_byte(path, header_length + 100)
    elif damage == "not-tef":
        path.write_bytes(data)
    assert not window.open_file(path)
    assert window.pages.currentWidget().objectName() == "problemPage"
    assert window.findChild(type(window.info), "problemText").text() == message
    assert not window.open_in_button.isEnabled()


def test_open_in_lists_only_approved_apps_and_hands_off_a_private_copy(
    window: ViewerWindow, desktop: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    report = tmp_path / "handler.report"
    install_app(
        desktop,
        "org.example.Approved.desktop",
        "Approved Viewer",
        ["application/pdf"],
        version="4.1",
        report=report,
    )
    install_app(
        desktop,
        "org.example.Unapproved.desktop",
        "Unapproved Viewer",
        ["application/pdf"],
        version="9.0",
    )
    window._approved = [
        ApprovedApp("Approved Viewer", "org.example.Approved.desktop", "linux", "4.0"),
    ]
    data = make_pdf(2)
    path = tef_file(
        tmp_path,
        data,
        "r.pdf",
        "application/pdf",
        approved_apps_only=True,
        allowed_apps=("org.example.Approved.desktop", "org.example.Unapproved.desktop"),
    )
    assert window.open_file(path)
    window.fill_open_in_menu()
    entries = [a.text() for a in window.open_in_menu.actions() if not a.isSeparator()]
    assert entries == ["Approved Viewer"]
    approved = next(a for a in window.open_in_menu.actions() if a.text() == "Approved Viewer")
    approved.trigger()
    qtbot.waitUntil(report.exists, timeout=10000)
    seen = json.loads(report.read_text())
    copy = Path(seen["path"])
    assert seen["sha256"] == hashlib.sha256(data).hexdigest()
    assert seen["file_mode"] == 0o600 and seen["folder_mode"] == 0o700
    assert copy.is_relative_to(Path(os.environ["XDG_RUNTIME_DIR"]))
    assert copy.name == "r.pdf"
    (tmp_path / "handler.report.release").write_text("")
    qtbot.waitUntil(lambda: not copy.exists(), timeout=10000)


def test_an_unapproved_app_is_refused_even_if_asked_directly(
    window: ViewerWindow, desktop: Path, tmp_path: Path
) -> None:
    install_app(desktop, "org.example.Unapproved.desktop", "Unapproved Viewer", ["application/pdf"])
    path = tef_file(
        tmp_path,
        make_pdf(1),
        "r.pdf",
        "application/pdf",
        approved_apps_only=True,
        allowed_apps=("org.example.Approved.desktop",),
    )
    window.open_file(path)
    window.hand_off(installed_apps()["org.example.Unapproved.desktop"])
    assert window.statusBar().currentMessage() == (
        "Your administrator does not allow opening this file in other applications."
    )
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    assert not any(p.is_file() for p in runtime.rglob("*"))


def test_view_only_offers_no_hand_off(window: ViewerWindow, desktop: Path, tmp_path: Path) -> None:
    install_app(desktop, "org.example.Any.desktop", "Any Viewer", ["application/pdf"])
    window.open_file(tef_file(tmp_path, make_pdf(1), "r.pdf", "application/pdf", view_only=True))
    window.fill_open_in_menu()
    (only,) = window.open_in_menu.actions()
    assert (
        only.text() == "Your administrator does not allow opening this file in other applications."
    )
    assert not only.isEnabled()


def test_closing_the_window_removes_decrypted_copies(
    qtbot: QtBot, desktop: Path, tmp_path: Path
) -> None:
    report = tmp_path / "h.report"
    install_app(desktop, "org.example.Any.desktop", "Any Viewer", ["text/plain"], report=report)
    runner = HandOffRunner(HandOffFolder())
    win = ViewerWindow(identity=lambda: DEVICE, runner=runner)
    qtbot.addWidget(win)
    win.open_file(tef_file(tmp_path, b"hello", "h.txt", "text/plain"))
    win.hand_off(installed_apps()["org.example.Any.desktop"])
    qtbot.waitUntil(report.exists, timeout=10000)
    copy = Path(json.loads(report.read_text())["path"])
    assert copy.exists()
    win.close()
    assert not copy.exists()
    (tmp_path / "h.report.release").write_text("")


def test_a_dropped_tef_file_opens(window: ViewerWindow, tmp_path: Path) -> None:
    path = tef_file(tmp_path, b"dropped", "d.txt", "text/plain")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.path == path
    assert isinstance(window.pages.currentWidget(), TextViewer)


def test_german_words(qtbot: QtBot, desktop: Path, tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = install_translators(app, QLocale(QLocale.Language.German))
    try:
        win = ViewerWindow(identity=lambda: tef.Identity.generate())
        qtbot.addWidget(win)
        assert win.open_in_button.text() == "Öffnen in …"
        win.open_file(tef_file(tmp_path, b"x", "x.txt", "text/plain"))
        problem = win.findChild(type(win.info), "problemText")
        assert problem.text() == "Diese Datei wurde für ein anderes Gerät verschlüsselt."
    finally:
        for translator in translators:
            app.removeTranslator(translator)
