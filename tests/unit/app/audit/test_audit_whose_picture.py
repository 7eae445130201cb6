"""Each audit entry is about the patient whose picture it was when the act was done."""

from __future__ import annotations

import csv
import subprocess
import time

import pytest

from clinfile.app.audit.service import AuditFilter, AuditService
from clinfile.app.filing.service import FilingService
from clinfile.app.record.service import RecordService
from tests.ui.record_pictures import file_pictures

PATIENTS = [("900001", "Nguyen", "Mai", "1990-06-05", "Footscray"),
            ("900002", "Nguyen", "May", "1991-03-07", "Footscray")]
MAI = "NGUYEN, Mai (record 900001)"
MAY = "NGUYEN, May (record 900002)"


@pytest.fixture
def looked_at_before_and_after_a_move(login, vault_path, corpus, tmp_path) -> int:
    """A picture filed to Mai, looked at, moved to May, looked at again; its id."""
    (mai, may), (picture,) = file_pictures(vault_path, corpus, tmp_path,
                                           [(0, "left forearm", "Eczema")], patients=PATIENTS)
    clinician = login("clinician")
    RecordService(clinician).display_copy(picture, mai)
    time.sleep(0.01)
    FilingService(clinician).move_to_patient(picture, may, "filed to the wrong twin",
                                             filed_to=mai)
    time.sleep(0.01)
    RecordService(clinician).display_copy(picture, may)
    return picture


def _about(lines, code: str) -> list[str]:
    """Whose picture the About column of the entries of one kind names, oldest first."""
    return [line.subject.partition(", taken")[0] for line in reversed(lines)
            if line.code == code]


def test_a_look_is_about_whose_picture_it_was_at_the_time(login,
                                                          looked_at_before_and_after_a_move):
    picture = looked_at_before_and_after_a_move
    lines = AuditService(login()).search(AuditFilter()).lines
    assert _about(lines, "image.viewed") == [f"picture {picture} of {MAI}",
                                             f"picture {picture} of {MAY}"]
    assert _about(lines, "image.filed") == [f"picture {picture} of {MAI}"]
    assert _about(lines, "filing.corrected") == [f"picture {picture} of {MAI}"]


def test_filtering_by_patient_follows_whose_picture_it_was(login,
                                                           looked_at_before_and_after_a_move):
    service = AuditService(login())
    mai = service.search(AuditFilter(patient="900001")).lines
    may = service.search(AuditFilter(patient="900002")).lines
    assert _about(mai, "image.viewed") == [f"picture {looked_at_before_and_after_a_move} of {MAI}"]
    assert _about(may, "image.viewed") == [f"picture {looked_at_before_and_after_a_move} of {MAY}"]
    assert len(_about(mai, "filing.corrected")) == len(_about(may, "filing.corrected")) == 1
    assert _about(mai, "image.filed") and not _about(may, "image.filed")


def test_the_exports_say_whose_picture_it_was_and_the_chain_holds(
        login, looked_at_before_and_after_a_move, tmp_path):
    service = AuditService(login())
    service.export(AuditFilter(action="image.viewed"), tmp_path / "audit.csv", "csv")
    with open(tmp_path / "audit.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["About"].partition(", taken")[0] for row in reversed(rows)] == [
        f"picture {looked_at_before_and_after_a_move} of {MAI}",
        f"picture {looked_at_before_and_after_a_move} of {MAY}"]
    service.export(AuditFilter(patient="900001"), tmp_path / "audit.pdf", "pdf")
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "audit.pdf"), "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert "NGUYEN, May" in text and "Looked at" in text
    assert service.verdict().problems == ()
