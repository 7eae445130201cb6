"""Searching from the ready-made index in the vault, before the whole index is in memory."""

import pytest

from clinfile.app.patients.details import PatientDetails, validate
from clinfile.app.patients.service import PatientService
from clinfile.app.patients.stored_index import bring_up_to_date
from clinfile.db.connection import transaction
from clinfile.db.patients import PatientRepository
from tests.demo.patients import SyntheticPractice, misspelled_queries

WHEN = "2026-01-01T00:00:00+00:00"


def answers(result):
    return ([(c.patient.id, c.score, c.reasons, c.distinguishing) for c in result.candidates],
            result.needs_explicit_choice, result.caution)


def store(session, people, *, ready: bool):
    with session.vault.index() as conn, transaction(conn):
        patients = PatientRepository(conn)
        for person in people:
            patients.add(validate(person).values, WHEN)
        if ready:
            bring_up_to_date(conn)


@pytest.mark.slow
def test_searches_read_from_the_vault_answer_exactly_as_the_loaded_index(login):
    session = login("reception")
    people = SyntheticPractice(seed=5).patients(3000)
    store(session, people, ready=True)
    queries = misspelled_queries(people, 300, seed=9)
    texts = [q.text for q in queries] + [q.text[:end] for q in queries[:40]
                                         for end in range(1, len(q.text))]
    texts += ["smith", "j", "jo smi", "12/3", "1980", "2123", people[7].record_number,
              people[7].record_number[:3].lower(), "O'Brien", "  ", "ÉMILIE", "van der"]
    service = PatientService(session)
    from_vault = [answers(service.search(text)) for text in texts]
    service.index()
    loaded = [answers(service.search(text)) for text in texts]
    assert from_vault == loaded
    assert sum(1 for found, _, _ in from_vault if found) > len(texts) * 0.9


def test_patients_written_around_the_service_are_found_by_the_next_search(login):
    session = login("reception")
    store(session, [PatientDetails("Okonkwo", "Adaeze", "03/04/1975")], ready=False)
    service = PatientService(session)
    [found] = service.search("okonkwo adaeze").candidates
    with session.vault.index() as conn, transaction(conn):
        patients = PatientRepository(conn)
        patients.update(found.patient.id, validate(
            PatientDetails("Eze", "Adaeze", "03/04/1975")).values, WHEN)
    fresh = PatientService(session)
    assert [c.patient.family_name for c in fresh.search("eze adaeze").candidates] == ["Eze"]
    assert all(c.patient.family_name != "Okonkwo"
               for c in fresh.search("okonkwo").candidates)


def test_an_edit_is_searchable_before_and_after_the_index_loads(login):
    service = PatientService(login("reception"))
    saved = service.add(PatientDetails("Taylor", "Jane", "02/04/1979", record_number="77"))
    assert [c.patient.id for c in service.search("taylor jane").candidates] == [saved.patient.id]
    service.edit(saved.patient.id, PatientDetails("Wilson", "Jane", "02/04/1979",
                                                  previous_names=("Taylor",),
                                                  record_number="77"))
    before = answers(service.search("wilson jane"))
    assert [c[0] for c in before[0]] == [saved.patient.id]
    assert "matches previous surname Taylor" in service.search("taylor").candidates[0].reasons
    service.index()
    assert answers(service.search("wilson jane")) == before

