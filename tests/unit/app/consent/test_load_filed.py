"""The image as it stands (filing, corrections, deletion) is put together in one place, in bulk."""

from __future__ import annotations

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest, load_filed
from clinfile.app.filing.service import FilingService

KNEE = BodySite.parse("left-knee")


def _file(session, images, patient) -> None:
    FilingService(session).file(FilingRequest(tuple(images), patient, ImageKind.PATIENT_SENT,
                                              KNEE, description="rash"))


def _statements(conn, image_ids) -> int:
    said: list[str] = []
    conn.set_trace_callback(said.append)
    load_filed(conn, image_ids)
    conn.set_trace_callback(None)
    return len(said)


def test_corrections_apply_in_order_and_unfiled_images_are_left_out(login, add_patient,
                                                                    add_inbox_image):
    first, second = add_patient(), add_patient("Smith", "Jo", record_number="R-2")
    images = [add_inbox_image(), add_inbox_image()]
    unfiled = add_inbox_image()
    reception = login("reception")
    _file(reception, images, first)
    clinician = login("clinician")
    filing = FilingService(clinician)
    filing.correct_description(images[0], "rash, spreading", "asked by the patient",
                               filed_to=first)
    filing.move_to_patient(images[0], second, "the wrong Nguyen", filed_to=first)
    with clinician.vault.index() as conn:
        filed = load_filed(conn, [*images, unfiled])
    assert set(filed) == set(images)
    moved = filed[images[0]]
    assert (moved.patient_id, moved.first_patient_id) == (second, first)
    assert moved.description == "rash, spreading"
    assert [c.what for c in moved.corrections] == ["description", "patient"]
    assert filed[images[1]].patient_id == first and not filed[images[1]].deleted


def test_many_images_load_in_as_many_reads_as_one(login, add_patient, add_inbox_image):
    patient = add_patient()
    images = [add_inbox_image() for _ in range(12)]
    reception = login("reception")
    _file(reception, images, patient)
    with reception.vault.index() as conn:
        assert _statements(conn, images) == _statements(conn, images[:1])
