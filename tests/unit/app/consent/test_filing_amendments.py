"""Correcting a filed picture's kind, description and scale: a new row each, never a rewrite."""

from __future__ import annotations

import pytest

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.model import ConsentBasis
from clinfile.app.filing.service import FilingError, FilingService
from clinfile.app.security.roles import PolicyRefused
from clinfile.db.audit import AuditRepository
from clinfile.db.connection import DatabaseError
from tests.unit.app.consent.test_filing_service import care_consent, request


def test_a_clinician_corrects_kind_description_and_scale_and_the_filing_stays(
        login, add_patient, add_inbox_image):
    patient = add_patient()
    image = add_inbox_image()
    doctor = login("clinician")
    consent = care_consent(doctor, patient)
    service = FilingService(doctor)
    service.file(request([image], patient, consent=consent.code, description="rassh"))

    service.correct_description(image, "rash,  itchy ", "typing slip", filed_to=patient)
    service.correct_kind(image, ImageKind.CLINICAL_PHOTO, "taken here, not sent in",
                         filed_to=patient)
    now = service.set_scale(image, 11.5, "ruler in the picture: 10 mm over 115 pixels",
                            filed_to=patient)

    assert now.description == "rash, itchy"
    assert now.kind is ImageKind.CLINICAL_PHOTO
    assert now.consent_basis is ConsentBasis.RECORDED_CONSENT
    assert now.pixels_per_mm == 11.5
    events = [e.event for e in service.record(patient)]
    assert events == ["filed", "description-corrected", "kind-corrected", "scale-corrected"]
    with doctor.vault.index() as conn:
        first = conn.execute("SELECT kind, description FROM filed_images").fetchone()
        actions = [r.action for r in AuditRepository(conn).rows()]
        with pytest.raises(DatabaseError):
            conn.execute("UPDATE filing_corrections SET reason = 'x'")
    assert first == ("patient-sent", "rassh")
    assert actions.count("filing.corrected") == 3


def test_corrections_are_refused_when_wrong_or_not_allowed(login, add_patient, add_inbox_image):
    patient = add_patient()
    image = add_inbox_image()
    FilingService(login("reception")).file(request([image], patient))
    with pytest.raises(PolicyRefused):
        FilingService(login("reception")).correct_description(image, "rash", "slip",
                                                              filed_to=patient)
    doctor = FilingService(login("clinician"))
    with pytest.raises(FilingError, match="filed without one"):
        doctor.correct_kind(image, ImageKind.CLINICAL_PHOTO, "taken here", filed_to=patient)
    with pytest.raises(FilingError, match="already"):
        doctor.correct_kind(image, ImageKind.PATIENT_SENT, "same", filed_to=patient)
    with pytest.raises(FilingError, match="cannot be right"):
        doctor.set_scale(image, 0.0, "no ruler", filed_to=patient)
    with pytest.raises(FilingError, match="Say why"):
        doctor.correct_description(image, "rash", "  ", filed_to=patient)


def test_a_description_with_control_characters_is_refused(login, add_patient, add_inbox_image):
    patient = add_patient()
    image = add_inbox_image()
    FilingService(login("reception")).file(request([image], patient))
    doctor = FilingService(login("clinician"))
    with pytest.raises(FilingError, match="cannot be kept"):
        doctor.correct_description(image, "rash\x1b[2J\x00", "slip", filed_to=patient)
    with pytest.raises(FilingError, match="too long"):
        doctor.correct_description(image, "rash " * 400, "slip", filed_to=patient)


def test_pictures_moved_away_since_the_record_was_opened_are_not_corrected_here(
        login, add_patient, add_inbox_image):
    from clinfile.app.record.corrections import Correction, correct_pictures

    mai, linh = add_patient(), add_patient("Tran", "Linh")
    image = add_inbox_image()
    FilingService(login("reception")).file(request([image], mai))
    elsewhere = login("clinician")
    FilingService(elsewhere).move_to_patient(image, linh, "wrong patient", filed_to=mai)
    here = login("clinician")
    with pytest.raises(FilingError, match="no longer in the record of NGUYEN, Mai.*"
                                          "moved to the record of TRAN, Linh"):
        correct_pictures(here, mai, [image], Correction("slip", description="rash"))
    assert FilingService(here).image(image).description == ""
