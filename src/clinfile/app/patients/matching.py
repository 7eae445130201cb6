"""Ranking patients against a query, with reasons in words and the safety rules.

Filing a photo to the wrong patient is the worst mistake this software can
help a person make, so a result never files anything: it ranks, says why,
and when two candidates are close, or share a name and date of birth, it
says so and asks for an explicit choice.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from clinfile.app.patients.dates import day_month_swapped, one_digit_away, show
from clinfile.app.patients.identifiers import format_medicare, record_number_key
from clinfile.app.patients.index import Entry, PatientIndex, entry_for
from clinfile.app.patients.names import reception_name, tokens
from clinfile.app.patients.query import PartialDate, Query
from clinfile.app.patients.similarity import Likeness, TokenMatch, compare
from clinfile.db.patients import PatientRow

SCORED_IN_FULL = 30
CLOSE_SCORES = 5.0
WEAK_MATCH = 60.0
NAME_WEIGHT = 0.55
BIRTH_DATE_ALONE = 0.85
WITHOUT_IDENTIFIER = 0.95
IDENTIFIER_FLOOR = 96.0


@dataclass(frozen=True)
class Candidate:
    """One patient who may be the one meant, with the score and the reasons for it.

    ``distinguishing`` is set when another candidate has the same name: the
    suburb or record number that tells them apart.
    """

    patient: PatientRow
    score: float
    reasons: tuple[str, ...]
    distinguishing: str = ""

    @property
    def display_name(self) -> str:
        """The name as reception reads it: SMITH, John."""
        return reception_name(self.patient.family_name, self.patient.given_names)

    def as_dict(self) -> dict:
        """Plain data for JSON output."""
        p = self.patient
        return {
            "id": p.id, "name": self.display_name, "record_number": p.record_number,
            "birth_date": p.birth_date, "sex": p.sex, "suburb": p.suburb,
            "medicare": format_medicare(p.medicare_number, p.medicare_irn),
            "score": self.score, "reasons": list(self.reasons),
            "distinguishing": self.distinguishing, "warnings": list(p.warnings),
        }


@dataclass(frozen=True)
class MatchResult:
    """Ranked candidates and whether a person must choose between them explicitly.

    Nothing is filed from a result without a person confirming. When
    ``needs_explicit_choice`` is true the top candidate must not even be
    preselected: ``caution`` says why, in words.
    """

    query: Query
    candidates: tuple[Candidate, ...]
    needs_explicit_choice: bool
    caution: str = ""

    @property
    def preselected(self) -> Candidate | None:
        """The candidate a window may highlight for confirmation, if it is safe to."""
        if self.needs_explicit_choice or not self.candidates:
            return None
        return self.candidates[0]

    def as_dict(self) -> dict:
        """Plain data for JSON output."""
        return {"query": self.query.text, "needs_explicit_choice": self.needs_explicit_choice,
                "caution": self.caution, "candidates": [c.as_dict() for c in self.candidates]}


def search(index: PatientIndex, query: Query, *, limit: int = 10) -> MatchResult:
    """Rank the patients in ``index`` against ``query``."""
    if query.empty:
        return MatchResult(query, (), False)
    pool = index.candidates(query)
    # Equal rough scores are decided by patient id, so the same patients are
    # shortlisted however the index was loaded.
    chosen = heapq.nlargest(SCORED_IN_FULL, pool,
                            key=lambda position: (pool[position], -index.patient_id(position)))
    index.entries(chosen)
    shortlisted = [index.entry(position) for position in chosen]
    rows = index.rows([entry.id for entry in shortlisted])
    # Each is judged on its row as read now, not on the names the index holds,
    # so the reasons shown are always true of the patient shown.
    assessed = [_assess(entry_for(rows[entry.id]), rows[entry.id], query)
                for entry in shortlisted if entry.id in rows]
    assessed = [c for c in assessed if c.score > 0]
    assessed.sort(key=lambda c: (-c.score, c.patient.family_name.casefold(),
                                 c.patient.given_names.casefold(), c.patient.id))
    ranked = _with_distinguishing(assessed[:limit])
    needs_choice, caution = _safety(ranked)
    return MatchResult(query, tuple(ranked), needs_choice, caution)


# --- scoring one patient -------------------------------------------------------------

def _assess(entry: Entry, row: PatientRow, query: Query) -> Candidate:
    """Score one patient from 0 to 100 and say why.

    Name and date of birth are weighed together (a wrong date of birth caps a
    perfect name at about 52), and without an identifier nobody scores above
    95. An identifier that matches exactly outranks any name: it scores 96 or
    more, the name only ordering patients who share it.
    """
    reasons: list[str] = []
    parts: list[tuple[float, float]] = []
    if query.names:
        name_score, name_reasons = _name_score(entry, row, query.names)
        parts.append((NAME_WEIGHT, name_score))
        reasons += name_reasons
    if query.birth_dates or query.partial_date:
        born_score, born_reason = _birth_score(entry.born, query.birth_dates, query.partial_date)
        parts.append((1 - NAME_WEIGHT, born_score))
        reasons.append(born_reason)
    weight = sum(w for w, _ in parts)
    combined = sum(w * s for w, s in parts) / weight if weight else 0.0
    if not query.names:
        combined *= BIRTH_DATE_ALONE
    id_score, id_reasons = _identifier_score(row, query)
    if id_score == 100.0:
        combined = IDENTIFIER_FLOOR + (100.0 - IDENTIFIER_FLOOR) * (
            combined / 100.0 if query.names else 1.0)
        reasons = id_reasons + reasons
    elif id_score:
        combined = 0.9 * id_score + 0.1 * (combined if parts else id_score)
        reasons = id_reasons + reasons
    else:
        combined *= WITHOUT_IDENTIFIER
    return Candidate(row, round(min(combined, 100.0), 1), tuple(reasons))


class _Fit(NamedTuple):
    """How one typed token fits one of the patient's names."""

    score: float
    field: str = ""
    stored: str = ""
    match: TokenMatch | None = None


_FIELD_WORDS = {"family": "surname", "previous": "previous surname", "given": "first name",
                "middle": "middle name", "preferred": "preferred name"}


def _name_score(entry: Entry, row: PatientRow, typed: tuple[str, ...]
                ) -> tuple[float, list[str]]:
    """Score the best way of reading the typed tokens as this patient's names.

    Each typed token is read as a surname or as a given name, whichever fits
    better, except that a search of two or more words is expected to name
    both the surname and a given name: reading every word as a surname costs
    points, so "John Smith" prefers John Smith to a Mr John Johns.
    """
    options = [_best_by_side(entry, token) for token in typed]
    chosen = [family if family.score >= given.score else given for family, given in options]
    score, penalised = _assignment_score(entry, typed, chosen)
    for flip in range(len(typed) if penalised else 0):
        other = options[flip][0] if chosen[flip] is options[flip][1] else options[flip][1]
        trial = chosen[:flip] + [other] + chosen[flip + 1:]
        trial_score, _ = _assignment_score(entry, typed, trial)
        if trial_score > score:
            chosen, score = trial, trial_score
    reasons = []
    matched_family = set()
    for token, fit in zip(typed, chosen, strict=True):
        if not fit.score:
            reasons.append(f"“{token}” does not match any of this patient's names")
            continue
        if fit.field == "family":
            matched_family.add(fit.stored)
        reasons.append(_says(row, token, fit))
    if matched_family and len(entry.family) > 1 and len(matched_family) < len(entry.family):
        score -= 3
        reasons.append(f"matches part of the surname {row.family_name}")
    return max(score, 0.0), list(dict.fromkeys(reasons))


def _assignment_score(entry: Entry, typed: tuple[str, ...], chosen: list[_Fit]
                      ) -> tuple[float, bool]:
    """Score one reading of the typed tokens; also say whether it lacks a surname or given name.

    Only a reading that lacks one can be bettered by reading a token the
    other way, so the caller tries the alternatives only then.
    """
    score = sum(fit.score for fit in chosen) / len(typed)
    fields = {fit.field for fit in chosen if fit.score}
    penalised = False
    if not fields & _SURNAME_FIELDS:
        score -= 12
        penalised = True
    if len(typed) >= 2 and entry.given and not fields & _GIVEN_FIELDS:
        score -= 10
        penalised = True
    if "middle" in fields:
        score -= 4
    if "previous" in fields:
        score -= 5
    return score, penalised


_SURNAME_FIELDS = frozenset({"family", "previous"})
_GIVEN_FIELDS = frozenset({"given", "middle", "preferred"})


def _best_by_side(entry: Entry, token: str) -> tuple[_Fit, _Fit]:
    """The best match for one typed token among surnames, and among given names."""
    family = _best(token, (("family", entry.family), ("previous", entry.previous)))
    given = _best(token, (("given", entry.given[:1]), ("middle", entry.given[1:]),
                          ("preferred", entry.preferred)))
    return family, given


def _best(token: str, fields: tuple[tuple[str, tuple[str, ...]], ...]) -> _Fit:
    best = _Fit(0.0)
    for field, stored_tokens in fields:
        for stored in stored_tokens:
            match = compare(token, stored)
            if match is not None and match.score > best.score:
                best = _Fit(match.score, field, stored, match)
    return best


def _says(row: PatientRow, token: str, fit: _Fit) -> str:
    field, stored, match = fit.field, fit.stored, fit.match
    words = _FIELD_WORDS[field]
    shown = stored.title()
    if field == "previous":
        shown = next((name for name in row.previous_names.split("; ")
                      if stored in tokens(name)), shown)
        if match.likeness is Likeness.SAME:
            return f"matches previous surname {shown}"
    if match.likeness is Likeness.SAME:
        return f"{words} matches"
    if match.likeness is Likeness.NICKNAME:
        return f"{token.title()} is another form of the {words} {shown}"
    if match.likeness is Likeness.INITIAL:
        return f"{words} starts with {token.upper()}"
    if match.likeness is Likeness.STARTS:
        return f"{words} starts with “{token.title()}” ({shown})"
    if match.likeness is Likeness.STARTS_ROUGHLY:
        return f"{words} starts almost like “{token}” ({shown})"
    return f"{words} {match.likeness.value} ({shown})"


def _birth_score(born: date | None, typed: tuple[date, ...], partial: PartialDate | None
                 ) -> tuple[float, str]:
    if born is None:
        return 40.0, "no date of birth on record"
    if born in typed:
        return 100.0, "date of birth matches"
    if partial and (born.day, born.month) == (partial.day, partial.month) and (
            not partial.year_start or str(born.year).startswith(partial.year_start)
            or f"{born.year % 100:02d}".startswith(partial.year_start)):
        return 90.0, "day and month of birth match"
    if any(day_month_swapped(d) == born for d in typed):
        return 80.0, "date of birth matches with day and month swapped"
    if any(one_digit_away(d, born) for d in typed):
        return 72.0, "date of birth one digit different"
    return 0.0, f"date of birth does not match ({show(born)})"


def _identifier_score(row: PatientRow, query: Query) -> tuple[float, list[str]]:
    found: list[tuple[float, str]] = []
    for number in query.numbers:
        if row.ihi and number == row.ihi:
            found.append((100.0, "IHI matches"))
        if row.medicare_number and len(number) in (10, 11) and number[:10] == row.medicare_number:
            if len(number) == 11 and number[10] == row.medicare_irn:
                found.append((100.0, "Medicare number and IRN match"))
            elif len(number) == 11:
                found.append((75.0, "Medicare number matches but the IRN is another person's "
                                    "on the same card"))
            else:
                found.append((92.0, "Medicare number matches (everyone on the card shares it)"))
    for word in query.numbers + query.codes:
        if row.dva_number and word.upper() == row.dva_number:
            found.append((100.0, "DVA file number matches"))
        record = record_number_key(row.record_number)
        if record and word == record:
            found.append((100.0, "record number matches"))
        elif record and len(word) >= 3 and record.startswith(word):
            found.append((70.0, f"record number starts with {word.upper()}"))
    if not found:
        return 0.0, []
    found.sort(key=lambda f: -f[0])
    return found[0][0], [reason for _, reason in found]


# --- safety and telling people apart ----------------------------------------------------

def _same_person_key(patient: PatientRow) -> tuple[str, str]:
    return patient.family_name.casefold(), patient.given_names.casefold()


def _with_distinguishing(ranked: list[Candidate]) -> list[Candidate]:
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in ranked:
        groups.setdefault(_same_person_key(candidate.patient), []).append(candidate)
    result = []
    for candidate in ranked:
        group = groups[_same_person_key(candidate.patient)]
        if len(group) < 2:
            result.append(candidate)
            continue
        result.append(Candidate(candidate.patient, candidate.score, candidate.reasons,
                                _detail(candidate.patient, [c.patient for c in group])))
    return result


def _detail(patient: PatientRow, namesakes: list[PatientRow]) -> str:
    """What tells this patient from others with the same name, in words."""
    details = []
    if len({p.birth_date for p in namesakes}) > 1:
        details.append(f"born {show(date.fromisoformat(patient.birth_date))}"
                       if patient.birth_date else "no date of birth")
    if len({p.suburb.casefold() for p in namesakes}) > 1 and patient.suburb:
        details.append(f"lives in {patient.suburb}")
    details.append(f"record {patient.record_number}" if patient.record_number
                   else "no record number")
    return "; ".join(details)


def _safety(ranked: list[Candidate]) -> tuple[bool, str]:
    if ranked and ranked[0].score < WEAK_MATCH:
        return True, ("No patient matches well. Check the name and date of birth, then choose "
                      "one yourself or search again.")
    if len(ranked) < 2:
        return False, ""
    first, second = ranked[0], ranked[1]
    if (_same_person_key(first.patient) == _same_person_key(second.patient)
            and first.patient.birth_date == second.patient.birth_date):
        return True, ("Two patients have the same name and date of birth. Check the address "
                      "and record number, then choose one yourself.")
    if first.score - second.score < CLOSE_SCORES:
        return True, ("The top two patients match almost equally well. Check the details and "
                      "choose one yourself.")
    return False, ""
