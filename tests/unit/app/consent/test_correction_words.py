"""What a correction says it did names the picture and the patient as a person would."""

from __future__ import annotations

from clinfile.app.filing.service import FilingService
from clinfile.app.record.corrections import Correction, correct_pictures
from tests.unit.app.consent.test_filing_service import request


def test_a_move_names_the_picture_and_the_patient_it_went_to(login, add_patient,
                                                             add_inbox_image):
    mai = add_patient(record_number="900001")
    linh = add_patient("Tran", "Linh", record_number="900002")
    image = add_inbox_image()
    FilingService(login("reception")).file(request([image], mai))
    done = correct_pictures(login("clinician"), mai, [image],
                            Correction("wrong patient", to_patient=linh))
    assert done == ["the picture of the left ankle (lateral malleolus) taken 20/11/2026 (sent "
                    "by the patient): moved to the record of TRAN, Linh (record 900002)"]
