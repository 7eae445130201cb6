"""The gate every export, print, share and PACS send calls: roles, rules, audit, use records.

The role table walks each role through each way of sending, for a use the
rules allow and one they refuse: a role that may not send is refused before
the rules are asked; a role that may send gets the rules' answer.
"""

from __future__ import annotations

from datetime import date

import pytest

from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.app.security.roles import PolicyRefused
from clinfile.app.uses.gate import Channel, UseRefused, authorise_use, check_use
from clinfile.db.audit import AuditRepository

TEAM = Recipient(group=RecipientClass.TREATING_TEAM)
STUDENTS = Recipient(group=RecipientClass.STUDENTS)

# role, channel -> may this role send this way at all?
ROLE_TABLE = {
    ("admin", Channel.EXPORT): False, ("admin", Channel.PRINT): False,
    ("admin", Channel.SHARE): False, ("admin", Channel.PACS): False,
    ("clinician", Channel.EXPORT): True, ("clinician", Channel.PRINT): True,
    ("clinician", Channel.SHARE): True, ("clinician", Channel.PACS): True,
    ("reception", Channel.EXPORT): False, ("reception", Channel.PRINT): True,
    ("reception", Channel.SHARE): False, ("reception", Channel.PACS): False,
}


@pytest.fixture
def photo(login, add_patient, add_inbox_image) -> tuple[int, int]:
    """A clinical photo filed on verbal consent for clinical care by the treating team."""
    patient, image = add_patient(), add_inbox_image()
    clinician = login("clinician")
    consent = ConsentService(clinician).record(ConsentRequest(
        patient, Method.VERBAL, frozenset({Purpose.CLINICAL_CARE}), (TEAM,), "clinician",
        date.today(), disclosure=Disclosure(True, True, True)))
    FilingService(clinician).file(FilingRequest(
        (image,), patient, ImageKind.CLINICAL_PHOTO, BodySite.parse("left-lower-leg"),
        description="venous ulcer", consent=consent.id))
    return patient, image


def actions(session) -> list[str]:
    with session.vault.index() as conn:
        return [row.action for row in AuditRepository(conn).rows()]


def test_role_table_is_complete():
    assert set(ROLE_TABLE) == {(r, c) for r in ("admin", "clinician", "reception")
                               for c in Channel}


@pytest.mark.parametrize(("role", "channel"), sorted(ROLE_TABLE))
def test_each_role_and_channel(login, photo, role, channel):
    _, image = photo
    session = login(role)
    if not ROLE_TABLE[(role, channel)]:
        with pytest.raises(PolicyRefused) as refused:
            authorise_use(session, [image], Purpose.CLINICAL_CARE, TEAM, channel=channel)
        assert not isinstance(refused.value, UseRefused)
        assert "policy.refused" in actions(session)
        return
    allowed = authorise_use(session, [image], Purpose.CLINICAL_CARE, TEAM, channel=channel)
    assert allowed.decisions[0][1].consent_id is not None and len(allowed.use_ids) == 1
    with pytest.raises(UseRefused, match="needs the patient's consent for education"):
        authorise_use(session, [image], Purpose.EDUCATION, STUDENTS, channel=channel)
    assert {"use.allowed", "use.refused"} <= set(actions(session))


def test_refusal_records_no_use_and_withdrawal_lists_uses(login, photo):
    patient, image = photo
    clinician = login("clinician")
    with pytest.raises(UseRefused) as refused:
        authorise_use(clinician, [image], Purpose.EDUCATION, STUDENTS)
    assert refused.value.decision.remedy.startswith("record the patient's consent for education")
    teaching = ConsentService(clinician).record(ConsentRequest(
        patient, Method.VERBAL, frozenset({Purpose.EDUCATION}), (STUDENTS,), "clinician",
        date.today(), disclosure=Disclosure(True, True, True)))
    authorise_use(clinician, [image], Purpose.EDUCATION, STUDENTS, deidentified=True)
    result = ConsentService(clinician).withdraw(teaching.code, reason="changed her mind")
    assert [(u.image_id, u.recipient) for u in result.uses_not_known_sent] == [(image, "students")]
    assert not result.uses_already_made, "allowed, but nothing confirmed it was sent"
    with pytest.raises(UseRefused, match="withdrew consent for education"):
        authorise_use(clinician, [image], Purpose.EDUCATION, STUDENTS)
    assert authorise_use(clinician, [image], Purpose.CLINICAL_CARE, TEAM).use_ids


def test_unfiled_images_cannot_be_used(login, add_inbox_image):
    image = add_inbox_image()
    decision = check_use(login("clinician"), image, Purpose.CLINICAL_CARE, TEAM)
    assert not decision.allowed and "not filed" in decision.reason


def test_check_does_not_record_a_use(login, photo):
    _, image = photo
    session = login("reception")
    assert check_use(session, image, Purpose.CLINICAL_CARE, TEAM).allowed
    assert "use.allowed" not in actions(session)


def test_withdrawal_lists_only_the_uses_its_own_consent_allowed(login, photo, add_inbox_image):
    patient, image = photo
    clinician = login("clinician")
    sent = add_inbox_image()
    FilingService(clinician).file(FilingRequest(
        (sent,), patient, ImageKind.PATIENT_SENT, BodySite.parse("left-lower-leg")))
    before = {authorise_use(clinician, [i], Purpose.CLINICAL_CARE, TEAM,
                            channel=Channel.PRINT).use_ids[0] for i in (sent, image)}
    later = ConsentService(clinician).record(ConsentRequest(
        patient, Method.VERBAL, frozenset({Purpose.CLINICAL_CARE, Purpose.EDUCATION}),
        (TEAM, STUDENTS), "clinician", date.today(), disclosure=Disclosure(True, True, True)))
    after = {authorise_use(clinician, [i], purpose, recipient).use_ids[0]
             for i in (sent, image)
             for purpose, recipient in ((Purpose.CLINICAL_CARE, TEAM),
                                        (Purpose.EDUCATION, STUDENTS))}
    result = ConsentService(clinician).withdraw(later.code)
    listed = result.uses_already_made + result.uses_not_known_sent
    assert {u.id for u in listed} == after and not {u.id for u in listed} & before
    assert {u.consent_id for u in listed} == {later.id}
