"""The consents tables: rows round-trip, and a consent cannot be edited or deleted."""

from __future__ import annotations

import pytest

from clinfile.db.connection import DatabaseError, transaction
from clinfile.db.consents import ConsentRepository, NewConsent, NewUse


def consent(patient_id: int, **changes) -> NewConsent:
    fields = dict(patient_id=patient_id, code="K7Q2M4XA", method="written",
                  purposes=("clinical-care", "education"), recipients=("treating-team", "Dr Lee"),
                  images=(), decided_by_name="", decided_by_relationship="", told_why=True,
                  told_how_used=True, told_who_sees=True, interpreter="", obtained_by="clinician",
                  obtained_on="2026-11-20", expires_on=None, signed_form_blob=None, note="",
                  recorded_by="clinician", recorded_at="2026-11-20T10:00:00+00:00")
    fields.update(changes)
    return NewConsent(**fields)


@pytest.fixture
def conn(login):
    session = login("admin")
    with session.vault.index() as conn:
        with transaction(conn):
            conn.execute("INSERT INTO patients (id, family_name, given_names, created_at, "
                         "updated_at) VALUES (1, 'Nguyen', 'Mai', '2026', '2026')")
        yield conn


def test_consent_round_trips(conn):
    repo = ConsentRepository(conn)
    with transaction(conn):
        row = repo.add(consent(1, images=(3, 4)))
    assert row.purposes == ("clinical-care", "education")
    assert row.images == (3, 4) and row.told_why is True
    assert repo.by_code("k7q2m4xa") == row
    assert repo.for_patient(1) == [row]
    assert repo.by_id(row.id + 1) is None


def test_consent_refers_to_a_patient(conn):
    with pytest.raises(DatabaseError), transaction(conn):
        ConsentRepository(conn).add(consent(2))


def test_consent_is_not_edited_or_deleted_but_its_form_is_attached_once(conn):
    repo = ConsentRepository(conn)
    with transaction(conn):
        row = repo.add(consent(1))
    with pytest.raises(DatabaseError, match="not edited"), transaction(conn):
        conn.execute("UPDATE consents SET purposes = '[\"research\"]' WHERE id = ?", (row.id,))
    with pytest.raises(DatabaseError, match="never deleted"), transaction(conn):
        conn.execute("DELETE FROM consents WHERE id = ?", (row.id,))
    with transaction(conn):
        repo.attach_signed_form(row.id, "2026-" + "a" * 32)
    with pytest.raises(DatabaseError, match="already has"), transaction(conn):
        repo.attach_signed_form(row.id, "2026-" + "b" * 32)


def test_withdrawals_and_uses(conn):
    repo = ConsentRepository(conn)
    with transaction(conn):
        row = repo.add(consent(1))
        conn.execute("INSERT INTO images (id, sha256, original_blob, derivative_blob, "
                     "thumbnail_blob, size, format, source_kind, source_path, received_at, "
                     "received_by, width, height) VALUES (9, 'x', 'a', 'b', 'c', 1, 'JPEG', "
                     "'manual', 'p', '2026', 'r', 1, 1)")
        withdrawal = repo.add_withdrawal(row.id, ("education",), "2026-11-21", "phoned",
                                         "reception", "2026-11-21T09:00:00+00:00")
        use = repo.add_use(NewUse(9, 1, "education", "students", "export", row.id, "clinician",
                                  "2026-11-20T12:00:00+00:00"))
    assert repo.withdrawals(row.id) == [withdrawal]
    assert withdrawal.purposes == ("education",)
    assert repo.uses_under_consent(row.id, ("education", "research")) == [use]
    assert repo.uses_under_consent(row.id, ("clinical-care",)) == []
