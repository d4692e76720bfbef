"""Paper letters as A4 PDF files for the print room (reportlab): a French business letter,
its recipient's block placed for the window of a DL envelope, a Unicode font embedded so that
every name of the European Union prints as written, and page numbers past the first page."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer

from reclamations.activities.letters.rendering import REFERENCE_LABEL, SUBJECT_LABEL, LetterLayout

WIDTH, HEIGHT = A4
MARGIN = 20 * mm
SIZE = 10.5
LEADING = 14.5

# The window of a DL envelope (220 × 110 mm, window 100 × 45 mm, 20 mm from the right and
# 15 mm from the bottom) over an A4 folded in three: the recipient's block stays inside this
# box, measured from the page's top left corner, whatever the play of the sheet in the
# envelope.
WINDOW_LEFT = 100 * mm
WINDOW_TOP = 55 * mm
WINDOW_WIDTH = 90 * mm
WINDOW_HEIGHT = 35 * mm
# The body starts under the window, and stops above the legal footer.
BODY_TOP = 100 * mm
FOOTER_TOP = 26 * mm

REGULAR, BOLD = "Lettre", "Lettre-Gras"


@cache
def _fonts() -> None:
    """DejaVu Sans (Latin, Greek, Cyrillic, Vietnamese), the copy matplotlib ships: the charting
    library the system uses anyway, and a font free to embed."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(REGULAR, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("corps", fontName=REGULAR, fontSize=SIZE, leading=LEADING)
    return {
        "body": body,
        "date": ParagraphStyle("date", parent=body, alignment=TA_RIGHT),
        "subject": ParagraphStyle("objet", parent=body, fontName=BOLD),
    }


def _story(layout: LetterLayout) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(escape(layout.place_date), styles["date"]),
        Spacer(0, 6 * mm),
    ]
    if layout.reference:  # letters from before layouts carry these in their text
        story.append(Paragraph(f"{REFERENCE_LABEL} {escape(layout.reference)}", styles["body"]))
        story.append(Paragraph(f"{SUBJECT_LABEL} {escape(layout.subject)}", styles["subject"]))
        story.append(Spacer(0, 6 * mm))
    for paragraph in layout.text.strip().split("\n\n"):
        lines = "<br/>".join(escape(line) for line in paragraph.splitlines())
        story += [Paragraph(lines, styles["body"]), Spacer(0, LEADING * 0.6)]
    return story


def _lines(pdf: Canvas, lines: list[str], x: float, top: float, font: str, size: float) -> None:
    """Lines from `top` (measured from the page's top) down, each kept within the page."""
    y = HEIGHT - top - size
    pdf.setFont(font, size)
    for line in lines:
        for part in simpleSplit(line, font, size, WIDTH - x - MARGIN) or [""]:
            pdf.drawString(x, y, part)
            y -= size * 1.35


def _letterhead(pdf: Canvas, layout: LetterLayout) -> None:
    top = 14 * mm
    if layout.logo:
        logo = ImageReader(layout.logo)
        width, height = logo.getSize()
        shown = 16 * mm
        pdf.drawImage(
            logo, MARGIN, HEIGHT - top - shown, shown * width / height, shown, mask="auto"
        )
        top += shown + 3 * mm
    else:
        _lines(pdf, [layout.letterhead], MARGIN, top, BOLD, 16)
        top += 9 * mm
    _lines(pdf, layout.sender, MARGIN, top, REGULAR, 9)
    _lines(pdf, layout.recipient, WINDOW_LEFT + 4 * mm, WINDOW_TOP + 4 * mm, REGULAR, SIZE)


def _footer(pdf: Canvas, layout: LetterLayout, page: int, pages: int) -> None:
    pdf.setFont(REGULAR, 7)
    y = FOOTER_TOP - 8 * mm
    for line in layout.footer:
        for part in simpleSplit(line, REGULAR, 7, WIDTH - 2 * MARGIN):
            pdf.drawCentredString(WIDTH / 2, y, part)
            y -= 9
    if pages > 1:
        pdf.setFont(REGULAR, 8)
        pdf.drawRightString(WIDTH - MARGIN, 8 * mm, f"Page {page} sur {pages}")


def _build(layout: LetterLayout, title: str, pages: int) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=layout.letterhead,
        invariant=True,  # same letter, same bytes
    )

    def decorate(first: bool) -> Callable[[Canvas, BaseDocTemplate], None]:
        def draw(pdf: Canvas, doc: BaseDocTemplate) -> None:
            if first:
                _letterhead(pdf, layout)
            _footer(pdf, layout, doc.page, pages)

        return draw

    height = HEIGHT - FOOTER_TOP
    flush = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    first = Frame(MARGIN, FOOTER_TOP, WIDTH - 2 * MARGIN, height - BODY_TOP, id="premiere", **flush)
    later = Frame(MARGIN, FOOTER_TOP, WIDTH - 2 * MARGIN, height - MARGIN, id="suite", **flush)
    document.addPageTemplates(
        [
            PageTemplate("premiere", [first], onPage=decorate(True), autoNextPageTemplate="suite"),
            PageTemplate("suite", [later], onPage=decorate(False)),
        ]
    )
    document.build(_story(layout))
    return buffer.getvalue(), document.page


def letter_pdf(layout: LetterLayout, title: str) -> bytes:
    _fonts()
    _, pages = _build(layout, title, 0)  # counted first, so that each page says "sur N"
    content, _ = _build(layout, title, pages)
    return content
