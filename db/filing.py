"""Filed images, episodes and the corrections made to filings, as rows of the index.

A filing is written once and never changed (the tables refuse updates);
a correction is a new row, and an image's current patient and body site are
its filing with its corrections applied in order. This module also reads
the few patient and inbox facts filing needs, by table name, so it stays
independent of how the patient index and the import pipeline grow.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Connection


@dataclass(frozen=True)
class PatientSummary:
    """The patient facts filing and retention need."""

    id: int
    record_number: str | None
    family_name: str
    given_names: str
    birth_date: str | None


@dataclass(frozen=True)
class InboxItem:
    """An image taken into custody, as filing sees it."""

    id: int
    status: str
    captured_at: str | None
    received_at: str
    blobs: tuple[str, ...]


class PatientLookup:
    """Read-only access to the ``patients`` table for filing."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def by_id(self, patient_id: int) -> PatientSummary | None:
        """Return a patient by id, or None."""
        return self._one("id = ?", (patient_id,))

    def by_record_number(self, record_number: str) -> PatientSummary | None:
        """Return a patient by the practice's record number, or None."""
        return self._one("record_number = ?", (record_number,))

    def _one(self, where: str, params: tuple) -> PatientSummary | None:
        row = self._conn.execute(
            "SELECT id, record_number, family_name, given_names, birth_date FROM patients "
            f"WHERE {where}", params,
        ).fetchone()
        return PatientSummary(*row) if row else None
