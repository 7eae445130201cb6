"""Every act the trail records reads as plain words, in the window, the CSV and the PDF."""

from __future__ import annotations

import ast
import csv
import json
import re
import subprocess
from pathlib import Path

import pytest

from clinfile.app.audit.actions import ACTS, act_name, fill
from clinfile.app.audit.lines import AuditLine
from clinfile.app.audit.naming import AuditNames
from clinfile.app.audit.service import AuditFilter, AuditService
from clinfile.db.audit import AuditRow
from tests.ui.helpers import add_patients

SOURCE = Path(__file__).resolve().parents[4] / "src" / "clinfile"
_DOTTED = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")
# Dotted words in the code that are not acts: logger and package names, file
# names, file system types, and how a column heading may spell date of birth.
_NOT_ACTS = re.compile(r"(clinfile|fuse)\..*|.*\.(pem|json|db|log|ini|dll|pdf|qss)|d\.o\.b")


def _codes_in_the_code() -> set[str]:
    """Every dotted word written in the code: an act's code unless it is plainly something else."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and _DOTTED.fullmatch(node.value) and not _NOT_ACTS.fullmatch(node.value):
                found.add(node.value)
    return found


def _line(action: str, subject: str = "", detail: dict | None = None, names=None) -> AuditLine:
    row = AuditRow(7, "2026-12-01T09:30:00.000+00:00", "drpatel", action, subject,
                   json.dumps(detail or {}), "", "")
    return AuditLine.of(row, names)


def test_every_act_the_code_records_has_words():
    written = _codes_in_the_code()
    assert len(written) > 60
    assert written - ACTS.keys() == set(), "give these acts words in app/audit/actions.py"
    assert ACTS.keys() - written == set(), "these acts are no longer recorded anywhere"


@pytest.mark.parametrize("code", sorted(ACTS))
def test_each_sentence_reads_even_with_no_details(code):
    text = fill(ACTS[code].sentence, {})
    assert text and not re.search(r"[\[\]{}_]", text)
    assert "." not in act_name(code) and "_" not in act_name(code)


def test_a_filing_reads_as_a_sentence_with_the_patient_named(login, vault_path):
    [patient] = add_patients(vault_path, [("900001", "Nguyen", "Mai", "1950-01-02", "Carlton")])
    admin = login()
    with admin.vault.index() as conn:
        names = AuditNames(conn)
        filed = _line("image.filed", "image 12", {
            "patient_id": patient, "episode_id": 3, "kind": "clinical-photo",
            "body_site": "left knee", "consent_id": 4, "secondary": False,
            "workstation": "DESK1"}, names)
        consent = _line("consent.recorded", "consent 4", {
            "patient_id": patient, "code": "K7Q", "method": "verbal",
            "purposes": ["clinical-care", "education"], "recipients": ["treating-team"],
            "images": [], "obtained_by": "drpatel"}, names)
        exported = _line("images.exported", f"patient {patient}", {
            "images": [12, 13], "purpose": "clinical-care", "recipient": "specialist",
            "format": "pdf", "deidentified": True, "files": ["/out/a.pdf"]}, names)
    assert filed.what == ("Filed picture 12 to NGUYEN, Mai (record 900001), left knee, "
                          "clinical photo, on consent 4")
    assert filed.code == "image.filed"
    assert "patient" not in filed.details and "DESK1" in filed.details
    assert consent.what == ("Consent recorded: verbal, for clinical care and education, to be "
                            "seen by the treating team, for NGUYEN, Mai (record 900001), "
                            "obtained by drpatel")
    assert exported.what == ("Exported pictures 12, 13 of NGUYEN, Mai (record 900001) as PDF "
                             "for clinical care, to be seen by a referral specialist, "
                             "names removed")
    assert exported.details == "files: /out/a.pdf"


def test_stored_words_cannot_pass_as_the_template_or_a_line(login):
    admin = login()
    with admin.vault.index() as conn:
        line = _line("login.failed", "{subject}\n[x]", {"reason": "{reason}\nDeleted all"},
                     AuditNames(conn))
    assert line.what == "A login as {subject}\\n[x] failed: {reason}\\nDeleted all"


def test_an_act_no_table_knows_still_reads(login):
    admin = login()
    with admin.vault.index() as conn:
        line = _line("label.printed", "", {"copies": 2}, AuditNames(conn))
    assert (line.what, line.details) == ("label printed", "copies: 2")


def test_csv_keeps_the_code_beside_the_words_and_pdf_has_the_words(login, tmp_path):
    admin = login()
    service = AuditService(admin)
    out = service.export(AuditFilter(action="user.added"), tmp_path / "a.csv", "csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][-1] == "Action code"
    assert {row[-1] for row in rows[1:]} == {"user.added"}
    assert any(row[3].startswith("Added the user clinician") for row in rows[1:])
    out = service.export(AuditFilter(action="user.added"), tmp_path / "a.pdf", "pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "act User added" in text.replace("\n", " ")
    assert "Added the user" in text and "user.added" not in text


def test_a_corrected_site_leaves_out_empty_details_and_says_side(login, vault_path, corpus,
                                                                 tmp_path):
    from clinfile.app.filing.body_sites import BodySite
    from clinfile.app.filing.service import FilingService
    from tests.ui.record_pictures import file_pictures

    [mai, _], [picture] = file_pictures(vault_path, corpus, tmp_path, [(0, "left knee", "")])
    doctor = login("clinician")
    FilingService(doctor).correct_body_site(picture, BodySite.parse("left-ankle"),
                                            "wrong joint", filed_to=mai)
    [line] = AuditService(login()).search(AuditFilter(action="filing.corrected")).lines
    assert line.details == "body site: ankle; side: left"
