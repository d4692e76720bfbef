"""The mail room's scans made searchable text (issue 27): Tesseract, the OCR engine of the
field, with its French language data (Debian: tesseract-ocr, tesseract-ocr-fra), called
through pytesseract. Optional: without the engine or its French data, there is no text and
nothing else changes. Images only (JPEG, PNG, TIFF, each page of a multi-page TIFF): a
scanned PDF would need rasterising first (OCRmyPDF and Ghostscript), not done here."""

from __future__ import annotations

import functools
import shutil
from io import BytesIO

import pytesseract
from PIL import Image, ImageSequence, UnidentifiedImageError

from reclamations.domain.files import MediaType

LANGUAGE = "fra"
READABLE = frozenset({MediaType.jpeg, MediaType.png, MediaType.tiff})
# Scans are A4 pages: beyond this many pixels an image is no scan (a decompression bomb).
MAX_PIXELS = 60_000_000


@functools.cache
def available() -> bool:
    """Whether Tesseract and its French data are installed (asked once per process)."""
    if shutil.which("tesseract") is None:
        return False
    try:
        return LANGUAGE in pytesseract.get_languages(config="")
    except (pytesseract.TesseractError, OSError):
        return False


def scan_text(content: bytes, media: MediaType) -> str | None:
    """The text of a scan, page after page; None when it cannot be read (OCR absent, a type it
    does not read, an image that does not open)."""
    if media not in READABLE or not available():
        return None
    try:
        image = Image.open(BytesIO(content))
        if image.width * image.height > MAX_PIXELS:
            return None
        pages = [
            pytesseract.image_to_string(page.convert("L"), lang=LANGUAGE).strip()
            for page in ImageSequence.Iterator(image)
        ]
    except (UnidentifiedImageError, OSError, pytesseract.TesseractError):
        return None
    return "\n\n".join(page for page in pages if page)
