"""Paper letters as A4 PDF files for the print room (reportlab; accents and € intact)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

FONT = "Helvetica"  # a standard font in WinAnsi encoding: French accents and € included
SIZE = 10.5
LEADING = 14.5
MARGIN = 22 * mm


def letter_pdf(body: str, title: str) -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, invariant=True)  # invariant: same text, same bytes
    pdf.setTitle(title)
    pdf.setAuthor("Réclamations")
    width, height = A4
    usable = width - 2 * MARGIN
    y = height - MARGIN
    pdf.setFont(FONT, SIZE)
    for paragraph in body.splitlines():
        lines = simpleSplit(paragraph, FONT, SIZE, usable) or [""]
        for line in lines:
            if y < MARGIN:
                pdf.showPage()
                pdf.setFont(FONT, SIZE)
                y = height - MARGIN
            pdf.drawString(MARGIN, y, line)
            y -= LEADING
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
