"""Every person a printed page names is printed by their full name, not their login name."""

from __future__ import annotations

from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
from clinfile.app.reports.service import ReportService, Selection
from clinfile.app.security.users import UserService
from tests.conftest import ADMIN
from tests.ui.record_pictures import file_pictures
from tests.unit.app.reports.pdf_checks import run


def _text(pdf) -> str:
    return " ".join(run("pdftotext", pdf, "-").split())


def test_the_export_summary_and_consent_form_print_the_clinician_s_full_name(
        tools, login, vault_path, corpus, tmp_path):
    patients, ids = file_pictures(vault_path, corpus, tmp_path, [(0, "left-forearm", "rash")])
    UserService(login(ADMIN)).set_full_name("clinician", "Dr Priya Patel")
    doctor = login("clinician")
    reports = ReportService(doctor)

    [export] = reports.export(Selection(image_ids=tuple(ids)), Purpose.CLINICAL_CARE,
                              Recipient(group=RecipientClass.TREATING_TEAM),
                              file_format="pdf", out=tmp_path / "export").paths
    [summary] = reports.summary(Selection(patient=patients[0]), out=tmp_path / "summary").paths
    [form] = reports.consent_form(1, out=tmp_path / "form").paths

    for pdf in (export, summary):
        text = _text(pdf)
        assert "by Dr Priya Patel" in text and "obtained by Dr Priya Patel" in text, text
        assert "by clinician" not in text, text
    assert "Dr Priya Patel Name" in _text(form)
