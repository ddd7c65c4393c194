"""python -m tests.bench.tef_first_page: first PDF page of a large .tef on screen.

Ours: the viewer window opens the .tef and QtPdf reads it through the TEF random-access device
(only the chunks it asks for are decrypted); the time runs from `open_file` until the first
page has been rendered at the window's size and the window painted with it. The peer, in the
same run: decrypt the whole file first (tef.decrypt into memory), then load it into QtPdf and
render the same page. Prints both, the ratio peer / ours, and how many chunks ours decrypted.
Target: ours < 1 s for a 50 MB file.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

import tef
from companion.ui.content_views import PdfViewer
from companion.ui.viewer_window import ViewerWindow
from tests.companion.ui.pdf_files import make_pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.tef_first_page")
    parser.add_argument("--mb", type=int, default=50, help="approximate PDF size in MB (50)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    pages = 40
    # Noise images do not compress; QPdfWriter stores them at about 2.3 bytes a pixel.
    side = int((args.mb * 1_000_000 / pages / 2.3) ** 0.5)
    data = make_pdf(pages, noise_pixels=side)
    identity = tef.Identity.generate()
    metadata = tef.Metadata(
        name="big.pdf", mime_type="application/pdf", size=len(data), created=datetime.now(UTC)
    )
    workdir = Path(tempfile.mkdtemp(prefix="tef-first-page-"))
    path = workdir / "big.pdf.tef"
    with path.open("wb") as out:
        tef.encrypt(io.BytesIO(data), out, [identity.recipient], metadata)
    del data
    chunks = -(-metadata.size // tef.CHUNK_SIZE)
    print(f"PDF {metadata.size / 1e6:.1f} MB, {pages} pages, {chunks} chunks")

    ours, theirs, read = [], [], 0
    for _ in range(args.repeat):
        window = ViewerWindow(identity=lambda: identity)
        window.resize(1000, 760)
        window.show()
        start = time.perf_counter()
        window.open_file(path)
        viewer = window.pages.currentWidget()
        assert isinstance(viewer, PdfViewer) and viewer.ok
        size = viewer.view.viewport().size()
        image = viewer.document.render(0, size)
        window.grab()
        ours.append(time.perf_counter() - start)
        assert not image.isNull()
        read = len(viewer.device.chunks_read)
        window.close()
        window.deleteLater()

        start = time.perf_counter()
        plain = io.BytesIO()
        with path.open("rb") as source:
            tef.decrypt(source, plain, identity)
        buffer = QBuffer()
        buffer.setData(QByteArray(plain.getvalue()))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument()
        document.load(buffer)
        image = document.render(0, size)
        theirs.append(time.perf_counter() - start)
        assert not image.isNull()
    best_ours, best_theirs = min(ours), min(theirs)
    print(f"ours (random access):     {best_ours:.3f} s  (chunks decrypted: {read} of {chunks})")
    print(f"peer (decrypt all first): {best_theirs:.3f} s")
    print(f"ratio peer / ours: {best_theirs / best_ours:.1f}  (target: ours < 1 s)")
    path.unlink()
    workdir.rmdir()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
