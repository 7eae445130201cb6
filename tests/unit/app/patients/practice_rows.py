"""Helpers for the patient tests: an index built straight from details, without a vault."""

from __future__ import annotations

from dataclasses import fields

from clinfile.app.patients.details import PatientDetails, validate
from clinfile.app.patients.index import PatientIndex
from clinfile.db.patients import PatientRow, PatientValues


def rows_of(people: list[PatientDetails]) -> list[PatientRow]:
    """Check each person as an import would and give them an id, without a vault."""
    rows = []
    for number, person in enumerate(people, start=1):
        values = validate(person).values
        rows.append(PatientRow(**{f.name: getattr(values, f.name)
                                  for f in fields(PatientValues)}, id=number))
    return rows


def index_of(people: list[PatientDetails]) -> PatientIndex:
    """An in-memory index of these people."""
    return PatientIndex(rows_of(people))
