"""A name imported ten thousand letters long is cut with '…' on every printed page, never overrun.

Each PDF is read back with pdftotext's word boxes: no word reaches past the
right margin, and the name is printed shortened, in each script.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from clinfile.app.audit.export import write_pdf
from clinfile.app.audit.lines import AuditLine
from clinfile.app.audit.verdict import ChainVerdict
from clinfile.app.reports.consent_form import render_consent_form
from clinfile.app.reports.pdf import MARGIN, PageSize
from clinfile.app.reports.summary import render_summary
from tests.unit.app.reports.pdf_checks import run, save

RUNAWAY = {"chinese": "漢" * 10_000, "hebrew": "א" * 10_000, "latin": "O" * 10_000}


def _words(path: Path) -> tuple[float, list[tuple[float, float, str]]]:
    """The page width and each word's left, right and text, as pdftotext finds them."""
    boxes = run("pdftotext", "-bbox", path, "-")
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<',
                       boxes)
    return width, [(float(left), float(right), text) for left, right, text in words]


def _within_the_margins(path: Path) -> list[str]:
    """Every word's text; fails if any word reaches past either margin."""
    width, words = _words(path)
    outside = [(left, right, text[:20]) for left, right, text in words
               if right > width - MARGIN + 0.5 or left < MARGIN - 0.5]
    assert not outside, outside
    return [text for _, _, text in words]


@pytest.mark.parametrize("script", RUNAWAY)
def test_the_summary_and_export_title_shorten_the_name_beside_the_date(
        tools, summary_data, tmp_path, script):
    patient = dataclasses.replace(summary_data.patient, family_name=RUNAWAY[script])
    for export_for in ("", "the treating team"):
        data = dataclasses.replace(summary_data, patient=patient, images=summary_data.images[:1],
                                   export_for=export_for)
        path = save(render_summary(data), tmp_path, f"{script}{bool(export_for)}.pdf")
        words = _within_the_margins(path)
        assert "Prepared" in words and "14/03/2026" in words
        assert any("…" in word for word in words), words[:12]
        assert "too long to print whole" in " ".join(words)


def test_a_name_that_fits_is_printed_whole_without_a_note(tools, summary_data, tmp_path):
    words = _within_the_margins(save(render_summary(summary_data), tmp_path))
    assert "too long to print whole" not in " ".join(words)
    assert not any("…" in word for word in words)


@pytest.mark.parametrize("script", RUNAWAY)
def test_the_consent_form_shortens_the_name_and_keeps_the_birth_date(
        tools, form_data, tmp_path, script):
    patient = dataclasses.replace(form_data.patient, family_name=RUNAWAY[script])
    path = save(render_consent_form(dataclasses.replace(form_data, patient=patient)), tmp_path)
    words = _within_the_margins(path)
    assert "05/06/1990" in words and "MN1990" in words, words[:40]


@pytest.mark.parametrize("paper", PageSize)
@pytest.mark.parametrize("script", RUNAWAY)
def test_the_audit_pdf_of_a_runaway_name_is_written_with_rows_shorter_than_a_page(
        tools, tmp_path, script, paper):
    name = RUNAWAY[script]
    lines = [AuditLine(n, "2026-12-02T08:00:00+00:00", "clinician", "image.filed",
                       f"Filed picture {n} to {name}", f"picture {n} of {name}, Mai",
                       "from the drop folder") for n in range(1, 4)]
    out = tmp_path / "audit.pdf"
    write_pdf(lines, "", ChainVerdict(3, ()), out, paper)
    _within_the_margins(out)
    assert int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", out)).group(1)) <= 2
