"""Small drawn pieces of a paper form: a tick box, a line to write on, a QR code.

Boxes and lines are drawn rather than typed as characters; they print
crisply at any size and survive a phone photograph of the page.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Table, TableStyle

from clinfile.app.reports.lettering import SANS, SANS_BOLD, drawn, shortened
from clinfile.app.reports.pdf import BRAND_PALE, INK, MUTED
from clinfile.app.reports.pictures import CleanPicture


class TickBox(Flowable):
    """An empty square with a word beside it, for the reader to tick."""

    def __init__(self, word: str, *, size: float = 5 * mm) -> None:
        super().__init__()
        self.word = word
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Take the box and its word's width."""
        self.width = self.size + 2 * mm + stringWidth(self.word, SANS_BOLD, 10)
        self.height = self.size
        return self.width, self.height

    def draw(self) -> None:
        """Draw the square and its word."""
        pdf = self.canv
        pdf.setStrokeColor(INK)
        pdf.setLineWidth(1.1)
        pdf.rect(0, 0, self.size, self.size, stroke=1, fill=0)
        pdf.setFillColor(INK)
        pdf.setFont(SANS_BOLD, 10)
        pdf.drawString(self.size + 2 * mm, self.size / 2 - 3.5, self.word)


class WriteIn(Flowable):
    """A line to write on with its label beneath, pre-filled when the value is known."""

    def __init__(self, label: str, value: str = "", *, height: float = 10 * mm) -> None:
        super().__init__()
        self.label = label
        self.value = value
        self.line_height = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Fill the width it is given."""
        self.width = available_width
        self.height = self.line_height
        return self.width, self.height

    def draw(self) -> None:
        """Draw the value (if any), the line and the label."""
        pdf = self.canv
        line_y = 3.6 * mm
        pdf.setStrokeColor(INK)
        pdf.setLineWidth(0.7)
        pdf.line(0, line_y, self.width, line_y)
        pdf.setFillColor(MUTED)
        pdf.setFont(SANS, 7.4)
        pdf.drawString(0, line_y - 3.2 * mm, self.label)
        if self.value:
            pdf.setFillColor(INK)
            pdf.setFont(SANS, 10.5)
            value = drawn(shortened(self.value, SANS, 10.5, self.width - 2 * mm))
            pdf.drawString(1 * mm, line_y + 1.4 * mm, value)


class MadeWhenReached(Flowable):
    """A part of a document made only when the layout reaches it, and let go once drawn.

    A record of two thousand pictures is two thousand blocks of paragraphs
    and tables; made all at once before the layout starts, they alone take
    hundreds of megabytes. Standing in for one, this is made with a way to
    make it, and hands the layout the real part when asked.
    """

    def __init__(self, make: Callable[[], Flowable]) -> None:
        super().__init__()
        self._make = make
        self._made: Flowable | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Take the size of the part it stands for."""
        self.width, self.height = self._part().wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Split as the part it stands for would."""
        return self._part().split(available_width, available_height)

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        """Keep the space the part asks before it."""
        return self._part().getSpaceBefore()

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        """Keep the space the part asks after it."""
        return self._part().getSpaceAfter()

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803
        """Draw the part, then let it go."""
        self._part().drawOn(canvas, x, y, _sW)
        self._made = None

    def _part(self) -> Flowable:
        if self._made is None:
            self._made = self._make()
        self._made.canv = getattr(self, "canv", None)
        self._made._frame = getattr(self, "_frame", None)
        return self._made


class PictureOnWrite(Flowable):
    """A picture placed at a given size, whose JPEG is made only as the PDF file is written.

    Laying the pages out needs only the picture's size on the page. Its
    pixels are cleaned when the file reaches it, embedded byte for byte and
    let go, so a document of thousands of pictures never holds them all.
    """

    def __init__(self, name: str, picture: Callable[[], CleanPicture], width: float,
                 height: float) -> None:
        super().__init__()
        self.name = name
        self.picture = picture
        self.width = width
        self.height = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Take the size it was given."""
        return self.width, self.height

    def draw(self) -> None:
        """Place the picture, registering it with the document the first time it is drawn."""
        pdf = self.canv
        document = pdf._doc
        registered = document.getXObjectName(self.name)
        if registered not in document.idToObject:
            document.Reference(_JpegOnWrite(self.name, self.picture), registered)
        pdf.saveState()
        pdf.scale(self.width, self.height)
        pdf.doForm(self.name)
        pdf.restoreState()


def picture_frame(name: str, shape: tuple[int, int], picture: Callable[[], CleanPicture],
                  box: tuple[float, float]) -> Table:
    """A picture scaled to fit a box, centred across the box's width on a pale ground.

    The frame is as tall as the picture, so a landscape photo leaves no empty
    band and two images fit on a page whatever their shape. ``shape`` is the
    picture's width and height in pixels (its proportions are all that count).
    """
    scale = min(box[0] / shape[0], box[1] / shape[1])
    frame = Table([[PictureOnWrite(name, picture, shape[0] * scale, shape[1] * scale)]],
                  colWidths=[box[0]])
    frame.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), BRAND_PALE),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return frame


class _JpegOnWrite(PDFImageXObject):
    """An image object whose JPEG is asked for when the PDF writes it, and let go after."""

    def __init__(self, name: str, picture: Callable[[], CleanPicture]) -> None:
        super().__init__(name)
        self._picture = picture

    def format(self, document) -> bytes:
        """Write the cleaned JPEG as it is: PDF readers decode it themselves (DCTDecode)."""
        clean = self._picture()
        self.width, self.height = clean.width, clean.height
        self.bitsPerComponent, self.colorSpace = 8, "DeviceRGB"
        self._filters = ("DCTDecode",)
        self.streamContent = clean.jpeg
        try:
            return super().format(document)
        finally:
            self.streamContent = b""


def draw_qr(pdf: canvas.Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of ``payload`` with its lower-left corner at (x, y).

    Error correction level M recovers from about 15 % damage (a fold, a pen
    stroke, a shadow) while keeping the modules large enough for a phone
    photograph of a whole page.
    """
    widget = QrCodeWidget(payload, barLevel="M", barBorder=2)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0,
                                             size / (top - bottom), 0, 0],
                      initialFontName=SANS)
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)

