"""The de-identified PDF for teaching, research or publication: pictures and little else.

The consent form promises the patient their photos are used "without my
name", and Avant warns that an image may still be recognised "by people who
know the patient, or know the story", and that metadata "may also contain
identifying information". So this sheet shows each picture with its kind
and body site only: no name, date of birth, record number, dates, free-text
description, staff names or hashes. The pictures are re-encoded from pixels,
and the PDF's document information is generic. Removing identifiers never
replaces consent: the consent gate is asked before this is made.
"""

from __future__ import annotations

import io
from functools import partial
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepTogether, Spacer

from clinfile.app.reports.flowables import MadeWhenReached, picture_frame
from clinfile.app.reports.lettering import SANS, SANS_BOLD, Paragraph
from clinfile.app.reports.model import TeachingImage
from clinfile.app.reports.pdf import (
    BRAND,
    MARGIN,
    RULE,
    PageSize,
    build,
    escape,
    new_document,
    style,
)
from clinfile.app.reports.pictures import PRINT_QUALITY, CleanedAhead, picture_shape

TITLE = "Clinical images (de-identified)"
HEADER_HEIGHT = 18 * mm
PICTURE_EDGE = 1200


def render_teaching_sheet(images: tuple[TeachingImage, ...], purpose_label: str,
                          page_size: PageSize = PageSize.A4) -> bytes:
    """Render the de-identified sheet and return the PDF's bytes (for a few pictures)."""
    out = io.BytesIO()
    write_teaching_sheet(images, purpose_label, out, page_size)
    return out.getvalue()


def write_teaching_sheet(images: tuple[TeachingImage, ...], purpose_label: str, out: BinaryIO,
                         page_size: PageSize = PageSize.A4) -> None:
    """Render the de-identified sheet into an open file, one picture at a time."""
    doc, canvas_class = new_document(
        out, page_size, title=TITLE, top=HEADER_HEIGHT + 5 * mm, bottom=12 * mm,
        decorate=lambda pdf, number, total: _decorate(pdf, number, total, purpose_label),
    )
    box = (doc.width, 105 * mm)
    story: list = []
    with CleanedAhead([image.jpeg for image in images], max_edge=PICTURE_EDGE,
                      quality=PRINT_QUALITY) as cleaned:
        for number, image in enumerate(images, start=1):
            story.append(MadeWhenReached(partial(_image_block, image, cleaned, number, box)))
        build(doc, story, canvas_class)


def _image_block(image: TeachingImage, cleaned: CleanedAhead, number: int,
                 box: tuple[float, float]) -> KeepTogether:
    """One picture with its kind and body site, kept on one page."""
    caption = image.kind.capitalize() + (f" — {image.body_site}" if image.body_site else "")
    return KeepTogether([
        picture_frame(f"picture{number}", picture_shape(image.jpeg),
                      partial(cleaned.picture, number - 1), box),
        Spacer(1, 2 * mm),
        Paragraph(f"<b>Image {number}.</b> {escape(caption)}", style("body")),
        Spacer(1, 6 * mm),
    ])


def _decorate(pdf: canvas.Canvas, number: int, total: int, purpose_label: str) -> None:
    width, height = pdf._pagesize
    pdf.saveState()
    pdf.setFillColor(BRAND)
    pdf.setFont(SANS_BOLD, 12)
    pdf.drawString(MARGIN, height - 12 * mm, TITLE)
    pdf.setFont(SANS, 9)
    pdf.drawRightString(width - MARGIN, height - 12 * mm, f"For {purpose_label}, with consent")
    pdf.setStrokeColor(RULE)
    pdf.line(MARGIN, height - HEADER_HEIGHT, width - MARGIN, height - HEADER_HEIGHT)
    pdf.setFont(SANS, 8)
    pdf.drawRightString(width - MARGIN, 7 * mm, f"Page {number} of {total}")
    pdf.restoreState()
