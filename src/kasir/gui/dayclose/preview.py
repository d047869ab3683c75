"""The first page of a PDF as an image, for the day-close wizard's preview.

Qt's own PDF module (PySide6.QtPdf, in the PySide6 add-ons) when it is installed; otherwise
poppler's `pdftoppm` (`-f 1 -l 1 -png -r 60`) into a temporary file. Either may run off the GUI
thread (a QImage is not a QPixmap). None when neither can make one: the wizard says so and the
manager can still open the PDF itself.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)
DPI = 60  # an A4 page at 60 dpi: 496 x 702 pixels
PDFTOPPM_TIMEOUT_S = 30


def first_page(pdf: Path, dpi: int = DPI) -> QImage | None:
    image = _qtpdf(pdf, dpi)
    if image is None:
        image = _pdftoppm(pdf, dpi)
    return image


def _qtpdf(pdf: Path, dpi: int) -> QImage | None:
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError:  # PySide6-Essentials only: no QtPdf
        return None
    document = QPdfDocument()
    try:
        if document.load(str(pdf)) != QPdfDocument.Error.None_ or document.pageCount() < 1:
            return None
        points = document.pagePointSize(0)  # 1/72 inch
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        image = document.render(0, size)
        return None if image.isNull() else image
    finally:
        document.close()


def _pdftoppm(pdf: Path, dpi: int) -> QImage | None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        log.warning("no PDF preview: neither PySide6.QtPdf nor pdftoppm is installed")
        return None
    with tempfile.TemporaryDirectory(prefix="kasir-preview-") as folder:
        prefix = Path(folder) / "page"
        command = [tool, "-f", "1", "-l", "1", "-png", "-r", str(dpi), "-singlefile"]
        try:
            subprocess.run([*command, str(pdf), str(prefix)], check=True,
                           capture_output=True, timeout=PDFTOPPM_TIMEOUT_S)  # fmt: skip
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("pdftoppm failed on %s: %s", pdf, exc)
            return None
        image = QImage(str(prefix.with_suffix(".png")))
        return None if image.isNull() else image.copy()
