"""A patient's details as typed or imported, and the checks every way in shares.

CSV, FHIR, HL7 and the manual form all end in :func:`validate`, so one
patient is held to the same rules whichever way they arrived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from clinfile.app import clock
from clinfile.app.patients.dates import DateOrder, UnreadableDate, parse_birth_date
from clinfile.app.patients.identifiers import check_dva, check_ihi, check_medicare
from clinfile.db.patients import PatientValues

_SEX = {
    "m": "male", "male": "male", "man": "male", "1": "male",
    "f": "female", "female": "female", "woman": "female", "2": "female",
    "x": "other", "o": "other", "other": "other", "i": "other", "intersex": "other",
    "3": "other", "u": "unknown", "unknown": "unknown", "n": "unknown", "9": "unknown",
    "not stated": "unknown",
}
_SPACES = re.compile(r"\s+")


class InvalidPatient(ValueError):
    """The details cannot be kept as they are; ``str()`` says why, for people."""


@dataclass(frozen=True)
class PatientDetails:
    """One patient's details as they came in: text, not yet checked.

    ``birth_date`` may be text in the source's date order or a ``date``.
    """

    family_name: str
    given_names: str = ""
    birth_date: str | date | None = None
    sex: str = ""
    record_number: str = ""
    preferred_name: str = ""
    previous_names: tuple[str, ...] = ()
    address: str = ""
    suburb: str = ""
    state: str = ""
    postcode: str = ""
    phone: str = ""
    medicare_number: str = ""
    medicare_irn: str = ""
    dva_number: str = ""
    ihi: str = ""
    source: str = "manual"


@dataclass(frozen=True)
class Validated:
    """Details ready to store, and the warnings that must be shown with them."""

    values: PatientValues
    warnings: tuple[str, ...] = field(default=())


def validate(details: PatientDetails, date_order: DateOrder | str = DateOrder.DAY_FIRST, *,
             today: date | None = None) -> Validated:
    """Check and normalise one patient's details.

    A missing surname or an unreadable date of birth refuses the patient,
    because matching could not tell them apart safely. An identifier that
    fails its check is kept with a warning, never dropped and never silently.

    Raises:
        InvalidPatient: the details cannot be kept.
    """
    family = _clean(details.family_name)
    given = _clean(details.given_names)
    if not family and not given:
        raise InvalidPatient("no name")
    if not family:
        raise InvalidPatient("no surname")
    born = _birth_date(details.birth_date, date_order, today)
    medicare, irn = check_medicare(details.medicare_number, details.medicare_irn)
    ihi = check_ihi(details.ihi)
    dva = check_dva(details.dva_number)
    warnings = tuple(c.problem for c in (medicare, irn, ihi, dva) if c.problem)
    if irn.value and not medicare.value:
        warnings += ("a Medicare IRN was given without a Medicare number",)
    values = PatientValues(
        record_number=_clean(details.record_number) or None,
        family_name=family,
        given_names=given,
        preferred_name=_clean(details.preferred_name),
        previous_names="; ".join(n for n in (_clean(p) for p in details.previous_names)
                                 if n and n.casefold() != family.casefold()),
        birth_date=born.isoformat() if born else None,
        sex=_sex(details.sex),
        address=_clean(details.address),
        suburb=_clean(details.suburb),
        state=_clean(details.state).upper(),
        postcode=_clean(details.postcode),
        phone=_clean(details.phone),
        medicare_number=medicare.value,
        medicare_irn=irn.value,
        dva_number=dva.value,
        ihi=ihi.value,
        warnings=warnings,
        source=details.source,
    )
    return Validated(values, warnings)


def details_of(values: PatientValues) -> PatientDetails:
    """Turn stored values back into editable details."""
    return PatientDetails(
        family_name=values.family_name, given_names=values.given_names,
        birth_date=date.fromisoformat(values.birth_date) if values.birth_date else None,
        sex=values.sex, record_number=values.record_number or "",
        preferred_name=values.preferred_name,
        previous_names=tuple(p for p in values.previous_names.split("; ") if p),
        address=values.address, suburb=values.suburb, state=values.state,
        postcode=values.postcode, phone=values.phone,
        medicare_number=values.medicare_number, medicare_irn=values.medicare_irn,
        dva_number=values.dva_number, ihi=values.ihi, source=values.source,
    )


def _birth_date(value: str | date | None, order: DateOrder | str, today: date | None
                ) -> date | None:
    if isinstance(value, date):
        if value > (today or clock.today()):
            raise InvalidPatient(f"date of birth {value:%d/%m/%Y} is in the future")
        return value
    if not value or not value.strip():
        return None
    try:
        return parse_birth_date(value, order, today=today)
    except UnreadableDate as exc:
        raise InvalidPatient(str(exc)) from None


def _sex(text: str) -> str:
    key = _clean(text).casefold()
    return _SEX.get(key, "other" if key else "")


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()
