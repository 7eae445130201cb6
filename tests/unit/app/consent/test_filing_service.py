"""Filing inbox items to patients, the role and consent rules of filing, and corrections."""

from __future__ import annotations

from datetime import date

import pytest

from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.policy import WRITTEN_CONSENT_SETTING
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import ConsentBasis, FilingRequest
from clinfile.app.filing.service import FilingError, FilingService, find_patient
from clinfile.app.security.roles import PolicyRefused
from clinfile.db.audit import AuditRepository
from clinfile.db.connection import DatabaseError, transaction
from clinfile.db.settings import SettingsRepository

ANKLE = BodySite.parse("left-ankle: lateral malleolus")
TEAM = Recipient(group=RecipientClass.TREATING_TEAM)


def care_consent(session, patient: int, **changes):
    fields = dict(patient_id=patient, method=Method.VERBAL,
                  purposes=frozenset({Purpose.CLINICAL_CARE}), recipients=(TEAM,),
                  obtained_by="clinician", obtained_on=date.today(),
                  disclosure=Disclosure(True, True, True))
    fields.update(changes)
    return ConsentService(session).record(ConsentRequest(**fields))


def request(images, patient, kind=ImageKind.PATIENT_SENT, **changes) -> FilingRequest:
    return FilingRequest(image_ids=tuple(images), patient_id=patient, kind=kind,
                         body_site=changes.pop("body_site", ANKLE), **changes)


def audit_actions(session) -> list[str]:
    with session.vault.index() as conn:
        return [row.action for row in AuditRepository(conn).rows()]


def test_reception_files_patient_sent_images_as_one_episode(login, add_patient, add_inbox_image):
    patient = add_patient()
    images = [add_inbox_image(), add_inbox_image()]
    session = login("reception")
    episode = FilingService(session).file(request(images, patient, description="rash",
                                                  episode_description="rash, left ankle"))
    assert [i.image_id for i in episode.images] == images
    first = episode.images[0]
    assert first.patient_id == patient and first.episode_id == episode.episode_id
    assert first.consent_basis is ConsentBasis.IMPLIED
    assert first.taken_by == "the patient" and first.taken_at == "2026-11-20T10:40:00"
    assert first.body_site.label == "left ankle (lateral malleolus)"
    assert audit_actions(session).count("image.filed") == 2
    with session.vault.index() as conn:
        statuses = {r[0] for r in conn.execute("SELECT status FROM images")}
    assert statuses == {"filed"}


def test_an_item_is_filed_once(login, add_patient, add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    service = FilingService(login("reception"))
    service.file(request([image], patient))
    with pytest.raises(FilingError, match="was filed meanwhile to the record of "):
        service.file(request([image], patient))


def test_document_images_need_no_body_site_or_consent(login, add_patient, add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    filed = FilingService(login("reception")).file(request(
        [image], patient, ImageKind.DOCUMENT, body_site=BodySite.parse("none"), secondary=True,
        description="photo of an x-ray report"))
    assert filed.images[0].consent_basis is ConsentBasis.NOT_REQUIRED
    assert filed.images[0].secondary


@pytest.mark.parametrize("kind", [ImageKind.CLINICAL_PHOTO, ImageKind.COLLEAGUE_INTERNAL,
                                  ImageKind.COLLEAGUE_EXTERNAL])
def test_reception_may_not_file_clinical_kinds(login, add_patient, add_inbox_image, kind):
    patient, image = add_patient(), add_inbox_image()
    with pytest.raises(PolicyRefused):
        FilingService(login("reception")).file(request([image], patient, kind))


def test_admin_files_nothing(login, add_patient, add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    with pytest.raises(PolicyRefused):
        FilingService(login("admin")).file(request([image], patient))


def test_clinical_photo_without_consent_is_refused_and_audited(login, add_patient,
                                                               add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    session = login("clinician")
    with pytest.raises(PolicyRefused, match="needs the patient's consent"):
        FilingService(session).file(request([image], patient, ImageKind.CLINICAL_PHOTO))
    assert "filing.refused" in audit_actions(session)
    consent = care_consent(session, patient)
    filed = FilingService(session).file(request([image], patient, ImageKind.CLINICAL_PHOTO,
                                                consent=consent.code))
    assert filed.images[0].consent_id == consent.id
    assert filed.images[0].taken_by == "clinician"


def test_practice_requiring_written_consent_refuses_a_verbal_one(login, add_patient,
                                                                 add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    session = login("clinician")
    with session.vault.index() as conn, transaction(conn):
        SettingsRepository(conn).put(WRITTEN_CONSENT_SETTING, True)
    verbal = care_consent(session, patient)
    with pytest.raises(PolicyRefused, match="requires written consent"):
        FilingService(session).file(request([image], patient, ImageKind.CLINICAL_PHOTO,
                                            consent=verbal.id))
    written = care_consent(session, patient, method=Method.WRITTEN)
    FilingService(session).file(request([image], patient, ImageKind.CLINICAL_PHOTO,
                                         consent=written.id))


def test_another_patients_consent_is_refused(login, add_patient, add_inbox_image):
    patient, other, image = add_patient(), add_patient("Smith", "Jo"), add_inbox_image()
    session = login("clinician")
    theirs = care_consent(session, other)
    with pytest.raises(FilingError, match="another patient"):
        FilingService(session).file(request([image], patient, ImageKind.CLINICAL_PHOTO,
                                             consent=theirs.id))


def test_outside_colleagues_image_is_kept_with_the_discussion(login, add_patient,
                                                              add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    service = FilingService(login("clinician"))
    with pytest.raises(FilingError, match="note of the discussion"):
        service.file(request([image], patient, ImageKind.COLLEAGUE_EXTERNAL,
                             colleague="Dr Rossi, Eastside Dermatology"))
    filed = service.file(request([image], patient, ImageKind.COLLEAGUE_EXTERNAL,
                                 colleague="Dr Rossi, Eastside Dermatology",
                                 discussion_note="Phoned 21/11: likely eczema, review in 2 weeks"))
    assert filed.images[0].discussion_note.startswith("Phoned 21/11")
    assert filed.images[0].consent_basis is ConsentBasis.OUTSIDE_COLLEAGUE_NOTE
    assert filed.images[0].taken_by == "Dr Rossi, Eastside Dermatology"


@pytest.mark.parametrize(("site", "words"), [
    ("ankle", "which side"), ("left-nose", "no left or right"), ("elbowpit", "not on the list")])
def test_body_sites_come_from_the_list_with_their_side(site, words):
    from clinfile.app.filing.body_sites import BodySiteError
    with pytest.raises(BodySiteError, match=words):
        BodySite.parse(site)


def test_misfiled_image_moves_with_its_history(login, add_patient, add_inbox_image):
    wrong, right, image = add_patient(), add_patient("Nguyen", "Minh"), add_inbox_image()
    FilingService(login("reception")).file(request([image], wrong))
    session = login("clinician")
    service = FilingService(session)
    with pytest.raises(FilingError, match="Say why"):
        service.move_to_patient(image, right, " ", filed_to=wrong)
    moved = service.move_to_patient(image, right, "same surname; wrong Nguyen chosen",
                                    filed_to=wrong)
    assert moved.patient_id == right and moved.first_patient_id == wrong
    assert [i.image_id for i in service.images_of(right)] == [image]
    assert service.images_of(wrong) == []
    assert [e.event for e in service.record(wrong)] == ["filed", "moved-out"]
    assert [e.event for e in service.record(right)] == ["moved-in"]
    assert service.record(right)[0].reason == "same surname; wrong Nguyen chosen"
    assert "filing.corrected" in audit_actions(session)
    with pytest.raises(FilingError, match="already filed to that patient"):
        service.move_to_patient(image, right, "again", filed_to=right)


def test_body_site_correction_is_an_event(login, add_patient, add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    FilingService(login("reception")).file(request([image], patient))
    service = FilingService(login("clinician"))
    corrected = service.correct_body_site(image, BodySite.parse("right-ankle"), "wrong side",
                                          filed_to=patient)
    assert corrected.body_site.label == "right ankle"
    assert corrected.corrections[0].reason == "wrong side"
    assert [e.event for e in service.record(patient)] == ["filed", "body-site-corrected"]


def test_reception_may_not_correct(login, add_patient, add_inbox_image):
    patient, other, image = add_patient(), add_patient("Smith", "Jo"), add_inbox_image()
    service = FilingService(login("reception"))
    service.file(request([image], patient))
    with pytest.raises(PolicyRefused):
        service.move_to_patient(image, other, "wrong patient", filed_to=patient)


def test_filed_rows_cannot_be_edited(login, add_patient, add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    session = login("reception")
    FilingService(session).file(request([image], patient))
    with session.vault.index() as conn:
        with pytest.raises(DatabaseError, match="record a correction"), transaction(conn):
            conn.execute("UPDATE filed_images SET patient_id = 99")
        with pytest.raises(DatabaseError, match="record a correction"), transaction(conn):
            conn.execute("DELETE FROM filed_images")


def test_patient_found_by_id_or_record_number_never_by_guess(login, add_patient):
    first = add_patient(record_number="A100")
    second = add_patient("Smith", "Jo", record_number=str(first))
    with login("reception").vault.index() as conn:
        assert find_patient(conn, "A100").id == first
        assert find_patient(conn, second).id == second
        with pytest.raises(FilingError, match="another patient's record number"):
            find_patient(conn, str(first))
        with pytest.raises(FilingError, match="no patient"):
            find_patient(conn, "Z9")
