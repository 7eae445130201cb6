"""File names for what goes to the clinical software, from a pattern the practice may change.

Clinical software picks up scanned documents from an import folder and
files them by the name: ``NGUYEN_Mai_19900605_20260314_clinical-images.pdf``
says whose record it belongs to and from when. Dates are written year first
(YYYYMMDD) so they sort, and so that no one reads 05/06 the American way.
Names are reduced to plain ASCII letters, digits and hyphens: accents,
apostrophes and spaces upset import scripts and some file systems.

Patient-identifying names belong only on files for the record: exports for
teaching or research get neutral names (:func:`neutral_name`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from clinfile.app.name_pattern import DEFAULT_SUMMARY_PATTERN, check_pattern
from clinfile.app.reports.model import PatientHeader

_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")
_REPEATS = re.compile(r"([_-])[_-]+")


def record_file_name(patient: PatientHeader, on: date, *, extension: str,
                     pattern: str = DEFAULT_SUMMARY_PATTERN) -> str:
    """Return the file name for a document about ``patient`` made ``on`` a date.

    Raises:
        NamePatternError: the pattern cannot be used.
    """
    check_pattern(pattern)
    values = {
        "SURNAME": safe_part(patient.family_name).upper(),
        "Surname": safe_part(patient.family_name),
        "Firstname": safe_part(_first_given_name(patient.given_names)),
        "DOB": patient.birth_date.strftime("%Y%m%d") if patient.birth_date else "unknown-DOB",
        "DATE": on.strftime("%Y%m%d"),
        "RECORD": safe_part(patient.record_number),
    }
    stem = safe_stem(pattern.format(**values))
    return f"{stem or 'clinical-images'}.{extension}"


def export_name(recipient: str) -> str:
    """The part of an export's file name that says it is one, and for whom.

    ``export-for-Dr-Jones``: an export sits in the outbox beside the summaries
    for the clinical record and must never be taken for one of them.
    """
    return "-".join(filter(None, ("export-for", safe_part(recipient)[:40].strip("-"))))


def neutral_name(purpose_word: str, number: int, *, extension: str) -> str:
    """Return a file name that says nothing about the patient: ``education-image-01.jpg``."""
    return f"{safe_part(purpose_word) or 'image'}-image-{number:02d}.{extension}"


def safe_part(text: str) -> str:
    """Reduce a name to ASCII letters, digits and hyphens ("O'Brien-Núñez" -> "OBrien-Nunez")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", ascii_text.replace("'", "")).strip("-")


def safe_stem(text: str) -> str:
    """Keep only safe characters in a whole file stem, collapsing runs of separators."""
    kept = re.sub(r"[^A-Za-z0-9_-]+", "-", text)
    return _REPEATS.sub(r"\1", kept).strip("-_")


def _first_given_name(given_names: str) -> str:
    parts = given_names.split()
    return parts[0] if parts else ""
