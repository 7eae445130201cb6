"""Patients as rows of the index, and the CSV column mappings a practice saved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import astuple, dataclass, fields
from typing import NamedTuple

from clinfile.db.connection import Connection


@dataclass(frozen=True, slots=True)
class PatientValues:
    """What is written for one patient, already checked and normalised by the caller.

    ``birth_date`` is ISO (YYYY-MM-DD) or None; ``previous_names`` holds earlier
    surnames separated by ``; ``; ``warnings`` are sentences for people about
    identifiers that failed their checks but were kept.
    """

    record_number: str | None
    family_name: str
    given_names: str = ""
    preferred_name: str = ""
    previous_names: str = ""
    birth_date: str | None = None
    sex: str = ""
    address: str = ""
    suburb: str = ""
    state: str = ""
    postcode: str = ""
    phone: str = ""
    medicare_number: str = ""
    medicare_irn: str = ""
    dva_number: str = ""
    ihi: str = ""
    warnings: tuple[str, ...] = ()
    source: str = "manual"


@dataclass(frozen=True, slots=True)
class PatientRow(PatientValues):
    """One stored patient."""

    id: int = 0
    created_at: str = ""
    updated_at: str = ""

    @property
    def values(self) -> PatientValues:
        """The stored values without the row's own bookkeeping."""
        return PatientValues(**{f.name: getattr(self, f.name) for f in fields(PatientValues)})


class SearchFields(NamedTuple):
    """What the search index keeps of one patient; the rest is read for the few it shows."""

    id: int
    record_number: str | None
    family_name: str
    given_names: str
    preferred_name: str
    previous_names: str
    birth_date: str | None
    medicare_number: str
    dva_number: str
    ihi: str


_SEARCH_COLUMNS = ", ".join(SearchFields._fields)
_VALUE_COLUMNS = [f.name for f in fields(PatientValues)]
_WARNINGS = _VALUE_COLUMNS.index("warnings")
_COLUMNS = ", ".join(["id", *_VALUE_COLUMNS, "created_at", "updated_at"])


class PatientRepository:
    """SQL for the ``patients`` and ``patient_csv_mappings`` tables."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, values: PatientValues, when: str) -> PatientRow:
        """Insert a patient and return the stored row."""
        names = ", ".join([*_VALUE_COLUMNS, "created_at", "updated_at"])
        marks = ", ".join("?" * (len(_VALUE_COLUMNS) + 2))
        cur = self._conn.execute(
            f"INSERT INTO patients ({names}) VALUES ({marks})", (*_params(values), when, when)
        )
        return self.by_id(int(cur.lastrowid))

    def update(self, patient_id: int, values: PatientValues, when: str) -> PatientRow:
        """Replace a patient's values and return the stored row."""
        assignments = ", ".join(f"{name} = ?" for name in _VALUE_COLUMNS)
        self._conn.execute(
            f"UPDATE patients SET {assignments}, updated_at = ? WHERE id = ?",
            (*_params(values), when, patient_id),
        )
        return self.by_id(patient_id)

    def by_id(self, patient_id: int) -> PatientRow | None:
        """Return a patient by id, or None."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM patients WHERE id = ?", (patient_id,)
        ).fetchone()
        return _to_patient(row) if row else None

    def by_record_number(self, record_number: str) -> PatientRow | None:
        """Return the patient with this practice record number, or None."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM patients WHERE record_number = ?", (record_number,)
        ).fetchone()
        return _to_patient(row) if row else None

    def by_ihi(self, ihi: str) -> list[PatientRow]:
        """Return the patients holding this IHI (more than one is a data problem)."""
        return self._select("ihi = ?", (ihi,))

    def by_medicare(self, number: str, irn: str) -> list[PatientRow]:
        """Return the patients on this Medicare card at this position."""
        return self._select("medicare_number = ? AND medicare_irn = ?", (number, irn))

    def by_dva(self, dva_number: str) -> list[PatientRow]:
        """Return the patients with this DVA file number."""
        return self._select("dva_number = ?", (dva_number,))

    def by_name_and_birth_date(self, family_name: str, given_names: str,
                               birth_date: str | None) -> list[PatientRow]:
        """Return the patients with exactly this name (ignoring case) and date of birth."""
        return self._select(
            "family_name = ? COLLATE NOCASE AND given_names = ? COLLATE NOCASE "
            "AND birth_date IS ?", (family_name, given_names, birth_date))

    def by_ids(self, patient_ids: list[int]) -> list[PatientRow]:
        """Return the patients with these ids (any not found are left out), by id."""
        return self._select("id IN (SELECT value FROM json_each(?))",
                            (json.dumps(list(patient_ids)),))

    def search_fields(self) -> Iterator[SearchFields]:
        """Yield what the search index keeps of every patient, by id."""
        for row in self._conn.execute(f"SELECT {_SEARCH_COLUMNS} FROM patients ORDER BY id"):
            yield SearchFields(*row)

    def all(self) -> Iterator[PatientRow]:
        """Yield every patient, by id."""
        for row in self._conn.execute(f"SELECT {_COLUMNS} FROM patients ORDER BY id"):
            yield _to_patient(row)

    def count(self) -> int:
        """Return how many patients the index holds."""
        return int(self._conn.execute("SELECT count(*) FROM patients").fetchone()[0])

    def save_mapping(self, name: str, mapping: dict, when: str) -> None:
        """Store (or replace) a named CSV column mapping."""
        self._conn.execute(
            "INSERT INTO patient_csv_mappings (name, mapping, saved_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET mapping = excluded.mapping, "
            "saved_at = excluded.saved_at",
            (name, json.dumps(mapping, sort_keys=True), when),
        )

    def mapping(self, name: str) -> dict | None:
        """Return a saved CSV column mapping by name (ignoring case), or None."""
        row = self._conn.execute(
            "SELECT mapping FROM patient_csv_mappings WHERE name = ?", (name,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def mapping_names(self) -> list[str]:
        """Return the names of every saved mapping."""
        return [r[0] for r in self._conn.execute(
            "SELECT name FROM patient_csv_mappings ORDER BY name COLLATE NOCASE")]

    def _select(self, where: str, params: tuple) -> list[PatientRow]:
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM patients WHERE {where} ORDER BY id",
                                  params)
        return [_to_patient(r) for r in rows]


def _params(values: PatientValues) -> tuple:
    params = list(astuple(values))
    params[_WARNINGS] = json.dumps(list(values.warnings))
    return tuple(params)


def _to_patient(row: tuple) -> PatientRow:
    patient_id, *values, created_at, updated_at = row
    warnings = values[_WARNINGS]
    values[_WARNINGS] = tuple(json.loads(warnings)) if warnings != "[]" else ()
    return PatientRow(*values, patient_id, created_at, updated_at)
