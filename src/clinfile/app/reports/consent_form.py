"""The printable consent form: plain words, a tick box per use, signatures, and its code.

Every page carries the QR code and the printed short code of the consent
record, so whichever page comes back scanned or photographed, the import
recognises it and attaches it to the right consent with no manual matching.
The patient's name is on every page too, so a loose page is never anonymous
to the people handling it; it is never in the PDF's document information.
"""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from clinfile.app import clock
from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.reports import consent_wording as words
from clinfile.app.reports.flowables import TickBox, WriteIn, draw_qr
from clinfile.app.reports.form_codes import qr_payload
from clinfile.app.reports.lettering import (
    MONO_BOLD,
    SANS,
    SANS_BOLD,
    Paragraph,
    drawn,
    shortened,
)
from clinfile.app.reports.model import ConsentFormData, PurposeRequest
from clinfile.app.reports.pdf import (
    BRAND,
    BRAND_PALE,
    INK,
    MARGIN,
    MUTED,
    RULE,
    PageSize,
    build,
    escape,
    footer,
    new_document,
    style,
)

HEADER_HEIGHT = 33 * mm
QR_SIZE = 25 * mm
CODE_ROOM = 32 * mm  # the form code printed left of the QR code, and a gap before it


def blank_form(practice_name: str = "") -> ConsentFormData:
    """Return the print-ahead form: every purpose, no names, no code."""
    return ConsentFormData(purposes=tuple(PurposeRequest(p, ()) for p in Purpose),
                           practice_name=practice_name)


def render_consent_form(data: ConsentFormData, page_size: PageSize = PageSize.A4) -> bytes:
    """Render the consent form and return the PDF's bytes."""
    out = io.BytesIO()
    doc, canvas_class = new_document(
        out, page_size, title=words.TITLE, top=HEADER_HEIGHT + 6 * mm, bottom=20 * mm,
        decorate=lambda pdf, number, total: _decorate(pdf, number, total, data),
    )
    build(doc, _story(data, doc.width), canvas_class)
    return out.getvalue()


def _story(data: ConsentFormData, width: float) -> list:
    story = [
        _patient_box(data, width),
        Spacer(1, 4 * mm),
        Paragraph(words.INTRODUCTION, style("body")),
        Spacer(1, 3 * mm),
        _explanations(width),
        Paragraph("What we are asking you", style("heading")),
    ]
    if data.images_note:
        story.append(Paragraph(f"<b>The photographs:</b> {escape(data.images_note)}",
                               style("body")))
        story.append(Spacer(1, 2 * mm))
    story.append(_purpose_table(data, width))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(words.ASK_US, style("small", textColor=MUTED)))
    story.extend(_signatures(data, width))
    practice_note = words.BLANK_FOR_THE_PRACTICE if data.blank else words.FOR_THE_PRACTICE
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(practice_note, style("small", textColor=MUTED)))
    return story


def _patient_box(data: ConsentFormData, width: float) -> Table:
    patient = data.patient
    cells = [
        WriteIn("Patient's name", patient.display_name if patient else ""),
        WriteIn("Date of birth", patient.birth_date_text if patient else ""),
        WriteIn("Record number", patient.record_number if patient else ""),
    ]
    table = Table([cells], colWidths=[width * 0.5, width * 0.24, width * 0.26])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), BRAND_PALE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 * mm),
    ]))
    return table


def _explanations(width: float) -> Table:
    """Six short headed paragraphs in a two-column grid, easy to take in at a glance."""
    cells = [[Paragraph(heading, style("subheading", textColor=BRAND)),
              Paragraph(text, style("body", fontSize=9.6, leading=12.6))]
             for heading, text in words.EXPLANATIONS]
    rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[width / 2] * 2)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, -1), 4 * mm),
        ("LEFTPADDING", (1, 0), (1, -1), 4 * mm),
        ("RIGHTPADDING", (1, 0), (1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
        ("LINEAFTER", (0, 0), (0, -1), 0.6, RULE),
    ]))
    return table


def _purpose_table(data: ConsentFormData, width: float) -> Table:
    header = [Paragraph(f"<b>{text}</b>", style("small", textColor=BRAND))
              for text in ("Use", "Who would see the photographs", "Your answer")]
    rows = [header]
    for request in data.purposes:
        short, long = words.PURPOSE_TEXT[request.purpose]
        who = ", ".join(request.recipients) if request.recipients else ""
        rows.append([
            [Paragraph(f"<b>{short}</b>", style("body")),
             Paragraph(long, style("body", fontSize=9.4, leading=12))],
            Paragraph(escape(who), style("body", fontSize=9.6)) if who
            else WriteIn("Names or groups of people", height=10 * mm),
            [TickBox("Yes"), Spacer(1, 2.2 * mm), TickBox("No")],
        ])
    table = Table(rows, colWidths=[width * 0.5, width * 0.33, width * 0.17], repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, BRAND),
        ("LINEBELOW", (0, 1), (-1, -1), 0.6, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
        ("TOPPADDING", (0, 1), (-1, -1), 2.2 * mm),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 2.6 * mm),
        ("LEFTPADDING", (2, 1), (2, -1), 5 * mm),
    ]))
    return table


def _signatures(data: ConsentFormData, width: float) -> list:
    """The three signature blocks; the patient's stays with its heading, each stays whole."""
    patient = _signature_block(
        "Patient, or person deciding for the patient", words.PATIENT_STATEMENT,
        [[WriteIn("Name", data.decided_by), WriteIn("Signature")],
         [WriteIn("Relationship to the patient (if not the patient)",
                  data.decided_by_relationship), WriteIn("Date")]],
        width, note=words.SUBSTITUTE_NOTE)
    gap = Spacer(1, 3 * mm)
    return [
        KeepTogether([Paragraph("Signatures", style("heading")), patient]), gap,
        _signature_block(
            "Clinician", words.CLINICIAN_STATEMENT,
            [[WriteIn("Name", data.clinician), WriteIn("Signature")],
             [WriteIn("Role"), WriteIn("Date")]],
            width), gap,
        _signature_block(
            "Interpreter (if one helped)", words.INTERPRETER_STATEMENT,
            [[WriteIn("Name", data.interpreter), WriteIn("Signature")],
             [WriteIn("Language"), WriteIn("Date")]],
            width),
    ]


def _signature_block(title: str, statement: str, fields: list[list[WriteIn]], width: float,
                     *, note: str = "") -> Table:
    """One boxed block: who signs, what they confirm, and their lines.

    A one-row table never splits across pages, so a block stays whole.
    """
    padding = 4 * mm
    inner = width - 2 * padding
    lines = Table(fields, colWidths=[inner / 2 + 3 * mm, inner / 2 - 3 * mm])
    lines.setStyle(TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, -1), 6 * mm),
        ("RIGHTPADDING", (1, 0), (1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0.5 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5 * mm),
    ]))
    content = [Paragraph(f"<b>{title}</b>", style("subheading", spaceBefore=0)),
               Paragraph(statement, style("body", fontSize=9.4, leading=12))]
    if note:
        content.append(Paragraph(note, style("small", textColor=MUTED)))
    content.append(lines)
    block = Table([[content]], colWidths=[width])
    block.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm),
    ]))
    return block


def _decorate(pdf: canvas.Canvas, number: int, total: int, data: ConsentFormData) -> None:
    """Draw the page header (title, patient, code) and the footer on one page."""
    width, height = pdf._pagesize
    top = height - 12 * mm
    pdf.saveState()
    pdf.setFillColor(MUTED)
    pdf.setFont(SANS_BOLD, 8.5)
    room = width - 2 * MARGIN - QR_SIZE - CODE_ROOM
    pdf.drawString(MARGIN, top, drawn(shortened((data.practice_name or "Clinfile").upper(),
                                                SANS_BOLD, 8.5, room)))
    pdf.setFillColor(BRAND)
    pdf.setFont(SANS_BOLD, 20)
    pdf.drawString(MARGIN, top - 10 * mm, words.TITLE)
    pdf.setFillColor(INK)
    pdf.setFont(SANS, 10)
    if data.patient:
        patient = data.patient
        rest = f"   ·   born {patient.birth_date_text}"
        if patient.record_number:
            rest += f"   ·   record {patient.record_number}"
        name = shortened(patient.display_name, SANS, 10, room - stringWidth(rest, SANS, 10))
        pdf.drawString(MARGIN, top - 17 * mm, drawn(name + rest))
    else:
        pdf.setFillColor(MUTED)
        pdf.drawString(MARGIN, top - 17 * mm, "Print-ahead form: fill in the patient's details")
    _code_panel(pdf, data, width - MARGIN - QR_SIZE, height - 6 * mm - QR_SIZE)
    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(1.4)
    pdf.line(MARGIN, height - HEADER_HEIGHT, width - MARGIN, height - HEADER_HEIGHT)
    pdf.restoreState()
    footer(pdf, number, total, middle=_footer_text(data))


def _footer_text(data: ConsentFormData) -> str:
    if data.blank:
        return "Consent form"
    prepared = data.prepared_on or clock.today()
    return f"Consent form {data.code}   ·   prepared {prepared:%d/%m/%Y}"


def _code_panel(pdf: canvas.Canvas, data: ConsentFormData, x: float, y: float) -> None:
    """The QR code with the short code beside it, or on a blank form a box for a label."""
    if data.code:
        draw_qr(pdf, qr_payload(data.code), x, y, QR_SIZE)
        pdf.setFillColor(MUTED)
        pdf.setFont(SANS_BOLD, 7)
        pdf.drawRightString(x - 1 * mm, y + QR_SIZE / 2 + 2 * mm, "FORM CODE")
        pdf.setFillColor(INK)
        pdf.setFont(MONO_BOLD, 12)
        pdf.drawRightString(x - 1 * mm, y + QR_SIZE / 2 - 3 * mm, data.code)
        return
    box_width = QR_SIZE + 24 * mm
    left = x + QR_SIZE - box_width
    pdf.setStrokeColor(RULE)
    pdf.setDash(2, 2)
    pdf.rect(left, y, box_width, QR_SIZE, stroke=1, fill=0)
    pdf.setDash()
    pdf.setFillColor(MUTED)
    pdf.setFont(SANS, 7.5)
    pdf.drawCentredString(left + box_width / 2, y + QR_SIZE / 2 + 1 * mm, "Patient label or")
    pdf.drawCentredString(left + box_width / 2, y + QR_SIZE / 2 - 3 * mm,
                          "consent code (office use)")

