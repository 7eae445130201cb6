"""Recording, finding, signing and withdrawing consents in a real vault."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clinfile.app.consent.model import DecisionMaker, Disclosure
from clinfile.app.consent.service import ConsentError, ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import Method, Purpose, Recipient, RecipientClass
from clinfile.app.security.roles import PolicyRefused
from clinfile.db.audit import AuditRepository
from clinfile.db.connection import transaction
from clinfile.db.consents import SENT, ConsentRepository, NewUse

TOLD = Disclosure(why=True, how_used=True, who_sees=True)
TEAM = Recipient(group=RecipientClass.TREATING_TEAM)
STUDENTS = Recipient(group=RecipientClass.STUDENTS)


def request(patient_id: int, **changes) -> ConsentRequest:
    fields = dict(patient_id=patient_id, method=Method.VERBAL,
                  purposes=frozenset({Purpose.CLINICAL_CARE}),
                  recipients=(TEAM, Recipient(name="Wound nurse Kim")),
                  obtained_by="clinician", obtained_on=date.today(), disclosure=TOLD)
    fields.update(changes)
    return ConsentRequest(**fields)


def actions(session) -> list[str]:
    with session.vault.index() as conn:
        return [row.action for row in AuditRepository(conn).rows()]


def test_clinician_records_verbal_consent_with_a_short_code(login, add_patient):
    patient = add_patient()
    session = login("clinician")
    consent = ConsentService(session).record(request(patient))
    assert len(consent.code) == 8 and consent.code.isalnum()
    assert consent.recipients[1].name == "Wound nurse Kim"
    assert ConsentService(session).find(consent.code) == consent
    assert ConsentService(session).find(str(consent.id)) == consent
    assert ConsentService(session).for_patient(patient) == [consent]
    assert "consent.recorded" in actions(session)


def test_substitute_decision_maker_needs_a_relationship(login, add_patient):
    patient = add_patient(born="2019-02-02")
    service = ConsentService(login("clinician"))
    with pytest.raises(ConsentError, match="related"):
        service.record(request(patient, decided_by=DecisionMaker("Lan Nguyen")))
    consent = service.record(request(patient, decided_by=DecisionMaker("Lan Nguyen", "mother"),
                                     interpreter="Vietnamese, TIS 131 450"))
    assert consent.decided_by.relationship == "mother" and not consent.decided_by.is_patient


@pytest.mark.parametrize(("changes", "words"), [
    ({"purposes": frozenset()}, "agreed to"),
    ({"recipients": ()}, "who may see"),
    ({"disclosure": Disclosure(why=True)}, "how it will be used, who will see it"),
    ({"method": Method.IMPLIED, "purposes": frozenset({Purpose.EDUCATION}),
      "recipients": (STUDENTS,)}, "clinical care only"),
    ({"recipients": (STUDENTS,)}, "do not look after the patient"),
    ({"obtained_on": date.today() + timedelta(days=1)}, "future"),
    ({"expires_on": date.today() - timedelta(days=1)}, "expire before"),
])
def test_incomplete_consents_are_refused_with_what_to_fix(login, add_patient, changes, words):
    patient = add_patient()
    with pytest.raises(ConsentError, match=words):
        ConsentService(login("clinician")).record(request(patient, **changes))


def test_unknown_patient_is_refused(login):
    with pytest.raises(ConsentError, match="no patient"):
        ConsentService(login("clinician")).record(request(999))


def test_reception_records_only_documented_consent(login, add_patient):
    patient = add_patient()
    service = ConsentService(login("reception"))
    assert service.record(request(patient)).obtained_by == "clinician"
    with pytest.raises(PolicyRefused, match="obtained by a clinician"):
        service.record(request(patient, obtained_by="reception"))
    implied = service.record(request(patient, method=Method.IMPLIED, obtained_by="reception",
                                     disclosure=Disclosure()))
    assert implied.method is Method.IMPLIED


@pytest.mark.parametrize("named", ["Dr Ana Silva", "  dr ana   SILVA ", "ana", "ANA"])
def test_reception_names_the_clinician_by_login_or_full_name(login, add_patient, named):
    from clinfile.app.security.users import UserService
    from tests.conftest import PASSWORDS
    UserService(login()).add("ana", "clinician", PASSWORDS["clinician"], full_name="Dr Ana Silva")
    patient = add_patient()
    consent = ConsentService(login("reception")).record(request(patient, obtained_by=named))
    assert consent.obtained_by.split() == named.split()


def test_reception_may_not_name_a_disabled_clinician(login, add_patient):
    from clinfile.app.security.users import UserService
    from tests.conftest import PASSWORDS
    patient = add_patient()
    users = UserService(login())
    users.add("ana", "clinician", PASSWORDS["clinician"], full_name="Dr Ana Silva")
    users.disable("ana")
    with pytest.raises(PolicyRefused, match="obtained by a clinician"):
        ConsentService(login("reception")).record(request(patient, obtained_by="Dr Ana Silva"))


def test_admin_does_not_record_consent(login, add_patient):
    patient = add_patient()
    with pytest.raises(PolicyRefused):
        ConsentService(login("admin")).record(request(patient))


def test_written_consent_counts_once_its_signed_form_is_attached(login, add_patient):
    patient = add_patient()
    session = login("clinician")
    service = ConsentService(session)
    consent = service.record(request(patient, method=Method.WRITTEN,
                                     purposes=frozenset({Purpose.EDUCATION}),
                                     recipients=(STUDENTS,)))
    assert consent.awaiting_signature
    scan = session.vault.blobs.put_bytes(b"signed form scan").id
    signed = ConsentService(login("reception")).attach_signed_form(consent.code, scan)
    assert signed.signed_form_blob == scan and not signed.awaiting_signature
    with pytest.raises(ConsentError, match="already has"):
        service.attach_signed_form(consent.id, scan)
    verbal = service.record(request(patient))
    with pytest.raises(ConsentError, match="Only a written"):
        service.attach_signed_form(verbal.id, scan)


def test_withdrawal_stops_purposes_and_lists_uses_already_made(login, add_patient,
                                                               add_inbox_image):
    patient = add_patient()
    image = add_inbox_image()
    session = login("clinician")
    service = ConsentService(session)
    consent = service.record(request(patient, purposes=frozenset(
        {Purpose.CLINICAL_CARE, Purpose.EDUCATION}), recipients=(TEAM, STUDENTS)))
    with session.vault.index() as conn, transaction(conn):
        repo = ConsentRepository(conn)
        use = repo.add_use(NewUse(image, patient, "education", "students", "export",
                                  consent.id, "clinician", "2026-11-21"))
        repo.settle_uses([use.id], SENT)
    result = ConsentService(login("reception")).withdraw(
        consent.code, frozenset({Purpose.EDUCATION}), reason="patient phoned")
    assert result.purposes == {Purpose.EDUCATION}
    assert [u.image_id for u in result.uses_already_made] == [image]
    assert result.consent.withdrawn_purposes == {Purpose.EDUCATION}
    assert result.consent.withdrawal_of(Purpose.CLINICAL_CARE) is None
    with pytest.raises(ConsentError, match="already withdrawn"):
        service.withdraw(consent.id, frozenset({Purpose.EDUCATION}))
    with pytest.raises(ConsentError, match="does not include research"):
        service.withdraw(consent.id, frozenset({Purpose.RESEARCH}))
    assert "consent.withdrawn" in actions(session)


def test_missing_consent_is_named(login):
    with pytest.raises(ConsentError, match="no consent ZZZ"):
        ConsentService(login("clinician")).find("ZZZ")


@pytest.mark.parametrize(("recipients", "purposes", "words"), [
    ((Recipient.parse("STUDENTS"),), {Purpose.CLINICAL_CARE}, "do not look after"),
    ((Recipient.parse(" The  Public"),), {Purpose.CLINICAL_CARE}, "do not look after"),
    ((Recipient(name="STUDENTS"),), {Purpose.CLINICAL_CARE}, "'STUDENTS' is a class of people"),
    ((TEAM, Recipient(name=" The  Public")), {Purpose.EDUCATION},
     "is a class of people .the public., not a person's name: choose the class public"),
])
def test_class_words_are_classes_however_written(login, add_patient, recipients, purposes,
                                                 words):
    patient = add_patient()
    with pytest.raises(ConsentError, match=words):
        ConsentService(login("clinician")).record(
            request(patient, recipients=recipients, purposes=frozenset(purposes)))


def test_a_class_word_stored_as_written_reads_back_as_the_class(login, add_patient):
    patient = add_patient()
    consent = ConsentService(login("clinician")).record(request(
        patient, purposes=frozenset({Purpose.EDUCATION}),
        recipients=(Recipient.parse("STUDENTS"), Recipient.parse("Dr  Lee"))))
    assert consent.recipients == (STUDENTS, Recipient(name="Dr Lee"))


def test_a_code_is_never_digits_alone_which_would_read_as_an_id(login, add_patient,
                                                                monkeypatch):
    drawn = iter("14821899" + "K7Q2M4XA")
    monkeypatch.setattr("clinfile.app.consent.service.secrets.choice",
                        lambda _alphabet: next(drawn))
    consent = ConsentService(login("clinician")).record(request(add_patient()))
    assert consent.code == "K7Q2M4XA"
    assert ConsentService(login("clinician")).find(consent.code) == consent
