"""The record-attachment summary: what reception imports into the clinical record.

One PDF per filed episode (or chosen set of images). An export for the
patient's care is made the same way, but headed as an export for its
recipient, so it is never taken for the record's own copy. Every page names the
patient, their date of birth and record number, so a page that strays in the
clinical software is still filed against the right person; every image is
shown as large as two to a page allows, with what a reader needs to trust
it: what it is, where on the body, when it was taken, whether it is a
secondary image, the consent it is held on and what that consent allows,
and where it came from, down to the SHA-256 of the original kept in the vault.

Pictures are re-encoded from pixels (:mod:`app.reports.pictures`), so no
camera metadata reaches the PDF; the PDF's own document information names
no one (:func:`app.reports.pdf.new_document`).
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import partial
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Spacer, Table, TableStyle

from clinfile.app.reports.flowables import MadeWhenReached, picture_frame
from clinfile.app.reports.lettering import MONO, SANS, SANS_BOLD, Paragraph, drawn, shortened
from clinfile.app.reports.model import SummaryData, SummaryImage
from clinfile.app.reports.pdf import (
    BRAND,
    INK,
    MARGIN,
    MUTED,
    RULE,
    WARNING,
    WARNING_PALE,
    PageSize,
    build,
    escape,
    footer,
    new_document,
    style,
)
from clinfile.app.reports.pictures import PRINT_QUALITY, CleanedAhead, picture_shape

TITLE = "Clinical images"
HEADER_HEIGHT = 27 * mm
PICTURE_BOX = (108 * mm, 100 * mm)
#: Pixels on the long edge, at most: 1000 to 1200 pixels across the picture box is
#: 240 to 280 dpi, sharp in print and on screen; the original stays in the vault.
PICTURE_EDGE = 1200


def render_summary(data: SummaryData, page_size: PageSize = PageSize.A4) -> bytes:
    """Render the summary and return the PDF's bytes (for a few pictures)."""
    out = io.BytesIO()
    write_summary(data, out, page_size)
    return out.getvalue()


def write_summary(data: SummaryData, out: BinaryIO, page_size: PageSize = PageSize.A4) -> None:
    """Render the summary into an open file, one picture at a time, however many there are."""
    doc, canvas_class = new_document(
        out, page_size, title=TITLE, top=HEADER_HEIGHT + 5 * mm, bottom=20 * mm,
        decorate=lambda pdf, number, total: _decorate(pdf, number, total, data),
    )
    story: list = [_introduction(data, page_size.points[0]), Spacer(1, 4 * mm)]
    with CleanedAhead([image.jpeg for image in data.images], max_edge=PICTURE_EDGE,
                      quality=PRINT_QUALITY) as cleaned:
        for number, image in enumerate(data.images, start=1):
            if number > 1:
                story.append(Spacer(1, 5 * mm))
            story.append(MadeWhenReached(partial(_image_block, image, cleaned, number,
                                                 len(data.images), doc.width)))
        build(doc, story, canvas_class)


def _introduction(data: SummaryData, page_width: float) -> Paragraph:
    count = len(data.images)
    what = f"{count} clinical image{'s' if count != 1 else ''}"
    episode = f" filed as <b>{escape(data.episode)}</b>" if data.episode else ""
    prepared = f"{data.prepared_on:%d/%m/%Y}"
    by = f" by {escape(data.prepared_by)}" if data.prepared_by else ""
    export = f"<b>Export for {escape(data.export_for)}</b>: " if data.export_for else ""
    shortened_name = (" The patient's name is too long to print whole: it is shortened with "
                      "'…' at the top of each page, and kept whole in the practice's records."
                      if _title_name(data, page_width) != data.patient.display_name else "")
    return Paragraph(
        f"{export}{what}{episode}. Prepared {prepared}{by} from the practice's encrypted "
        f"image vault; the originals stay there unchanged.{shortened_name}",
        style("body", textColor=MUTED))


def _title_name(data: SummaryData, page_width: float) -> str:
    """The patient's name as the page header prints it, cut with '…' short of the date beside it."""
    room = page_width - 2 * MARGIN - stringWidth(_prepared(data), SANS, 8.5) - 6 * mm
    return shortened(data.patient.display_name, SANS_BOLD, 17, room)


def _prepared(data: SummaryData) -> str:
    return f"Prepared {data.prepared_on:%d/%m/%Y}"


def _image_block(image: SummaryImage, cleaned: CleanedAhead, number: int, count: int,
                 width: float) -> Table:
    """One image beside its details; a one-row table, so it never splits across pages."""
    picture = picture_frame(f"picture{number}", picture_shape(image.jpeg),
                            partial(cleaned.picture, number - 1), PICTURE_BOX)
    details = _details(image, number, count)
    table = Table([[picture, details]], colWidths=[PICTURE_BOX[0] + 6 * mm,
                                                   width - PICTURE_BOX[0] - 6 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (0, 0), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, 0), 6 * mm),
        ("RIGHTPADDING", (1, 0), (1, 0), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, BRAND),
    ]))
    return table


def _details(image: SummaryImage, number: int, count: int) -> list:
    title = image.kind.capitalize()
    if image.body_site:
        title += f" — {image.body_site}"
    parts: list = [
        Paragraph(f"IMAGE {number} OF {count}", style("label", textColor=BRAND,
                                                      fontName=SANS_BOLD)),
        Paragraph(escape(title), style("subheading", fontSize=11.5, leading=14,
                                        spaceBefore=1, spaceAfter=3)),
    ]
    if image.description:
        parts.append(Paragraph(escape(image.description), style("value")))
        parts.append(Spacer(1, 2 * mm))
    for caution in image.cautions:
        parts.append(_warning(caution))
        parts.append(Spacer(1, 1.5 * mm))
    provenance = image.provenance
    fields = [
        ("Taken", _taken(image)),
        ("Secondary image", "yes" if image.secondary else "no"),
        ("Consent", image.consent_basis),
        ("Allowed use", image.consent_limits),
        ("Source", provenance.source),
        ("Imported", _by_on(provenance.imported_by, provenance.imported_at)),
        ("Filed", _by_on(provenance.filed_by, provenance.filed_at)),
    ]
    for label, value in fields:
        parts.append(Paragraph(label, style("label")))
        parts.append(Paragraph(escape(value), style("value", spaceAfter=2)))
    digest = provenance.original_sha256
    parts.append(Paragraph("SHA-256 of the original", style("label")))
    parts.append(Paragraph(f"{digest[:32]}<br/>{digest[32:]}",
                           style("value", fontName=MONO, fontSize=7.6, leading=9.4)))
    return parts


def _warning(text: str) -> Table:
    box = Table([[Paragraph(text, style("small", textColor=WARNING))]])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), WARNING_PALE),
        ("BOX", (0, 0), (-1, -1), 0.6, WARNING),
        ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
    ]))
    return box


def _decorate(pdf: canvas.Canvas, number: int, total: int, data: SummaryData) -> None:
    """Draw the patient header and the footer on one page."""
    width, height = pdf._pagesize
    patient = data.patient
    top = height - 11 * mm
    pdf.saveState()
    pdf.setFillColor(BRAND)
    pdf.setFont(SANS_BOLD, 8)
    pdf.drawString(MARGIN, top, "CLINICAL IMAGES  ·  " + ("EXPORT" if data.export_for
                                                          else "RECORD ATTACHMENT"))
    right = width - MARGIN
    pdf.setFillColor(INK)
    pdf.setFont(SANS_BOLD, 17)
    pdf.drawString(MARGIN, top - 8 * mm, drawn(_title_name(data, width)))
    pdf.setFont(SANS, 10)
    identifiers = f"Date of birth {patient.birth_date_text}"
    if patient.record_number:
        identifiers += f"     Record number {patient.record_number}"
    half = (right - MARGIN) / 2 - 3 * mm
    episode = drawn(shortened(data.episode, SANS, 8.5, half))
    room = right - MARGIN - stringWidth(episode, SANS, 8.5) - 6 * mm
    pdf.drawString(MARGIN, top - 14 * mm, drawn(shortened(identifiers, SANS, 10, room)))
    pdf.setFillColor(MUTED)
    if data.practice_name:
        pdf.setFont(SANS_BOLD, 8.5)
        pdf.drawRightString(right, top, drawn(shortened(data.practice_name, SANS_BOLD, 8.5,
                                                        half)))
    pdf.setFont(SANS, 8.5)
    pdf.drawRightString(right, top - 8 * mm, _prepared(data))
    pdf.drawRightString(right, top - 14 * mm, episode)
    pdf.setStrokeColor(RULE)
    pdf.setLineWidth(0.8)
    pdf.line(MARGIN, height - HEADER_HEIGHT, width - MARGIN, height - HEADER_HEIGHT)
    pdf.restoreState()
    footer(pdf, number, total, middle="Originals are kept in the practice's Clinfile vault")


def _taken(image: SummaryImage) -> str:
    when = _when(image.captured_at, missing="date taken not known")
    return f"{when} by {image.taken_by}" if image.taken_by else when


def _when(moment: datetime | None, *, missing: str) -> str:
    return moment.strftime("%d/%m/%Y %H:%M") if moment else missing


def _by_on(person: str, moment: datetime | None) -> str:
    if moment is None:
        return person or "not recorded"
    return f"{person or 'unknown'}, {moment:%d/%m/%Y %H:%M}"

