from dataclasses import replace

import pytest

from clinfile.db.patients import PatientRepository, PatientValues

WHEN = "2026-01-01T00:00:00+00:00"
LATER = "2026-02-01T00:00:00+00:00"

SMITH = PatientValues(
    record_number="100001", family_name="Smith", given_names="John", birth_date="1980-03-12",
    sex="male", suburb="Carlton", medicare_number="2123456701", medicare_irn="1",
    ihi="8003608166690503", dva_number="NX123456", previous_names="Brown; Green",
    warnings=("Medicare number fails its check digit",), source="csv")


@pytest.fixture
def repo(login):
    session = login("reception")
    with session.vault.index() as conn:
        yield PatientRepository(conn)


def test_a_patient_round_trips_with_every_value(repo):
    row = repo.add(SMITH, WHEN)
    assert row.values == SMITH
    assert (row.created_at, row.updated_at) == (WHEN, WHEN)
    assert repo.by_id(row.id) == row
    assert repo.by_record_number("100001") == row
    assert repo.by_id(999) is None and repo.by_record_number("nope") is None


def test_look_ups_by_identifier_and_by_name_and_birth_date(repo):
    row = repo.add(SMITH, WHEN)
    other = repo.add(replace(SMITH, record_number="100002", given_names="Joanne",
                             medicare_irn="2", ihi="", dva_number=""), WHEN)
    assert repo.by_ihi("8003608166690503") == [row]
    assert repo.by_medicare("2123456701", "2") == [other]
    assert repo.by_dva("NX123456") == [row]
    assert repo.by_name_and_birth_date("SMITH", "john", "1980-03-12") == [row]
    assert repo.by_name_and_birth_date("Smith", "John", None) == []
    assert [r.id for r in repo.all()] == [row.id, other.id] and repo.count() == 2


def test_an_update_replaces_values_and_keeps_the_creation_time(repo):
    row = repo.add(SMITH, WHEN)
    updated = repo.update(row.id, replace(SMITH, suburb="Fitzroy", warnings=()), LATER)
    assert updated.suburb == "Fitzroy" and updated.warnings == ()
    assert (updated.created_at, updated.updated_at) == (WHEN, LATER)


def test_record_numbers_are_unique_but_may_be_absent(repo):
    repo.add(replace(SMITH, record_number=None), WHEN)
    repo.add(replace(SMITH, record_number=None), WHEN)
    repo.add(SMITH, WHEN)
    with pytest.raises(Exception, match="UNIQUE"):
        repo.add(SMITH, WHEN)


def test_column_mappings_are_saved_by_name_ignoring_case(repo):
    repo.save_mapping("Old System", {"columns": {"family_name": "FAM"}}, WHEN)
    repo.save_mapping("old system", {"columns": {"family_name": "SURN"}}, LATER)
    assert repo.mapping("OLD SYSTEM") == {"columns": {"family_name": "SURN"}}
    assert repo.mapping("other") is None
    assert repo.mapping_names() == ["Old System"]
