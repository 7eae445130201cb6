"""Matching on a made-up practice of 20,000 with the near-duplicates real practices have."""

from collections import defaultdict
from datetime import date

import pytest

from clinfile.app.patients.dates import show
from clinfile.app.patients.matching import search
from clinfile.app.patients.query import parse_query
from tests.demo.patients import SyntheticPractice, misspelled_queries
from tests.unit.app.patients.practice_rows import index_of

pytestmark = pytest.mark.slow

PRACTICE_SIZE = 20_000


@pytest.fixture(scope="module")
def practice():
    people = SyntheticPractice(seed=11).patients(PRACTICE_SIZE)
    return people, index_of(people)


def ranked(index, text):
    return search(index, parse_query(text))


def test_the_practice_is_the_size_asked_with_unique_record_numbers(practice):
    people, index = practice
    assert len(people) == len(index) == PRACTICE_SIZE
    assert len({p.record_number for p in people}) == PRACTICE_SIZE


def test_misspelled_and_partial_searches_find_the_patient_meant(practice):
    people, index = practice
    queries = misspelled_queries(people, 1000, seed=3)
    first = within_three = 0
    for query in queries:
        records = [c.patient.record_number for c in ranked(index, query.text).candidates[:3]]
        first += records[:1] == [query.record_number]
        within_three += query.record_number in records
    assert first / len(queries) >= 0.97
    assert within_three / len(queries) >= 0.995


def test_twins_are_each_found_by_their_own_first_name(practice):
    people, index = practice
    by_birth = defaultdict(list)
    for p in people:
        by_birth[(p.family_name, p.birth_date, p.medicare_number)].append(p)
    twins = [group for group in by_birth.values() if len(group) == 2
             and group[0].given_names.split()[0] != group[1].given_names.split()[0]]
    assert len(twins) >= 20
    for pair in twins[:40]:
        for twin in pair:
            text = f"{twin.given_names.split()[0]} {twin.family_name} {show(twin.birth_date)}"
            result = ranked(index, text)
            assert result.candidates[0].patient.record_number == twin.record_number
            other = next(t for t in pair if t is not twin)
            assert other.record_number in [c.patient.record_number
                                           for c in result.candidates[:3]]


def test_father_and_son_of_one_name_are_told_apart(practice):
    people, index = practice
    by_name = defaultdict(list)
    for p in people:
        by_name[(p.family_name, p.given_names.split()[0], p.medicare_number)].append(p)
    namesakes = [g for g in by_name.values() if len(g) == 2
                 and abs(g[0].birth_date.year - g[1].birth_date.year) >= 18]
    assert len(namesakes) >= 10
    for father, son in namesakes[:30]:
        name = f"{father.given_names.split()[0]} {father.family_name}"
        result = ranked(index, name)
        shown = {c.patient.record_number: c for c in result.candidates}
        if father.given_names == son.given_names:
            assert {father.record_number, son.record_number} <= set(shown)
            assert result.needs_explicit_choice
            assert shown[father.record_number].distinguishing.startswith(
                f"born {show(father.birth_date)}")
        for person in (father, son):
            exact = ranked(index, f"{name} {show(person.birth_date)}")
            assert exact.candidates[0].patient.record_number == person.record_number


def test_a_married_name_change_is_found_by_the_old_surname(practice):
    people, index = practice
    married = [p for p in people if p.previous_names][:40]
    assert len(married) == 40
    for person in married:
        text = f"{person.given_names.split()[0]} {person.previous_names[0]} " \
               f"{show(person.birth_date)}"
        first = ranked(index, text).candidates[0]
        assert first.patient.record_number == person.record_number
        assert f"matches previous surname {person.previous_names[0]}" in first.reasons


def test_the_generated_identifiers_pass_their_checks(practice):
    people, index = practice
    warned = [row for row in index.rows(list(range(1, 2001))).values() if row.warnings]
    assert warned == []
    assert all(p.birth_date <= date(2026, 1, 1) for p in people)
