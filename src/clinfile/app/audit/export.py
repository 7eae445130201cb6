"""The audit trail on paper or in a spreadsheet, for a privacy officer.

Both files are written whole or not at all. A spreadsheet reads a cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a user or file name
in the trail is chosen by whoever typed it, so such cells are written with a
leading apostrophe and show as the text they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Spacer, TableStyle

from clinfile.app import clock
from clinfile.app.audit.lines import CSV_HEADINGS, HEADINGS, AuditLine
from clinfile.app.audit.verdict import ChainVerdict
from clinfile.app.reports.lettering import SANS_BOLD, Paragraph
from clinfile.app.reports.pdf import (
    BRAND,
    BRAND_PALE,
    MARGIN,
    MUTED,
    RULE,
    WARNING_PALE,
    PageSize,
    build,
    escape,
    footer,
    new_document,
    style,
)
from clinfile.db.connection import write_atomically

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Shares of the page's width for Entry, When, Who, What, About and Details.
_SHARES = (0.06, 0.13, 0.13, 0.28, 0.15, 0.25)


def write_csv(lines: Sequence[AuditLine], path: Path) -> None:
    """Write the lines as CSV with a heading row, safe to open in a spreadsheet.

    Each act is in words, and its stored code in a last column of its own, so
    a privacy officer can read it and a spreadsheet can sort by it.
    """
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_HEADINGS)
    for line in lines:
        writer.writerow([_inert(cell) for cell in line.csv_cells])
    write_atomically(Path(path), text.getvalue().encode("utf-8-sig"))


def write_pdf(lines: Sequence[AuditLine], asked: str, verdict: ChainVerdict,
              path: Path, page_size: PageSize) -> None:
    """Write the lines as a table headed by what was asked, in words, and the trail's verdict."""
    out = io.BytesIO()
    made = clock.now().astimezone().strftime("%d/%m/%Y %H:%M")
    doc, canvas_class = new_document(
        out, page_size, title="Audit trail extract", top=MARGIN, bottom=20 * mm,
        decorate=lambda pdf, number, total: footer(pdf, number, total,
                                                   middle=f"Audit trail extract, {made}"))
    width = doc.width
    story = [Paragraph("Audit trail extract", style("title")), Spacer(1, 3 * mm),
             Paragraph(escape(_asked_words(asked, len(lines))), style("body")),
             Spacer(1, 2 * mm),
             _verdict_box(verdict, width), Spacer(1, 4 * mm), _table(lines, width)]
    build(doc, story, canvas_class)
    write_atomically(Path(path), out.getvalue())


def _inert(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _asked_words(asked: str, count: int) -> str:
    """'3 entries, by Dr Priya Patel.' or '3 entries: the whole trail.' for the heading."""
    entries = f"{count:,} {'entry' if count == 1 else 'entries'}"
    return f"{entries}, {asked}." if asked else f"{entries}: the whole trail."


def _verdict_box(verdict: ChainVerdict, width: float) -> LongTable:
    rows = [[Paragraph(escape(verdict.words), style("body"))]]
    rows += [[Paragraph("• " + escape(problem), style("small"))] for problem in verdict.problems]
    box = LongTable(rows, colWidths=[width])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), BRAND_PALE if verdict.whole else WARNING_PALE),
        ("BOX", (0, 0), (-1, -1), 0.8, BRAND if verdict.whole else MUTED),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]))
    return box


def _table(lines: Sequence[AuditLine], width: float) -> LongTable:
    cell = style("small", fontSize=7.6, leading=9.4)
    head = style("small", fontSize=7.6, leading=9.4, fontName=SANS_BOLD)
    rows = [[Paragraph(escape(h), head) for h in HEADINGS]]
    rows += [[Paragraph(escape(c), cell) for c in line.cells] for line in lines]
    table = LongTable(rows, colWidths=[width * share for share in _SHARES], repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table
