"""The in-memory patient index that makes searching fast enough to run as people type.

Built once per session from the patients table. Every name token points to
the patients who carry it; looking a typed token up goes through the
vocabulary of distinct tokens (exact, short forms, sound-alikes, typos
within one or two letters, names it starts or nearly starts), never through every patient.
Several typed tokens narrow the set by intersection, dates of birth and
identifiers are direct look-ups, and only the few hundred patients left are
scored in full by :mod:`app.patients.matching`.
"""

from __future__ import annotations

import bisect
import heapq
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import repeat

from rapidfuzz import process
from rapidfuzz.distance import OSA

from clinfile.app.patients.dates import day_month_swapped, one_digit_variants
from clinfile.app.patients.identifiers import record_number_key
from clinfile.app.patients.names import name_tokens, nicknames, sound_key
from clinfile.app.patients.query import Query
from clinfile.app.patients.similarity import compare, typo_allowance
from clinfile.db.patients import PatientRow, SearchFields

SINGLE_TOKEN_POOL = 2500
PREFIX_TYPO_LENGTHS = range(4, 8)
_CACHED_TOKENS = 48
_CACHED_VARIANTS = 4096
RECORDS_STARTING = 20


@dataclass(frozen=True, slots=True)
class Entry:
    """One patient as the index holds them: their id, name tokens and date of birth."""

    id: int
    family: tuple[str, ...]
    given: tuple[str, ...]
    preferred: tuple[str, ...]
    previous: tuple[str, ...]
    born: date | None
    all_tokens: tuple[str, ...]


#: What the index is built from: a whole row, or just the fields searching reads.
Indexed = PatientRow | SearchFields
#: Reads the whole rows of the patients with these ids, for the few a search shows.
RowReader = Callable[[list[int]], Iterable[PatientRow]]


def entry_for(row: Indexed) -> Entry:
    """Prepare one patient for the index."""
    family = name_tokens(row.family_name)
    given = name_tokens(row.given_names)
    preferred = name_tokens(row.preferred_name)
    previous = name_tokens(row.previous_names.replace(";", " "))
    return Entry(
        id=row.id, family=family, given=given, preferred=preferred, previous=previous,
        born=date.fromisoformat(row.birth_date) if row.birth_date else None,
        all_tokens=tuple(dict.fromkeys(family + given + preferred + previous)),
    )


class PatientIndex:
    """Look-up structures over every patient, kept in step with edits and imports.

    Only names, dates of birth and identifiers are held; a patient's whole
    row is read through ``read_rows`` for the few a search scores in full,
    so a practice of a hundred thousand patients is not held in memory
    twice over. Without ``read_rows`` the rows given are kept and read
    from memory (a small practice, or a test).
    """

    def __init__(self, rows: Iterable[Indexed] = (), *,
                 read_rows: RowReader | None = None) -> None:
        self._entries: list[Entry | None] = []
        self._position: dict[int, int] = {}
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._born: dict[date, list[int]] = defaultdict(list)
        self._day_month: dict[tuple[int, int], list[int]] = defaultdict(list)
        self._medicare: dict[str, list[int]] = defaultdict(list)
        self._ihi: dict[str, list[int]] = defaultdict(list)
        self._dva: dict[str, list[int]] = defaultdict(list)
        self._records: dict[str, int] = {}
        self._identifiers: list[tuple[str, str, str, str] | None] = []
        self._vocabulary: list[str] = []
        self._by_length: dict[int, list[str]] = {}
        self._sounds: dict[str, list[str]] = {}
        self._prefixes: dict[int, list[str]] = {}
        self._sorted_records: list[str] = []
        self._token_cache: OrderedDict[str, dict[int, float]] = OrderedDict()
        self._variant_cache: OrderedDict[str, list[tuple[str, float]]] = OrderedDict()
        self._kept_rows: dict[int, PatientRow] | None = None if read_rows else {}
        self._read_rows = read_rows or self._rows_kept
        self._dirty = True
        for row in rows:
            self._add(row)
        self._refresh()

    def __len__(self) -> int:
        return len(self._position)

    def entry(self, position: int) -> Entry:
        """Return the entry at a position handed out by :meth:`candidates`."""
        found = self._entries[position]
        if found is None:
            raise KeyError(position)
        return found

    def patient_id(self, position: int) -> int:
        """Return the id of the patient at a position handed out by :meth:`candidates`."""
        return self.entry(position).id

    def entries(self, positions: Iterable[int]) -> None:
        """Have the entries at these positions at hand; held in memory here, they always are."""

    def entry_by_id(self, patient_id: int) -> Entry | None:
        """Return the entry for a patient id, or None."""
        position = self._position.get(patient_id)
        return None if position is None else self._entries[position]

    def rows(self, patient_ids: list[int]) -> dict[int, PatientRow]:
        """Return the whole rows of these patients, by id (any no longer there are left out)."""
        return {row.id: row for row in self._read_rows(list(patient_ids))}

    def upsert(self, row: PatientRow) -> None:
        """Add a patient, or replace what the index holds for them after an edit."""
        if row.id in self._position:
            self._remove(row.id)
        self._add(row)
        self._dirty = True
        self._token_cache.clear()
        self._variant_cache.clear()

    def forget(self, patient_id: int) -> None:
        """Drop a patient no longer held in the vault, if the index holds them."""
        if patient_id in self._position:
            self._remove(patient_id)
            self._dirty = True
            self._token_cache.clear()
            self._variant_cache.clear()

    # --- candidates -------------------------------------------------------------------

    def candidates(self, query: Query) -> dict[int, float]:
        """Return the positions worth scoring for a query, each with a rough score.

        The rough score only decides which few patients are scored in full; the
        ranking people see comes from :mod:`app.patients.matching`.
        """
        self._refresh()
        pool = self._name_positions(query.names) if query.names else {}
        births = self._birth_positions(query)
        identified = self._identifier_positions(query)
        if query.names:
            for position in (births.keys() | identified) - pool.keys():
                pool[position] = self._name_likeness(query.names, position)
        for position, score in births.items():
            pool[position] = pool.get(position, 0.0) + score
        for position in identified:
            pool[position] = pool.get(position, 0.0) + 1000.0
        return pool

    def _name_likeness(self, typed: tuple[str, ...], position: int) -> float:
        """The rough name score of one patient found another way (by date of birth, say)."""
        stored_tokens = self.entry(position).all_tokens
        total = 0.0
        for token in typed:
            matches = [m.score for m in map(compare, repeat(token), stored_tokens) if m]
            total += max(matches, default=0.0)
        return total

    def _name_positions(self, typed: tuple[str, ...]) -> dict[int, float]:
        """Patients whose names are like the typed tokens, with summed likeness.

        Tokens of three letters or more are looked up and intersected; one- and
        two-letter tokens ("j", "jo") would each match tens of thousands of
        patients, so they only add to the score of patients already found.
        """
        strong = [t for t in typed if len(t) >= 3]
        if strong:
            weak = [t for t in typed if len(t) < 3]
        else:
            strong, weak = [typed[0]], list(typed[1:])
        if len(strong) == 1:
            found = self._best_positions(strong[0])
        else:
            maps = [self._token_map(token) for token in strong]
            found = dict.fromkeys(_overlap(maps), 0.0)
            for likeness in maps:
                get = likeness.get
                for position in found:
                    found[position] += get(position, 0.0)
        for token in weak:
            for position, score in self._best_likeness(self._variants(token), found).items():
                found[position] += score
        return found

    def _best_positions(self, token: str) -> dict[int, float]:
        """About :data:`SINGLE_TOKEN_POOL` patients carrying the names most like ``token``."""
        chosen = []
        total = 0
        for stored, score in self._variants(token):
            chosen.append((stored, score))
            total += self._holding(stored)
            if total >= SINGLE_TOKEN_POOL:
                break
        holders = self._holders([stored for stored, _ in chosen])
        found: dict[int, float] = {}
        for stored, score in reversed(chosen):
            found.update(dict.fromkeys(holders[stored], score))
        return found

    def _token_map(self, token: str) -> dict[int, float]:
        """Positions of every patient carrying a name like ``token``, with the best likeness."""
        cached = self._token_cache.get(token)
        if cached is not None:
            self._token_cache.move_to_end(token)
            return cached
        variants = self._variants(token)
        holders = self._holders([stored for stored, _ in variants])
        found: dict[int, float] = {}
        for stored, score in reversed(variants):
            found.update(dict.fromkeys(holders[stored], score))
        self._token_cache[token] = found
        if len(self._token_cache) > _CACHED_TOKENS:
            self._token_cache.popitem(last=False)
        return found

    def _variants(self, token: str) -> list[tuple[str, float]]:
        """Stored tokens a typed token may stand for, most alike first, with their scores."""
        cached = self._variant_cache.get(token)
        if cached is not None:
            return cached
        seen = {token} if self._holding(token) else set()
        seen.update(n for n in nicknames(token) if self._holding(n))
        if len(token) >= 3 and len(sound_key(token)) >= 2:
            seen.update(self._sounds.get(sound_key(token), ()))
        allowance = typo_allowance(token)
        if allowance:
            for length in range(len(token) - allowance, len(token) + allowance + 1):
                words = self._by_length.get(length)
                if words:
                    seen.update(match for match, _, _ in process.extract(
                        token, words, scorer=OSA.distance, score_cutoff=allowance, limit=None))
        seen.update(self._starting_with(token))
        if len(token) in PREFIX_TYPO_LENGTHS:
            for start, _, _ in process.extract(token, self._starts(len(token)),
                                               scorer=OSA.distance, score_cutoff=1, limit=None):
                seen.update(self._starting_with(start))
        scored = []
        for stored in seen:
            match = compare(token, stored)
            if match is not None:
                scored.append((stored, match.score))
        scored.sort(key=lambda pair: (-pair[1], -self._holding(pair[0]), pair[0]))
        self._variant_cache[token] = scored
        if len(self._variant_cache) > _CACHED_VARIANTS:
            self._variant_cache.popitem(last=False)
        return scored

    def _starts(self, length: int) -> list[str]:
        """The distinct starts of this many letters of longer names, made when first needed."""
        starts = self._prefixes.get(length)
        if starts is None:
            starts = sorted({t[:length] for t in self._vocabulary if len(t) > length})
            self._prefixes[length] = starts
        return starts

    def _starting_with(self, start: str) -> list[str]:
        first = bisect.bisect_left(self._vocabulary, start)
        end = bisect.bisect_left(self._vocabulary, start + "\uffff")
        return self._vocabulary[first:end]

    def _birth_positions(self, query: Query) -> dict[int, float]:
        found: dict[int, float] = {}
        for born in query.birth_dates:
            for variant in one_digit_variants(born):
                found.update(dict.fromkeys(self._born_on(variant), 60.0))
            swapped = day_month_swapped(born)
            if swapped:
                found.update(dict.fromkeys(self._born_on(swapped), 70.0))
            found.update(dict.fromkeys(self._born_on(born), 100.0))
        partial = query.partial_date
        if partial:
            same_day = self._born_on_day(partial.day, partial.month)
            self.entries(same_day)
            for position in same_day:
                born = self.entry(position).born
                if _year_fits(born.year, partial.year_start):
                    found[position] = max(found.get(position, 0.0), 90.0)
        return found

    def _identifier_positions(self, query: Query) -> set[int]:
        found: set[int] = set()
        for number in query.numbers:
            found.update(self._holding_identifier("medicare", number[:10])
                         if len(number) in (10, 11) else ())
            found.update(self._holding_identifier("ihi", number))
        for word in query.numbers + query.codes:
            found.update(self._holding_identifier("dva", word.upper()))
            exact = self._record_holder(word)
            if exact is not None:
                found.add(exact)
            elif len(word) >= 3:
                found.update(self._records_starting(word, RECORDS_STARTING))
        return found

    # --- what the structures hold (a stored index reads the same from the vault) -------

    def _holding(self, token: str) -> int:
        """How many patients carry a name token."""
        held = self._postings.get(token)
        return len(held) if held else 0

    def _holders(self, tokens: list[str]) -> dict[str, list[int]]:
        """The positions of the patients carrying each of these name tokens."""
        return {token: self._postings.get(token, []) for token in tokens}

    def _best_likeness(self, variants: list[tuple[str, float]], positions: Iterable[int]
                       ) -> dict[int, float]:
        """The best score among the ``(token, score)`` variants each of these patients carries.

        Patients carrying none may be left out.
        """
        likeness = defaultdict(float, variants)
        return {position: max(map(likeness.__getitem__, self.entry(position).all_tokens),
                              default=0.0) for position in positions}

    def _born_on(self, born: date) -> Iterable[int]:
        return self._born.get(born, ())

    def _born_on_day(self, day: int, month: int) -> list[int]:
        return self._day_month.get((day, month), [])

    def _holding_identifier(self, kind: str, value: str) -> Iterable[int]:
        """Patients holding a Medicare number, IHI or DVA file number (``kind``)."""
        return {"medicare": self._medicare, "ihi": self._ihi, "dva": self._dva}[kind].get(
            value, ())

    def _record_holder(self, record: str) -> int | None:
        return self._records.get(record)

    def _records_starting(self, start: str, limit: int) -> list[int]:
        """Up to ``limit`` patients whose (case-folded) record numbers start with ``start``."""
        first = bisect.bisect_left(self._sorted_records, start)
        found = []
        for record in self._sorted_records[first:first + limit]:
            if not record.startswith(start):
                break
            found.append(self._records[record])
        return found

    def _tokens(self) -> Iterable[str]:
        """Every distinct name token held."""
        return self._postings

    def _sound_of(self, token: str) -> str:
        return sound_key(token)

    # --- keeping the structures -------------------------------------------------------

    def _add(self, row: Indexed) -> None:
        entry = entry_for(row)
        position = len(self._entries)
        self._entries.append(entry)
        self._position[row.id] = position
        if self._kept_rows is not None:
            self._kept_rows[row.id] = row
        for token in set(entry.all_tokens):
            self._postings[token].append(position)
        if entry.born:
            self._born[entry.born].append(position)
            self._day_month[(entry.born.day, entry.born.month)].append(position)
        if row.medicare_number:
            self._medicare[row.medicare_number].append(position)
        if row.ihi:
            self._ihi[row.ihi].append(position)
        if row.dva_number:
            self._dva[row.dva_number].append(position)
        record = record_number_key(row.record_number)
        if record:
            self._records[record] = position
        held = (row.medicare_number, row.ihi, row.dva_number, record)
        self._identifiers.append(held if any(held) else None)

    def _rows_kept(self, patient_ids: list[int]) -> list[PatientRow]:
        return [self._kept_rows[i] for i in patient_ids if i in self._kept_rows]

    def _remove(self, patient_id: int) -> None:
        position = self._position.pop(patient_id)
        entry = self._entries[position]
        self._entries[position] = None
        if self._kept_rows is not None:
            self._kept_rows.pop(patient_id, None)
        medicare, ihi, dva, record = self._identifiers[position] or ("", "", "", "")
        self._identifiers[position] = None
        keyed = [(self._postings, t) for t in set(entry.all_tokens)]
        if entry.born:
            keyed += [(self._born, entry.born),
                      (self._day_month, (entry.born.day, entry.born.month))]
        keyed += [(table, key) for table, key in ((self._medicare, medicare), (self._ihi, ihi),
                                                   (self._dva, dva)) if key]
        for table, key in keyed:
            table[key].remove(position)
            if not table[key]:
                del table[key]
        if record:
            self._records.pop(record, None)

    def _refresh(self) -> None:
        if not self._dirty:
            return
        self._vocabulary = sorted(self._tokens())
        by_length: dict[int, list[str]] = defaultdict(list)
        sounds: dict[str, list[str]] = defaultdict(list)
        for token in self._vocabulary:
            by_length[len(token)].append(token)
            if len(token) >= 3:
                sounds[self._sound_of(token)].append(token)
        self._by_length = dict(by_length)
        self._prefixes = {}
        self._sounds = dict(sounds)
        self._sorted_records = sorted(self._records)
        self._dirty = False


def _overlap(maps: list[dict[int, float]]) -> set[int]:
    """Patients matching every typed name token, or failing that all but one of them.

    A single token that matches nobody (a slip, or a word that is not a name)
    must not empty the result.
    """
    keys = sorted((m.keys() for m in maps), key=len)
    every = set(keys[0]).intersection(*keys[1:])
    if len(every) >= 20:
        return every
    if len(keys) > 2:
        for left_out in range(len(keys)):
            rest = [k for i, k in enumerate(keys) if i != left_out]
            every |= set(rest[0]).intersection(*rest[1:])
    else:
        narrower = min((m for m in maps if m), key=len, default={})
        every.update(heapq.nlargest(SINGLE_TOKEN_POOL, narrower, key=narrower.__getitem__))
    return every


def _year_fits(year: int, typed: str) -> bool:
    return not typed or str(year).startswith(typed) or f"{year % 100:02d}".startswith(typed)
