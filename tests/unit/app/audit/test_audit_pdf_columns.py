"""The audit PDF wraps every column's words inside the page, however long a word is."""

from __future__ import annotations

import re

from clinfile.app.audit.export import write_pdf
from clinfile.app.audit.lines import AuditLine
from clinfile.app.audit.verdict import ChainVerdict
from clinfile.app.reports.pdf import MARGIN, PageSize
from tests.unit.app.reports.pdf_checks import require_tools, run

LONG = "WOLFESCHLEGELSTEINHAUSENBERGERDORFF" * 2


def test_a_long_about_and_details_wrap_inside_the_right_margin(tmp_path):
    require_tools()
    line = AuditLine(1, "2026-12-02T08:00:00+00:00", "clinician", "image.filed",
                     f"Filed picture 1 to {LONG}", f"picture 1 of {LONG}, Mai (record {'9' * 40})",
                     "x" * 120)
    for paper in PageSize:
        out = tmp_path / f"audit-{paper}.pdf"
        write_pdf([line], "", ChainVerdict(1, ()), out, paper)
        boxes = run("pdftotext", "-bbox", out, "-")
        width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
        rights = [float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes)]
        assert max(rights) <= width - MARGIN + 0.5, (paper, max(rights), width)
        words = re.findall(r">([^<]+)</word>", boxes)
        assert sum(len(w) for w in words if set(w) == {"x"}) == 120, words
        assert sum(len(w) for w in words if set(w) == {"9"} or w.endswith("9)")) >= 40, words
