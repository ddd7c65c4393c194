"""PDF documents for the viewer tests, made with QPdfWriter (no PDF library needed)."""

from __future__ import annotations

import random

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect
from PySide6.QtGui import QColor, QFont, QImage, QPageSize, QPainter, QPdfWriter


def make_pdf(pages: int, *, noise_pixels: int = 0, seed: int = 1) -> bytes:
    """`pages` pages titled "Page N"; with noise, each page carries an incompressible image
    of about 3 * noise_pixels² bytes, so the file spans many TEF chunks."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(72)
    writer.setTitle("Traveler test document")
    painter = QPainter(writer)
    rng = random.Random(seed)
    for page in range(pages):
        if page:
            writer.newPage()
        painter.setFont(QFont("DejaVu Sans", 24))
        painter.drawText(72, 100, f"Page {page + 1}")
        painter.setFont(QFont("DejaVu Sans", 11))
        painter.drawText(72, 140, f"Quarterly figures, section {page + 1}: unicorn{page + 1}")
        if noise_pixels:
            image = QImage(noise_pixels, noise_pixels, QImage.Format.Format_RGB888)
            image.fill(QColor("white"))
            bits = image.bits()
            bits[:] = rng.randbytes(len(bits))  # type: ignore[index]
            painter.drawImage(QRect(72, 180, 400, 400), image)
    painter.end()
    buffer.close()
    return bytes(data.data())
