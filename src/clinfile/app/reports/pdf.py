"""What every Clinfile PDF shares: page sizes, type styles, colours and the page furniture.

A PDF that leaves the vault must say nothing about the patient in its own
document information (title, author, subject, keywords): those fields show
up in file browsers, search indexes and the clinical software's document
list, where a reader never meant to open the patient's record. So every
document is made by :func:`new_document`, which sets generic values only,
and with ``invariant=1``, so no creation time or random file id is written
either (the same input gives the same bytes, which the tests rely on).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from clinfile.app.reports.lettering import SANS, SANS_BOLD, shaped

CREATOR = "Clinfile"
CONFIDENTIAL = "Confidential health information"

INK = colors.HexColor("#1d2733")
BRAND = colors.HexColor("#1f4e79")
BRAND_PALE = colors.HexColor("#e8eff6")
RULE = colors.HexColor("#b9c6d3")
MUTED = colors.HexColor("#5b6773")
WARNING = colors.HexColor("#8a4b00")
WARNING_PALE = colors.HexColor("#fff4e0")

MARGIN = 16 * mm


class PageSize(StrEnum):
    """The paper a practice prints on: A4 in Australia, Letter for practices that use it."""

    A4 = "a4"
    LETTER = "letter"

    @property
    def points(self) -> tuple[float, float]:
        """Width and height in PDF points."""
        return A4 if self is PageSize.A4 else LETTER


def style(name: str, **overrides) -> ParagraphStyle:
    """Return one of the house paragraph styles, optionally adjusted."""
    base = _STYLES[name]
    return ParagraphStyle(f"{name}-{id(overrides)}", parent=base, **overrides) if overrides \
        else base


_STYLES = {
    "body": ParagraphStyle("body", fontName=SANS, fontSize=10.5, leading=14.2,
                           textColor=INK, alignment=TA_LEFT),
    "small": ParagraphStyle("small", fontName=SANS, fontSize=8.6, leading=11,
                            textColor=INK),
    "label": ParagraphStyle("label", fontName=SANS, fontSize=7.6, leading=9.4,
                            textColor=MUTED),
    "value": ParagraphStyle("value", fontName=SANS, fontSize=9.4, leading=12,
                            textColor=INK),
    "heading": ParagraphStyle("heading", fontName=SANS_BOLD, fontSize=12.5, leading=16,
                              textColor=BRAND, spaceBefore=7, spaceAfter=3),
    "subheading": ParagraphStyle("subheading", fontName=SANS_BOLD, fontSize=10.5,
                                 leading=13.5, textColor=INK, spaceBefore=4, spaceAfter=1),
    "title": ParagraphStyle("title", fontName=SANS_BOLD, fontSize=19, leading=23,
                            textColor=BRAND),
}


PageDecorator = Callable[[canvas.Canvas, int, int], None]


def new_document(out, page_size: PageSize, *, title: str, top: float, bottom: float,
                 decorate: PageDecorator) -> tuple[BaseDocTemplate, type[canvas.Canvas]]:
    """Return a document template and the canvas class to build it with.

    Args:
        out: a path or a binary file object to write the PDF to.
        page_size: the paper.
        title: a generic title (never a patient's name: it is document metadata).
        top: height kept free at the top of every page for the page header.
        bottom: height kept free at the bottom for the footer.
        decorate: draws the header and footer of one page, given the page
            number and the page count, once the count is known.
    """
    width, height = page_size.points
    doc = BaseDocTemplate(
        out, pagesize=(width, height), invariant=1, title=title, author="", subject="",
        keywords="", creator=CREATOR, producer=CREATOR, initialFontName=SANS,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=top, bottomMargin=bottom,
    )
    frame = Frame(MARGIN, bottom, width - 2 * MARGIN, height - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc, _counting_canvas(decorate)


def build(doc: BaseDocTemplate, story: list, canvas_class: type[canvas.Canvas]) -> None:
    """Lay out the story and write the PDF into the document's open file, object by object.

    reportlab wraps every stream in ASCII85 by default, in pure Python unless
    its optional C accelerator is installed: that alone took most of a
    summary's time and made each picture a quarter bigger. PDF readers have
    not needed 7-bit-safe streams for decades, so they are written as they are.

    reportlab also gathers the whole file in memory before writing it; a
    record of two thousand pictures would need gigabytes. Here each object
    goes to the file as soon as it is formatted, and a picture made only as
    it is written (:class:`app.reports.flowables.PictureOnWrite`) is let go
    straight after.
    """
    if not callable(getattr(doc.filename, "write", None)):
        raise TypeError("a document is written into an open binary file")
    with _BUILD_LOCK, _binary_streams(), _written_as_formatted(doc.filename):
        doc.build(story, canvasmaker=canvas_class)


_BUILD_LOCK = threading.Lock()


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Switch reportlab's process-wide ASCII85 setting off for one build, then restore it."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


@contextlib.contextmanager
def _written_as_formatted(out: BinaryIO) -> Iterator[None]:
    """Have reportlab's output collector write to ``out`` as it goes, for one build.

    reportlab makes its collector by name when it saves; each piece it adds
    is written at once, and only the offsets the cross-reference table needs
    are kept. What it finally returns for the file is empty, all of it
    being there already.
    """
    gathering = pdfdoc.PDFFile

    class WrittenAsFormatted(gathering):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            out.write(b"".join(self.strings))
            self.strings = []
            self.write = out.write

        def format(self, document) -> bytes:
            return b""

    pdfdoc.PDFFile = WrittenAsFormatted
    try:
        yield
    finally:
        pdfdoc.PDFFile = gathering


def _counting_canvas(decorate: PageDecorator) -> type[canvas.Canvas]:
    """Make a canvas class that draws each page's furniture once the page count is known.

    "Page x of y" needs y before the first page is finished; the canvas keeps
    each page's drawing state and decorates every page when the document is
    saved.
    """

    class CountingCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return CountingCanvas


def escape(text: str) -> str:
    """Make text safe inside a paragraph (:class:`lettering.Paragraph`), which reads a little XML.

    Words from outside (a file name, a patient's name) are escaped first, so
    a control character or a direction override shows as what it is, and
    Arabic letters joined; the paragraph puts each line in drawing order.
    """
    return shaped(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def footer(pdf: canvas.Canvas, number: int, total: int, *, middle: str = "") -> None:
    """Draw the confidentiality line, an optional middle text and "Page x of y"."""
    width, _ = pdf._pagesize
    pdf.saveState()
    pdf.setStrokeColor(RULE)
    pdf.setLineWidth(0.6)
    pdf.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
    pdf.setFillColor(MUTED)
    pdf.setFont(SANS_BOLD, 8)
    pdf.drawString(MARGIN, 9.5 * mm, CONFIDENTIAL)
    pdf.setFont(SANS, 8)
    if middle:
        pdf.drawCentredString(width / 2, 9.5 * mm, middle)
    pdf.drawRightString(width - MARGIN, 9.5 * mm, f"Page {number} of {total}")
    pdf.restoreState()
