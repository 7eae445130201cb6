"""The words of each decision: what a person reads when a use is refused or allowed."""

from __future__ import annotations

from datetime import date, timedelta

from clinfile.app.consent.model import Consent, ImageFacts, Policy, Withdrawal
from clinfile.app.consent.rules import (
    SECONDARY_CAUTION,
    THIRD_PARTY_CAUTION,
    decide,
    filing_basis_problem,
)
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass

TODAY = date(2026, 11, 22)
TEAM = Recipient(group=RecipientClass.TREATING_TEAM)
STUDENTS = Recipient(group=RecipientClass.STUDENTS)
PHOTO = ImageFacts(1, ImageKind.CLINICAL_PHOTO)


def consent(**changes) -> Consent:
    fields = dict(id=1, patient_id=1, code="K7Q2M4XA", method=Method.VERBAL,
                  purposes=frozenset({Purpose.CLINICAL_CARE}), recipients=(TEAM,),
                  obtained_by="Dr Okafor", obtained_on=date(2026, 10, 1))
    fields.update(changes)
    return Consent(**fields)


def test_education_without_consent_names_what_is_missing():
    decision = decide(PHOTO, Purpose.EDUCATION, STUDENTS, [consent()], today=TODAY)
    assert not decision.allowed
    assert decision.reason == "needs the patient's consent for education; none recorded"
    assert "students" in decision.remedy
    assert str(decision).startswith("needs the patient's consent for education")


def test_deidentified_refusal_says_removing_names_is_not_consent():
    decision = decide(PHOTO, Purpose.RESEARCH, Recipient(group=RecipientClass.RESEARCHERS), [],
                      today=TODAY, deidentified=True)
    assert "removing names does not replace consent" in decision.reason


def test_patient_sent_image_is_for_care_only():
    sent = ImageFacts(1, ImageKind.PATIENT_SENT)
    care = decide(sent, Purpose.CLINICAL_CARE, Recipient(name="Dr Patel, dermatologist"), [],
                  today=TODAY)
    assert care.allowed and "same problem" in care.reason
    teaching = decide(sent, Purpose.EDUCATION, STUDENTS, [], today=TODAY)
    assert "sent it for their care only" in teaching.reason


def test_patient_sent_for_another_purpose_implies_nothing_for_care():
    sent = ImageFacts(1, ImageKind.PATIENT_SENT, sent_for=Purpose.EDUCATION)
    assert not decide(sent, Purpose.CLINICAL_CARE, TEAM, [], today=TODAY).allowed


def test_withdrawal_names_its_date_and_a_newer_consent_allows_again():
    withdrawn = consent(withdrawals=(Withdrawal(frozenset({Purpose.CLINICAL_CARE}),
                                                date(2026, 11, 1)),))
    refused = decide(PHOTO, Purpose.CLINICAL_CARE, TEAM, [withdrawn], today=TODAY)
    assert refused.reason == "the patient withdrew consent for clinical care on 01/11/2026"
    renewed = consent(id=2, obtained_on=date(2026, 11, 20))
    allowed = decide(PHOTO, Purpose.CLINICAL_CARE, TEAM, [withdrawn, renewed], today=TODAY)
    assert allowed.allowed and allowed.consent_id == 2


def test_withdrawal_stops_care_of_a_document_image_too():
    document = ImageFacts(1, ImageKind.DOCUMENT)
    withdrawn = consent(withdrawals=(Withdrawal(frozenset({Purpose.CLINICAL_CARE}), TODAY),))
    assert not decide(document, Purpose.CLINICAL_CARE, TEAM, [withdrawn], today=TODAY).allowed


def test_expiry_holds_through_its_last_day():
    lasting = consent(expires_on=TODAY)
    assert decide(PHOTO, Purpose.CLINICAL_CARE, TEAM, [lasting], today=TODAY).allowed
    later = decide(PHOTO, Purpose.CLINICAL_CARE, TEAM, [lasting],
                   today=TODAY + timedelta(days=1))
    assert later.reason == "the patient's consent for clinical care expired on 22/11/2026"


def test_unsigned_written_consent_waits_for_its_form():
    waiting = consent(method=Method.WRITTEN, purposes=frozenset({Purpose.EDUCATION}),
                      recipients=(STUDENTS,))
    decision = decide(PHOTO, Purpose.EDUCATION, STUDENTS, [waiting], today=TODAY)
    assert "K7Q2M4XA" in decision.reason and "signed" in decision.remedy


def test_unsigned_form_for_this_recipient_outweighs_a_newer_consent_to_someone_else():
    waiting = consent(method=Method.WRITTEN,
                      purposes=frozenset({Purpose.CLINICAL_CARE, Purpose.EDUCATION}),
                      recipients=(TEAM, STUDENTS))
    to_a_person = consent(id=2, recipients=(Recipient(name="Stu dents"),),
                          obtained_on=date(2026, 11, 2))
    for consents in ([waiting], [waiting, to_a_person], [to_a_person, waiting]):
        decision = decide(PHOTO, Purpose.CLINICAL_CARE, TEAM, consents, today=TODAY)
        assert decision.reason == ("the written consent form for clinical care "
                                   "(code K7Q2M4XA) has not come back signed")


def test_practice_requiring_written_consent_refuses_verbal_for_photos():
    policy = Policy(written_consent_for_clinical_photos=True)
    decision = decide(PHOTO, Purpose.CLINICAL_CARE, TEAM, [consent()], today=TODAY,
                      policy=policy)
    assert "requires written consent" in decision.reason
    assert "written consent" in decision.remedy


def test_consent_that_leaves_out_the_recipient_says_so():
    decision = decide(PHOTO, Purpose.CLINICAL_CARE, Recipient(group=RecipientClass.SPECIALIST),
                      [consent()], today=TODAY)
    assert decision.reason == ("the patient's consent for clinical care does not include "
                               "a referral specialist")


def test_named_recipient_matches_regardless_of_case():
    named = consent(recipients=(Recipient(name="Wound Nurse Kim"),))
    assert decide(PHOTO, Purpose.CLINICAL_CARE, Recipient(name="wound nurse kim"), [named],
                  today=TODAY).allowed


def test_students_are_never_clinical_care():
    decision = decide(PHOTO, Purpose.CLINICAL_CARE, STUDENTS, [consent(recipients=(STUDENTS,))],
                      today=TODAY)
    assert "not clinical care" in decision.reason


def test_implied_consent_is_not_enough_for_teaching():
    implied = consent(method=Method.IMPLIED, purposes=frozenset({Purpose.EDUCATION}),
                      recipients=(STUDENTS,))
    decision = decide(ImageFacts(1, ImageKind.PATIENT_SENT), Purpose.EDUCATION, STUDENTS,
                      [implied], today=TODAY)
    assert "spoken or written consent" in decision.reason


def test_cautions_for_secondary_and_third_party_images():
    xray = ImageFacts(1, ImageKind.COLLEAGUE_EXTERNAL, secondary=True)
    decision = decide(xray, Purpose.CLINICAL_CARE, TEAM, [], today=TODAY)
    assert decision.allowed
    assert decision.cautions == (SECONDARY_CAUTION, THIRD_PARTY_CAUTION)
    assert decide(PHOTO, Purpose.CLINICAL_CARE, TEAM, [consent()], today=TODAY).cautions == ()


def test_only_clinical_photos_need_a_consent_to_be_filed():
    needing = [k for k in ImageKind if filing_basis_problem(k, None, today=TODAY)]
    assert needing == [ImageKind.CLINICAL_PHOTO]


def test_filing_a_photo_checks_the_consent_chosen():
    assert filing_basis_problem(ImageKind.CLINICAL_PHOTO, consent(), today=TODAY) is None
    teaching = consent(purposes=frozenset({Purpose.EDUCATION}))
    assert "does not cover clinical care" in filing_basis_problem(
        ImageKind.CLINICAL_PHOTO, teaching, today=TODAY)
    written_policy = Policy(written_consent_for_clinical_photos=True)
    assert "requires written consent" in filing_basis_problem(
        ImageKind.CLINICAL_PHOTO, consent(), today=TODAY, policy=written_policy)
    unsigned = consent(method=Method.WRITTEN)
    assert filing_basis_problem(ImageKind.CLINICAL_PHOTO, unsigned, today=TODAY,
                                policy=written_policy) is None
    lapsed = consent(expires_on=TODAY - timedelta(days=1))
    assert "expired" in filing_basis_problem(ImageKind.CLINICAL_PHOTO, lapsed, today=TODAY)
