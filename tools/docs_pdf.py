"""Print the practice manager's guide and the reception quick card from their Markdown as PDFs.

``python tools/docs_pdf.py [--out FOLDER]`` writes ``practice-manager-guide.pdf``
and ``reception-quick-card.pdf`` (into ``docs/`` unless told otherwise) and
prints each one's page count. It reads the little Markdown the two documents
use: headings, paragraphs, bulleted and numbered lists, tables, code blocks,
and bold and code within a line. The PDFs are built reproducibly, so a
rebuild of unchanged Markdown changes no byte.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"
DOCUMENTS = {"practice-manager-guide": 10.0, "reception-quick-card": 11.5}
INK = colors.HexColor("#1b1b1b")
TEAL = colors.HexColor("#17646e")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one document, scaled from its body size."""

    body: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    code: ParagraphStyle
    cell: ParagraphStyle

    @classmethod
    def sized(cls, size: float) -> Styles:
        """The styles for body text of ``size`` points."""
        body = ParagraphStyle("body", fontName="Helvetica", fontSize=size, leading=size * 1.32,
                              textColor=INK, spaceAfter=size * 0.5)
        return cls(
            body=body,
            title=ParagraphStyle("title", parent=body, fontName="Helvetica-Bold",
                                 fontSize=size * 1.8, leading=size * 2.2, textColor=TEAL,
                                 spaceAfter=size * 0.8),
            heading=ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold",
                                   fontSize=size * 1.25, leading=size * 1.6, textColor=TEAL,
                                   spaceBefore=size * 0.7, spaceAfter=size * 0.3,
                                   keepWithNext=True),
            code=ParagraphStyle("code", parent=body, fontName="Courier", fontSize=size * 0.92,
                                leftIndent=size * 1.5, spaceAfter=size * 0.6),
            cell=ParagraphStyle("cell", parent=body, fontSize=size * 0.9,
                                leading=size * 1.15, spaceAfter=0),
        )


def inline(text: str) -> str:
    """Turn one line's Markdown (bold, code) into reportlab's paragraph markup."""
    text = escape(text)
    text = re.sub(r"`([^`]+)`", r'<font face="Courier">\1</font>', text)
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)


def blocks(markdown: str) -> list[tuple[str, list[str]]]:
    """Split Markdown into (kind, lines) blocks: title, heading, code, table, list, paragraph."""
    found: list[tuple[str, list[str]]] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            end = lines.index("```", i + 1)
            found.append(("code", lines[i + 1:end]))
            i = end + 1
        elif line.startswith("#"):
            found.append(("title" if line.startswith("# ") else "heading",
                          [line.lstrip("#").strip()]))
            i += 1
        else:
            kind = ("table" if line.startswith("|") else
                    "bullets" if line.startswith("- ") else
                    "numbers" if re.match(r"\d+\. ", line) else "paragraph")
            start = i
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", "```")):
                i += 1
            found.append((kind, lines[start:i]))
    return found


def list_items(lines: list[str]) -> list[str]:
    """Join each list item with its indented continuation lines."""
    items: list[str] = []
    for line in lines:
        if re.match(r"(- |\d+\. )", line):
            items.append(re.sub(r"^(- |\d+\. )", "", line))
        else:
            items[-1] += " " + line.strip()
    return items


def table(lines: list[str], styles: Styles, width: float) -> Table:
    """A Markdown table as a reportlab table, its first row as the header."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in lines if not re.fullmatch(r"\|?[\s:|-]+\|?", line)]
    cells = [[Paragraph(inline(f"**{c}**" if r == 0 else c), styles.cell) for c in row]
             for r, row in enumerate(rows)]
    made = Table(cells, colWidths=[width * 0.3, width * 0.7], repeatRows=1)
    made.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c4c6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eff0")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return made


def story(markdown: str, styles: Styles, width: float) -> list:
    """The flowables of one document, in order."""
    flowables: list = []
    for kind, lines in blocks(markdown):
        if kind in ("title", "heading"):
            flowables.append(Paragraph(inline(lines[0]), getattr(styles, kind)))
        elif kind == "code":
            flowables.append(Preformatted("\n".join(lines), styles.code))
        elif kind == "table":
            flowables += [table(lines, styles, width), Spacer(1, styles.body.spaceAfter)]
        elif kind in ("bullets", "numbers"):
            items = [ListItem(Paragraph(inline(item), styles.body)) for item in list_items(lines)]
            flowables.append(ListFlowable(
                items, bulletType="bullet" if kind == "bullets" else "1",
                start="•" if kind == "bullets" else None, bulletFormat=None if kind == "bullets"
                else "%s.", leftIndent=styles.body.fontSize * 1.6,
                bulletFontSize=styles.body.fontSize))
        else:
            flowables.append(Paragraph(inline(" ".join(line.strip() for line in lines)),
                                       styles.body))
    return flowables


def build(name: str, out: Path) -> int:
    """Write one document's PDF into ``out``; return its page count."""
    markdown = (DOCS / f"{name}.md").read_text(encoding="utf-8")
    title = markdown.splitlines()[0].lstrip("# ").strip()
    doc = SimpleDocTemplate(str(out / f"{name}.pdf"), pagesize=A4, title=title,
                            author="Clinfile", leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, invariant=True)
    doc.build(story(markdown, Styles.sized(DOCUMENTS[name]), doc.width))
    return doc.page


def main() -> None:
    """Build both documents and say how many pages each has."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="the folder to write into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in DOCUMENTS:
        print(f"{name}.pdf: {build(name, args.out)} page(s)")  # noqa: T201 - a command's report


if __name__ == "__main__":
    main()
