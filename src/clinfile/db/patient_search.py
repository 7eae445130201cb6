"""SQL for the ready-made patient search: normalised names, name tokens and their vocabulary.

What goes in is the application's (it normalises names); this module only
stores and reads it. Triggers on ``patients`` note each patient added or
changed in ``patient_search_stale`` until their names are stored again, and
stamp it in ``patient_changes`` so that an open session sees it changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NamedTuple

from clinfile.db.connection import Connection
from clinfile.db.patients import SearchFields

_IDENTIFIER_COLUMNS = {"medicare": "medicare_number", "ihi": "ihi", "dva": "dva_number"}


class StoredNames(NamedTuple):
    """One patient's names as matching normalised them (tokens joined by spaces)."""

    patient_id: int
    family: str
    given: str
    preferred: str
    previous: str
    birth_date: str | None


class PatientSearchRepository:
    """SQL for the ``patient_search_*``, ``patient_name_tokens`` and vocabulary tables."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # --- keeping it up to date ----------------------------------------------------------

    def stale(self, limit: int) -> list[tuple[int, SearchFields | None]]:
        """Up to ``limit`` patients changed since their names were stored (None: no longer held)."""
        rows = self._conn.execute(
            f"SELECT s.patient_id, {', '.join('p.' + c for c in SearchFields._fields)} "
            "FROM patient_search_stale s LEFT JOIN patients p ON p.id = s.patient_id "
            "ORDER BY s.patient_id LIMIT ?", (limit,)).fetchall()
        return [(row[0], SearchFields(*row[1:]) if row[1] is not None else None) for row in rows]

    def replace(self, patient_id: int, names: tuple[str, str, str, str],
                birth_date: str | None, record: str, tokens: Iterable[str]) -> None:
        """Store one patient's normalised names and tokens in place of what was there."""
        self.remove(patient_id)
        self._conn.execute(
            "INSERT INTO patient_search_names (patient_id, family, given, preferred, previous, "
            "birth_date, record, day_month) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (patient_id, *names, birth_date, record, birth_date[5:10] if birth_date else ""))
        self._conn.executemany(
            "INSERT INTO patient_name_tokens (token, patient_id) VALUES (?, ?)",
            [(token, patient_id) for token in tokens])

    def remove(self, patient_id: int) -> None:
        """Forget one patient's stored names and tokens."""
        self._conn.execute("DELETE FROM patient_name_tokens WHERE patient_id = ? AND token IN "
                           "(SELECT value FROM json_each(?))",
                           (patient_id, json.dumps(self._tokens_of(patient_id))))
        self._conn.execute("DELETE FROM patient_search_names WHERE patient_id = ?", (patient_id,))

    def fresh(self, patient_ids: list[int]) -> None:
        """Note that these patients' names are stored as they now stand."""
        self._conn.execute("DELETE FROM patient_search_stale WHERE patient_id IN "
                           "(SELECT value FROM json_each(?))", (json.dumps(patient_ids),))

    def unsounded(self) -> list[str]:
        """Tokens in the vocabulary whose sound is not yet stored."""
        return [r[0] for r in self._conn.execute(
            "SELECT token FROM patient_vocabulary WHERE sound IS NULL")]

    def sounded(self, sounds: list[tuple[str, str]]) -> None:
        """Store how these tokens sound, as ``(sound, token)`` pairs."""
        self._conn.executemany("UPDATE patient_vocabulary SET sound = ? WHERE token = ?", sounds)

    def any_stale(self) -> bool:
        """Whether some patient changed since their names were stored."""
        return self._conn.execute("SELECT 1 FROM patient_search_stale LIMIT 1").fetchone() \
            is not None

    # --- noticing changes made elsewhere ----------------------------------------------

    def latest_change(self) -> int:
        """The number of the newest write to ``patients`` (0 before any)."""
        return self._conn.execute("SELECT coalesce(max(change), 0) FROM patient_changes"
                                  ).fetchone()[0]

    def changed_since(self, change: int) -> list[int]:
        """The ids of the patients written after change number ``change``."""
        return [row[0] for row in self._conn.execute(
            "SELECT patient_id FROM patient_changes WHERE change > ? ORDER BY change",
            (change,))]

    # --- reading ---------------------------------------------------------------------

    def vocabulary(self) -> list[tuple[str, int, str]]:
        """Every name token with how many patients carry it and how it sounds."""
        return self._conn.execute("SELECT token, patients, sound FROM patient_vocabulary"
                                  ).fetchall()

    def holders(self, tokens: list[str]) -> dict[str, list[int]]:
        """The ids of the patients carrying each token, in id order."""
        found: dict[str, list[int]] = {token: [] for token in tokens}
        for token, patient_id in self._conn.execute(
                "SELECT token, patient_id FROM patient_name_tokens WHERE token IN "
                "(SELECT value FROM json_each(?)) ORDER BY token, patient_id",
                (json.dumps(tokens),)):
            found[token].append(patient_id)
        return found

    def carrying(self, tokens: list[str], patient_ids: list[int]) -> list[tuple[str, int]]:
        """Which of these patients carry which of these tokens, as ``(token, id)`` pairs.

        Each token's holders are read in key order and checked against the
        patients (the ``+`` keeps SQLite from looking up every pair instead).
        """
        return self._conn.execute(
            "SELECT token, patient_id FROM patient_name_tokens WHERE token IN "
            "(SELECT value FROM json_each(?)) AND +patient_id IN (SELECT value FROM json_each(?))",
            (json.dumps(tokens), json.dumps(patient_ids))).fetchall()

    def names(self, patient_ids: Iterable[int]) -> list[StoredNames]:
        """The stored names and date of birth of these patients."""
        return [StoredNames(*row) for row in self._conn.execute(
            "SELECT patient_id, family, given, preferred, previous, birth_date "
            "FROM patient_search_names WHERE patient_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(patient_ids)),))]

    def born_on(self, birth_date: str) -> list[int]:
        """Patients born on this day (ISO date), in id order."""
        return [r[0] for r in self._conn.execute(
            "SELECT id FROM patients WHERE birth_date = ? ORDER BY id", (birth_date,))]

    def born_on_day(self, day_month: str) -> list[int]:
        """Patients born on this day of this month (``MM-DD``) in any year, in id order."""
        return [r[0] for r in self._conn.execute(
            "SELECT patient_id FROM patient_search_names WHERE day_month = ? "
            "ORDER BY patient_id", (day_month,))]

    def holding_identifier(self, kind: str, value: str) -> list[int]:
        """Patients holding this Medicare number, IHI or DVA file number, in id order."""
        column = _IDENTIFIER_COLUMNS[kind]
        return [r[0] for r in self._conn.execute(
            f"SELECT id FROM patients WHERE {column} = ? AND {column} != '' ORDER BY id",
            (value,))]

    def record_holder(self, record: str) -> int | None:
        """The patient whose case-folded record number this is."""
        row = self._conn.execute(
            "SELECT patient_id FROM patient_search_names WHERE record = ? AND record != '' "
            "ORDER BY patient_id DESC LIMIT 1", (record,)).fetchone()
        return row[0] if row else None

    def records_starting(self, start: str, limit: int) -> list[int]:
        """Up to ``limit`` patients whose case-folded record numbers start with ``start``."""
        return [r[0] for r in self._conn.execute(
            "SELECT patient_id FROM patient_search_names WHERE record >= ? AND record < ? "
            "AND record != '' ORDER BY record LIMIT ?", (start, start + "\uffff", limit))]

    def _tokens_of(self, patient_id: int) -> list[str]:
        row = self._conn.execute(
            "SELECT family, given, preferred, previous FROM patient_search_names "
            "WHERE patient_id = ?", (patient_id,)).fetchone()
        return sorted({token for field in row or () for token in field.split()})

