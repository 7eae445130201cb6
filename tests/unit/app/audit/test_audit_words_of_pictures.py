"""The audit view names the pictures an act was about, and says no raw stored value."""

from __future__ import annotations

import json
from datetime import date

import pytest

from clinfile.app.audit.actions import ACTS, fields
from clinfile.app.audit.lines import AuditLine
from clinfile.app.audit.naming import AuditNames
from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.app.record.service import RecordService
from clinfile.app.uses.gate import UseRefused, authorise_use
from clinfile.db.audit import AuditRepository, AuditRow
from tests.unit.app.consent import vault_rows

TEAM = Recipient(group=RecipientClass.TREATING_TEAM)
STUDENTS = Recipient(group=RecipientClass.STUDENTS)


@pytest.fixture
def pictures(login) -> tuple[int, int]:
    """Two clinical photos of NGUYEN, Mai filed on verbal consent for clinical care."""
    vault = login("admin").vault
    patient = vault_rows.add_patient(vault, record_number="900001")
    images = (vault_rows.add_inbox_image(vault), vault_rows.add_inbox_image(vault))
    clinician = login("clinician")
    consent = ConsentService(clinician).record(ConsentRequest(
        patient, Method.VERBAL, frozenset({Purpose.CLINICAL_CARE}), (TEAM,), "clinician",
        date.today(), disclosure=Disclosure(True, True, True)))
    FilingService(clinician).file(FilingRequest(
        images, patient, ImageKind.CLINICAL_PHOTO, BodySite.parse("left-lower-leg"),
        description="venous ulcer", consent=consent.id))
    return images


def _last_line(session, action: str) -> AuditLine:
    with session.vault.index() as conn:
        row = [r for r in AuditRepository(conn).rows() if r.action == action][-1]
        return AuditLine.of(row, AuditNames(conn))


def test_a_picture_looked_at_is_named_in_the_about_column(login, pictures):
    clinician = login("clinician")
    RecordService(clinician).display_copy(pictures[0])
    line = _last_line(clinician, "image.viewed")
    assert line.subject == (f"picture {pictures[0]} of NGUYEN, Mai (record 900001), "
                            "taken 20/11/2026 10:40:00")
    assert line.what == f"Looked at picture {pictures[0]}"


def test_a_picture_looked_at_in_an_older_vault_is_named_too(login, pictures):
    admin = login()
    with admin.vault.index() as conn:
        row = AuditRow(9, "2026-12-01T09:30:00.000+00:00", "drpatel", "image.viewed",
                       str(pictures[1]), "", "", "")
        line = AuditLine.of(row, AuditNames(conn))
    assert line.subject == (f"picture {pictures[1]} of NGUYEN, Mai (record 900001), "
                            "taken 20/11/2026 10:40:00")


@pytest.mark.parametrize(("stored", "said"), [
    ([None, None], "consents: none needed"),
    ([4, None], "consents: consent 4, none needed"),
])
def test_a_use_allowed_without_a_consent_says_none_was_needed(login, stored, said):
    admin = login()
    with admin.vault.index() as conn:
        row = AuditRow(9, "2026-12-01T09:30:00.000+00:00", "drpatel", "use.allowed",
                       "image 1, image 2", json.dumps({
                           "purpose": "clinical-care", "recipient": "treating-team",
                           "channel": "export", "deidentified": False, "consents": stored}),
                       "", "")
        line = AuditLine.of(row, AuditNames(conn))
    assert said in line.details
    assert "None" not in line.details


def test_a_refused_export_names_every_picture_it_asked_for(login, pictures):
    clinician = login("clinician")
    with pytest.raises(UseRefused):
        authorise_use(clinician, pictures, Purpose.EDUCATION, STUDENTS)
    line = _last_line(clinician, "use.refused")
    first, second = pictures
    assert f"one of pictures {first}, {second} asked for together" in line.what, line.what


def test_a_refusal_stored_without_the_pictures_asked_for_says_so(login):
    admin = login()
    with admin.vault.index() as conn:
        row = AuditRow(9, "2026-12-01T09:30:00.000+00:00", "drpatel", "use.refused", "image 2",
                       json.dumps({"purpose": "education", "recipient": "students",
                                   "channel": "export", "reason": "no consent"}), "", "")
        line = AuditLine.of(row, AuditNames(conn))
    assert line.what.endswith("(which other pictures were asked for with it was not "
                              "recorded)"), line.what


# Pictures as the trail stores them in a subject: one, a list, a correction's list.
STORED_SUBJECTS = ("image 5", "5", "image 5, image 6", "images [5, 6]")


def test_every_act_says_picture_never_image(login, pictures):
    admin = login()
    with admin.vault.index() as conn:
        names = AuditNames(conn)
        for code in sorted(ACTS):
            details = {field: 5 for field in fields(ACTS[code].sentence)}
            details.update(reason="image 5 is not filed to a patient yet",
                           image_id=pictures[0], images=list(pictures))
            for subject in STORED_SUBJECTS:
                row = AuditRow(9, "2026-12-01T09:30:00.000+00:00", "drpatel", code, subject,
                               json.dumps(details), "", "")
                line = AuditLine.of(row, names)
                for said in (line.what, line.subject, line.details):
                    assert "image " not in said.lower(), f"{code}: {said}"


def test_a_refused_use_of_a_picture_not_yet_filed_says_picture(login):
    admin = login("admin")
    unfiled = vault_rows.add_inbox_image(admin.vault)
    with pytest.raises(UseRefused):
        authorise_use(login("clinician"), (unfiled,), Purpose.CLINICAL_CARE, TEAM)
    line = _last_line(admin, "use.refused")
    assert f"picture {unfiled} is not filed to a patient yet" in line.what, line.what
    assert "image " not in line.what + line.subject + line.details
