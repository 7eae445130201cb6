"""The one-page incident summary a practice manager files and acts on.

It says what happened in the reporter's words, points at the export's entry
in the audit trail, quotes what the guidance says to do, and leaves room for
the manager to note the advice sought and sign. The page carries nothing
identifying in its document metadata (see :mod:`app.reports.pdf`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from clinfile.app.clock import local_time
from clinfile.app.errors import write_outside_the_vault
from clinfile.app.incidents.guidance import BREACH, SOURCE
from clinfile.app.reports.lettering import Paragraph
from clinfile.app.reports.pdf import (
    BRAND,
    MARGIN,
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
from clinfile.db.connection import write_atomically
from clinfile.db.incidents import IncidentRow

if TYPE_CHECKING:
    from clinfile.app.incidents.service import ExportSent


@dataclass(frozen=True)
class IncidentSummary:
    """What the page shows."""

    row: IncidentRow
    export: ExportSent | None
    patient: str
    reporter: str
    practice_name: str


def write_summary(summary: IncidentSummary, path: Path, page_size: PageSize) -> None:
    """Write the summary as a one-page PDF, whole or not at all."""
    out = io.BytesIO()
    row = summary.row
    doc, canvas_class = new_document(
        out, page_size, title="Privacy incident report", top=MARGIN, bottom=20 * mm,
        decorate=lambda pdf, number, total: footer(pdf, number, total,
                                                   middle=f"Incident {row.id}"))
    width = doc.width
    heading = "Privacy incident: a picture sent to the wrong person"
    story = [Paragraph(escape(heading), style("title", fontSize=17, leading=21)),
             Paragraph(escape(summary.practice_name or " "), style("subheading")),
             Spacer(1, 3 * mm), _facts(summary, width), Spacer(1, 5 * mm),
             _guidance(width), Spacer(1, 4 * mm),
             Paragraph("For the practice manager", style("heading")),
             _sign_off(width)]
    build(doc, story, canvas_class)
    write_outside_the_vault(Path(path), lambda: write_atomically(Path(path), out.getvalue()))


def _facts(summary: IncidentSummary, width: float) -> Table:
    row, export = summary.row, summary.export
    found = local_time(row.found_on)
    facts = [
        ("Incident", f"Number {row.id}, reported by {summary.reporter} on "
                     f"{local_time(row.reported_at)}"),
        ("Patient", summary.patient),
        ("What was sent", row.what_was_sent),
        ("Who received it", row.sent_to),
        ("When it was sent", local_time(row.sent_at)),
        ("When it was found out", found),
        ("What has been done", row.actions_taken),
        ("The export in the audit trail", _export_words(export, row.export_seq)),
    ]
    label = style("label", fontSize=8.2, leading=10.4)
    value = style("value", fontSize=8.6, leading=10.6)
    table = Table([[Paragraph(escape(k), label), Paragraph(escape(v), value)] for k, v in facts],
                  colWidths=[width * 0.27, width * 0.73])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _export_words(export: ExportSent | None, seq: int | None) -> str:
    if export is None:
        return "No export entry is linked." if seq is None else f"Entry {seq} (not found)."
    names = [Path(f).name for f in export.files]
    files = "; ".join(names[:3]) + (f"; and {len(names) - 3} more" if len(names) > 3 else "") \
        if names else "no file names recorded"
    return (f"Entry {export.seq}: images exported by {export.by} on {export.at}: "
            f"{export.words}. Files: {files}.")


def _guidance(width: float) -> Table:
    box = Table([[Paragraph(f"<b>What the guidance says.</b> \u201c{escape(BREACH)}\u201d",
                            style("body"))],
                 [Paragraph(escape(SOURCE), style("small"))]], colWidths=[width])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), WARNING_PALE),
        ("BOX", (0, 0), (-1, -1), 0.8, WARNING),
        ("LEFTPADDING", (0, 0), (-1, -1), 7), ("RIGHTPADDING", (0, 0), (-1, -1), 7),
        ("TOPPADDING", (0, 0), (0, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
    ]))
    return box


def _sign_off(width: float) -> Table:
    lines = ("Advice sought from, on", "Advice given", "Reviewed by", "Signature and date")
    label = style("body")
    table = Table([[Paragraph(escape(line), label), ""] for line in lines],
                  colWidths=[width * 0.27, width * 0.73], rowHeights=[8 * mm] * len(lines))
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, BRAND),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table
