"""The patient search read from the vault as it goes, for a session whose index is not loaded.

Loading the whole index means normalising every patient's names, seconds for
a large practice, and the first search of a session waited for it. The
vault keeps the same look-ups ready-made instead (each patient's names as
:func:`app.patients.index.entry_for` normalises them, every name token's
patients, and the vocabulary with how each token sounds), so a search reads
only the vocabulary, once, and the few tokens and patients it touches. The
ranking is :class:`~app.patients.index.PatientIndex`'s own: only where its
look-ups come from differs, so a person sees the same answers either way.

Whatever writes to the patients table, triggers note the patients changed;
:func:`bring_up_to_date` stores their names again before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date
from typing import TypeVar

from clinfile.app.patients.index import Entry, PatientIndex, RowReader, entry_for
from clinfile.app.patients.names import sound_key
from clinfile.app.patients.query import Query
from clinfile.db.connection import Connection
from clinfile.db.patient_search import PatientSearchRepository, StoredNames
from clinfile.db.patients import PatientRow

CATCH_UP_BATCH = 2000
_CACHED_HOLDERS = 20_000

Connect = Callable[[], AbstractContextManager[Connection]]
_T = TypeVar("_T")


def bring_up_to_date(conn: Connection) -> int:
    """Store the names of every patient changed since they were last stored; return how many.

    Meant to run inside the transaction that changed them, or before a
    search reads the vault.
    """
    search = PatientSearchRepository(conn)
    done = 0
    while batch := search.stale(CATCH_UP_BATCH):
        for patient_id, fields in batch:
            if fields is None:
                search.remove(patient_id)
                continue
            entry = entry_for(fields)
            names = tuple(" ".join(part) for part in (entry.family, entry.given,
                                                       entry.preferred, entry.previous))
            record = fields.record_number.casefold() if fields.record_number else ""
            search.replace(patient_id, names, fields.birth_date, record, entry.all_tokens)
        search.fresh([patient_id for patient_id, _ in batch])
        done += len(batch)
    search.sounded([(sound_key(token) if len(token) >= 3 else "", token)
                    for token in search.unsounded()])
    return done


class StoredPatientIndex(PatientIndex):
    """A :class:`PatientIndex` whose look-ups are read from the vault when a search needs them.

    Positions are patient ids. What has been read is kept for the session
    (entries and token holders), so each later search reads less.
    """

    def __init__(self, connect: Connect, *, read_rows: RowReader) -> None:
        self._connect = connect
        self._search: PatientSearchRepository | None = None
        self._counts: dict[str, int] = {}
        self._stored_sounds: dict[str, str] = {}
        self._cached_entries: dict[int, Entry] = {}
        self._cached_holders: dict[str, list[int]] = {}
        with connect() as conn:
            for token, patients, sound in PatientSearchRepository(conn).vocabulary():
                self._counts[token] = patients
                if sound:
                    self._stored_sounds[token] = sound
        super().__init__(read_rows=read_rows)

    def candidates(self, query: Query) -> dict[int, float]:
        """As :meth:`PatientIndex.candidates`, reading the vault over one connection."""
        with self._connect() as conn:
            self._search = PatientSearchRepository(conn)
            try:
                return super().candidates(query)
            finally:
                self._search = None

    def entry(self, position: int) -> Entry:
        """Return the entry of the patient with this id."""
        found = self._cached_entries.get(position)
        if found is None:
            self.entries([position])
            found = self._cached_entries[position]
        return found

    def entry_by_id(self, patient_id: int) -> Entry | None:
        """Return the entry for a patient id, or None."""
        try:
            return self.entry(patient_id)
        except KeyError:
            return None

    def patient_id(self, position: int) -> int:
        """Return the patient id at a position: here they are one and the same."""
        return position

    def entries(self, positions: Iterable[int]) -> None:
        """Read the entries of these patients that have not been read yet, in one go."""
        missing = [p for p in positions if p not in self._cached_entries]
        if missing:
            for names in self._read(lambda search: search.names(missing)):
                self._cached_entries[names.patient_id] = _entry(names)

    def upsert(self, row: PatientRow) -> None:
        """Not kept in step: the vault is brought up to date, and a fresh one opened."""
        raise TypeError("a stored patient index is reopened after a change, not updated")

    def _holding(self, token: str) -> int:
        return self._counts.get(token, 0)

    def _holders(self, tokens: list[str]) -> dict[str, list[int]]:
        missing = [t for t in tokens if t not in self._cached_holders]
        if missing:
            if len(self._cached_holders) > _CACHED_HOLDERS:
                self._cached_holders.clear()
            self._cached_holders.update(self._read(lambda search: search.holders(missing)))
        return {token: self._cached_holders[token] for token in tokens}

    def _best_likeness(self, variants: list[tuple[str, float]], positions: Iterable[int]
                       ) -> dict[int, float]:
        """As :meth:`PatientIndex._best_likeness`, from the tokens the vault holds for them.

        A one- or two-letter token ("jo") is weighed across the thousands of
        patients the rest of the query found; reading which of them carry its
        few variants costs a small part of reading all their names.
        """
        scores = dict(variants)
        best: dict[int, float] = {}
        for token, patient_id in self._read(
                lambda search: search.carrying(list(scores), list(positions))):
            best[patient_id] = max(best.get(patient_id, 0.0), scores[token])
        return best

    def _born_on(self, born: date) -> list[int]:
        return self._read(lambda search: search.born_on(born.isoformat()))

    def _born_on_day(self, day: int, month: int) -> list[int]:
        return self._read(lambda search: search.born_on_day(f"{month:02d}-{day:02d}"))

    def _holding_identifier(self, kind: str, value: str) -> list[int]:
        if not value:
            return []
        return self._read(lambda search: search.holding_identifier(kind, value))

    def _record_holder(self, record: str) -> int | None:
        return self._read(lambda search: search.record_holder(record)) if record else None

    def _records_starting(self, start: str, limit: int) -> list[int]:
        return self._read(lambda search: search.records_starting(start, limit))

    def _tokens(self) -> Iterable[str]:
        return self._counts

    def _sound_of(self, token: str) -> str:
        return self._stored_sounds.get(token) or sound_key(token)

    def _read(self, reading: Callable[[PatientSearchRepository], _T]) -> _T:
        """Read over the search's connection, or over one of its own outside a search."""
        if self._search is not None:
            return reading(self._search)
        with self._connect() as conn:
            return reading(PatientSearchRepository(conn))


def _entry(names: StoredNames) -> Entry:
    family, given, preferred, previous = (tuple(field.split()) for field in (
        names.family, names.given, names.preferred, names.previous))
    return Entry(
        id=names.patient_id, family=family, given=given, preferred=preferred, previous=previous,
        born=date.fromisoformat(names.birth_date) if names.birth_date else None,
        all_tokens=tuple(dict.fromkeys(family + given + preferred + previous)),
    )
