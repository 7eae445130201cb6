"""The recovery sheet: the one printed page that can reopen a vault whose admins are gone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from clinfile.app.reports.lettering import MONO_BOLD, SANS, SANS_BOLD, drawn


@dataclass(frozen=True)
class RecoverySheet:
    """What the sheet shows."""

    vault_id: str
    vault_location: str
    recovery_key: str
    created_on: date


_ADVICE = [
    "This key opens every patient photograph in this Clinfile vault.",
    "Keep this page somewhere locked and away from the computer, such as the",
    "practice safe. Do not photograph it, scan it, email it or save it on a computer.",
    "You need it only if no admin can log in. To use it, choose",
    "\"Unlock with recovery key\" and type the groups exactly as printed.",
    "If this page is lost or seen by someone it should not be, ask your admin",
    "to make a new recovery key straight away.",
]


def write_recovery_sheet(sheet: RecoverySheet, path: Path) -> None:
    """Write the sheet as a one-page A4 PDF with no identifying document metadata."""
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1, initialFontName=SANS)
    pdf.setTitle("Clinfile recovery sheet")
    pdf.setAuthor("")
    pdf.setSubject("")
    pdf.setCreator("Clinfile")

    pdf.setFillColor(colors.HexColor("#1f4e79"))
    pdf.rect(0, height - 32 * mm, width, 32 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(SANS_BOLD, 22)
    pdf.drawString(20 * mm, height - 20 * mm, "Clinfile vault recovery sheet")
    pdf.setFont(SANS, 11)
    pdf.drawString(20 * mm, height - 27 * mm, "Confidential — keep locked away")

    pdf.setFillColor(colors.black)
    y = height - 48 * mm
    details = (
        ("Vault", sheet.vault_id),
        ("Made on", sheet.created_on.strftime("%d/%m/%Y")),
        ("Vault folder", sheet.vault_location),
    )
    for label, value in details:
        pdf.setFont(SANS_BOLD, 11)
        pdf.drawString(20 * mm, y, f"{label}:")
        pdf.setFont(SANS, 11)
        pdf.drawString(52 * mm, y, drawn(value))
        y -= 7 * mm

    y -= 8 * mm
    pdf.setStrokeColor(colors.HexColor("#1f4e79"))
    pdf.setLineWidth(1.5)
    pdf.roundRect(20 * mm, y - 30 * mm, width - 40 * mm, 34 * mm, 4 * mm, stroke=1, fill=0)
    pdf.setFont(SANS_BOLD, 12)
    pdf.drawString(26 * mm, y - 4 * mm, "Recovery key")
    pdf.setFont(MONO_BOLD, 19)
    groups = sheet.recovery_key.split("-")
    half = (len(groups) + 1) // 2
    pdf.drawString(26 * mm, y - 15 * mm, "  ".join(groups[:half]))
    pdf.drawString(26 * mm, y - 25 * mm, "  ".join(groups[half:]))

    y -= 44 * mm
    pdf.setFont(SANS, 11.5)
    for line in _ADVICE:
        pdf.drawString(20 * mm, y, line)
        y -= 6.5 * mm

    pdf.setFont(SANS, 8)
    pdf.setFillColor(colors.grey)
    pdf.drawString(20 * mm, 12 * mm, "Clinfile — clinical photographs in encrypted custody")
    pdf.showPage()
    pdf.save()
