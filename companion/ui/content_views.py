"""The built-in viewers: image, PDF, plain text, Markdown, HTML (no scripts, nothing loaded), CSV.

Under view only nothing can leave a viewer: no selection (so no copy), no context menu, no
drag, and there is no save or print anywhere.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import tef
from companion.ui.tef_device import TefIODevice

__all__ = ["ContentKind", "content_kind", "make_viewer"]

# Whole-file viewers read all plaintext into memory; beyond this they show the metadata only.
MAX_IN_MEMORY = 64 * 1024 * 1024
_MARKDOWN = {"text/markdown", "text/x-markdown"}
_HTML = {"text/html", "application/xhtml+xml"}
_CSV = {"text/csv", "text/comma-separated-values", "application/csv"}
_TEXT = {"application/json", "application/xml", "application/x-yaml", "application/x-sh"}

ContentKind = str


def content_kind(metadata: tef.Metadata) -> ContentKind:
    """Which built-in viewer shows this file: pdf, image, markdown, html, csv, text or none."""
    mime = metadata.mime_type.lower()
    if mime == "application/pdf":
        return "pdf"
    if metadata.size > MAX_IN_MEMORY:
        return "none"
    image_types = {bytes(t.data()).decode() for t in QImageReader.supportedMimeTypes()}
    if mime in image_types:
        return "image"
    if mime in _MARKDOWN:
        return "markdown"
    if mime in _HTML:
        return "html"
    if mime in _CSV:
        return "csv"
    if mime.startswith("text/") or mime in _TEXT:
        return "text"
    return "none"


def make_viewer(
    kind: ContentKind, plain: tef.TefFile, view_only: bool, parent: QWidget | None = None
) -> QWidget:
    if kind == "pdf":
        return PdfViewer(plain, view_only, parent)
    data = plain.read() if plain.seek(0) == 0 else b""
    if kind == "image":
        return ImageViewer(data, parent)
    if kind == "csv":
        return CsvViewer(_decode(data), view_only, parent)
    return TextViewer(_decode(data), kind, view_only, parent)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Attachments from Windows mailers are often CP 1252; every byte decodes in it.
        return data.decode("cp1252", errors="replace")


def _lock_down(widget: QWidget) -> None:
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    widget.setAcceptDrops(False)


class ImageViewer(QScrollArea):
    """An image scaled to fit the window (never above its own size)."""

    def __init__(self, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.image = QImage.fromData(data)
        self._label = QLabel()
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(self._label)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _lock_down(self)
        if self.image.isNull():
            self._label.setText(self.tr("This image cannot be shown."))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.image.isNull():
            size = self.viewport().size()
            pixmap = QPixmap.fromImage(self.image)
            if pixmap.width() > size.width() or pixmap.height() > size.height():
                pixmap = pixmap.scaled(
                    size,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            self._label.setPixmap(pixmap)


class _QuietBrowser(QTextBrowser):
    """A text browser that loads nothing: no remote or local resources, no link following."""

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        return None


class FindBar(QWidget):
    """A search field with previous/next; emits what to find."""

    find_requested = Signal(str, bool)  # text, backwards

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = QLineEdit()
        self.field.setObjectName("findField")
        self.field.setPlaceholderText(self.tr("Search"))
        self.field.setClearButtonEnabled(True)
        self.field.setMaximumWidth(260)
        self.field.returnPressed.connect(lambda: self.find_requested.emit(self.field.text(), False))
        self.status = QLabel()
        previous = QToolButton()
        previous.setText("▲")
        previous.setToolTip(self.tr("Previous match"))
        previous.clicked.connect(lambda: self.find_requested.emit(self.field.text(), True))
        following = QToolButton()
        following.setText("▼")
        following.setToolTip(self.tr("Next match"))
        following.clicked.connect(lambda: self.find_requested.emit(self.field.text(), False))
        for widget in (self.field, previous, following, self.status):
            layout.addWidget(widget)


class TextViewer(QWidget):
    """Plain text, Markdown or HTML; HTML without scripts (Qt's rich text runs none) or loads."""

    def __init__(
        self, text: str, kind: ContentKind, view_only: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.find_bar = FindBar()
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 0)
        bar.addStretch(1)
        bar.addWidget(self.find_bar)
        layout.addLayout(bar)
        self.browser = _QuietBrowser()
        self.browser.setObjectName("textViewer")
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.document().setDocumentMargin(16)
        if kind == "markdown":
            self.browser.setMarkdown(text)
        elif kind == "html":
            self.browser.setHtml(text)
        else:
            self.browser.setPlainText(text)
            self.browser.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        if view_only:
            self.browser.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            _lock_down(self.browser)
            self.browser.viewport().setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        layout.addWidget(self.browser)
        self.find_bar.find_requested.connect(self.find_text)
        QShortcut(QKeySequence.StandardKey.Find, self, self.find_bar.field.setFocus)

    def find_text(self, text: str, backwards: bool) -> bool:
        if not text:
            return False
        flags = self.browser.document().FindFlag(0)
        if backwards:
            flags |= self.browser.document().FindFlag.FindBackward
        found = self.browser.find(text, flags)
        if not found:
            # Wrap around once.
            cursor = self.browser.textCursor()
            cursor.movePosition(
                cursor.MoveOperation.End if backwards else cursor.MoveOperation.Start
            )
            self.browser.setTextCursor(cursor)
            found = self.browser.find(text, flags)
        self.find_bar.status.setText("" if found else self.tr("Not found"))
        return found


_ROOT = QModelIndex()


class _RowsModel(QAbstractTableModel):
    def __init__(self, header: list[str], rows: list[list[str]]) -> None:
        super().__init__()
        self._header = header
        self._rows = rows
        self._columns = max([len(header), *(len(row) for row in rows)], default=0)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._columns

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            row = self._rows[index.row()]
            return row[index.column()] if index.column() < len(row) else ""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._header[section] if section < len(self._header) else ""
        return str(section + 1)


class CsvViewer(QTableView):
    """CSV as a table; the delimiter (comma, semicolon, tab) and header row are sniffed."""

    def __init__(self, text: str, view_only: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("csvViewer")
        sample = text[:16384]
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t|")
            has_header = csv.Sniffer().has_header(sample)
        except csv.Error:
            dialect, has_header = csv.excel, False
        rows = list(csv.reader(io.StringIO(text), dialect))
        header = rows.pop(0) if has_header and rows else []
        self.setModel(_RowsModel(header, rows))
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setStretchLastSection(True)
        self.resizeColumnsToContents()
        self.setDragEnabled(False)
        if view_only:
            self.setSelectionMode(QTableView.SelectionMode.NoSelection)
            _lock_down(self)


class PdfViewer(QWidget):
    """QtPdf over the TEF random-access device: pages, zoom, search, only needed chunks read."""

    def __init__(self, plain: tef.TefFile, view_only: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device = TefIODevice(plain, self)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        # One page at a time: the multi-page layout makes QtPdf read (and so decrypt) every
        # page up front; a single page reads only what that page needs.
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        _lock_down(self.view)
        self.search = QPdfSearchModel(self)
        self.search.setDocument(self.document)
        self.view.setSearchModel(self.search)
        self._result = -1

        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        self.previous_page = self._button("‹", self.tr("Previous page"), lambda: self.go(-1))
        self.page = QSpinBox()
        self.page.setObjectName("pageNumber")
        self.page.setMinimum(1)
        self.page.setKeyboardTracking(False)
        self.page.valueChanged.connect(lambda value: self.jump(value - 1))
        self.page_count = QLabel()
        self.next_page = self._button("›", self.tr("Next page"), lambda: self.go(1))
        zoom_out = self._button("−", self.tr("Zoom out"), lambda: self.zoom(1 / 1.25))
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        zoom_in = self._button("+", self.tr("Zoom in"), lambda: self.zoom(1.25))
        fit = self._button("↔", self.tr("Fit to width"), self.fit_width)
        self.find_bar = FindBar()
        self.find_bar.find_requested.connect(self.find_text)
        for widget in (self.previous_page, self.page, self.page_count, self.next_page):
            bar.addWidget(widget)
        bar.addSpacing(16)
        for widget in (zoom_out, self.zoom_label, zoom_in, fit):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.find_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        QShortcut(QKeySequence.StandardKey.Find, self, self.find_bar.field.setFocus)
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, lambda: self.go(1))
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: self.go(-1))

        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        self.view.zoomFactorChanged.connect(self._zoom_changed)
        self.document.load(self.device)
        count = self.document.pageCount()
        self.page.setMaximum(max(1, count))
        self.page_count.setText(self.tr("of %n", "", count))
        self._zoom_changed(self.view.zoomFactor())
        self._page_changed(0)

    @property
    def ok(self) -> bool:
        return self.document.status() == QPdfDocument.Status.Ready and self.device.failure is None

    def _button(self, text: str, tip: str, slot: Any) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go(self, step: int) -> None:
        self.jump(self.current_page() + step)

    def jump(self, page: int) -> None:
        if 0 <= page < self.document.pageCount() and page != self.current_page():
            self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())

    def zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(8.0, max(0.1, self.view.zoomFactor() * factor)))

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def find_text(self, text: str, backwards: bool) -> int:
        """Go to the next (or previous) match; returns how many matches there are."""
        if text != self.search.searchString():
            self.search.setSearchString(text)
            self._result = -1
        # The model searches page by page as it is asked; ask for every page now.
        count = self.search.rowCount(QModelIndex())
        if not text or count == 0:
            self.find_bar.status.setText(self.tr("Not found") if text else "")
            return 0
        self._result = (self._result + (-1 if backwards else 1)) % count
        self.view.setCurrentSearchResultIndex(self._result)
        link = self.search.resultAtIndex(self._result)
        self.view.pageNavigator().jump(link)
        self.find_bar.status.setText(
            self.tr("%1 of %2").replace("%1", str(self._result + 1)).replace("%2", str(count))
        )
        return count

    def _page_changed(self, page: int) -> None:
        self.page.blockSignals(True)
        self.page.setValue(page + 1)
        self.page.blockSignals(False)
        self.previous_page.setEnabled(page > 0)
        self.next_page.setEnabled(page < self.document.pageCount() - 1)

    def _zoom_changed(self, factor: float) -> None:
        self.zoom_label.setText(f"{round(factor * 100)} %")
