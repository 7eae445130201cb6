"""Every row of kind x purpose x recipient x consent state, against a written-out table.

Each consent state is described relative to the row being asked about: "verbal"
means a verbal consent for exactly this purpose and this recipient, "other
purpose" means a consent for this recipient but for a different purpose, and
so on. The expected answers are spelled out below as small grids, one row per
purpose and one column per recipient, so a reader can check them against the
guidance without reading the engine.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clinfile.app.consent.model import Consent, ImageFacts, Policy, Withdrawal
from clinfile.app.consent.rules import decide
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass

TODAY = date(2026, 11, 22)
IMAGE_ID = 7

RECIPIENTS = [Recipient(group=g) for g in RecipientClass] + [Recipient(name="Dr Lee")]
COLUMNS = "team spec staff stud res pub named".split()
PURPOSES = list(Purpose)

#                 team spec staff stud res pub named
REFUSED = """
clinical-care     R    R    R     R    R   R   R
education         R    R    R     R    R   R   R
research          R    R    R     R    R   R   R
publication       R    R    R     R    R   R   R
"""
CARE_ONLY = """
clinical-care     A    A    A     R    R   R   A
education         R    R    R     R    R   R   R
research          R    R    R     R    R   R   R
publication       R    R    R     R    R   R   R
"""
CONSENTED = """
clinical-care     A    A    A     R    R   R   A
education         A    A    A     A    A   A   A
research          A    A    A     A    A   A   A
publication       A    A    A     A    A   A   A
"""

STATES = ["none", "verbal", "written", "unsigned", "verbal-but-written-policy",
          "other-purpose", "other-recipient", "other-image", "expired", "withdrawn", "implied"]

# What each kind of image may do in each consent state.
EXPECTED = {
    ImageKind.CLINICAL_PHOTO: {
        "none": REFUSED, "verbal": CONSENTED, "written": CONSENTED, "unsigned": REFUSED,
        "verbal-but-written-policy": REFUSED, "other-purpose": REFUSED,
        "other-recipient": REFUSED, "other-image": REFUSED, "expired": REFUSED,
        "withdrawn": REFUSED, "implied": REFUSED,
    },
    **{kind: {
        "none": CARE_ONLY, "verbal": CONSENTED, "written": CONSENTED, "unsigned": CARE_ONLY,
        "verbal-but-written-policy": CONSENTED, "other-purpose": CARE_ONLY,
        "other-recipient": CARE_ONLY, "other-image": CARE_ONLY, "expired": CARE_ONLY,
        "withdrawn": REFUSED, "implied": CARE_ONLY,
    } for kind in (ImageKind.DOCUMENT, ImageKind.PATIENT_SENT, ImageKind.COLLEAGUE_INTERNAL,
                   ImageKind.COLLEAGUE_EXTERNAL)},
}


def _grid(text: str) -> dict[tuple[Purpose, str], bool]:
    cells = {}
    for line in text.strip().splitlines():
        purpose, *marks = line.split()
        assert len(marks) == len(COLUMNS)
        for column, mark in zip(COLUMNS, marks, strict=True):
            cells[(Purpose(purpose), column)] = mark == "A"
    return cells


def _consent(purpose: Purpose, recipient: Recipient, **changes) -> Consent:
    fields = dict(id=1, patient_id=1, code="K7Q2M4XA", method=Method.VERBAL,
                  purposes=frozenset({purpose}), recipients=(recipient,),
                  obtained_by="Dr Okafor", obtained_on=TODAY - timedelta(days=30))
    fields.update(changes)
    return Consent(**fields)


def _situation(state: str, purpose: Purpose, recipient: Recipient
               ) -> tuple[list[Consent], Policy]:
    other_purpose = PURPOSES[(PURPOSES.index(purpose) + 1) % len(PURPOSES)]
    other_recipient = Recipient(name="Someone Else")
    policy = Policy()
    consents = {
        "none": [],
        "verbal": [_consent(purpose, recipient)],
        "written": [_consent(purpose, recipient, method=Method.WRITTEN,
                             signed_form_blob="2026-" + "0" * 32)],
        "unsigned": [_consent(purpose, recipient, method=Method.WRITTEN)],
        "verbal-but-written-policy": [_consent(purpose, recipient)],
        "other-purpose": [_consent(other_purpose, recipient)],
        "other-recipient": [_consent(purpose, other_recipient)],
        "other-image": [_consent(purpose, recipient, images=frozenset({IMAGE_ID + 1}))],
        "expired": [_consent(purpose, recipient, expires_on=TODAY - timedelta(days=1))],
        "withdrawn": [_consent(purpose, recipient, withdrawals=(
            Withdrawal(frozenset({purpose}), TODAY - timedelta(days=2)),))],
        "implied": [_consent(purpose, recipient, method=Method.IMPLIED)],
    }[state]
    if state == "verbal-but-written-policy":
        policy = Policy(written_consent_for_clinical_photos=True)
    return consents, policy


ROWS = [
    (kind, state, purpose, column, recipient)
    for kind in ImageKind
    for state in STATES
    for purpose in PURPOSES
    for column, recipient in zip(COLUMNS, RECIPIENTS, strict=True)
]


def test_every_kind_and_state_has_expectations():
    assert set(EXPECTED) == set(ImageKind)
    for kind in ImageKind:
        assert set(EXPECTED[kind]) == set(STATES)


@pytest.mark.parametrize(
    ("kind", "state", "purpose", "column", "recipient"), ROWS,
    ids=[f"{k}-{s}-{p}-{c}" for k, s, p, c, _ in ROWS],
)
def test_table_row(kind, state, purpose, column, recipient):
    consents, policy = _situation(state, purpose, recipient)
    image = ImageFacts(IMAGE_ID, kind)
    decision = decide(image, purpose, recipient, consents, today=TODAY, policy=policy)
    expected = _grid(EXPECTED[kind][state])[(purpose, column)]
    assert decision.allowed is expected, str(decision)
    if not decision.allowed:
        assert decision.reason and decision.remedy


@pytest.mark.parametrize(("kind", "state", "purpose", "column", "recipient"), [
    row for row in ROWS if row[2] is not Purpose.CLINICAL_CARE])
def test_deidentifying_never_changes_the_answer(kind, state, purpose, column, recipient):
    consents, policy = _situation(state, purpose, recipient)
    image = ImageFacts(IMAGE_ID, kind)
    plain = decide(image, purpose, recipient, consents, today=TODAY, policy=policy)
    stripped = decide(image, purpose, recipient, consents, today=TODAY, policy=policy,
                      deidentified=True)
    assert plain.allowed is stripped.allowed


# The same table, with the words as people type them: shouting, doubled spaces, the label
# instead of the command-line word, full-width letters from a phone keyboard, and an
# invisible zero-width space. Each is the class, never a person of that name.
SPELLINGS = {
    RecipientClass.TREATING_TEAM: ["Treating Team", " the  treating team "],
    RecipientClass.SPECIALIST: ["SPECIALIST", "a referral specialist"],
    RecipientClass.PRACTICE_STAFF: ["Practice\tStaff"],
    RecipientClass.STUDENTS: ["STUDENTS", "\uff33\uff34\uff35\uff24\uff25\uff2e\uff34\uff33",
                              "stu\u200bdents"],
    RecipientClass.RESEARCHERS: ["Researchers "],
    RecipientClass.PUBLIC: [" The  Public", "PUBLIC"],
}
SPELLED_ROWS = [
    (kind, state, purpose, group, spelling)
    for kind in (ImageKind.CLINICAL_PHOTO, ImageKind.PATIENT_SENT)
    for state in ("none", "verbal")
    for purpose in PURPOSES
    for group, spellings in SPELLINGS.items()
    for spelling in spellings
]


def test_every_class_has_spellings():
    assert set(SPELLINGS) == set(RecipientClass)


@pytest.mark.parametrize(
    ("kind", "state", "purpose", "group", "spelling"), SPELLED_ROWS,
    ids=[f"{k}-{s}-{p}-{g}-{w!r}" for k, s, p, g, w in SPELLED_ROWS],
)
def test_class_words_however_written_follow_the_table(kind, state, purpose, group, spelling):
    """A consent recorded for "STUDENTS", asked about as "STUDENTS", is the class students."""
    spelled = Recipient.parse(spelling)
    assert spelled == Recipient(group=group)
    consents, policy = _situation(state, purpose, spelled)
    decision = decide(ImageFacts(IMAGE_ID, kind), purpose, spelled, consents, today=TODAY,
                      policy=policy)
    column = COLUMNS[list(RecipientClass).index(group)]
    assert decision.allowed is _grid(EXPECTED[kind][state])[(purpose, column)], str(decision)


@pytest.mark.parametrize("name", ["STUDENTS", "Students", " The  Public", "treating team",
                                  "stu\u200bdents"])
@pytest.mark.parametrize("purpose", PURPOSES)
def test_a_person_named_like_a_class_is_refused_with_a_reason(name, purpose):
    """Even a consent naming that "person" allows nothing: the name is a class of people."""
    named = Recipient(name=name)
    consents, _ = _situation("verbal", purpose, named)
    decision = decide(ImageFacts(IMAGE_ID, ImageKind.DOCUMENT), purpose, named, consents,
                      today=TODAY)
    assert not decision.allowed
    assert "is a class of people" in decision.reason and "not a person's name" in decision.reason
    assert "choose the class" in decision.remedy


def test_named_persons_match_however_cased_or_spaced():
    consents, _ = _situation("verbal", Purpose.EDUCATION, Recipient(name="Dr  Lee"))
    for asked in ("dr lee", " DR LEE ", "Dr\tLee"):
        decision = decide(ImageFacts(IMAGE_ID, ImageKind.CLINICAL_PHOTO), Purpose.EDUCATION,
                          Recipient.parse(asked), consents, today=TODAY)
        assert decision.allowed, str(decision)
    other = decide(ImageFacts(IMAGE_ID, ImageKind.CLINICAL_PHOTO), Purpose.EDUCATION,
                   Recipient.parse("Dr Leeson"), consents, today=TODAY)
    assert not other.allowed
