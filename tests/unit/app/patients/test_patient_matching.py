from datetime import date

import pytest

from clinfile.app.patients.details import PatientDetails as P
from clinfile.app.patients.matching import search
from clinfile.app.patients.query import parse_query
from tests.unit.app.patients.practice_rows import index_of, rows_of

PRACTICE = [
    P("Smith", "John", date(1980, 3, 12), "M", "100001", suburb="Carlton",
      medicare_number="2123456701", medicare_irn="1", ihi="8003608166690503"),
    P("Smith", "Joanne", date(1982, 7, 1), "F", "100002", suburb="Carlton",
      medicare_number="2123456701", medicare_irn="2"),
    P("Smith", "John", date(1952, 1, 30), "M", "100003", suburb="Geelong"),
    P("Smith-Jones", "William", date(1975, 11, 4), "M", "100004", dva_number="NX123456"),
    P("Nguyen", "Mai", date(1990, 6, 5), "F", "100005", suburb="Footscray"),
    P("Nguyen", "Minh", date(1988, 2, 14), "M", "100006"),
    P("Brown", "Elizabeth", date(1966, 9, 21), "F", "100007"),
    P("Taylor", "Jane", date(1979, 4, 2), "F", "100008", previous_names=("Wilson",)),
    P("Lee", "Liam", date(2015, 8, 8), "M", "100009"),
    P("Lee", "Lachlan", date(2015, 8, 8), "M", "100010"),
    P("Kelly", "Sam", date(2001, 5, 5), "F", "100011", suburb="Manly"),
    P("Kelly", "Sam", date(2001, 5, 5), "M", "100012", suburb="Bondi"),
]


@pytest.fixture(scope="module")
def index():
    return index_of(PRACTICE)


def top(index, text, n=1):
    result = search(index, parse_query(text, today=date(2026, 1, 1)))
    records = [c.patient.record_number for c in result.candidates[:n]]
    return records[0] if n == 1 else records


def test_name_and_date_of_birth_find_the_patient_with_reasons(index):
    result = search(index, parse_query("smith john 12/3/80"))
    first = result.candidates[0]
    assert first.patient.record_number == "100001"
    assert first.reasons == ("surname matches", "first name matches", "date of birth matches")
    assert not result.needs_explicit_choice and result.preselected == first


@pytest.mark.parametrize(("text", "record"), [
    ("smyth john 12/03/1980", "100001"),
    ("smiht john 12/03/1980", "100001"),
    ("john smith 12/3/80", "100001"),
    ("jo smith 1/7/82", "100002"),
    ("nguy mai 5/6/90", "100005"),
    ("ngyuen mai", "100005"),
    ("bill smith-jones", "100004"),
    ("jones william 4/11/75", "100004"),
    ("liz brown", "100007"),
    ("jane wilson 2/4/79", "100008"),
    ("smith john 3/12/80", "100001"),
    ("smith john 12/3/81", "100001"),
    ("2123 45670 1 1", "100001"),
    ("21234567012", "100002"),
    ("8003 6081 6669 0503", "100001"),
    ("NX123456", "100004"),
    ("100009", "100009"),
])
def test_slips_short_forms_and_identifiers_still_find_the_patient(index, text, record):
    assert top(index, text) == record


def test_reasons_say_what_differed(index):
    reasons = search(index, parse_query("smyth john 3/12/80")).candidates[0].reasons
    assert reasons == ("surname one letter different (Smith)", "first name matches",
                       "date of birth matches with day and month swapped")
    reasons = search(index, parse_query("smiht jon 12/3/81")).candidates[0].reasons
    assert "surname two letters swapped (Smith)" in reasons
    assert "date of birth one digit different" in reasons
    reasons = search(index, parse_query("bill jones")).candidates[0].reasons
    assert "Bill is another form of the first name William" in reasons
    assert "matches part of the surname Smith-Jones" in reasons
    reasons = search(index, parse_query("wilson jane")).candidates[0].reasons
    assert reasons[0] == "matches previous surname Wilson"


def test_an_exact_identifier_wins_over_a_closer_name(index):
    result = search(index, parse_query("smith joanne 2123456701 1"))
    assert result.candidates[0].patient.record_number == "100001"
    assert result.candidates[0].reasons[0] == "Medicare number and IRN match"


def test_a_medicare_number_without_irn_finds_everyone_on_the_card(index):
    result = search(index, parse_query("2123 45670 1"))
    assert {c.patient.record_number for c in result.candidates[:2]} == {"100001", "100002"}
    assert result.needs_explicit_choice


def test_same_name_patients_are_told_apart(index):
    result = search(index, parse_query("john smith"))
    johns = [c for c in result.candidates if c.patient.given_names == "John"]
    assert len(johns) == 2
    assert {c.distinguishing for c in johns} == {
        "born 12/03/1980; lives in Carlton; record 100001",
        "born 30/01/1952; lives in Geelong; record 100003"}
    assert result.needs_explicit_choice and result.preselected is None


def test_same_name_and_date_of_birth_demand_an_explicit_choice(index):
    result = search(index, parse_query("sam kelly 5/5/01"))
    assert result.needs_explicit_choice
    assert "same name and date of birth" in result.caution
    assert {c.distinguishing for c in result.candidates[:2]} == {
        "lives in Manly; record 100011", "lives in Bondi; record 100012"}


def test_twins_are_separated_by_first_name_but_close_initials_ask_for_a_choice(index):
    assert top(index, "liam lee 8/8/15") == "100009"
    assert top(index, "lachlan lee 8/8/15") == "100010"
    assert search(index, parse_query("l lee 8/8/15")).needs_explicit_choice


def test_a_wrong_date_of_birth_is_said_and_costs_rank(index):
    result = search(index, parse_query("smith john 1/1/1999"))
    assert all(c.score < 60 for c in result.candidates)
    assert "date of birth does not match (12/03/1980)" in result.candidates[0].reasons + \
        result.candidates[1].reasons


def test_typing_one_letter_at_a_time_always_answers(index):
    text = "nguyen mai 05/06/1990"
    for end in range(1, len(text) + 1):
        result = search(index, parse_query(text[:end]))
        assert result.candidates, text[:end]
    assert result.candidates[0].patient.record_number == "100005"


def test_an_edit_is_found_at_once():
    index = index_of(PRACTICE)
    row = rows_of(PRACTICE)[6]
    renamed = type(row)(**{**{f: getattr(row, f) for f in row.__dataclass_fields__},
                          "family_name": "Greenwood"})
    index.upsert(renamed)
    assert top(index, "greenwood elizabeth") == "100007"
    assert not any(c.patient.family_name == "Brown"
                   for c in search(index, parse_query("brown elizabeth")).candidates)
    assert len(index) == len(PRACTICE)


def test_nothing_typed_is_no_candidates(index):
    result = search(index, parse_query(""))
    assert result.candidates == () and not result.needs_explicit_choice
    assert search(index, parse_query("zzzzqqq")).candidates == ()


def test_names_still_being_typed_are_said_as_such(index):
    reasons = search(index, parse_query("nguy mi")).candidates[0].reasons
    assert reasons == ("surname starts with “Nguy” (Nguyen)", "first name starts with “Mi” (Minh)")
    reasons = search(index, parse_query("ngyu")).candidates[0].reasons
    assert reasons[0] == "surname starts almost like “ngyu” (Nguyen)"


def test_a_weak_best_match_is_never_preselected(index):
    result = search(index, parse_query("minh zzzz 1/1/1930"))
    assert result.candidates and result.candidates[0].score < 60
    assert result.needs_explicit_choice and result.preselected is None
    assert result.caution.startswith("No patient matches well")
