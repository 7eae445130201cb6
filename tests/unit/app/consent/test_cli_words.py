"""The command line names patients and pictures as its refusals and the window do."""

from __future__ import annotations

from datetime import UTC, datetime

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from tests.unit.app.cli.calling import as_user
from tests.unit.app.consent import vault_rows


def test_filing_and_correcting_name_the_patient_and_the_picture(vault_path, add_patient,
                                                                add_inbox_image):
    add_patient(record_number="MRN1001")
    add_patient("Smith", "John", record_number="MRN1003")
    image = add_inbox_image()
    code, out, _ = as_user(vault_path, "reception", "file", str(image), "--patient", "MRN1001",
                           "--kind", "patient-sent", "--body-site", "left-ankle")
    assert code == 0
    assert out.startswith(f"Filed picture {image} to NGUYEN, Mai (record MRN1001): ")
    code, out, _ = as_user(vault_path, "clinician", "correct", str(image), "--patient",
                           "MRN1003", "--from", "MRN1001", "--reason", "wrong patient")
    assert code == 0
    assert out == (f"Picture {image} is now in the record of SMITH, John (record MRN1003), "
                   "left ankle.\n")


def test_what_is_due_for_deletion_is_listed_in_columns_by_patient(vault_path, login,
                                                                  app_clock):
    reception = login("reception")
    mai = vault_rows.add_patient(reception.vault, record_number="R-1")
    jo = vault_rows.add_patient(reception.vault, "Smith", "Jo", "1960-03-04", "R-22")
    knee = vault_rows.add_inbox_image(reception.vault, "2014-12-30T10:00:00")
    hand = vault_rows.add_inbox_image(reception.vault, None)
    app_clock.hold(datetime(2015, 1, 1, tzinfo=UTC))
    for image, patient, site in ((knee, mai, "left-knee"), (hand, jo, "right-hand")):
        FilingService(reception).file(FilingRequest((image,), patient, ImageKind.PATIENT_SENT,
                                                    BodySite.parse(site)))
    app_clock.hold(None)

    code, out, _ = as_user(vault_path, "admin", "retention due")
    assert code == 0
    heading, *rows = out.splitlines()
    assert heading.split() == ["Picture", "Patient", "Body", "site", "Taken", "Kept", "until"]
    assert rows == [
        f"{knee:>7}  NGUYEN, Mai (record R-1)  left knee   30/12/2014      01/01/2022",
        f"{hand:>7}  SMITH, Jo (record R-22)   right hand  date not known  01/01/2022"]
    assert [heading.index(word) for word in ("Patient", "Body site", "Taken", "Kept until")] \
        == [rows[0].index(cell) for cell in ("NGUYEN", "left", "30/", "01/01/2022")]


def test_a_withdrawal_lists_each_picture_sent_as_the_window_does_with_its_number(
        vault_path, record, tmp_path):
    _, images, code = record(2)
    assert as_user(vault_path, "clinician", "export", "--images", str(images[1]), "--purpose",
                   "education", "--recipient", "students", "--format", "jpeg",
                   "--out", str(tmp_path / "lecture"))[0] == 0
    status, out, _ = as_user(vault_path, "reception", "consent withdraw", code,
                             "--purposes", "education")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == (f"Consent {code} withdrawn for education; no further use for these "
                        "purposes will be allowed. Follow up 1 picture already sent.")
    assert lines[1].startswith("Already sent before the withdrawal")
    assert lines[2].startswith(f"  Picture {images[1]}, the picture of the left lower leg "
                               "taken ")
    assert ": exported for education to students, " in lines[2]
    assert lines[2].endswith(", by clinician") and len(lines) == 3
    shown = as_user(vault_path, "reception", "consent show", code)[1].splitlines()
    assert shown[0].endswith("), NGUYEN, Mai (record R-2)")
    assert "  pictures: all of the patient’s" in shown
