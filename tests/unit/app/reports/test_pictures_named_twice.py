"""A picture named twice is one picture, in an export, a summary and its audit entry."""

from __future__ import annotations

import json

from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
from clinfile.app.reports.service import ReportService, Selection
from clinfile.db.audit import AuditRepository
from tests.ui.record_pictures import file_pictures
from tests.unit.app.reports.pdf_checks import page_texts, require_tools


def test_a_picture_named_three_times_is_exported_and_audited_once(
        login, vault_path, corpus, tmp_path):
    _, [image] = file_pictures(vault_path, corpus, tmp_path, [(0, "left-ankle", "rash")])
    clinician = login("clinician")
    written = ReportService(clinician).export(
        Selection(image_ids=(image, image, image)), Purpose.CLINICAL_CARE,
        Recipient(group=RecipientClass.TREATING_TEAM), file_format="jpeg",
        out=tmp_path / "out")
    assert len(written.paths) == 1 and len(list((tmp_path / "out").iterdir())) == 1
    with clinician.vault.index() as conn:
        [exported] = [r for r in AuditRepository(conn).rows() if r.action == "images.exported"]
    assert json.loads(exported.detail)["images"] == [image]


def test_a_summary_of_a_picture_named_twice_shows_it_once(login, vault_path, corpus, tmp_path):
    require_tools()
    _, [image] = file_pictures(vault_path, corpus, tmp_path, [(0, "left-ankle", "rash")])
    [summary] = ReportService(login("clinician")).summary(
        Selection(image_ids=(image, image)), out=tmp_path / "summary").paths
    text = " ".join(page_texts(summary))
    assert "IMAGE 1 OF 1" in text and "IMAGE 2" not in text

